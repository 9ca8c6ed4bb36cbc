/**
 * A feed account: poll on a schedule, politely (conditional GET, one poll at a time, a per-host
 * limit shared by every feed, backoff and Retry-After), and turn what changed into inbox items.
 * Read state lives only here in Groundswell: a feed has no server-side read flag to sync.
 */
import type { FeedSettings, InboxItem, ItemDetail, PollActivity } from '../../../src-shared/domain.ts';
import { ConnectorError } from '../connector.ts';
import type { Connector, ConnectorContext } from '../connector.ts';
import { decodeFeedBytes } from './decode-text.ts';
import { discoverFeedLinks, looksLikeHtmlPage } from './discover.ts';
import { entryKey } from './entry-identity.ts';
import { entriesToItems, FEED_SCOPE } from './feed-items.ts';
import type { HostLimiter } from './host-limiter.ts';
import { FeedFetchError, fetchFeed } from './http-fetch.ts';
import type { FetchOutcome, FetchRequest } from './http-fetch.ts';
import { FeedParseError, parseFeed } from './parse-feed.ts';
import type { ParsedFeed } from './parsed-feed.ts';
import { firstPollDelay, nextPollDelay } from './poll-schedule.ts';

export interface FeedFetchSettings {
  limiter: HostLimiter;
  userAgent: string;
  connectTimeoutMs?: number;
  totalTimeoutMs?: number;
  maxBytes?: number;
  random?: () => number;
  now?: () => number;
}

/** What the connector remembers between polls (and restarts) in its cursor. */
interface HttpCache {
  url: string;
  etag?: string;
  lastModified?: string;
  /**
   * The feed's alert level and keywords when it was last fetched in full: a change means one full
   * fetch, so the hub's rules decide every entry the feed still lists again.
   */
  rules: string;
}

const CACHE_CURSOR = 'http';
const ACTIVITY_CURSOR = 'activity';
const INITIALIZED_CURSOR = 'initialized';

