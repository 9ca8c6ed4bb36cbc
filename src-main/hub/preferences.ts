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

const BOOLEANS = ['startMinimised', 'closeToTray', 'startAtLogin', 'desktopNotifications', 'notificationPreviews'] as const;

/** Stored preferences as this version understands them; unknown or ill-typed values get their defaults. */
export function decodePreferences(stored: unknown): Preferences {
  const value = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
  const preferences: Preferences = { ...DEFAULT_PREFERENCES };
  if (THEME_PREFERENCES.includes(value['theme'] as ThemePreference)) preferences.theme = value['theme'] as ThemePreference;
  for (const key of BOOLEANS) if (typeof value[key] === 'boolean') preferences[key] = value[key];
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

/** The changes a client asked for, checked field by field. */
export function parsePreferenceChanges(raw: unknown): Partial<Preferences> {
  const changes = record(record(raw, 'the request')['changes'], 'the changes');
  const parsed: Partial<Preferences> = {};
  for (const [key, value] of Object.entries(changes)) {
    if (key === 'theme') {
      if (!THEME_PREFERENCES.includes(value as ThemePreference)) throw new InputError('Theme must be system, light or dark.', 'theme');
      parsed.theme = value as ThemePreference;
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

  set(raw: unknown): Preferences {
    const changes = parsePreferenceChanges(raw);
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
