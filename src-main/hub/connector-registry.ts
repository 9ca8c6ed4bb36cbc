/**
 * Which connector serves which account kind. The hub is the only place that knows every
 * connector; connectors never know each other.
 */
import type { Account, AccountKind } from '../../src-shared/domain.ts';
import type { Connector, ConnectorContext } from '../connectors/connector.ts';
import { createImapConnector, verifyImapLogin } from '../connectors/imap/imap-connector.ts';

export interface ConnectorKind {
  create(ctx: ConnectorContext): Connector;
  /** Proves the credentials work before an account is saved; throws a ConnectorError. */
  verify(account: Account, secret: string): Promise<void>;
}

export type ConnectorRegistry = Partial<Record<AccountKind, ConnectorKind>>;

export const defaultConnectors: ConnectorRegistry = {
  imap: {
    create: createImapConnector,
    verify: async (account, secret) => {
      if (account.kind !== 'imap') throw new Error('IMAP connector given a non-IMAP account');
      await verifyImapLogin(account.settings, secret);
    },
  },
};
