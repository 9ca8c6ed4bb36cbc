/**
 * App preferences: read when the page loads, followed through `preferences.changed` (another window,
 * the CLI), and each change saved at once. A change shows before the hub answers; a refusal puts the
 * saved value back and says why in the Preferences dialog.
 */
import { THEME_PREFERENCES, type Preferences, type ThemePreference } from '../../src-shared/preferences.ts';
import { showToast, type Hub } from './actions.ts';

export function openPreferences(hub: Hub): void {
  hub.store.setState({ preferencesOpen: true, preferencesError: null });
}

export function closePreferences(hub: Hub): void {
  hub.store.setState({ preferencesOpen: false, preferencesError: null });
}

/** Latest change per hub: an answer to an older one must not undo a newer one on screen. */
const changeSeq = new WeakMap<Hub, number>();

export async function loadPreferences(hub: Hub): Promise<void> {
  const seq = changeSeq.get(hub) ?? 0;
  const result = await hub.client.call('preferences.get', {});
  if (seq !== (changeSeq.get(hub) ?? 0)) return;
  // The defaults stay in force; the page works without them being saved anywhere.
  if (result.ok) hub.store.setState({ preferences: result.value });
  else showToast(hub, 'error', `Could not read your preferences: ${result.error.message}`);
}

export async function setPreferences(hub: Hub, changes: Partial<Preferences>): Promise<void> {
  const seq = (changeSeq.get(hub) ?? 0) + 1;
  changeSeq.set(hub, seq);
  const before = hub.store.getState().preferences;
  hub.store.setState({ preferences: { ...before, ...changes }, preferencesError: null });
  const result = await hub.client.call('preferences.set', { changes });
  if (seq !== changeSeq.get(hub)) return;
  if (result.ok) hub.store.setState({ preferences: result.value });
  else hub.store.setState({ preferences: before, preferencesError: `Could not save the change: ${result.error.message}` });
}

/**
 * Keeps the store in step with changes made elsewhere, and reads them again after a reconnect or a
 * restart of the hub process (events sent meanwhile are lost).
 */
export function followPreferenceEvents(hub: Hub): () => void {
  const offEvent = hub.client.on('preferences.changed', (preferences) => hub.store.setState({ preferences }));
  const offStore = hub.store.subscribe((s, before) => {
    const back = (before.connection === 'offline' && s.connection === 'online') || (before.service.state !== 'running' && s.service.state === 'running');
    if (back) void loadPreferences(hub);
  });
  return () => {
    offEvent();
    offStore();
  };
}

/**
 * 'light' and 'dark' force the palette through `data-theme` on the document element; 'system'
 * leaves it to the desktop's setting (styles.css).
 */
export function applyTheme(root: HTMLElement, theme: ThemePreference): void {
  root.dataset.theme = theme;
}

const THEME_KEY = 'groundswell.theme';

/**
 * The theme last shown, kept in the page's own storage: the window opens in it instead of flashing
 * the desktop's until `preferences.get` answers. The hub's answer still wins.
 */
export function rememberedTheme(storage: Pick<Storage, 'getItem'> | undefined): ThemePreference | undefined {
  try {
    const theme = storage?.getItem(THEME_KEY);
    return THEME_PREFERENCES.find((t) => t === theme);
  } catch {
    return undefined; // storage refused (a private window): the desktop's theme until the hub answers
  }
}

/** The page's local storage, or undefined where the browser refuses it. */
export function pageStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/** Applies the theme now and whenever it changes, and remembers it; returns the unsubscribe. */
export function followTheme(hub: Hub, root: HTMLElement, storage?: Pick<Storage, 'setItem'>): () => void {
  const apply = (theme: ThemePreference): void => {
    applyTheme(root, theme);
    try {
      storage?.setItem(THEME_KEY, theme);
    } catch {
      // Only the first paint of the next start is affected.
    }
  };
  apply(hub.store.getState().preferences.theme);
  return hub.store.subscribe((s, before) => {
    if (s.preferences.theme !== before.preferences.theme) apply(s.preferences.theme);
  });
}
