/**
 * Feeds through the whole hub against a local HTTP server: adding by page address, 304s that add
 * nothing, new entries arriving unread with their alerts, guid drift, edits, redirects, credentials
 * in the keychain, OPML, and a hanging feed that does not hold up the others.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RaisedNotification } from '../../src-shared/attention.ts';
import { isAccountOf, type AccountView, type InboxItem } from '../../src-shared/domain.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { feedKind } from '../../src-main/connectors/feeds/kind.ts';
import { profilePaths } from '../../src-main/hub/profile.ts';
import { InboxStore } from '../../src-main/store/inbox-store.ts';
import { atomFeed, rssFeed, statusEntries, windows1251Feed } from '../support/feed-fixtures.ts';
import { startFeedServer, type FeedServer } from '../support/feed-server.ts';
import { testKeychain } from '../support/keychain.ts';
import { tempProfile, type TempProfile } from '../support/profile.ts';

let server: FeedServer;
const keychain = testKeychain();
let profile: TempProfile;
let hub: Hub;

beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(async () => {
  await server.stop();
  await keychain.clear();
});

/** A hub on a fresh profile, or on the same one again to see what it kept. */
function openHub(again = false): Hub {
  if (!again) profile = tempProfile('gs-feeds-');
  hub = Hub.open({
    profileDir: profile.dir,
    secrets: keychain.secrets,
    kinds: [feedKind({ connectTimeoutMs: 1_000, totalTimeoutMs: 1_500 })],
  });
  return hub;
}

function addFeed(input: Record<string, unknown>) {
  return hub.call('accounts.add', { kind: 'feed', input });
}

afterEach(async () => {
  await hub?.dispose();
  profile?.remove();
});

async function value<T>(promise: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const result = await promise;
  if (!result.ok) throw new Error(`call failed: ${result.error.message}`);
  return result.value;
}

/** A second connection on the hub's database, as another reader would open it. */
function pendingSearchRows(): number {
  const store = InboxStore.open(profilePaths(profile.dir).database);
  try {
    return store.pendingSearchCount();
  } finally {
    store.close();
  }
}

async function inbox(accountId?: string): Promise<InboxItem[]> {
  return (await value(hub.call('inbox.list', { limit: 500, ...(accountId ? { accountId } : {}) }))).items;
}

