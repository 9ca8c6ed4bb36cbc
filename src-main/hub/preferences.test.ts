import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES } from '../../src-shared/preferences.ts';
import type { Preferences } from '../../src-shared/preferences.ts';
import { InboxStore } from '../store/inbox-store.ts';
import { InputError } from '../common/input.ts';
import { UnsupportedError } from './errors.ts';
import { decodePreferences, PreferenceBook, PREFERENCES_VERSION } from './preferences.ts';

let dir: string;
let store: InboxStore;
let changed: Preferences[];
let book: PreferenceBook;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gs-prefs-'));
  store = InboxStore.open(join(dir, 'groundswell.sqlite'));
  changed = [];
  book = new PreferenceBook(store, (p) => changed.push(p));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('preferences', () => {
  it('are the defaults until something is saved', () => {
    expect(book.get()).toEqual(DEFAULT_PREFERENCES);
  });

  it('keep what was changed and the rest as it was, and say so once per change', () => {
    expect(book.set({ changes: { theme: 'dark' } })).toEqual({ ...DEFAULT_PREFERENCES, theme: 'dark' });
    book.set({ changes: { closeToTray: true } });
    expect(book.get()).toEqual({ ...DEFAULT_PREFERENCES, theme: 'dark', closeToTray: true });
    expect(changed.map((p) => p.theme)).toEqual(['dark', 'dark']);
    expect(store.readPreferences()?.version).toBe(PREFERENCES_VERSION);
  });

  it('refuse values they do not know, naming the preference', () => {
    expect(() => book.set({ changes: { theme: 'purple' } })).toThrow(InputError);
    expect(() => book.set({ changes: { closeToTray: 'yes' } })).toThrow(/closeToTray must be true or false/);
    expect(() => book.set({ changes: { fontSize: 12 } })).toThrow(/no preference called "fontSize"/);
    expect(changed).toEqual([]);
  });

  it('read a document missing later preferences with their defaults, and ignore ill-typed values', () => {
    expect(decodePreferences({ theme: 'light' })).toEqual({ ...DEFAULT_PREFERENCES, theme: 'light' });
    expect(decodePreferences({ theme: 7, closeToTray: 'yes' })).toEqual(DEFAULT_PREFERENCES);
    expect(decodePreferences(null)).toEqual(DEFAULT_PREFERENCES);
  });

  it('leave a document from a newer Groundswell as it is', () => {
    store.writePreferences(PREFERENCES_VERSION + 1, { theme: 'dark', future: true });
    expect(() => book.set({ changes: { theme: 'light' } })).toThrow(UnsupportedError);
    expect(store.readPreferences()).toEqual({ version: PREFERENCES_VERSION + 1, value: { theme: 'dark', future: true } });
    expect(book.get().theme).toBe('dark');
  });
});
