/**
 * Inbox items: the reading pane's detail, cached once fetched. Read state changes with the rest of
 * triage (triage.ts), through the outbox.
 */
import type { InboxItem, ItemDetail } from '../../src-shared/domain.ts';
import type { Logger } from '../common/logger.ts';
import type { Connector } from '../connectors/connector.ts';
import type { InboxStore, StoredItem } from '../store/inbox-store.ts';
import type { AccountBook } from './accounts.ts';
import { describe, NotFoundError } from './errors.ts';
import { safeDetail } from './item-text.ts';
import type { ConnectorSupervision } from './supervision.ts';

export class ItemBook {
  readonly #store: InboxStore;
  readonly #accounts: AccountBook;
  readonly #supervision: ConnectorSupervision;
  readonly #log: Logger;

  constructor(store: InboxStore, accounts: AccountBook, supervision: ConnectorSupervision, log: Logger) {
    this.#store = store;
    this.#accounts = accounts;
    this.#supervision = supervision;
    this.#log = log;
  }

  async detail(itemId: string): Promise<ItemDetail> {
    const stored = this.#store.getItem(itemId);
    if (!stored) throw new NotFoundError('That item no longer exists; it may have been deleted on the server.');
    const item = toInboxItem(stored);
    const cached = this.#store.getBody(itemId);
    if (cached) {
      // Bodies stored before the limits existed are cut on their way out.
      return { item, ...safeDetail({ headers: cached.headers, bodyText: cached.bodyText, ...(cached.content ? { content: cached.content } : {}) }) };
    }
    try {
      const detail = safeDetail(await this.#withConnector(stored.accountId, (connector) => connector.loadDetail(item)));
      if (!detail.bodyError) this.#store.putBody(itemId, { headers: detail.headers, bodyText: detail.bodyText, fetchedAt: Date.now() });
      return { item, ...detail };
    } catch (error) {
      if (error instanceof NotFoundError) throw new NotFoundError('The account of that item was removed.');
      this.#log.warn('could not load item body', { itemId, error });
      return {
        item,
        headers: [],
        bodyText: item.snippet,
        bodyError: `The full message could not be loaded (${describe(error)}). Showing the preview; try again when the account is online.`,
      };
    }
  }

  #withConnector<T>(accountId: string, run: (connector: Connector) => Promise<T>): Promise<T> {
    const { account, kind } = this.#accounts.get(accountId);
    return this.#supervision.withConnector(account, kind, run);
  }
}

export function toInboxItem(stored: StoredItem): InboxItem {
  const { externalId: _e, scope: _s, searchText: _t, ...item } = stored;
  return item;
}
