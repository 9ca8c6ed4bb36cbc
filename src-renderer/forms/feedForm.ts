/**
 * The feed forms as plain data: values as typed, and validation that turns the add form into a
 * FeedAccountInput and a feed's settings section into FeedAccountChanges. The hub checks again
 * and fetches the feed; this catches what needs no network.
 */
import type { FeedAccountChanges, FeedAccountInput } from '../../src-shared/api.ts';
import { FEED_MIN_INTERVAL_SECONDS, isLocalHost } from '../../src-shared/domain.ts';
import type { FeedAlertLevel, FeedAuth, FeedSettings } from '../../src-shared/domain.ts';

export interface FeedFormValues {
  url: string;
  displayName: string;
  /** Minutes, as typed. */
  intervalMinutes: string;
  folder: string;
  alertLevel: FeedAlertLevel;
  /** Comma-separated, as typed. */
  keywords: string;
  auth: FeedAuth;
  username: string;
  password: string;
  token: string;
}

export type FeedFormField = keyof FeedFormValues;
export type FeedFormErrors = Partial<Record<FeedFormField, string>>;

export const ALERT_LEVEL_LABELS: Record<FeedAlertLevel, string> = {
  notify: 'Notify me',
  badge: 'Badge only',
  silent: 'Silent (arrive as read)',
};

export const FEED_AUTH_LABELS: Record<FeedAuth, string> = {
  none: 'None (public feed)',
  basic: 'User name and password',
  bearer: 'Access token',
};

export function emptyFeedForm(): FeedFormValues {
  return {
    url: '',
    displayName: '',
    intervalMinutes: '10',
    folder: '',
    alertLevel: 'badge',
    keywords: '',
    auth: 'none',
    username: '',
    password: '',
    token: '',
  };
}

export function splitKeywords(text: string): string[] {
  return [...new Set(text.split(',').map((k) => k.trim()).filter((k) => k !== ''))];
}

const INTERVAL_ERROR = 'Check every 1 minute at the most often, and at least once a week.';

/** Minutes as typed, in seconds; undefined when more often than a minute or rarer than a week. */
function intervalSecondsOf(text: string): number | undefined {
  const minutes = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(minutes) || minutes * 60 < FEED_MIN_INTERVAL_SECONDS || minutes > 7 * 24 * 60) return undefined;
  return Math.round(minutes * 60);
}

/** A feed's own settings as its Account settings section shows them (the name is the dialog's Name). */
export interface FeedSettingsValues {
  folder: string;
  intervalMinutes: string;
  alertLevel: FeedAlertLevel;
  keywords: string;
}
export type FeedSettingsField = keyof FeedSettingsValues;

export function feedSettingsValuesOf(settings: FeedSettings): FeedSettingsValues {
  return {
    folder: settings.folder,
    intervalMinutes: String(settings.intervalSeconds / 60),
    alertLevel: settings.alertLevel,
    keywords: settings.keywords.join(', '),
  };
}

export function checkFeedSettings(values: FeedSettingsValues): { ok: true; input: FeedAccountChanges } | { ok: false; errors: Partial<Record<FeedSettingsField, string>> } {
  const intervalSeconds = intervalSecondsOf(values.intervalMinutes);
  if (intervalSeconds === undefined) return { ok: false, errors: { intervalMinutes: INTERVAL_ERROR } };
  return { ok: true, input: { folder: values.folder.trim(), intervalSeconds, alertLevel: values.alertLevel, keywords: splitKeywords(values.keywords) } };
}

export function checkFeedForm(values: FeedFormValues): { ok: true; input: FeedAccountInput } | { ok: false; errors: FeedFormErrors } {
  const errors: FeedFormErrors = {};
  const raw = values.url.trim();
  let url: URL | undefined;
  if (raw === '') errors.url = 'Enter the address of the feed or of a page that links to it.';
  else {
    try {
      url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(raw) ? raw : `https://${raw}`);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') errors.url = 'The address must start with https:// or http://.';
    } catch {
      errors.url = 'This is not a web address. Example: https://status.example.com/feed';
    }
  }
  const intervalSeconds = intervalSecondsOf(values.intervalMinutes);
  if (intervalSeconds === undefined) errors.intervalMinutes = INTERVAL_ERROR;
  if (values.auth === 'basic') {
    if (values.username.trim() === '') errors.username = 'Enter the user name.';
    if (values.password === '') errors.password = 'Enter the password.';
  }
  if (values.auth === 'bearer' && values.token.trim() === '') errors.token = 'Paste the access token.';
  if (values.auth !== 'none' && url?.protocol === 'http:' && !isLocalHost(url.hostname)) {
    errors.url = 'A feed that needs a password must use https://, or the password would cross the network in the clear.';
  }
  if (Object.keys(errors).length > 0 || url === undefined || intervalSeconds === undefined) return { ok: false, errors };
  const input: FeedAccountInput = {
    url: url.href,
    displayName: values.displayName.trim(),
    intervalSeconds,
    folder: values.folder.trim(),
    alertLevel: values.alertLevel,
    keywords: splitKeywords(values.keywords),
  };
  if (values.auth === 'basic') input.credentials = { kind: 'basic', username: values.username.trim(), password: values.password };
  if (values.auth === 'bearer') input.credentials = { kind: 'bearer', token: values.token.trim() };
  return { ok: true, input };
}

/** Maps the hub's field names onto this form's. */
export function feedFieldOf(field: string | undefined): FeedFormField | undefined {
  switch (field) {
    case 'url':
    case 'displayName':
    case 'folder':
    case 'alertLevel':
    case 'keywords':
    case 'username':
    case 'password':
    case 'token':
      return field;
    case 'intervalSeconds':
      return 'intervalMinutes';
    default:
      return undefined;
  }
}
