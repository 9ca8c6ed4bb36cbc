/**
 * Which connector serves which account kind. The hub is the only place that knows every
 * connector; connectors never know each other.
 */
import type { Account, AccountKind } from '../../src-shared/domain.ts';
import { APP_NAME, APP_VERSION } from '../common/app-info.ts';
import type { Connector, ConnectorContext } from '../connectors/connector.ts';
import { createFeedConnector, resolveFeed } from '../connectors/feeds/feed-connector.ts';
import type { FeedFetchSettings } from '../connectors/feeds/feed-connector.ts';
import { HostLimiter } from '../connectors/feeds/host-limiter.ts';
import { createImapConnector, verifyImapLogin } from '../connectors/imap/imap-connector.ts';

export interface ConnectorKind {
  create(ctx: ConnectorContext): Connector;
  /**
   * Proves the settings and credentials work before an account is saved; throws a ConnectorError.
   * Returns the account as it should be saved (a feed page resolves to its feed's address and title).
   */
  verify(account: Account, secret: string | undefined): Promise<Account>;
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
      return account;
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
        ...account,
        displayName: account.displayName || resolved.title || new URL(resolved.url).hostname,
        settings: {
          ...account.settings,
          url: resolved.url,
          ...(resolved.siteUrl ? { siteUrl: resolved.siteUrl } : {}),
        },
      };
    },
  };
}

export function defaultConnectors(): ConnectorRegistry {
  return { imap: imapConnectorKind(), feed: feedConnectorKind() };
}
