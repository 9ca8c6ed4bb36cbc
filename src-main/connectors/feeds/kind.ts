/**
 * Feeds as a connector kind: the feed's address and alert rules as input, OPML in and out. Light on
 * purpose: the fetcher and the RSS/Atom/JSON parsers load when a feed is added or starts polling.
 */
import type { FeedCredentials } from '../../../src-shared/api.ts';
import { FEED_ALERT_LEVELS, FEED_DEFAULT_INTERVAL_SECONDS, FEED_MIN_INTERVAL_SECONDS, isLocalHost } from '../../../src-shared/domain.ts';
import type { FeedAlertLevel, FeedAuth, FeedSettings } from '../../../src-shared/domain.ts';
import { APP_NAME, APP_VERSION } from '../../common/app-info.ts';
import { choice, displayName, InputError, integer, onlyKeys, record, text } from '../../common/input.ts';
import { ConnectorError } from '../connector.ts';
import { SettingsTooNewError } from '../kind.ts';
import type { AccountDraft, AttentionCapability, ConnectorKind } from '../kind.ts';
import type { FeedFetchSettings } from './feed-connector.ts';
import { HostLimiter } from './host-limiter.ts';
import { normalizeIdentity } from './entry-identity.ts';

/** Two requests at a time per host: enough to keep feeds moving, too few to look like a crawler. */
const FEED_REQUESTS_PER_HOST = 2;
/** A week: polling less often than that is better done by removing the feed. */
const FEED_MAX_INTERVAL_SECONDS = 7 * 24 * 3600;
const MAX_KEYWORDS = 50;
const SETTINGS_VERSION = 1;
const CHANGEABLE = ['intervalSeconds', 'folder', 'alertLevel', 'keywords'] as const;
const AUTHS: readonly FeedAuth[] = ['none', 'basic', 'bearer'];

export const FEED_USER_AGENT = `${APP_NAME}/${APP_VERSION} (desktop feed reader; polls politely with conditional GET)`;

/** An http(s) address; a bare host ("status.example.com/feed") gets https:// in front. */
export function parseFeedUrl(value: unknown, field = 'url'): string {
  const raw = text(value, field, 'Feed address', { max: 2000 }).trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InputError('Feed address must be a web address such as https://status.example.com/feed.', field);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError('Feed address must start with https:// or http://.', field);
  if (url.username !== '' || url.password !== '') throw new InputError('Put the user name and password in the sign-in fields, not in the address.', field);
  return url.href;
}

const intervalSeconds = (value: unknown) =>
  integer(value, 'intervalSeconds', 'Polling interval (seconds)', FEED_MIN_INTERVAL_SECONDS, FEED_MAX_INTERVAL_SECONDS, FEED_DEFAULT_INTERVAL_SECONDS);
const alertLevel = (value: unknown) => choice<FeedAlertLevel>(value ?? 'badge', 'alertLevel', FEED_ALERT_LEVELS, 'Alerts must be notify, badge or silent.');
const folder = (value: unknown) => text(value, 'folder', 'Folder', { max: 200, optional: true }).trim();

function keywords(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || !list.every((k) => typeof k === 'string')) throw new InputError('Keywords must be a list of words.', 'keywords');
  const unique = [...new Set((list as string[]).map((k) => k.trim()).filter((k) => k !== ''))];
  if (unique.length > MAX_KEYWORDS || unique.some((k) => k.length > 100)) {
    throw new InputError(`Give at most ${MAX_KEYWORDS} keywords of up to 100 characters each.`, 'keywords');
  }
  return unique;
}

/** Sign-in as the form sends it (`credentials`) or as flat fields (the CLI's --user/--password-stdin, --token-stdin). */
function credentials(input: Record<string, unknown>): FeedCredentials | undefined {
  const given = input['credentials'] ?? (input['token'] !== undefined ? { kind: 'bearer', token: input['token'] } : input['password'] !== undefined || input['username'] !== undefined ? { kind: 'basic', username: input['username'], password: input['password'] } : undefined);
  if (given === undefined || given === null) return undefined;
  const c = record(given, 'the credentials');
  if (c['kind'] === 'basic') {
    return { kind: 'basic', username: text(c['username'], 'username', 'User name', { max: 320 }), password: text(c['password'], 'password', 'Password', { max: 4096 }) };
  }
  if (c['kind'] === 'bearer') return { kind: 'bearer', token: text(c['token'], 'token', 'Token', { max: 8192 }).trim() };
  throw new InputError('Sign-in must be basic (user name and password) or a bearer token.', 'credentials');
}

