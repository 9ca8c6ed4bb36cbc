/**
 * When a feed is polled next. A healthy feed waits its interval, give or take a tenth, so feeds
 * added together drift apart instead of hitting servers in step. A failing feed backs off
 * (doubling, with jitter, up to a few hours) so a broken server is not hammered; a server that says
 * Retry-After is believed, and never polled sooner than its own interval.
 */

export const MAX_BACKOFF_MS = 4 * 3600_000;

export function nextPollDelay(
  outcome: { kind: 'success' } | { kind: 'failure'; failures: number; retryAfterMs?: number },
  intervalMs: number,
  random: () => number = Math.random,
): number {
  if (outcome.kind === 'success') return Math.round(intervalMs * (0.9 + 0.2 * random()));
  if (outcome.retryAfterMs !== undefined) {
    return Math.round(Math.max(outcome.retryAfterMs, intervalMs) * (1 + 0.05 * random()));
  }
  const doubled = intervalMs * 2 ** Math.min(Math.max(outcome.failures - 1, 0), 20);
  const cap = Math.max(intervalMs, Math.min(doubled, MAX_BACKOFF_MS));
  // Equal jitter: never less than half the cap, so a failing feed still slows down.
  return Math.round(cap / 2 + (cap / 2) * random());
}

/** The first poll after start: soon, but spread so two hundred feeds do not fire at once. */
export function firstPollDelay(intervalMs: number, lastSuccessAt: number | undefined, now: number, random: () => number = Math.random): number {
  const spread = Math.round(random() * Math.min(intervalMs, 5_000));
  if (lastSuccessAt === undefined) return spread;
  // Polled recently (the app was restarted): wait out the rest of the interval.
  const remaining = lastSuccessAt + intervalMs - now;
  return Math.max(spread, Math.min(remaining, intervalMs));
}
