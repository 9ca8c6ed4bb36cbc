/**
 * App preferences: one versioned document in the store, decoded with defaults so a preference added
 * later reads as its default on profiles that never saved it, and a document from a newer
 * Groundswell is left as it is rather than overwritten.
 */
import type { HubEvents } from '../../src-shared/api.ts';
import { DEFAULT_PREFERENCES, THEME_PREFERENCES } from '../../src-shared/preferences.ts';
import type { Preferences, ThemePreference } from '../../src-shared/preferences.ts';
import { InputError, record } from '../common/input.ts';
import { parseProviderSettings } from '../connectors/oauth-providers.ts';
import type { InboxStore } from '../store/inbox-store.ts';
import { UnsupportedError } from './errors.ts';

export const PREFERENCES_VERSION = 1;

const BOOLEANS = ['startMinimised', 'closeToTray', 'startAtLogin', 'desktopNotifications', 'notificationPreviews', 'groupConversations'] as const;

/** Stored preferences as this version understands them; unknown or ill-typed values get their defaults. */
export function decodePreferences(stored: unknown): Preferences {
  const value = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  const preferences: Preferences = { ...DEFAULT_PREFERENCES };
  if (THEME_PREFERENCES.includes(value['theme'] as ThemePreference)) preferences.theme = value['theme'] as ThemePreference;
  for (const key of BOOLEANS) if (typeof value[key] === 'boolean') preferences[key] = value[key];
  if (Array.isArray(value['remoteImagesFrom'])) preferences.remoteImagesFrom = senderList(value['remoteImagesFrom'].filter((a): a is string => typeof a === 'string'));
  preferences.oauthProviders = [];
  if (value['oauthProviders'] !== undefined) {
    try {
      preferences.oauthProviders = parseProviderSettings(value['oauthProviders']);
    } catch {
      // A list this version cannot read is left out rather than half used.
    }
  }
  return preferences;
}

/** The most senders "Always from this sender" keeps; the oldest choices go first. */
export const MAX_TRUSTED_SENDERS = 5_000;

function senderList(addresses: readonly string[]): string[] {
  return [...new Set(addresses.map((a) => a.trim().toLowerCase()).filter((a) => a !== ''))].slice(-MAX_TRUSTED_SENDERS);
}

/** A mail address as "Always from this sender" keeps it: one address, lower-case. */
export function parseSenderAddress(value: unknown): string {
  if (typeof value !== 'string' || !/^[^\s@<>,;]{1,200}@[^\s@<>,;]{1,253}$/.test(value.trim())) {
    throw new InputError('Give the sender as one mail address, like someone@example.com.', 'address');
  }
  return value.trim().toLowerCase();
}

/** The changes a client asked for, checked field by field. */
export function parsePreferenceChanges(raw: unknown): Partial<Preferences> {
  const changes = record(record(raw, 'the request')['changes'], 'the changes');
  const parsed: Partial<Preferences> = {};
  for (const [key, value] of Object.entries(changes)) {
    if (key === 'theme') {
      if (!THEME_PREFERENCES.includes(value as ThemePreference)) throw new InputError('Theme must be system, light or dark.', 'theme');
      parsed.theme = value as ThemePreference;
    } else if (key === 'remoteImagesFrom') {
      if (!Array.isArray(value)) throw new InputError('remoteImagesFrom must be a list of mail addresses.', key);
      parsed.remoteImagesFrom = senderList(value.map(parseSenderAddress));
    } else if (key === 'oauthProviders') {
      parsed.oauthProviders = parseProviderSettings(value);
    } else if ((BOOLEANS as readonly string[]).includes(key)) {
      if (typeof value !== 'boolean') throw new InputError(`${key} must be true or false.`, key);
      parsed[key as (typeof BOOLEANS)[number]] = value;
    } else {
      throw new InputError(`There is no preference called "${key}".`, key);
    }
  }
  return parsed;
}

export class PreferenceBook {
  readonly #store: InboxStore;
  readonly #changed: (preferences: HubEvents['preferences.changed']) => void;

  constructor(store: InboxStore, changed: (preferences: Preferences) => void) {
    this.#store = store;
    this.#changed = changed;
  }

  get(): Preferences {
    const saved = this.#store.readPreferences();
    return decodePreferences(saved?.value);
  }

  /** "Always from this sender" on (allow) or off. */
  remoteImagesFrom(raw: unknown): Preferences {
    const request = record(raw, 'the request');
    const address = parseSenderAddress(request['address']);
    if (typeof request['allow'] !== 'boolean') throw new InputError('allow must be true or false.', 'allow');
    const current = this.get().remoteImagesFrom.filter((a) => a !== address);
    return this.#apply({ remoteImagesFrom: request['allow'] ? [...current, address] : current });
  }

  set(raw: unknown): Preferences {
    return this.#apply(parsePreferenceChanges(raw));
  }

  #apply(changes: Partial<Preferences>): Preferences {
    const saved = this.#store.readPreferences();
    if (saved && saved.version > PREFERENCES_VERSION) {
      throw new UnsupportedError(
        `These preferences were saved by a newer Groundswell (version ${saved.version}); update Groundswell to change them. Nothing was changed.`,
      );
    }
    const next = { ...this.get(), ...changes };
    this.#store.writePreferences(PREFERENCES_VERSION, next);
    this.#changed(next);
    return next;
  }
}