function draftFeed(raw: unknown): AccountDraft<FeedSettings> {
  const input = record(raw, 'the feed');
  const url = parseFeedUrl(input['url']);
  const signIn = credentials(input);
  if (signIn && new URL(url).protocol === 'http:' && !isLocalHost(new URL(url).hostname)) {
    throw new InputError('A feed that needs a password must use https://, or the password would cross the network in the clear.', 'url');
  }
  const settings: FeedSettings = {
    url,
    intervalSeconds: intervalSeconds(input['intervalSeconds']),
    folder: folder(input['folder']),
    alertLevel: alertLevel(input['alertLevel']),
    keywords: keywords(input['keywords']),
    auth: signIn?.kind ?? 'none',
    ...(signIn?.kind === 'basic' ? { username: signIn.username } : {}),
  };
  const secret = signIn === undefined ? undefined : signIn.kind === 'basic' ? signIn.password : signIn.token;
  return { displayName: displayName(input), settings, secret };
}

/**
 * A feed's alert level and priority keywords, as rules of its own in the one rule list: the
 * settings stay where the feed's form and `account update --alerts/--keyword` change them, and the
 * rules follow. "badge" without keywords is what the built-in Feeds rule does already: no rule.
 */
export const feedAttention: AttentionCapability<FeedSettings> = {
  rules(account) {
    const { alertLevel, keywords: words } = account.settings;
    return [
      ...(words.length > 0
        ? [{ key: 'keywords', name: `${account.displayName}: priority keywords`, match: { keywords: [...words] }, level: alertLevel, priority: true }]
        : []),
      ...(alertLevel !== 'badge' ? [{ key: 'alerts', name: `${account.displayName}: ${alertLevel}`, match: {}, level: alertLevel, priority: false }] : []),
    ];
  },
  change(key, change) {
    if (key === 'alerts') return { alertLevel: change?.level ?? 'badge' };
    if (key === 'keywords') {
      // The feed's keywords and its alerts share one level: the keywords only add priority.
      return change === null ? { keywords: [] } : { alertLevel: change.level };
    }
    return 'This rule comes from the feed\'s settings; change its Alerts and Priority keywords there.';
  },
};

