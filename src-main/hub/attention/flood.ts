/**
 * Flood control: more than `limit` notifications from one source (an account) within a minute
 * become one summary ("12 new messages in #incident-2291"). The first `limit` go out as they come;
 * the rest are counted, and once they stop for a few seconds (or a minute has passed) one summary
 * goes out, replacing the conversation's notification. While the flood lasts, later summaries
 * replace that one with the count so far. Pure state: the caller passes the time and runs `due`.
 */
import type { RaisedNotification } from '../../../src-shared/attention.ts';

export const FLOOD_LIMIT = 5;
export const FLOOD_WINDOW_MS = 60_000;
/** A flood's summary waits this long after the last held item, so a burst becomes one summary. */
export const FLOOD_SETTLE_MS = 3_000;

interface Flood {
  count: number;
  firstHeldAt: number;
  lastAt: number;
  /** The summary is due at this time; undefined once sent and nothing new came. */
  dueAt: number | undefined;
  latest: RaisedNotification;
  conversations: Map<string, string>;
  priority: boolean;
  accountName: string;
}

export interface FloodOptions {
  limit?: number;
  windowMs?: number;
  settleMs?: number;
  /** "Work mail", for a summary across several conversations. */
  accountName(accountId: string): string;
  /** Whether previews are shown: a summary then quotes the latest item. */
  previews(): boolean;
}

export class FloodControl {
  readonly limit: number;
  readonly #windowMs: number;
  readonly #settleMs: number;
  readonly #options: FloodOptions;
  /** Times of notifications sent per account within the window. */
  readonly #recent = new Map<string, number[]>();
  readonly #floods = new Map<string, Flood>();

  constructor(options: FloodOptions) {
    this.limit = options.limit ?? FLOOD_LIMIT;
    this.#windowMs = options.windowMs ?? FLOOD_WINDOW_MS;
    this.#settleMs = options.settleMs ?? FLOOD_SETTLE_MS;
    this.#options = options;
  }

  /** The notification to raise now, or undefined when it joins a flood's summary. */
  offer(notification: RaisedNotification, now: number): RaisedNotification | undefined {
    const key = notification.accountId;
    const flood = this.#floods.get(key);
    if (flood && now - flood.lastAt < this.#windowMs) {
      this.#join(flood, notification, now);
      return undefined;
    }
    if (flood) this.#floods.delete(key);
    const recent = (this.#recent.get(key) ?? []).filter((t) => now - t < this.#windowMs);
    if (recent.length < this.limit) {
      recent.push(now);
      this.#recent.set(key, recent);
      return notification;
    }
    // The one over the limit: what went out already counts towards the summary too.
    const started: Flood = {
      count: recent.length,
      firstHeldAt: now,
      lastAt: now,
      dueAt: undefined,
      latest: notification,
      conversations: new Map(),
      priority: false,
      accountName: this.#options.accountName(key),
    };
    this.#recent.delete(key);
    this.#floods.set(key, started);
    this.#join(started, notification, now);
    return undefined;
  }

  #join(flood: Flood, notification: RaisedNotification, now: number): void {
    flood.count += notification.summary?.count ?? 1;
    flood.lastAt = now;
    flood.latest = notification;
    flood.priority ||= notification.priority;
    flood.conversations.set(notification.group, notification.conversation);
    flood.firstHeldAt = flood.dueAt === undefined ? now : flood.firstHeldAt;
    flood.dueAt = Math.min(now + this.#settleMs, flood.firstHeldAt + this.#windowMs);
  }

  /** The earliest time a summary is due, for the caller's timer. */
  nextDueAt(): number | undefined {
    let next: number | undefined;
    for (const flood of this.#floods.values()) if (flood.dueAt !== undefined && (next === undefined || flood.dueAt < next)) next = flood.dueAt;
    return next;
  }

  /** Summaries due by `now`; floods quiet for a whole window are forgotten. */
  due(now: number): RaisedNotification[] {
    const out: RaisedNotification[] = [];
    for (const [key, flood] of this.#floods) {
      if (flood.dueAt !== undefined && flood.dueAt <= now) {
        flood.dueAt = undefined;
        out.push(this.#summary(flood, now));
      } else if (flood.dueAt === undefined && now - flood.lastAt >= this.#windowMs) {
        this.#floods.delete(key);
      }
    }
    return out;
  }

  #summary(flood: Flood, now: number): RaisedNotification {
    const latest = flood.latest;
    const one = flood.conversations.size === 1;
    const what = latest.source === 'feed' ? 'entries' : 'messages';
    const where = one ? latest.conversation : flood.accountName;
    const title = `${flood.count} new ${what} ${one ? 'in' : 'from'} ${where}`;
    return {
      itemId: latest.itemId,
      accountId: latest.accountId,
      source: latest.source,
      level: 'notify',
      priority: flood.priority,
      title,
      body: this.#options.previews() && latest.body !== '' ? `${latest.title}: ${latest.body}` : '',
      reason: `more than ${this.limit} notifications from ${flood.accountName} within a minute, so they are summed up in one`,
      conversation: one ? latest.conversation : flood.accountName,
      group: one ? latest.group : `${latest.accountId}:flood`,
      summary: { count: flood.count },
      at: now,
      desktop: latest.desktop,
    };
  }
}
