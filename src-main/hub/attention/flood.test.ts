/**
 * Flood control with the clock passed in: up to the limit notifications go out as they come; past
 * it, one summary per burst names the count and the conversation, and a quiet minute ends the flood.
 */
import { describe, expect, it } from 'vitest';
import type { RaisedNotification } from '../../../src-shared/attention.ts';
import { FloodControl } from './flood.ts';

const T0 = Date.UTC(2026, 5, 10, 9, 0, 0);

function note(n: number, overrides: Partial<RaisedNotification> = {}): RaisedNotification {
  return {
    itemId: `chat1:!incident`,
    accountId: 'chat1',
    source: 'chat',
    level: 'notify',
    priority: false,
    title: `Priya Raman in #incident-2291`,
    body: `update ${n}`,
    reason: 'you were mentioned',
    conversation: '#incident-2291',
    group: 'chat1:!incident',
    at: T0,
    desktop: true,
    ...overrides,
  };
}

const flood = (limit = 5) => new FloodControl({ limit, accountName: () => 'Team chat', previews: () => true });

describe('flood control', () => {
  it('lets the limit through, then sums the rest of the minute into one summary naming the conversation', () => {
    const f = flood();
    const raised = Array.from({ length: 12 }, (_, i) => f.offer(note(i), T0 + i * 1_000));
    expect(raised.filter((r) => r !== undefined)).toHaveLength(5);
    expect(raised.slice(5).every((r) => r === undefined)).toBe(true);
    // Nothing is due while the burst goes on; the summary waits for it to pause.
    expect(f.due(T0 + 11_500)).toEqual([]);
    const due = f.nextDueAt()!;
    expect(due).toBe(T0 + 11_000 + 3_000);
    const [summary, ...rest] = f.due(due);
    expect(rest).toEqual([]);
    expect(summary).toMatchObject({ title: '12 new messages in #incident-2291', summary: { count: 12 }, group: 'chat1:!incident', body: 'Priya Raman in #incident-2291: update 11' });
    expect(f.due(due + 10_000)).toEqual([]);
  });

  it('sends a summary at the latest a minute into a burst that does not pause, and counts on while it lasts', () => {
    const f = flood(2);
    f.offer(note(0), T0);
    f.offer(note(1), T0 + 100);
    const summaries: RaisedNotification[] = [];
    for (let t = 1; t <= 90; t++) {
      f.offer(note(t + 1), T0 + t * 1_000);
      summaries.push(...f.due(T0 + t * 1_000));
    }
    expect(summaries.length).toBe(1);
    expect(summaries[0]!.at).toBe(T0 + 61_000);
    expect(summaries[0]!.summary!.count).toBe(63);
    summaries.push(...f.due(T0 + 95_000));
    expect(summaries.map((s) => s.summary!.count)).toEqual([63, 92]);
  });

  it('counts per account: another account is not held back by one that floods', () => {
    const f = flood(2);
    for (let i = 0; i < 5; i++) f.offer(note(i), T0 + i);
    expect(f.offer(note(0, { accountId: 'mail1', group: 'mail1:t', source: 'mail' }), T0 + 10)).toBeDefined();
  });

  it('names the account when the flood spans several conversations, and ends after a quiet minute', () => {
    const f = flood(2);
    for (let i = 0; i < 6; i++) f.offer(note(i, { group: `chat1:!room${i}`, conversation: `#room${i}` }), T0 + i * 10);
    const [summary] = f.due(T0 + 10_000);
    expect(summary).toMatchObject({ title: '6 new messages from Team chat', group: 'chat1:flood', conversation: 'Team chat' });
    expect(f.due(T0 + 70_000)).toEqual([]);
    expect(f.offer(note(9), T0 + 70_100)).toBeDefined();
  });

  it('keeps previews out of the summary when they are off, and a feed speaks of entries', () => {
    const f = new FloodControl({ limit: 1, accountName: () => 'Status', previews: () => false });
    f.offer(note(0, { source: 'feed', conversation: 'Status', title: 'Status', body: '' }), T0);
    f.offer(note(1, { source: 'feed', conversation: 'Status', title: 'Status', body: '' }), T0 + 1);
    const [summary] = f.due(T0 + 5_000);
    expect(summary).toMatchObject({ title: '2 new entries in Status', body: '' });
  });
});
