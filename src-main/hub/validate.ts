/**
 * Parameters arrive from a renderer or a socket and are untrusted. Each check names the field
 * that is wrong so the form can show the message beside it.
 */
import type {
  FeedAccountInput,
  FeedCredentials,
  FeedSettingsInput,
  ImapAccountInput,
  InboxFilter,
  InboxQuery,
  SearchQuery,
  VerificationAction,
} from '../../src-shared/api.ts';
import { FEED_ALERT_LEVELS, FEED_DEFAULT_INTERVAL_SECONDS, FEED_MIN_INTERVAL_SECONDS, isLocalHost } from '../../src-shared/domain.ts';
import type { FeedAlertLevel, ImapSecurity, SourceKind } from '../../src-shared/domain.ts';
import { MAX_OPML_CHARS } from '../../src-shared/limits.ts';

export class InputError extends Error {
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.name = 'InputError';
    this.field = field;
  }
}

const SOURCES: readonly SourceKind[] = ['mail', 'chat', 'feed'];
const SECURITIES: readonly ImapSecurity[] = ['tls', 'starttls', 'plain'];
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;
const IPV6 = /^\[?[0-9a-f:.]+\]?$/i;

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`Expected ${what} as an object.`);
  }
  return value as Record<string, unknown>;
}

function text(value: unknown, field: string, label: string, options: { max?: number; optional?: boolean } = {}): string {
  if (value === undefined || value === null || value === '') {
    if (options.optional) return '';
    throw new InputError(`${label} is required.`, field);
  }
  if (typeof value !== 'string') throw new InputError(`${label} must be text.`, field);
  if (value.length > (options.max ?? 1000)) throw new InputError(`${label} is too long.`, field);
  return value;
}

function integer(value: unknown, field: string, label: string, min: number, max: number, fallback?: number): number {
  if ((value === undefined || value === null || value === '') && fallback !== undefined) return fallback;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new InputError(`${label} must be a whole number from ${min} to ${max}.`, field);
  }
  return n;
}

export function parseImapAccountInput(raw: unknown): Required<ImapAccountInput> {
  const input = record(raw, 'the account');
  const host = text(input['host'], 'host', 'Server', { max: 253 }).trim().toLowerCase();
  if (!HOSTNAME.test(host) && !IPV6.test(host)) {
    throw new InputError('Server must be a host name such as imap.example.com or an IP address.', 'host');
  }
  const security = input['security'];
  if (typeof security !== 'string' || !SECURITIES.includes(security as ImapSecurity)) {
    throw new InputError('Security must be TLS, STARTTLS or none.', 'security');
  }
  if (security === 'plain' && !isLocalHost(host)) {
    throw new InputError(
      'An unencrypted connection is only allowed to this computer (127.0.0.1 or localhost). Choose TLS or STARTTLS.',
      'security',
    );
  }
  const port = integer(input['port'], 'port', 'Port', 1, 65535);
  const user = text(input['user'], 'user', 'User name', { max: 320 }).trim();
  const password = text(input['password'], 'password', 'Password', { max: 4096 });
  const displayName = text(input['displayName'], 'displayName', 'Display name', { max: 200, optional: true }).trim() || `${user} on ${host}`;
  return {
    displayName,
    host,
    port,
    security: security as ImapSecurity,
    user,
    password,
    syncWindowDays: integer(input['syncWindowDays'], 'syncWindowDays', 'Sync window', 1, 3650, 30),
    syncMaxMessages: integer(input['syncMaxMessages'], 'syncMaxMessages', 'Maximum messages', 1, 100_000, 2000),
  };
}

function parseFilter(input: Record<string, unknown>): InboxFilter {
  const filter: InboxFilter = {};
  const source = input['source'];
  if (source !== undefined) {
    if (typeof source !== 'string' || !SOURCES.includes(source as SourceKind)) {
      throw new InputError('Source must be mail, chat or feed.', 'source');
    }
    filter.source = source as SourceKind;
  }
  if (input['accountId'] !== undefined) filter.accountId = text(input['accountId'], 'accountId', 'Account', { max: 100 });
  if (input['unreadOnly'] !== undefined) filter.unreadOnly = input['unreadOnly'] === true;
  return filter;
}

export function parseInboxQuery(raw: unknown): InboxQuery {
  const input = record(raw ?? {}, 'the query');
  const query: InboxQuery = { ...parseFilter(input), limit: integer(input['limit'], 'limit', 'Limit', 1, 500, 50) };
  if (input['after'] !== undefined) query.after = text(input['after'], 'after', 'Page cursor', { max: 500 });
  return query;
}

export function parseSearchQuery(raw: unknown): SearchQuery {
  const input = record(raw, 'the search');
  return {
    ...parseFilter(input),
    text: text(input['text'], 'text', 'Search text', { max: 500 }),
    limit: integer(input['limit'], 'limit', 'Limit', 1, 500, 50),
  };
}

