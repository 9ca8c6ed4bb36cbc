/**
 * App-level preferences: one typed document with defaults, stored by the hub and read and written
 * through the contract. A field added later gets its default on profiles that never saved it.
 */

import type { ImapSecurity } from './domain.ts';

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
  /** Senders whose mail shows remote images at once ("Always from this sender"), lower-case addresses. */
  remoteImagesFrom: string[];
  /** The list shows one row per mail conversation (its newest message, the count and who wrote); off: one row per message. */
  groupConversations: boolean;
  /**
   * OAuth2 providers for mail sign-in: a built-in one's client id (Google, Microsoft), or another
   * identity provider described whole. Each distribution of Groundswell registers its own client.
   */
  oauthProviders: OAuthProviderSetting[];
}

/**
 * One OAuth2 provider entry. For `google` and `microsoft` only the client (id, and secret where the
 * provider wants one for desktop apps) is needed; another id needs the endpoints and scopes too.
 */
export interface OAuthProviderSetting {
  id: string;
  name?: string;
  clientId?: string;
  /** Google requires one even for desktop apps (it is not kept secret there: it ships in every copy). */
  clientSecret?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  /** RFC 7009; where there is one, removing the account revokes its grant. */
  revocationEndpoint?: string;
  /** Asked for together: what IMAP and SMTP need, and offline access where the provider names it. */
  scopes?: string[];
  imapHost?: string;
  imapPort?: number;
  imapSecurity?: ImapSecurity;
  smtpHost?: string;
  smtpPort?: number;
  smtpSecurity?: ImapSecurity;
}

export const DEFAULT_PREFERENCES: Readonly<Preferences> = Object.freeze({
  theme: 'system',
  startMinimised: false,
  closeToTray: false,
  startAtLogin: false,
  desktopNotifications: true,
  notificationPreviews: true,
  remoteImagesFrom: [],
  groupConversations: true,
  oauthProviders: [],
});
