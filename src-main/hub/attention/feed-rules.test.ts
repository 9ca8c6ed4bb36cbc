/**
 * Stored feed settings become rules with nothing lost: a profile whose feeds were saved before rules
 * existed opens with each feed's alert level and keywords as that feed's own rules, and they decide
 * every entry as the feed connector used to (read for silent, priority for a keyword in the title or
 * a category, a notification for notify). The feed's settings stay the source: changing them moves
 * the rules, and changing or removing the rules changes them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FeedAlertLevel, FeedSettings } from '../../../src-shared/domain.ts';
import { feedKind } from '../../connectors/feeds/kind.ts';
import { InboxStore } from '../../store/inbox-store.ts';
import { memorySecrets } from '../../../tests/support/memory-secrets.ts';
import { Hub } from '../hub.ts';
import { profilePaths } from '../profile.ts';
import { RuleList } from './rules.ts';

let dir: string;
let hub: Hub;

const feed = (id: string, name: string, alertLevel: FeedAlertLevel, keywords: string[]) => ({
  id,
  kind: 'feed',
  displayName: name,
  createdAt: 1,
  settingsVersion: 1,
  settings: { url: `https://${id}.example.com/feed`, intervalSeconds: 600, folder: '', alertLevel, keywords, auth: 'none' } satisfies FeedSettings,
});

const FEEDS = [
  feed('status', 'Status page', 'notify', ['outage', 'degraded performance']),
  feed('ci', 'CI', 'silent', ['failed']),
  feed('blog', 'Blog', 'badge', []),
  feed('releases', 'Releases', 'badge', ['security']),
  feed('alerts', 'Alerts', 'notify', []),
];

async function value<T>(result: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gs-feed-rules-'));
  // A profile as the last version left it: feeds with their settings, no rules of theirs yet.
  const store = InboxStore.open(profilePaths(dir).database);
  store.insertAccounts(FEEDS);
  store.close();
  hub = Hub.open({ profileDir: dir, secrets: memorySecrets(), kinds: [feedKind()] });
});

afterEach(async () => {
  await hub.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** What the feed connector decided before rules existed (feed-items.ts and feed-connector.ts, as they were). */
function before(settings: { alertLevel: FeedAlertLevel; keywords: string[] }, entry: { title: string; categories: string[] }) {
  const pattern = (k: string) => new RegExp(`(^|[^\\p{L}\\p{N}])${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}\\p{N}])`, 'iu');
  return {
    unread: settings.alertLevel !== 'silent',
    priority: settings.keywords.some((k) => pattern(k).test(entry.title) || entry.categories.some((c) => pattern(k).test(c))),
    notifies: settings.alertLevel === 'notify',
  };
}

