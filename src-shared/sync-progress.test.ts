import { describe, expect, it } from 'vitest';
import { syncProgressLine } from './sync-progress.ts';

describe('the sync progress line', () => {
  it('counts messages with thousands separators, and only while syncing', () => {
    expect(syncProgressLine('Work', 'mail', { state: 'syncing', done: 1240, total: 2000 })).toBe('Work: 1,240 of 2,000 messages');
    expect(syncProgressLine('News', 'feed', { state: 'syncing', done: 3, total: 12 })).toBe('News: 3 of 12 entries');
    expect(syncProgressLine('Work', 'mail', { state: 'online', since: 0 })).toBeUndefined();
  });

  it('never shows more done than there is, and names a one-step sync without a count', () => {
    expect(syncProgressLine('Work', 'mail', { state: 'syncing', done: 2001, total: 2000 })).toBe('Work: 2,000 of 2,000 messages');
    expect(syncProgressLine('Team', 'chat', { state: 'syncing', done: 0, total: 1 })).toBe('Team: first sync…');
  });
});
