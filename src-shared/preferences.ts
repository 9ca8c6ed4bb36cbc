/**
 * App-level preferences: one typed document with defaults, stored by the hub and read and written
 * through the contract. A field added later gets its default on profiles that never saved it.
 */

export type ThemePreference = 'system' | 'light' | 'dark';
export const THEME_PREFERENCES: readonly ThemePreference[] = ['system', 'light', 'dark'];

export interface Preferences {
  /** 'system' follows the desktop's light or dark setting. */
  theme: ThemePreference;
  /** The desktop app opens with its window hidden (in the tray). */
  startMinimised: boolean;
  /** Closing the window keeps Groundswell running instead of quitting. */
  closeToTray: boolean;
  /** The desktop app starts when the user logs in (in the tray when startMinimised is on too). */
  startAtLogin: boolean;
  /** Desktop notifications at all; off keeps counts and the in-window toasts. */
  desktopNotifications: boolean;
  /** Show who wrote what in a notification; off shows only that something arrived. */
  notificationPreviews: boolean;
}

export const DEFAULT_PREFERENCES: Readonly<Preferences> = Object.freeze({
  theme: 'system',
  startMinimised: false,
  closeToTray: false,
  startAtLogin: false,
  desktopNotifications: true,
  notificationPreviews: true,
});
