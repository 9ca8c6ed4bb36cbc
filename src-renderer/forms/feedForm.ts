/**
 * The add-feed form as plain data: values as typed, and validation that turns them into a
 * FeedAccountInput. The hub checks again and fetches the feed; this catches what needs no network.
 */
import type { FeedAccountInput } from '../../src-shared/api.ts';
import { FEED_MIN_INTERVAL_SECONDS, isLocalHost } from '../../src-shared/domain.ts';
import type { FeedAlertLevel, FeedAuth } from '../../src-shared/domain.ts';

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
  const minutes = Number(values.intervalMinutes.trim());
  if (!Number.isFinite(minutes) || minutes * 60 < FEED_MIN_INTERVAL_SECONDS || minutes > 7 * 24 * 60) {
    errors.intervalMinutes = 'Check every 1 minute at the most often, and at least once a week.';
  }
  if (values.auth === 'basic') {
    if (values.username.trim() === '') errors.username = 'Enter the user name.';
    if (values.password === '') errors.password = 'Enter the password.';
  }
  if (values.auth === 'bearer' && values.token.trim() === '') errors.token = 'Paste the access token.';
  if (values.auth !== 'none' && url?.protocol === 'http:' && !isLocalHost(url.hostname)) {
    errors.url = 'A feed that needs a password must use https://, or the password would cross the network in the clear.';
  }
  if (Object.keys(errors).length > 0 || url === undefined) return { ok: false, errors };
  const input: FeedAccountInput = {
    url: url.href,
    displayName: values.displayName.trim(),
    intervalSeconds: Math.round(minutes * 60),
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
