/**
 * The six probes that showed the renderer's old test hub (a second implementation, since deleted) answering
 * differently from the product, run against the harness: each asserts what the real hub does, so a
 * renderer test written on the harness sees the same. Then the harness's own conveniences.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HubEvents } from '../../src-shared/api.ts';
import { imapKind } from '../../src-main/connectors/imap/kind.ts';
import { fakeChatKind } from '../support/fake-kinds/chat.ts';
import { fakeFeedKind } from '../support/fake-kinds/feeds.ts';
import { mailBatch } from '../support/fake-kinds/mail.ts';
import { eventually, openHubHarness, type HubHarness } from '../support/hub-harness.ts';

let h: HubHarness;

afterEach(async () => {
  await h.dispose();
});

async function mailAccount(count: number) {
  h.mail.user('me', 'pw', mailBatch(count));
  return h.addAccount('imap', { displayName: 'Work', host: 'imap.example.com', user: 'me', password: 'pw' });
}

describe('the real hub behind the harness, where the old test hub differed', () => {
  it('pages with an opaque cursor that round-trips to the next page', async () => {
    h = await openHubHarness();
    const work = await mailAccount(120);
    const first = await h.direct.call('inbox.list', { limit: 50 });
    if (!first.ok) throw new Error(first.error.message);
    expect(first.value.items.map((i) => i.title)).toEqual(Array.from({ length: 50 }, (_, i) => `Subject ${i}`));
    const cursor = first.value.next;
    expect(typeof cursor).toBe('string');
    // Opaque: neither a timestamp nor an item id can be read out of it.
    expect(cursor).not.toContain(work.account.id);
    expect(cursor).not.toMatch(/^\d+:/);
    const second = await h.direct.call('inbox.list', { limit: 50, after: cursor! });
    if (!second.ok) throw new Error(second.error.message);
    expect(second.value.items.map((i) => i.title)).toEqual(Array.from({ length: 50 }, (_, i) => `Subject ${i + 50}`));
    const third = await h.direct.call('inbox.list', { limit: 50, after: second.value.next! });
    expect(third.ok && third.value.items.length).toBe(20);
    expect(third.ok && third.value.next).toBeUndefined();
  });

  it('refuses a cursor it did not hand out as invalid input', async () => {
    h = await openHubHarness();
    await mailAccount(3);
    const garbage = await h.direct.call('inbox.list', { limit: 50, after: 'not-a-cursor' });
    expect(garbage).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });

  it('says not-found when marking an id read that it does not hold', async () => {
    h = await openHubHarness();
    await mailAccount(3);
    expect(await h.direct.call('item.markRead', { itemIds: ['no-such-item'] })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('refuses IMAP port 0 at input validation, before any connection', async () => {
    // The real IMAP kind, network and all: a port that passed validation would be dialled and fail differently.
    h = await openHubHarness({ kinds: (s) => [imapKind, fakeChatKind(s.chat), fakeFeedKind(s.feeds)] });
    const added = await h.direct.call('accounts.add', {
      kind: 'imap',
      input: { displayName: 'Zero', host: 'imap.invalid', port: 0, security: 'tls', user: 'me', password: 'pw' },
    });
    expect(added).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'port' } });
    expect(await h.direct.call('accounts.list', {})).toEqual({ ok: true, value: [] });
  });

  it('searches by words and word prefixes, not by substrings: "ubject 1" finds nothing', async () => {
    h = await openHubHarness();
    await mailAccount(30);
    expect(await h.direct.call('inbox.search', { text: 'ubject 1' })).toMatchObject({ ok: true, value: { items: [], total: 0 } });
    const words = await h.direct.call('inbox.search', { text: 'Subject 1' });
    expect(words.ok && words.value.items.map((i) => i.title)).toEqual(['Subject 1']);
  });

  it('tells listeners when an account is removed: accounts.changed and inbox.changed', async () => {
    h = await openHubHarness();
    const work = await mailAccount(3);
    const events: (keyof HubEvents)[] = [];
    h.direct.on('accounts.changed', () => events.push('accounts.changed'));
    h.direct.on('inbox.changed', (p) => {
      if (p.accountIds.includes(work.account.id)) events.push('inbox.changed');
    });
    expect(await h.direct.call('accounts.remove', { accountId: work.account.id })).toEqual({ ok: true, value: null });
    await eventually('both events', () => events.length >= 2);
    expect([...events].sort()).toEqual(['accounts.changed', 'inbox.changed']);
  });
});

describe('secrets', () => {
  it('keeps passwords out of the hub’s log and profile: only the keychain has them', async () => {
    h = await openHubHarness();
    h.mail.user('me', 'correct horse battery', mailBatch(2));
    h.chat.user('@me:example.org', 'matrix staple password');
    await h.addAccount('imap', { displayName: 'Work', host: 'imap.example.com', user: 'me', password: 'correct horse battery' });
    await h.addAccount('matrix', { userId: '@me:example.org', password: 'matrix staple password' });
    expect(await h.direct.call('accounts.add', { kind: 'imap', input: { host: 'imap.example.com', user: 'me', password: 'wrong horse battery' } })).toMatchObject({ ok: false });
    const profile = readdirSync(h.profileDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => readFileSync(join(entry.parentPath, entry.name)).toString('latin1'))
      .join('\n');
    // The check reads where the accounts are kept (the database and its write-ahead log).
    expect(profile).toContain('imap.example.com');
    for (const password of ['correct horse battery', 'matrix staple password', 'wrong horse battery']) {
      expect(h.logLines.join('\n')).not.toContain(password);
      expect(profile).not.toContain(password);
    }
  });
});

describe('the harness', () => {
  it('holds a call before it reaches the hub, and fails the next one without reaching it', async () => {
    h = await openHubHarness();
    const work = await mailAccount(3);
    const item = `${work.account.id}:m0`;
    h.client.hold('item.markRead');
    const marking = h.client.call('item.markRead', { itemIds: [item] });
    const stillUnread = await h.direct.call('inbox.list', { unreadOnly: true });
    expect(stillUnread.ok && stillUnread.value.items.map((i) => i.id)).toContain(item);
    h.client.release('item.markRead');
    expect(await marking).toEqual({ ok: true, value: null });
    expect(h.mail.mailbox('me').find((m) => m.id === 'm0')?.unread).toBe(false);

    h.client.failNext('item.markUnread', { code: 'connection-failed', message: 'Lost the connection.' });
    expect(await h.client.call('item.markUnread', { itemIds: [item] })).toEqual({ ok: false, error: { code: 'connection-failed', message: 'Lost the connection.' } });
    expect(h.mail.mailbox('me').find((m) => m.id === 'm0')?.unread).toBe(false);
    expect(h.client.calls.map((c) => c.name)).toEqual(['item.markRead', 'item.markUnread']);
  });

  it('drives the hub through the fake server: new mail is stored, counted and announced', async () => {
    h = await openHubHarness();
    const work = await mailAccount(2);
    const changed = h.nextEvent('inbox.changed', (p) => p.accountIds.includes(work.account.id));
    h.mail.deliver('me', [{ id: 'new', sender: 'Ops', title: 'Fresh', snippet: 'New mail', timestamp: Date.UTC(2026, 0, 1), unread: true, priority: false }]);
    await changed;
    const counts = await h.direct.call('inbox.counts', {});
    expect(counts.ok && counts.value.byAccount[work.account.id]).toBe(2);
    const first = await h.direct.call('inbox.list', { limit: 1 });
    expect(first.ok && first.value.items[0]?.title).toBe('Fresh');
  });
});