export function createFeedConnector(ctx: ConnectorContext<FeedSettings>, fetching: FeedFetchSettings): Connector {
  const account = ctx.account;
  let settings = account.settings;
  const random = fetching.random ?? Math.random;
  const now = fetching.now ?? Date.now;
  const intervalMs = settings.intervalSeconds * 1000;

  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let abort = new AbortController();
  let stopped = true;
  let failures = 0;
  let activity: PollActivity = ctx.readCursor<PollActivity>(ACTIVITY_CURSOR) ?? {};

  const report = (update: PollActivity) => {
    activity = { ...activity, ...update };
    ctx.writeCursor(ACTIVITY_CURSOR, activity);
    ctx.activity(activity);
  };

  const schedule = (delayMs: number) => {
    if (stopped) return;
    clearTimeout(timer);
    report({ nextPollAt: now() + delayMs });
    timer = setTimeout(() => {
      timer = undefined;
      void pollNow().catch(() => undefined);
    }, delayMs);
  };

  /** One poll; a second caller while it runs shares it, so one feed is never fetched twice at once. */
  const pollNow = (): Promise<void> => {
    running ??= poll().finally(() => {
      running = undefined;
    });
    return running;
  };

  const poll = async (): Promise<void> => {
    try {
      const added = await fetchAndStore();
      failures = 0;
      const at = now();
      report({ lastSuccessAt: at });
      ctx.status({ state: 'online', since: at });
      ctx.log.debug('feed polled', { added });
      schedule(nextPollDelay({ kind: 'success' }, intervalMs, random));
    } catch (error) {
      if (error instanceof FeedFetchError && error.code === 'aborted') throw toConnectorError(error);
      failures += 1;
      const failure = toConnectorError(error);
      const at = now();
      report({ lastError: failure.message, lastErrorAt: at });
      ctx.log.warn('feed poll failed', { code: failure.code, failures, error: failure.message });
      if (failure.code === 'auth-failed') {
        clearTimeout(timer);
        report({ nextPollAt: undefined });
        ctx.status({ state: 'auth-failed', reason: failure.message });
      } else {
        const retryAfterMs = error instanceof FeedFetchError ? error.retryAfterMs : undefined;
        const delay = nextPollDelay({ kind: 'failure', failures, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) }, intervalMs, random);
        ctx.status({ state: 'offline', reason: failure.message, nextRetryAt: at + delay });
        schedule(delay);
      }
      throw failure;
    }
  };

  /** Returns how many entries were new or changed. */
  const fetchAndStore = async (): Promise<number> => {
    const rules = JSON.stringify([settings.alertLevel, settings.keywords]);
    const cache = ctx.readCursor<HttpCache>(CACHE_CURSOR);
    const conditional = cache !== undefined && cache.url === settings.url && cache.rules === rules;
    const secret = settings.auth === 'none' ? undefined : await ctx.readSecret();
    const outcome = await fetching.limiter.run(settings.url, () =>
      fetchFeed({
        ...requestOptions(fetching, abort.signal),
        url: settings.url,
        ...(authorizationFor(settings, secret) ?? {}),
        ...(conditional && cache.etag ? { etag: cache.etag } : {}),
        ...(conditional && cache.lastModified ? { lastModified: cache.lastModified } : {}),
      }),
    );
    if (outcome.permanentUrl && outcome.permanentUrl !== settings.url) {
      ctx.log.info('feed moved permanently; address updated', { to: outcome.permanentUrl });
      settings = { ...settings, url: outcome.permanentUrl };
      ctx.updateSettings(settings);
    }
    const validators = { etag: outcome.etag, lastModified: outcome.lastModified };
    if (outcome.kind === 'not-modified') {
      ctx.writeCursor(CACHE_CURSOR, { url: settings.url, rules, ...defined(validators) });
      return 0;
    }
    const feed = parseFetchedFeed(outcome);
    const firstPoll = ctx.readCursor<boolean>(INITIALIZED_CURSOR) !== true;
    const batch = entriesToItems(feed, {
      feedName: ctx.account.displayName,
      conversationKey: ctx.account.id,
      known: ctx.knownItems(FEED_SCOPE, feed.entries.map(entryKey)),
      firstPoll,
      now: now(),
    });
    ctx.upsert(batch.items);
    ctx.writeCursor(INITIALIZED_CURSOR, true);
    // Validators last: if storing failed, the next poll fetches the whole feed again.
    ctx.writeCursor(CACHE_CURSOR, { url: settings.url, rules, ...defined(validators) });
    return batch.items.length;
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      abort = new AbortController();
      if (activity.lastSuccessAt === undefined) ctx.status({ state: 'connecting' });
      else ctx.status({ state: 'online', since: activity.lastSuccessAt });
      schedule(firstPollDelay(intervalMs, activity.lastSuccessAt, now(), random));
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      abort.abort();
      await running?.catch(() => undefined);
      ctx.status({ state: 'stopped' });
    },
    async syncOnce() {
      const wasStopped = stopped;
      await pollNow();
      if (wasStopped) clearTimeout(timer);
    },
    async markRead() {
      // Read state of feed entries exists only in Groundswell; the hub already stored it.
    },
    async markUnread() {},
    async loadDetail(item: InboxItem): Promise<Omit<ItemDetail, 'item'>> {
      // Bodies are stored at ingest; reaching here means the row predates that, so show the preview.
      return { headers: [], bodyText: item.snippet };
    },
  };
}

export interface ResolvedFeed {
  /** The feed document's address (after autodiscovery and permanent redirects). */
  url: string;
  title: string;
  siteUrl?: string;
  entries: number;
}

/**
 * Adding a feed: fetch it once with the given credentials, follow a web page's autodiscovery link
 * when given a page, and parse it, so a typo or a login page is caught before anything is saved.
 */
