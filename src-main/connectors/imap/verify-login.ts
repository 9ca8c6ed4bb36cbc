/** The check behind "Add account": log in and out once, and say precisely what failed. */
import type { ImapSettings } from '../../../src-shared/domain.ts';
import { createLogger, silentSink, type Logger } from '../../common/logger.ts';
import { closeClient } from './imap-client.ts';
import { mailSignIn } from './mail-sign-in.ts';

export async function verifyImapLogin(settings: ImapSettings, password: string, log: Logger = createLogger(silentSink)): Promise<void> {
  await verifyMailSignIn(settings, password, log);
}

/**
 * Logs in with `secret` (the password, or the OAuth2 tokens as the keychain keeps them) and
 * returns the secret to keep: OAuth2 tokens may have been refreshed on the way.
 */
export async function verifyMailSignIn(settings: ImapSettings, secret: string, log: Logger = createLogger(silentSink)): Promise<string> {
  let kept = secret;
  const signIn = mailSignIn(settings, { readSecret: async () => kept, writeSecret: async (next) => void (kept = next) }, log);
  const client = await signIn.open();
  await closeClient(client);
  return kept;
}