describe('feed settings as rules', () => {
  it('turns each feed\'s alert level and keywords into its own rules, placed ahead of the defaults', async () => {
    const rules = await value(hub.call('rules.list', {}));
    const own = rules.filter((r) => !r.builtIn).map((r) => ({ name: r.name, match: r.match, level: r.level, priority: r.priority }));
    expect(own).toEqual(
      expect.arrayContaining([
        { name: 'Status page: priority keywords', match: { keywords: ['outage', 'degraded performance'], accountId: 'status' }, level: 'notify', priority: true },
        { name: 'Status page: notify', match: { accountId: 'status' }, level: 'notify', priority: false },
        { name: 'CI: priority keywords', match: { keywords: ['failed'], accountId: 'ci' }, level: 'silent', priority: true },
        { name: 'CI: silent', match: { accountId: 'ci' }, level: 'silent', priority: false },
        { name: 'Releases: priority keywords', match: { keywords: ['security'], accountId: 'releases' }, level: 'badge', priority: true },
        { name: 'Alerts: notify', match: { accountId: 'alerts' }, level: 'notify', priority: false },
      ]),
    );
    // A badge feed without keywords is what the built-in Feeds rule says already.
    expect(own).toHaveLength(6);
    expect(rules.findIndex((r) => r.id === 'feeds')).toBeGreaterThan(Math.max(...rules.filter((r) => !r.builtIn).map((r) => rules.indexOf(r))));
  });

  it('decides every entry as the feed used to', async () => {
    const list = new RuleList(await value(hub.call('rules.list', {})));
    const entries = [
      { title: 'Outage in eu-west', categories: [] },
      { title: 'Scheduled maintenance', categories: ['Degraded Performance'] },
      { title: 'outages-dashboard-v2 shipped', categories: [] },
      { title: 'Build #41 failed', categories: [] },
      { title: 'A security fix in 3.8.2', categories: ['releases'] },
      { title: 'Hello', categories: [] },
    ];
    for (const stored of FEEDS) {
      for (const entry of entries) {
        const verdict = list.evaluate({
          accountId: stored.id,
          accountName: stored.displayName,
          source: 'feed',
          conversationKey: stored.id,
          facts: { fresh: true, fromMe: false, mentionsMe: false, direct: false, conversationName: stored.displayName, place: stored.displayName, text: { title: entry.title, categories: entry.categories, body: '' } },
        });
        const now = { unread: verdict.level !== 'silent', priority: verdict.priority, notifies: verdict.level === 'notify' };
        expect(now, `${stored.displayName}: ${entry.title}`).toEqual(before(stored.settings, entry));
      }
    }
  });

  it('follows the feed\'s settings, and changes them when its rules are changed or removed', async () => {
    await value(hub.call('accounts.update', { accountId: 'blog', changes: { alertLevel: 'notify', keywords: ['launch'] } }));
    let rules = await value(hub.call('rules.list', {}));
    expect(rules.filter((r) => r.match.accountId === 'blog').map((r) => [r.name, r.level, r.priority])).toEqual([
      ['Blog: priority keywords', 'notify', true],
      ['Blog: notify', 'notify', false],
    ]);

    const alerts = rules.find((r) => r.name === 'Status page: notify')!;
    const position = rules.indexOf(alerts);
    await value(hub.call('rules.update', { ruleId: alerts.id, changes: { level: 'silent' } }));
    let status = (await value(hub.call('accounts.list', {}))).find((a) => a.account.id === 'status')!;
    expect(status.account.settings).toMatchObject({ alertLevel: 'silent', keywords: ['outage', 'degraded performance'] });
    rules = await value(hub.call('rules.list', {}));
    expect(rules.find((r) => r.id === alerts.id)).toMatchObject({ name: 'Status page: silent', level: 'silent' });
    expect(rules.findIndex((r) => r.id === alerts.id)).toBe(position);

    const keywords = rules.find((r) => r.name === 'Status page: priority keywords')!;
    await value(hub.call('rules.remove', { ruleId: keywords.id }));
    status = (await value(hub.call('accounts.list', {}))).find((a) => a.account.id === 'status')!;
    expect(status.account.settings).toMatchObject({ alertLevel: 'silent', keywords: [] });

    await value(hub.call('rules.remove', { ruleId: alerts.id }));
    status = (await value(hub.call('accounts.list', {}))).find((a) => a.account.id === 'status')!;
    expect(status.account.settings).toMatchObject({ alertLevel: 'badge' });
    expect((await value(hub.call('rules.list', {}))).some((r) => r.match.accountId === 'status')).toBe(false);

    const renamed = await hub.call('rules.update', { ruleId: (await value(hub.call('rules.list', {}))).find((r) => r.name === 'CI: silent')!.id, changes: { name: 'Quiet CI' } });
    expect(renamed.ok ? undefined : renamed.error.message).toMatch(/comes from the feed's settings/);
  });

  it('drops a feed\'s rules with the feed', async () => {
    await value(hub.call('accounts.remove', { accountId: 'ci' }));
    expect((await value(hub.call('rules.list', {}))).some((r) => r.match.accountId === 'ci')).toBe(false);
  });
});