export function parseId(raw: unknown, key: string, label: string): string {
  return text(record(raw, 'the request')[key], key, label, { max: 400 });
}

export function parsePassword(raw: unknown): string {
  return text(record(raw, 'the request')['password'], 'password', 'Password', { max: 4096 });
}

export function parseIds(raw: unknown): string[] {
  const ids = record(raw, 'the request')['itemIds'];
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > 10_000 || !ids.every((id) => typeof id === 'string')) {
    throw new InputError('itemIds must be a list of 1 to 10,000 item ids.', 'itemIds');
  }
  return ids as string[];
}

/** A week: polling less often than that is better done by removing the feed. */
const FEED_MAX_INTERVAL_SECONDS = 7 * 24 * 3600;
const MAX_KEYWORDS = 50;

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
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError('Feed address must start with https:// or http://.', field);
  }
  if (url.username !== '' || url.password !== '') {
    throw new InputError('Put the user name and password in the sign-in fields, not in the address.', field);
  }
  return url.href;
}

function feedRules(input: Record<string, unknown>): Pick<Required<FeedSettingsInput>, 'intervalSeconds' | 'alertLevel' | 'keywords' | 'folder'> {
  const intervalSeconds = integer(
    input['intervalSeconds'], 'intervalSeconds', 'Polling interval (seconds)',
    FEED_MIN_INTERVAL_SECONDS, FEED_MAX_INTERVAL_SECONDS, FEED_DEFAULT_INTERVAL_SECONDS,
  );
  const level = input['alertLevel'] ?? 'badge';
  if (typeof level !== 'string' || !FEED_ALERT_LEVELS.includes(level as FeedAlertLevel)) {
    throw new InputError('Alerts must be notify, badge or silent.', 'alertLevel');
  }
  return {
    intervalSeconds,
    alertLevel: level as FeedAlertLevel,
    keywords: parseKeywords(input['keywords']),
    folder: text(input['folder'], 'folder', 'Folder', { max: 200, optional: true }).trim(),
  };
}

function parseKeywords(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || !list.every((k) => typeof k === 'string')) {
    throw new InputError('Keywords must be a list of words.', 'keywords');
  }
  const keywords = [...new Set((list as string[]).map((k) => k.trim()).filter((k) => k !== ''))];
  if (keywords.length > MAX_KEYWORDS || keywords.some((k) => k.length > 100)) {
    throw new InputError(`Give at most ${MAX_KEYWORDS} keywords of up to 100 characters each.`, 'keywords');
  }
  return keywords;
}

function parseCredentials(value: unknown): FeedCredentials | undefined {
  if (value === undefined || value === null) return undefined;
  const input = record(value, 'the credentials');
  if (input['kind'] === 'basic') {
    return {
      kind: 'basic',
      username: text(input['username'], 'username', 'User name', { max: 320 }),
      password: text(input['password'], 'password', 'Password', { max: 4096 }),
    };
  }
  if (input['kind'] === 'bearer') {
    return { kind: 'bearer', token: text(input['token'], 'token', 'Token', { max: 8192 }).trim() };
  }
  throw new InputError('Sign-in must be basic (user name and password) or a bearer token.', 'credentials');
}

export type ParsedFeedInput = Required<Omit<FeedAccountInput, 'credentials'>> & { credentials?: FeedCredentials };

export function parseFeedAccountInput(raw: unknown): ParsedFeedInput {
  const input = record(raw, 'the feed');
  const url = parseFeedUrl(input['url']);
  const credentials = parseCredentials(input['credentials']);
  if (credentials && new URL(url).protocol === 'http:' && !isLocalHost(new URL(url).hostname)) {
    throw new InputError('A feed that needs a password must use https://, or the password would cross the network in the clear.', 'url');
  }
  const parsed: ParsedFeedInput = {
    url,
    displayName: text(input['displayName'], 'displayName', 'Name', { max: 200, optional: true }).trim(),
    ...feedRules(input),
  };
  if (credentials) parsed.credentials = credentials;
  return parsed;
}

export function parseFeedSettingsInput(raw: unknown): FeedSettingsInput {
  const input = record(raw, 'the feed settings');
  const settings: FeedSettingsInput = { accountId: parseId(raw, 'accountId', 'Account') };
  const rules = feedRules(input);
  if (input['displayName'] !== undefined) {
    settings.displayName = text(input['displayName'], 'displayName', 'Name', { max: 200 }).trim();
    if (settings.displayName === '') throw new InputError('Name is required.', 'displayName');
  }
  if (input['intervalSeconds'] !== undefined) settings.intervalSeconds = rules.intervalSeconds;
  if (input['alertLevel'] !== undefined) settings.alertLevel = rules.alertLevel;
  if (input['keywords'] !== undefined) settings.keywords = rules.keywords;
  if (input['folder'] !== undefined) settings.folder = rules.folder;
  return settings;
}

