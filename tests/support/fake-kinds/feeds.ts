/**
 * Feeds on a web server in memory, behind the real feed kind (its input rules, duplicate check by
 * normalised address, settings, changes and OPML; only fetching replaced). The test publishes feeds
 * and entries, points pages at their feeds, and fails the next fetch; the connector polls it and
 * reports entries and poll activity through the real ConnectorContext.
 */
import type { FeedSettings } from '../../../src-shared/domain.ts';
import { InputError } from '../../../src-main/common/input.ts';
import { ConnectorError } from '../../../src-main/connectors/connector.ts';
import type { Connector, ConnectorContext, ConnectorItem } from '../../../src-main/connectors/connector.ts';
import type { ConnectorKind } from '../../../src-main/connectors/kind.ts';
import { feedKind } from '../../../src-main/connectors/feeds/kind.ts';
import { ScriptedFailures, Sessions } from './scripted.ts';

export interface FakeEntry {
  guid: string;
  title: string;
  summary: string;
  timestamp: number;
  link?: string;
}

interface FakeFeed {
  title: string;
  siteUrl?: string;
  entries: FakeEntry[];
}

interface FeedSession {
  published(entries: FakeEntry[]): void;
}

export class FakeFeedServer extends ScriptedFailures<'fetch'> {
  readonly #feeds = new Map<string, FakeFeed>();
  /** Web pages that link to a feed (autodiscovery): page address → feed address. */
  readonly #pages = new Map<string, string>();
  readonly #sessions = new Sessions<string, FeedSession>();

  feed(url: string, title: string, entries: FakeEntry[] = [], siteUrl?: string): void {
    this.#feeds.set(url, { title, entries: [...entries], ...(siteUrl === undefined ? {} : { siteUrl }) });
  }

  /** A page whose <link rel="alternate"> leads to `feedUrl`. */
  page(url: string, feedUrl: string): void {
    this.#pages.set(url, feedUrl);
  }

  /** New entries appear; feeds being polled see them at their next poll, which the test asks for now. */
  publish(url: string, entries: FakeEntry[]): void {
    this.#feed(url).entries.push(...entries);
    for (const session of this.#sessions.of(url)) session.published(entries);
  }

  resolve(url: string): { url: string; title: string; siteUrl?: string } {
    this.check('fetch');
    const feedUrl = this.#pages.get(url) ?? url;
    const feed = this.#feeds.get(feedUrl);
    if (feed === undefined) {
      throw new ConnectorError(this.#pages.has(url) ? 'invalid-input' : 'not-found', `Nothing is at ${url} (HTTP 404). Check the address.`);
    }
    return { url: feedUrl, title: feed.title, ...(feed.siteUrl === undefined ? {} : { siteUrl: feed.siteUrl }) };
  }

  entries(url: string): FakeEntry[] {
    this.check('fetch');
    return this.#feed(url).entries;
  }

  open(url: string, session: FeedSession): () => void {
    return this.#sessions.open(url, session);
  }

  #feed(url: string): FakeFeed {
    const feed = this.#feeds.get(url);
    if (feed === undefined) throw new ConnectorError('not-found', `Nothing is at ${url} (HTTP 404). Check the address.`);
    return feed;
  }
}

/** `unread` is what the real connector reports for an entry first seen after the first poll: new, so fresh. */
function entryItem(settings: FeedSettings, entry: FakeEntry, unread: boolean, feedName: string): ConnectorItem {
  return {
    externalId: entry.guid,
    scope: settings.url,
    source: 'feed',
    conversationKey: settings.url,
    sender: settings.url,
    title: entry.title,
    snippet: entry.summary,
    timestamp: entry.timestamp,
    unread,
    priority: false,
    origin: { kind: 'feed', guid: entry.guid, ...(entry.link === undefined ? {} : { link: entry.link }) },
    detail: { headers: [{ name: 'Feed', value: settings.url }], bodyText: entry.summary },
    attention: {
      fresh: unread,
      fromMe: false,
      mentionsMe: false,
      direct: false,
      // As the real connector names it: the feed's name in Groundswell.
      conversationName: feedName,
      place: feedName,
      text: { title: entry.title, categories: [], body: entry.summary },
    },
  };
}

function createFeedConnector(server: FakeFeedServer, ctx: ConnectorContext<FeedSettings>): Connector {
  const { settings } = ctx.account;
  let close: (() => void) | undefined;
  const poll = (fresh: FakeEntry[] | undefined) => {
    const now = Date.now();
    try {
      // What a feed had when it was added arrives read; what it publishes later, unread.
      const known = new Set(ctx.knownExternalIds(settings.url));
      const entries = fresh ?? server.entries(settings.url);
      const first = known.size === 0 && fresh === undefined;
      const items = entries.map((e) => entryItem(settings, e, !first && !known.has(e.guid), ctx.account.displayName));
      ctx.upsert(items);
      ctx.activity({ lastSuccessAt: now, nextPollAt: now + settings.intervalSeconds * 1000 });
      ctx.status({ state: 'online', since: now });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      ctx.activity({ lastErrorAt: now, lastError: message, nextPollAt: now + settings.intervalSeconds * 1000 });
      ctx.status({ state: 'offline', reason: message, nextRetryAt: now + settings.intervalSeconds * 1000 });
    }
  };
  return {
    start() {
      poll(undefined);
      close = server.open(settings.url, { published: (entries) => poll(entries) });
    },
    async stop() {
      close?.();
      close = undefined;
    },
    async syncOnce() {
      ctx.upsert(server.entries(settings.url).map((e) => entryItem(settings, e, false, ctx.account.displayName)));
    },
    async markRead() {},
    async markUnread() {},
    async loadDetail(item) {
      return { headers: [{ name: 'Feed', value: settings.url }], bodyText: item.snippet };
    },
  };
}

/** The feed kind with this web server in place of fetching. */
export function fakeFeedKind(server: FakeFeedServer): ConnectorKind<FeedSettings> {
  return {
    ...feedKind(),
    async verify(account, secret) {
      let resolved;
      try {
        resolved = server.resolve(account.settings.url);
      } catch (error) {
        // As the real kind: whatever is wrong with the address belongs beside the address field.
        if (error instanceof ConnectorError && (error.code === 'not-found' || error.code === 'invalid-input')) throw new InputError(error.message, 'url');
        throw error;
      }
      return {
        account: {
          ...account,
          displayName: account.displayName || resolved.title,
          settings: { ...account.settings, url: resolved.url, ...(resolved.siteUrl === undefined ? {} : { siteUrl: resolved.siteUrl }) },
        },
        secret,
      };
    },
    async create(ctx) {
      return createFeedConnector(server, ctx);
    },
  };
}

/** `count` entries, newest first from `newest`, an hour apart: "Incident 0" is the newest. */
export function feedEntries(count: number, newest = Date.UTC(2025, 2, 3, 12), prefix = 'incident'): FakeEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    guid: `${prefix}-${i}`,
    title: `Incident ${i}`,
    summary: `What happened in incident ${i}`,
    timestamp: newest - i * 3_600_000,
  }));
}
