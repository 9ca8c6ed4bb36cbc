import { missingCase, type ConnectionState, type PollActivity } from '../../src-shared/domain.ts';
import { formatAgo, formatRetryIn } from './time.ts';

export type StatusTone = 'ok' | 'busy' | 'warn' | 'bad' | 'idle';

export interface StatusWords {
  text: string;
  tone: StatusTone;
  /** Only a new password helps: the UI offers "Sign in again" beside the words. */
  needsSignIn?: true;
}

/** The words and colour for an account's connection, in the user's terms. */
export function describeStatus(status: ConnectionState, now: number, activity?: PollActivity): StatusWords {
  switch (status.state) {
    case 'connecting':
      return { text: activity ? 'checking…' : 'connecting…', tone: 'busy' };
    case 'online':
      return activity?.lastSuccessAt !== undefined
        ? { text: `updated ${formatAgo(activity.lastSuccessAt, now)}`, tone: 'ok' }
        : { text: 'online', tone: 'ok' };
    case 'syncing':
      // As the inbox's progress line counts (src-shared/sync-progress.ts); a one-step sync has no count.
      return { text: status.total > 1 ? `syncing ${Math.min(status.done, status.total).toLocaleString('en-US')} of ${status.total.toLocaleString('en-US')}` : 'syncing…', tone: 'busy' };
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

/** A polled account's history in three short lines: last success, last error, next check. */
export function describeActivity(activity: PollActivity, now: number): string[] {
  const lines: string[] = [];
  lines.push(activity.lastSuccessAt === undefined ? 'Not fetched yet.' : `Last updated ${formatAgo(activity.lastSuccessAt, now)}.`);
  if (activity.lastError !== undefined && activity.lastErrorAt !== undefined && (activity.lastSuccessAt ?? 0) < activity.lastErrorAt) {
    lines.push(`Last error ${formatAgo(activity.lastErrorAt, now)}: ${activity.lastError}`);
  }
  if (activity.nextPollAt !== undefined) {
    lines.push(activity.nextPollAt > now ? `Next check in ${formatRetryIn(activity.nextPollAt, now)}.` : 'Checking now…');
  }
  return lines;
}
