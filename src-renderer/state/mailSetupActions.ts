/** Looking up the mail settings of an address (`accounts.autoconfig`); nothing is saved until the user adds the account. */
import type { MailAutoconfig } from '../../src-shared/api.ts';
import type { AppError } from '../../src-shared/result.ts';
import { withoutSecret } from '../format/secret.ts';
import type { Hub } from './actions.ts';

export async function findMailSettings(hub: Hub, email: string, password: string): Promise<{ ok: true; found: MailAutoconfig } | { ok: false; error: AppError }> {
  const result = await hub.client.call('accounts.autoconfig', { email, password });
  if (result.ok) return { ok: true, found: result.value };
  return { ok: false, error: { ...result.error, message: withoutSecret(result.error.message, password) } };
}