/** One limiter for every feed account, so ten feeds on one host still make two requests at a time. */
export function feedKind(options: Partial<FeedFetchSettings> = {}): ConnectorKind<FeedSettings> {
  const fetching: FeedFetchSettings = { limiter: new HostLimiter(FEED_REQUESTS_PER_HOST), userAgent: FEED_USER_AGENT, ...options };
  return {
    kind: 'feed',
    source: 'feed',
    label: 'Feed',
    description: 'RSS, Atom or JSON Feed: status pages, CI, announcements',
    settingsVersion: SETTINGS_VERSION,
    capabilities: ['opml'],
    attention: feedAttention,
    fields: [
      { name: 'url', label: 'Feed or page address', type: 'text', required: true, flag: 'url', placeholder: 'https://status.example.com/feed', changeable: false },
      { name: 'intervalSeconds', label: 'Polling interval (seconds)', type: 'number', required: false, flag: 'interval', changeable: true },
      { name: 'folder', label: 'Folder', type: 'text', required: false, flag: 'folder', changeable: true },
      { name: 'alertLevel', label: 'Alerts', type: 'choice', required: false, flag: 'alerts', choices: FEED_ALERT_LEVELS, changeable: true },
      { name: 'keywords', label: 'Priority keywords', type: 'list', required: false, flag: 'keyword', changeable: true },
      { name: 'username', label: 'User name', type: 'text', required: false, flag: 'user', changeable: false },
      { name: 'password', label: 'Password', type: 'secret', required: false, flag: 'password', changeable: false },
      { name: 'token', label: 'Token', type: 'secret', required: false, flag: 'token', changeable: false },
    ],
    draft: draftFeed,
    identity: (settings) => normalizeIdentity(settings.url),
    duplicate: (name) => ({ message: `You already follow this feed as "${name}".`, field: 'url' }),

    decodeSettings(stored, version) {
      if (version > SETTINGS_VERSION) throw new SettingsTooNewError('feed', version);
      const s = record(stored, 'the stored feed settings');
      const auth = AUTHS.includes(s['auth'] as FeedAuth) ? (s['auth'] as FeedAuth) : 'none';
      return {
        url: String(s['url'] ?? ''),
        ...(typeof s['siteUrl'] === 'string' ? { siteUrl: s['siteUrl'] } : {}),
        intervalSeconds: typeof s['intervalSeconds'] === 'number' ? s['intervalSeconds'] : FEED_DEFAULT_INTERVAL_SECONDS,
        folder: typeof s['folder'] === 'string' ? s['folder'] : '',
        alertLevel: FEED_ALERT_LEVELS.includes(s['alertLevel'] as FeedAlertLevel) ? (s['alertLevel'] as FeedAlertLevel) : 'badge',
        keywords: Array.isArray(s['keywords']) ? s['keywords'].filter((k): k is string => typeof k === 'string') : [],
        auth,
        ...(typeof s['username'] === 'string' ? { username: s['username'] } : {}),
      };
    },

    applyChanges(settings, changes) {
      onlyKeys(changes, CHANGEABLE, 'A feed');
      const next = { ...settings };
      if (changes['intervalSeconds'] !== undefined) next.intervalSeconds = intervalSeconds(changes['intervalSeconds']);
      if (changes['folder'] !== undefined) next.folder = folder(changes['folder']);
      if (changes['alertLevel'] !== undefined) next.alertLevel = alertLevel(changes['alertLevel']);
      if (changes['keywords'] !== undefined) next.keywords = keywords(changes['keywords']);
      return { settings: next, recheck: false };
    },

    describe: (account) => account.settings.url,
    signsIn: (settings) => settings.auth !== 'none',

    async verify(account, secret) {
      const { resolveFeed } = await import('./feed-connector.ts');
      const resolved = await resolveFeed(account.settings.url, account.settings, secret, fetching).catch((error: unknown) => {
        // Whatever is wrong with the address belongs beside the address field.
        if (error instanceof ConnectorError && (error.code === 'not-found' || error.code === 'invalid-input')) throw new InputError(error.message, 'url');
        throw error;
      });
      return {
        account: {
          ...account,
          displayName: account.displayName || resolved.title || new URL(resolved.url).hostname,
          settings: { ...account.settings, url: resolved.url, ...(resolved.siteUrl ? { siteUrl: resolved.siteUrl } : {}) },
        },
        secret,
      };
    },

    async create(ctx) {
      const { createFeedConnector } = await import('./feed-connector.ts');
      return createFeedConnector(ctx, fetching);
    },

    opml: {
      label: (settings) => settings.url,
      // Subscribes without fetching each feed first: hundreds of feeds would take minutes; each reports its own errors once polled.
      async read(opmlText) {
        const { parseOpml } = await import('./opml.ts');
        let entries;
        try {
          entries = parseOpml(opmlText);
        } catch (error) {
          throw new InputError(error instanceof Error ? error.message : String(error), 'opml');
        }
        const drafts: AccountDraft<FeedSettings>[] = [];
        const skipped: { url: string; reason: string }[] = [];
        for (const entry of entries) {
          try {
            const url = parseFeedUrl(entry.url);
            drafts.push({
              displayName: entry.title?.trim() || new URL(url).hostname,
              settings: { url, ...(entry.siteUrl ? { siteUrl: entry.siteUrl } : {}), intervalSeconds: FEED_DEFAULT_INTERVAL_SECONDS, folder: entry.folder ?? '', alertLevel: 'badge', keywords: [], auth: 'none' },
              secret: undefined,
            });
          } catch (error) {
            skipped.push({ url: entry.url, reason: error instanceof Error ? error.message : String(error) });
          }
        }
        return { drafts, skipped };
      },
      async write(accounts) {
        const { serializeOpml } = await import('./opml.ts');
        const feeds = accounts.map((a) => ({
          url: a.settings.url,
          title: a.displayName,
          ...(a.settings.siteUrl ? { siteUrl: a.settings.siteUrl } : {}),
          ...(a.settings.folder ? { folder: a.settings.folder } : {}),
        }));
        return serializeOpml(feeds, 'Groundswell feeds');
      },
    },
  };
}