export async function resolveFeed(
  url: string,
  auth: Pick<FeedSettings, 'auth' | 'username'>,
  secret: string | undefined,
  fetching: FeedFetchSettings,
): Promise<ResolvedFeed> {
  const fetchOne = (target: string) =>
    fetching.limiter.run(target, () =>
      fetchFeed({ ...requestOptions(fetching), url: target, ...(authorizationFor(auth, secret) ?? {}) }),
    ).catch((error: unknown) => {
      throw toConnectorError(error);
    });
  let outcome = await fetchOne(url);
  if (outcome.kind !== 'fetched') throw new ConnectorError('protocol', 'The server answered "not modified" to a first request. Try again.');
  let text = decodeFeedBytes(outcome.body, outcome.contentType);
  let feedUrl = outcome.permanentUrl ?? url;
  if (looksLikeHtmlPage(text)) {
    const candidates = discoverFeedLinks(text, outcome.url);
    if (candidates.length === 0) {
      throw new ConnectorError(
        'invalid-input',
        'This address is a web page that does not link to a feed. Paste the feed\'s own address (it often ends in /feed, /rss, /atom or .xml).',
      );
    }
    outcome = await fetchOne(candidates[0]!);
    if (outcome.kind !== 'fetched') throw new ConnectorError('protocol', 'The server answered "not modified" to a first request. Try again.');
    text = decodeFeedBytes(outcome.body, outcome.contentType);
    feedUrl = outcome.permanentUrl ?? candidates[0]!;
  }
  const feed = parseOrExplain(text, outcome.url);
  return { url: feedUrl, title: feed.title, ...(feed.siteLink ? { siteUrl: feed.siteLink } : {}), entries: feed.entries.length };
}

function parseFetchedFeed(outcome: Extract<FetchOutcome, { kind: 'fetched' }>): ParsedFeed {
  const text = decodeFeedBytes(outcome.body, outcome.contentType);
  return parseOrExplain(text, outcome.url);
}

function parseOrExplain(text: string, url: string): ParsedFeed {
  try {
    return parseFeed(text, url);
  } catch (error) {
    throw toConnectorError(error);
  }
}

function requestOptions(fetching: FeedFetchSettings, signal?: AbortSignal): Omit<FetchRequest, 'url'> {
  return {
    userAgent: fetching.userAgent,
    ...(fetching.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: fetching.connectTimeoutMs }),
    ...(fetching.totalTimeoutMs === undefined ? {} : { totalTimeoutMs: fetching.totalTimeoutMs }),
    ...(fetching.maxBytes === undefined ? {} : { maxBytes: fetching.maxBytes }),
    ...(signal ? { signal } : {}),
  };
}

function authorizationFor(auth: Pick<FeedSettings, 'auth' | 'username'>, secret: string | undefined): { authorization: string } | undefined {
  if (auth.auth === 'none' || secret === undefined) return undefined;
  if (auth.auth === 'bearer') return { authorization: `Bearer ${secret}` };
  return { authorization: `Basic ${Buffer.from(`${auth.username ?? ''}:${secret}`, 'utf8').toString('base64')}` };
}

/** Every failure in words the account's status line can show. */
export function toConnectorError(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  if (error instanceof FeedParseError) return new ConnectorError('invalid-input', error.message, { cause: error });
  if (error instanceof FeedFetchError) {
    switch (error.code) {
      case 'unauthorized':
        return new ConnectorError('auth-failed', `The feed server refused the sign-in${error.status ? ` (HTTP ${error.status})` : ''}. Check the user name and password or token.`, { cause: error });
      case 'bad-url':
      case 'insecure-credentials':
        return new ConnectorError('invalid-input', error.message, { cause: error });
      case 'not-found':
        return new ConnectorError('not-found', `${error.message} Check the feed's address.`, { cause: error });
      default:
        return new ConnectorError('connection-failed', error.message, { cause: error });
    }
  }
  return new ConnectorError('protocol', `The feed could not be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
