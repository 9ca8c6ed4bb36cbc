/**
 * Hostile text through the real hub: a feed served from 127.0.0.1 whose entry title is a
 * one-megabyte word and whose names carry bidi overrides, and mail in a real Dovecot with a
 * right-to-left override in its subject and a look-alike sender domain. What `inbox.list` and
 * `item.get` give the window is cut to the documented limits and cleaned, and legitimate
 * right-to-left text arrives untouched.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxItem } from '../../src-shared/domain.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { TEXT_LIMITS } from '../../src-main/hub/text-limits.ts';
import { startDovecot, type Dovecot, type DovecotUser } from '../support/dovecot.ts';
import { rssFeed } from '../support/feed-fixtures.ts';
import { startFeedServer, type FeedServer } from '../support/feed-server.ts';
import { testKeychain } from '../support/keychain.ts';
import { appendMessages, type FixtureMessage } from '../support/mail-fixtures.ts';
import { tempProfile } from '../support/profile.ts';

const HUGE_WORD = 'W'.repeat(1_000_000);
const RLO = '\u202E';
const PDF = '\u202C';
const HEBREW = 'שלום, הפגישה נדחתה למחר';

function encodedWord(text: string): string {
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

/** Raw UTF-8 header bytes (an internationalised address), as EAI mail carries them. */
function mail(kind: string, from: string, subject: string, n: number): FixtureMessage {
  const date = new Date(Date.now() - n * 60_000);
  const messageId = `<hostile-${n}@text.test>`;
  const raw = Buffer.from(
    [`From: ${from}`, 'To: Alice <alice@example.test>', `Subject: ${subject}`, `Date: ${date.toUTCString()}`, `Message-ID: ${messageId}`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', `Message ${n}.`, ''].join('\r\n'),
    'utf8',
  );
  return { kind, raw, date, flags: [], messageId, expect: { title: '', sender: '' } };
}

describe('hostile text through the hub', () => {
  const keychain = testKeychain();
  const profile = tempProfile('gs-hostile-text-');
  const user: DovecotUser = { user: 'dana', password: `pw-${randomBytes(8).toString('hex')}` };
  let feeds: FeedServer;
  let dovecot: Dovecot;
  let hub: Hub;

  const call = async <T,>(promise: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> => {
    const result = await promise;
    if (!result.ok) throw new Error(`call failed: ${result.error.message}`);
    return result.value;
  };
  const inbox = async (): Promise<InboxItem[]> => (await call(hub.call('inbox.list', { limit: 100 }))).items;

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.serveFeed('/hostile.rss', {
      body: rssFeed(
        [
          { id: 'huge', title: HUGE_WORD, at: '2026-11-20T12:00:00Z', html: `<p>${HUGE_WORD}</p>` },
          { id: 'spoof', title: `Invoice ${RLO}gpj.exe${PDF} paid`, at: '2026-11-20T11:00:00Z', html: '<p>see attachment</p>' },
          { id: 'hebrew', title: HEBREW, at: '2026-11-20T10:00:00Z', html: '<p>תודה</p>' },
        ],
        { title: `${RLO}Status${PDF} ${'N'.repeat(300_000)}` },
      ),
      contentType: 'application/rss+xml',
    });
    dovecot = await startDovecot({ users: [user] });
    await appendMessages(dovecot, user, [
      mail('rlo', 'Billing <billing@example.test>', encodedWord(`Invoice ${RLO}gpj.exe${PDF} paid`), 1),
      mail('look-alike', 'PayPal Security <service@p\u0430ypal.com>', 'Your account is limited', 2),
      mail('hebrew', 'Dana <dana@example.test>', encodedWord(HEBREW), 3),
      mail('genuine', 'PayPal <service@paypal.com>', 'Receipt for your payment', 4),
    ]);
    hub = Hub.open({ profileDir: profile.dir, secrets: keychain.secrets });
  });

  afterAll(async () => {
    await hub?.dispose();
    await dovecot?.stop();
    await feeds?.stop();
    await keychain.clear();
    profile.remove();
  });

  it('names a feed from its own hostile title within the limit, without its override', async () => {
    const view = await call(hub.call('accounts.add', { kind: 'feed', input: { url: feeds.url('/hostile.rss') } }));
    expect(view.account.displayName.startsWith('Status NNN')).toBe(true);
    expect(view.account.displayName.length).toBeLessThanOrEqual(TEXT_LIMITS.displayName);
    const listed = await call(hub.call('accounts.list', {}));
    expect(listed.every((v) => v.account.displayName.length <= TEXT_LIMITS.displayName)).toBe(true);
  });

  it('lists and opens a feed entry with a one-megabyte title cut to its limits', async () => {
    await call(hub.call('sync.once', {}));
    const items = await inbox();
    const huge = items.find((i) => i.title.startsWith('WWW'))!;
    expect(huge).toBeDefined();
    expect(huge.title).toHaveLength(TEXT_LIMITS.title);
    expect(huge.title.endsWith('…')).toBe(true);
    expect(huge.sender.length).toBeLessThanOrEqual(TEXT_LIMITS.sender);
    expect(huge.snippet.length).toBeLessThanOrEqual(TEXT_LIMITS.snippet);
    // The whole page is small again: no field rides along at full length.
    expect(JSON.stringify(items).length).toBeLessThan(20_000);

    const detail = await call(hub.call('item.get', { itemId: huge.id }));
    expect(detail.item.title).toBe(huge.title);
    expect(detail.bodyText.length).toBeLessThanOrEqual(TEXT_LIMITS.bodyText);
    expect(JSON.stringify(detail.content).length).toBeLessThan(TEXT_LIMITS.bodyText + 1_000);
    expect(detail.headers.every((h) => h.value.length <= TEXT_LIMITS.headerValue)).toBe(true);
  });

  it('shows a feed title with an override in its real order and a Hebrew title as it is', async () => {
    const titles = (await inbox()).filter((i) => i.source === 'feed').map((i) => i.title);
    expect(titles).toContain('Invoice gpj.exe paid');
    expect(titles).toContain(HEBREW);
    expect(titles.some((t) => /[\u202A-\u202E\u2066-\u2069]/.test(t))).toBe(false);
  });

  it('cleans mail subjects and marks the look-alike sender, in the list and the reading pane', async () => {
    await call(hub.call('accounts.add', { kind: 'imap', input: { displayName: 'Mail', host: '127.0.0.1', port: dovecot.port, security: 'plain', user: user.user, password: user.password } }));
    await call(hub.call('sync.once', {}));
    const mailItems = (await inbox()).filter((i) => i.source === 'mail');
    expect(mailItems).toHaveLength(4);
    const byTitle = (title: string) => mailItems.find((i) => i.title === title);

    expect(byTitle('Invoice gpj.exe paid')).toBeDefined();
    expect(byTitle(HEBREW)?.senderWarning).toBeUndefined();

    const spoof = byTitle('Your account is limited')!;
    expect(spoof.sender).toBe('PayPal Security');
    expect(spoof.senderWarning).toEqual({ kind: 'looks-like', domain: 'p\u0430ypal.com', imitates: 'paypal.com' });
    expect(byTitle('Receipt for your payment')!.senderWarning).toBeUndefined();

    const detail = await call(hub.call('item.get', { itemId: spoof.id }));
    expect(detail.item.senderWarning).toEqual(spoof.senderWarning);
    const rlo = await call(hub.call('item.get', { itemId: byTitle('Invoice gpj.exe paid')!.id }));
    expect(rlo.headers.find((h) => h.name === 'Subject')?.value).toBe('Invoice gpj.exe paid');
    expect(detail.headers.find((h) => h.name === 'From')?.value).toContain('service@p\u0430ypal.com');
  });
});