/** OPML files from other readers run to a few hundred kB; 5 MB is far beyond any real one. */
export function parseOpmlText(raw: unknown): string {
  return text(record(raw, 'the request')['opml'], 'opml', 'OPML file', { max: MAX_OPML_CHARS });
}

/** The localpart and server name the spec allows, generously: servers in the wild are lax about case. */
const MATRIX_USER_ID = /^@[^\s:]{1,255}:[a-z0-9.\-[\]:]{1,255}$/i;

export interface ParsedMatrixInput {
  /** Full `@user:server`, or a bare localpart when a homeserver is given. */
  user: string;
  homeserverUrl?: string;
  password: string;
  displayName: string;
}

export function parseMatrixAccountInput(raw: unknown): ParsedMatrixInput {
  const input = record(raw, 'the account');
  const user = text(input['userId'], 'userId', 'User ID', { max: 512 }).trim();
  const homeserver = text(input['homeserverUrl'], 'homeserverUrl', 'Homeserver', { max: 2000, optional: true }).trim();
  if (!homeserver && !MATRIX_USER_ID.test(user)) {
    throw new InputError('A Matrix user ID looks like @alice:example.org (or give the homeserver and a user name).', 'userId');
  }
  if (homeserver && user.startsWith('@') && !MATRIX_USER_ID.test(user)) {
    throw new InputError('A Matrix user ID looks like @alice:example.org.', 'userId');
  }
  const parsed: ParsedMatrixInput = {
    user,
    password: text(input['password'], 'password', 'Password', { max: 4096 }),
    displayName: text(input['displayName'], 'displayName', 'Name', { max: 200, optional: true }).trim(),
  };
  if (homeserver) parsed.homeserverUrl = homeserver;
  return parsed;
}

/** What a message may be: Matrix servers refuse events over 64 KiB, and the body is most of one. */
const MAX_MESSAGE_LENGTH = 30_000;

export function parseChatText(raw: unknown): string {
  const value = text(record(raw, 'the message')['text'], 'text', 'Message', { max: MAX_MESSAGE_LENGTH });
  if (value.trim() === '') throw new InputError('Write something first.', 'text');
  return value;
}

export function parseOptionalId(raw: unknown, field: string, label: string): string | undefined {
  const value = record(raw, 'the request')[field];
  if (value === undefined || value === null || value === '') return undefined;
  return parseId(raw, field, label);
}

export function parseBoolean(raw: unknown, field: string, label: string): boolean {
  const value = record(raw, 'the request')[field];
  if (typeof value !== 'boolean') throw new InputError(`${label} must be true or false.`, field);
  return value;
}

/** An mxc:// URI: the server name and media id, nothing else (no path tricks through the media API). */
export function parseMxc(raw: unknown): string {
  const value = text(record(raw, 'the request')['mxc'], 'mxc', 'Media address', { max: 500 });
  if (!/^mxc:\/\/[a-z0-9.\-[\]:]+\/[A-Za-z0-9_-]+$/i.test(value)) throw new InputError('That is not a Matrix media address (mxc://…).', 'mxc');
  return value;
}

/** A room id (`!opaque:server`) from the CLI. */
export function parseRoomId(raw: unknown): string {
  const value = text(record(raw, 'the request')['roomId'], 'roomId', 'Room', { max: 512 }).trim();
  if (!/^![^\s:]+:\S+$/.test(value)) throw new InputError('A Matrix room id looks like !abc123:example.org.', 'roomId');
  return value;
}

const VERIFICATION_ACTIONS: readonly VerificationAction[] = ['accept', 'start', 'confirm', 'mismatch', 'cancel'];

export function parseVerificationAction(raw: unknown): VerificationAction {
  const value = record(raw, 'the request')['action'];
  if (typeof value !== 'string' || !(VERIFICATION_ACTIONS as readonly string[]).includes(value)) {
    throw new InputError(`The action must be one of ${VERIFICATION_ACTIONS.join(', ')}.`, 'action');
  }
  return value as VerificationAction;
}

/** A recovery key as people copy it: groups of four base58 characters; spaces and line breaks are dropped. */
export function parseRecoveryKey(raw: unknown): string {
  const value = text(record(raw, 'the request')['recoveryKey'], 'recoveryKey', 'Recovery key', { max: 200 }).replace(/\s+/g, '');
  if (!/^[1-9A-HJ-NP-Za-km-z]{40,70}$/.test(value)) {
    throw new InputError('That is not a recovery key. It is 48 letters and digits in groups of four, as shown when backup was set up.', 'recoveryKey');
  }
  return value;
}
