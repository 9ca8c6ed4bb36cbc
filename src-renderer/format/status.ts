import { missingCase, type ConnectionState } from '../../src-shared/domain.ts';
import { formatRetryIn } from './time.ts';

export type StatusTone = 'ok' | 'busy' | 'warn' | 'bad' | 'idle';

export interface StatusWords {
  text: string;
  tone: StatusTone;
  /** Only a new password helps: the UI offers "Sign in again" beside the words. */
  needsSignIn?: true;
}

/** The words and colour for an account's connection, in the user's terms. */
export function describeStatus(status: ConnectionState, now: number): StatusWords {
  switch (status.state) {
    case 'connecting':
      return { text: 'connecting…', tone: 'busy' };
    case 'online':
      return { text: 'online', tone: 'ok' };
    case 'syncing':
      return { text: `syncing ${status.done}/${status.total}`, tone: 'busy' };
    case 'offline':
      return status.nextRetryAt > now
        ? { text: `offline — retry in ${formatRetryIn(status.nextRetryAt, now)}`, tone: 'warn' }
        : { text: 'offline — retrying…', tone: 'warn' };
    case 'auth-failed':
      return { text: 'authentication failed', tone: 'bad', needsSignIn: true };
    case 'stopped':
      return { text: 'stopped', tone: 'idle' };
    default:
      return missingCase(status);
  }
}
