/**
 * Sync and pagination tokens are both positions on the global stream: `sN` sits just after the
 * event stamped N. Clients must treat them as opaque, which is why a letter comes first.
 */
import { MatrixError } from './errors.ts';

export const streamToken = (position: number) => `s${position}`;

export function parseStreamToken(token: string | null, name: string): number | undefined {
  if (token === null || token === '') return undefined;
  const match = /^s(\d+)$/.exec(token);
  if (!match) throw new MatrixError(400, 'M_INVALID_PARAM', `Invalid ${name} token`);
  return Number(match[1]);
}