describe('a feed added through the hub', () => {
  it('is found from its web page, arrives read at first, and a second poll answered 304 adds nothing', async () => {
    openHub();
    const entries = statusEntries(12);
    server.serveFeed('/status.rss', { body: rssFeed(entries), contentType: 'application/rss+xml', etag: '"v1"' });
    server.route('/status', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><head><title>Status</title><link rel="alternate" type="application/rss+xml" href="/status.rss"></head><body>All good</body></html>');
    });
    const view = await value(addFeed({ url: server.url('/status') }));
    expect(view.account.displayName).toBe('Example Status');
    expect(isAccountOf(view.account, 'feed') && view.account.settings.url).toBe(server.url('/status.rss'));

    await value(hub.call('sync.once', {}));
    const items = await inbox();
    expect(items).toHaveLength(12);
    expect(items.every((i) => !i.unread && i.source === 'feed')).toBe(true);
    expect(items[0]!.title).toBe(entries[0]!.title);

    const before = server.requestsTo('/status.rss');
    await value(hub.call('sync.once', {}));
    expect(server.requestsTo('/status.rss')).toBe(before + 1);
    expect(server.requests.at(-1)!.headers['if-none-match']).toBe('"v1"');
    expect(await inbox()).toHaveLength(12);

    // The body is stored with the item, sanitized, with the relative link resolved.
    const detail = await value(hub.call('item.get', { itemId: items[0]!.id }));
    expect(JSON.stringify(detail.content)).toContain('https://status.example.com/incidents/12');
    expect(detail.bodyText).toContain('investigating elevated error rates');

    // The search index catches up in the background, without a search asking for it.
    await expect.poll(() => pendingSearchRows(), { timeout: 5_000 }).toBe(0);
    expect((await value(hub.call('inbox.search', { text: 'Dashboard' }))).items.length).toBeGreaterThan(0);
  });

  it('brings new entries unread, flags keyword matches as priority, notifies, and dedupes guid drift and edits', async () => {
    openHub();
    const notices: RaisedNotification[] = [];
    hub.on((name, payload) => {
      if (name === 'attention.notification') notices.push(payload as RaisedNotification);
    });
    const entries = statusEntries(5);
    server.serveFeed('/alerts.rss', { body: rssFeed(entries, { guidBase: 'http://status.example.com/incidents/' }), contentType: 'application/rss+xml', etag: '"a1"' });
    const view = await value(addFeed({ url: server.url('/alerts.rss'), alertLevel: 'notify', keywords: ['outage'] }));
    await value(hub.call('sync.once', {}));
    expect(notices).toEqual([]);

    const fresh = [...statusEntries(7).slice(0, 2), ...entries];
    fresh[0] = { ...fresh[0]!, id: 'incident-new-1', title: 'Partial outage: API' };
    fresh[1] = { ...fresh[1]!, id: 'incident-new-2', title: 'Scheduled maintenance: Search' };
    // Same entries, guids now https:// with a trailing slash; one old entry edited upstream.
    fresh[2] = { ...fresh[2]!, title: `${fresh[2]!.title} — resolved` };
    server.serveFeed('/alerts.rss', { body: rssFeed(fresh, { guidBase: 'https://status.example.com/incidents/' }).replaceAll('</guid>', '/</guid>'), contentType: 'application/rss+xml', etag: '"a2"' });
    await value(hub.call('sync.once', {}));

    const items = await inbox(view.account.id);
    expect(items).toHaveLength(7);
    const unread = items.filter((i) => i.unread).map((i) => i.title).sort();
    expect(unread).toEqual(['Partial outage: API', 'Scheduled maintenance: Search']);
    // Whole-word keyword matches, old (read) and new alike; only the new one counts as unread priority.
    expect(items.filter((i) => i.priority).map((i) => i.title).sort()).toEqual(['Partial outage: API', 'Partial outage: Dashboard (#4)']);
    expect(items.some((i) => i.title.endsWith('— resolved'))).toBe(true);
    const counts = await value(hub.call('inbox.counts', {}));
    expect(counts.priorityByAccount[view.account.id]).toBe(1);
    // One notification for the feed (one conversation), about the newest entry and how many came with it.
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ itemId: items.find((i) => i.title === 'Partial outage: API')!.id, source: 'feed', level: 'notify', priority: true, body: 'Partial outage: API (and 1 more)' });

    // Read state made here survives the next poll of the same entries.
    const target = items.find((i) => i.unread)!;
    await value(hub.call('item.markRead', { itemIds: [target.id] }));
    server.serveFeed('/alerts.rss', { body: rssFeed(fresh), contentType: 'application/rss+xml', etag: '"a3"' });
    await value(hub.call('sync.once', {}));
    expect((await inbox(view.account.id)).find((i) => i.id === target.id)?.unread).toBe(false);
  });

  it('follows a permanent redirect by updating the stored address, and parses windows-1251', async () => {
    openHub();
    server.route('/old-news', (_req, res) => res.writeHead(301, { location: '/news-1251.xml' }).end());
    server.serveFeed('/news-1251.xml', { body: windows1251Feed(), contentType: 'text/xml' });
    const view = await value(addFeed({ url: server.url('/old-news') }));
    expect(isAccountOf(view.account, 'feed') && view.account.settings.url).toBe(server.url('/news-1251.xml'));
    expect(view.account.displayName).toBe('Новости компании');
    await value(hub.call('sync.once', {}));
    const [item] = await inbox();
    expect(item!.title).toBe('Плановые работы в субботу');
    expect(new Date(item!.timestamp).toISOString()).toBe('2026-11-07T06:05:00.000Z');
  });

  it('keeps feed credentials in the keychain and refuses a wrong password', async () => {
    openHub();
    const password = `canary-${randomBytes(12).toString('hex')}`;
    server.route('/internal.atom', (req, res) => {
      const expected = `Basic ${Buffer.from(`ci:${password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return res.writeHead(401, { 'www-authenticate': 'Basic realm="ci"' }).end();
      res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(atomFeed(statusEntries(3)));
    });
    const wrong = await addFeed({ url: server.url('/internal.atom'), credentials: { kind: 'basic', username: 'ci', password: 'nope' } });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) {
      expect(wrong.error.code).toBe('auth-failed');
      expect(wrong.error.message).toMatch(/refused the sign-in/);
    }
    const view = await value(addFeed({ url: server.url('/internal.atom'), credentials: { kind: 'basic', username: 'ci', password } }));
    await value(hub.call('sync.once', {}));
    expect(await inbox()).toHaveLength(3);
    expect(await keychain.secrets.getPassword(view.account.id)).toBe(password);
    await hub.dispose();
    const leaks = filesUnder(profile.dir).filter((file) => readFileSync(file).includes(password));
    expect(leaks).toEqual([]);
  });

  it('polls the other feeds while one hangs, and reports which one failed', async () => {
    openHub();
    server.route('/hangs.rss', () => {
      // Never answers.
    });
    server.serveFeed('/fine.rss', { body: rssFeed(statusEntries(2)), contentType: 'application/rss+xml' });
    server.serveFeed('/hangs-at-first.rss', { body: rssFeed(statusEntries(1)), contentType: 'application/rss+xml' });
    await value(addFeed({ url: server.url('/fine.rss'), displayName: 'Fine' }));
    const hanging = await value(addFeed({ url: server.url('/hangs-at-first.rss'), displayName: 'Hangs' }));
    // Point the second feed at the hanging path the way a server move would.
    server.route('/hangs-at-first.rss', (_req, res) => res.writeHead(301, { location: '/hangs.rss' }).end());

    const started = Date.now();
    const result = await hub.call('sync.once', {});
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/1 of 2 accounts could not sync.*Hangs: .*did not finish/);
    expect((await inbox()).filter((i) => i.sender === 'Fine')).toHaveLength(2);
    const views = await value(hub.call('accounts.list', {}));
    const failed = views.find((v: AccountView) => v.account.id === hanging.account.id)!;
    expect(failed.activity?.lastError).toMatch(/did not finish/);
  });

  it('takes changed alerts, keywords, folder, interval and name through accounts.update, and keeps them', async () => {
    openHub();
    const notices: RaisedNotification[] = [];
    hub.on((name, payload) => {
      if (name === 'attention.notification') notices.push(payload as RaisedNotification);
    });
    const entries = statusEntries(2);
    server.serveFeed('/changes.rss', { body: rssFeed(entries), contentType: 'application/rss+xml' });
    const view = await value(addFeed({ url: server.url('/changes.rss'), displayName: 'Status', alertLevel: 'notify' }));
    await value(hub.call('sync.once', {}));
    const changes = { displayName: 'Cloud status', intervalSeconds: 120, folder: 'Ops', alertLevel: 'silent', keywords: 'maintenance, degraded' };
    const changed = await value(hub.call('accounts.update', { accountId: view.account.id, changes }));
    expect(changed.account.displayName).toBe('Cloud status');
    expect(changed.account.settings).toEqual({ ...view.account.settings, intervalSeconds: 120, folder: 'Ops', alertLevel: 'silent', keywords: ['maintenance', 'degraded'] });

    // The running feed follows the new settings: a keyword match is priority, and silent means it arrives read.
    const fresh = { ...statusEntries(1)[0]!, id: 'incident-new', title: 'Scheduled maintenance: Search' };
    server.serveFeed('/changes.rss', { body: rssFeed([fresh, ...entries]), contentType: 'application/rss+xml' });
    await value(hub.call('sync.once', {}));
    const arrived = (await inbox(view.account.id)).find((i) => i.title === fresh.title);
    expect(arrived).toMatchObject({ priority: true, unread: false });
    expect(notices).toEqual([]);

    // What a feed cannot change, and a wrong value, are refused beside their field.
    const refused = async (changes: object) => {
      const result = await hub.call('accounts.update', { accountId: view.account.id, changes });
      return result.ok ? 'accepted' : result.error.field;
    };
    expect(await refused({ url: server.url('/elsewhere.rss') })).toBe('url');
    expect(await refused({ alertLevel: 'loud' })).toBe('alertLevel');
    expect(await refused({ intervalSeconds: 5 })).toBe('intervalSeconds');
    expect(await refused({ displayName: '  ' })).toBe('displayName');

    await hub.dispose();
    openHub(true);
    const [kept] = await value(hub.call('accounts.list', {}));
    expect(kept!.account.displayName).toBe('Cloud status');
    expect(kept!.account.settings).toEqual(changed.account.settings);
  });

  it('leaves a feed saved by a newer Groundswell alone, says to update, and can still remove it', async () => {
    openHub();
    server.serveFeed('/future.rss', { body: rssFeed(statusEntries(1)), contentType: 'application/rss+xml' });
    const view = await value(addFeed({ url: server.url('/future.rss') }));
    await hub.dispose();
    const store = InboxStore.open(profilePaths(profile.dir).database);
    const stored = store.getAccount(view.account.id)!;
    store.updateAccount({ ...stored, settings: { ...(stored.settings as object), schedule: 'cron' }, settingsVersion: 2 });
    store.close();

    const polled = server.requestsTo('/future.rss');
    openHub(true);
    const tooNew = /saved by a newer Groundswell \(settings version 2\)\. Update Groundswell/;
    const sync = await hub.call('sync.once', {});
    expect(sync.ok === false && sync.error).toMatchObject({ code: 'unsupported', message: expect.stringMatching(tooNew) });
    hub.startConnectors();
    const [listed] = await value(hub.call('accounts.list', {}));
    expect(listed!.status).toMatchObject({ state: 'offline', reason: expect.stringMatching(tooNew) });
    expect(server.requestsTo('/future.rss')).toBe(polled);
    const update = await hub.call('accounts.update', { accountId: view.account.id, changes: { folder: 'Ops' } });
    expect(update.ok === false && update.error.message).toMatch(/newer Groundswell/);
    const reread = InboxStore.open(profilePaths(profile.dir).database);
    try {
      expect(reread.getAccount(view.account.id)).toMatchObject({ settingsVersion: 2, settings: { schedule: 'cron' } });
    } finally {
      reread.close();
    }
    await value(hub.call('accounts.remove', { accountId: view.account.id }));
    expect(await value(hub.call('accounts.list', {}))).toEqual([]);
  });

  it('refuses a kind this hub does not run, naming it', async () => {
    openHub();
    const result = await hub.call('accounts.add', { kind: 'imap', input: { host: 'imap.example.com', user: 'ann', password: 'x' } });
    expect(result.ok === false && result.error).toMatchObject({ code: 'unsupported', message: expect.stringMatching(/^imap accounts are not supported/) });
  });

  it('imports and exports OPML, folders included, skipping feeds already followed', async () => {
    openHub();
    server.serveFeed('/one.rss', { body: rssFeed(statusEntries(1)), contentType: 'application/rss+xml' });
    await value(addFeed({ url: server.url('/one.rss'), displayName: 'One' }));
    const opml = `<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>
      <outline text="Status pages"><outline type="rss" text="Cloud &amp; Co" xmlUrl="https://status.cloud.example/feed"/></outline>
      <outline type="rss" text="Again" xmlUrl="${server.url('/one.rss')}"/>
      <outline type="rss" text="Broken" xmlUrl="javascript:alert(1)"/></body></opml>`;
    const result = await value(hub.call('feeds.importOpml', { opml }));
    expect(result.added).toBe(1);
    expect(result.skipped.map((s) => s.reason)).toHaveLength(2);
    const views = await value(hub.call('accounts.list', {}));
    const cloud = views.find((v) => v.account.displayName === 'Cloud & Co')!;
    expect(isAccountOf(cloud.account, 'feed') && cloud.account.settings.folder).toBe('Status pages');
    const exported = (await value(hub.call('feeds.exportOpml', {}))).opml;
    expect(exported).toContain('xmlUrl="https://status.cloud.example/feed"');
    expect(exported).toContain('Cloud &amp; Co');
    expect(exported).toMatch(/<outline[^>]*text="Status pages"/);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
