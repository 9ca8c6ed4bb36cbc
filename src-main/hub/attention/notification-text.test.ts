/**
 * What a notification says for each source: who and where in the title, the preview, subject or
 * entry title in the body, nothing of either without previews, and connector text cleaned.
 */
import { describe, expect, it } from 'vitest';
import type { AttentionFacts } from '../../connectors/connector.ts';
import { notificationFor } from './notification-text.ts';

const facts = (overrides: Partial<AttentionFacts> = {}): AttentionFacts => ({
  fresh: true,
  fromMe: false,
  mentionsMe: false,
  direct: false,
  conversationName: 'Engineering',
  place: 'Engineering',
  text: { title: '', categories: [], body: '' },
  ...overrides,
});
const verdict = { level: 'notify' as const, priority: false, text: "it is a direct message — rule 'Chat: direct messages'" };
const on = { previews: true, desktop: true, at: 5 };

describe('notification text', () => {
  it.each([
    ['a room message', { source: 'chat', sender: 'Priya Raman', title: 'Engineering', snippet: 'can you confirm the rollout?' }, facts(), 'Priya Raman in Engineering', 'can you confirm the rollout?'],
    ['a DM, named after the person', { source: 'chat', sender: 'Priya Raman', title: 'Priya Raman', snippet: 'got a minute?' }, facts({ direct: true, place: 'Priya Raman', conversationName: 'Priya Raman' }), 'Priya Raman', 'got a minute?'],
    ['mail', { source: 'mail', sender: 'Tom Becker', title: 'Mobile app crash spike after 3.8.1', snippet: 'Crash-free sessions dropped' }, facts({ place: 'INBOX', mailbox: 'INBOX' }), 'Tom Becker', 'Mobile app crash spike after 3.8.1'],
    ['a feed entry', { source: 'feed', sender: 'Status', title: 'Partial outage: API', snippet: 'We are investigating' }, facts({ place: 'Status', conversationName: 'Status' }), 'Status', 'Partial outage: API'],
  ] as const)('%s', (_case, item, f, title, body) => {
    const n = notificationFor({ id: 'a:1', accountId: 'a', conversationKey: 'k', ...item }, f, verdict, on);
    expect([n.title, n.body, n.group, n.desktop, n.at]).toEqual([title, body, 'a:k', true, 5]);
  });

  it('says only that something arrived without previews, and names how many more came at once', () => {
    const item = { id: 'a:1', accountId: 'a', conversationKey: 'k', source: 'chat' as const, sender: 'Priya', title: 'Eng', snippet: 'secret plans' };
    expect(notificationFor(item, facts(), verdict, { ...on, previews: false })).toMatchObject({ title: 'New message', body: '', conversation: 'Engineering' });
    expect(notificationFor(item, facts(), verdict, { ...on, alsoNew: 2 }).body).toBe('secret plans (and 2 more)');
  });

  it('cleans what the server sent: no control characters, no runs of white space', () => {
    const n = notificationFor(
      { id: 'a:1', accountId: 'a', conversationKey: 'k', source: 'chat', sender: 'Eve\u0007\u202e', title: 'x', snippet: 'line one\n\n\tline two' },
      facts({ place: 'Ops\u0000 room' }),
      verdict,
      on,
    );
    expect([...n.title].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\u202e')).toBe(false);
    expect(n.body).toBe('line one line two');
  });
});
