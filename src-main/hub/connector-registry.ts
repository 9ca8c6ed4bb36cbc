/**
 * Which connector serves which account kind. The hub is the only place that knows every
 * connector; connectors never know each other.
 */
import type { Account, AccountKind } from '../../src-shared/domain.ts';
import { APP_NAME, APP_VERSION } from '../common/app-info.ts';
import { ConnectorError } from '../connectors/connector.ts';
import type { Connector, ConnectorContext } from '../connectors/connector.ts';
import { createFeedConnector, resolveFeed } from '../connectors/feeds/feed-connector.ts';
import type { FeedFetchSettings } from '../connectors/feeds/feed-connector.ts';
import { HostLimiter } from '../connectors/feeds/host-limiter.ts';
import { createImapConnector, verifyImapLogin } from '../connectors/imap/imap-connector.ts';
import { createMatrixConnector } from '../connectors/matrix/matrix-connector.ts';
import { checkHomeserver, discoverHomeserver, keepStorageKey, loginWithPassword, logout, parseSession } from '../connectors/matrix/matrix-session.ts';

/** An account as it should be saved, and the secret the keychain keeps for it. */
export interface VerifiedAccount {
  account: Account;
  /** A password or token to keep (a Matrix login keeps its access token, never the password). */
  secret: string | undefined;
}

export interface ConnectorKind {
  create(ctx: ConnectorContext): Connector;
  /**
   * Proves the settings and credentials work before an account is saved; throws a ConnectorError.
   * A feed page resolves to its feed's address and title; a Matrix user id to its homeserver and a session.
   */
  verify(account: Account, secret: string | undefined, previousSecret?: string): Promise<VerifiedAccount>;
  /** Ends the account's session on its server when it is removed (a Matrix logout); best effort. */
  forget?(account: Account, secret: string): Promise<void>;
}

export type ConnectorRegistry = Partial<Record<AccountKind, ConnectorKind>>;

/** Two requests at a time per host: enough to keep feeds moving, too few to look like a crawler. */
const FEED_REQUESTS_PER_HOST = 2;

export const FEED_USER_AGENT = `${APP_NAME}/${APP_VERSION} (desktop feed reader; polls politely with conditional GET)`;

export function imapConnectorKind(): ConnectorKind {
  return {
    create: createImapConnector,
    verify: async (account, secret) => {
      if (account.kind !== 'imap') throw new Error('IMAP connector given a non-IMAP account');
      await verifyImapLogin(account.settings, secret ?? '');
      return { account, secret };
    },
  };
}

/** One limiter for every feed account, so ten feeds on one host still make two requests at a time. */
export function feedConnectorKind(options: Partial<FeedFetchSettings> = {}): ConnectorKind {
  const fetching: FeedFetchSettings = {
    limiter: new HostLimiter(FEED_REQUESTS_PER_HOST),
    userAgent: FEED_USER_AGENT,
    ...options,
  };
  return {
    create: (ctx) => createFeedConnector(ctx, fetching),
    verify: async (account, secret) => {
      if (account.kind !== 'feed') throw new Error('Feed connector given a non-feed account');
      const resolved = await resolveFeed(account.settings.url, account.settings, secret, fetching);
      return {
        account: {
          ...account,
          displayName: account.displayName || resolved.title || new URL(resolved.url).hostname,
          settings: {
            ...account.settings,
            url: resolved.url,
            ...(resolved.siteUrl ? { siteUrl: resolved.siteUrl } : {}),
          },
        },
        secret,
      };
    },
  };
}

/**
 * The secret given to verify is the password; what comes back to keep is the login's session. An
 * account that signs in again passes its device id, so the user's device list does not grow.
 */
export function matrixConnectorKind(): ConnectorKind {
  return {
    create: createMatrixConnector,
    verify: async (account, password, previousSecret) => {
      if (account.kind !== 'matrix') throw new Error('Matrix connector given a non-Matrix account');
      const { settings } = account;
      const homeserverUrl = settings.homeserverUrl ? await checkHomeserver(settings.homeserverUrl) : await discoverHomeserver(settings.userId);
      const login = await loginWithPassword(homeserverUrl, settings.userId, password ?? '', settings.deviceId);
      // Signing in again must not quietly turn the account into someone else's.
      // (A device the server ended has no id any more; the previous secret still says it is a sign-in again.)
      if ((settings.deviceId !== undefined || previousSecret !== undefined) && login.userId !== settings.userId) {
        await logout(homeserverUrl, login.session).catch(() => undefined);
        throw new ConnectorError('invalid-input', `That password signs in ${login.userId}, not ${settings.userId}. Add it as a separate account.`);
      }
      return {
        account: { ...account, displayName: account.displayName || login.userId, settings: { homeserverUrl, userId: login.userId, deviceId: login.deviceId } },
        // Signing in again on the same device keeps the key its crypto store is encrypted with.
        secret: JSON.stringify(keepStorageKey(login.session, previousSecret, settings.deviceId === login.deviceId)),
      };
    },
    forget: async (account, secret) => {
      if (account.kind !== 'matrix') return;
      await logout(account.settings.homeserverUrl, parseSession(secret));
    },
  };
}

export function defaultConnectors(): ConnectorRegistry {
  return { imap: imapConnectorKind(), feed: feedConnectorKind(), matrix: matrixConnectorKind() };
}
