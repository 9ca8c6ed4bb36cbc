/**
 * Inbox items: pages, search, counts, the reading pane's detail (cached once fetched) and read
 * state, which changes here first so the window reacts at once; the server follows, and a refusal
 * rolls the change back.
 */
import type { InboxItem, ItemDetail } from '../../src-shared/domain.ts';
import type { Logger } from '../common/logger.ts';
import { ConnectorError } from '../connectors/connector.ts';
import type { Connector } from '../connectors/connector.ts';
import type { InboxStore, StoredItem } from '../store/inbox-store.ts';
import type { AccountBook } from './accounts.ts';
import { describe, NotFoundError } from './errors.ts';
import type { HubEventBus } from './events.ts';
import { safeDetail } from './item-text.ts';
import type { ConnectorSupervision } from './supervision.ts';

export class ItemBook {
  readonly #store: InboxStore;
  readonly #accounts: AccountBook;
  readonly #supervision: ConnectorSupervision;
  readonly #events: HubEventBus;
  readonly #log: Logger;

  constructor(store: InboxStore, accounts: AccountBook, supervision: ConnectorSupervision, events: HubEventBus, log: Logger) {
    this.#store = store;
    this.#accounts = accounts;
    this.#supervision = supervision;
    this.#events = events;
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

  async setUnread(ids: string[], unread: boolean): Promise<void> {
    const items = this.#store.getItems(ids);
    if (items.length === 0) throw new NotFoundError('Those items no longer exist.');
    const changed = new Set(this.#store.setUnread(items.map((i) => i.id), unread));
    const byAccount = groupBy(items, (i) => i.accountId);
    this.#events.emit('inbox.changed', { accountIds: [...byAccount.keys()] });
    const failures: string[] = [];
    for (const [accountId, accountItems] of byAccount) {
      const found = this.#accounts.find(accountId);
      if (!found) continue;
      try {
        const inboxItems = accountItems.map(toInboxItem);
        await this.#withConnector(accountId, (c) => (unread ? c.markUnread(inboxItems) : c.markRead(inboxItems)));
      } catch (error) {
        this.#store.setUnread(accountItems.filter((i) => changed.has(i.id)).map((i) => i.id), !unread);
        this.#events.emit('inbox.changed', { accountIds: [accountId] });
        failures.push(`${found.account.displayName}: ${describe(error)}`);
        this.#log.warn('could not change read state on the server', { accountId, error });
      }
    }
    if (failures.length > 0) {
      throw new ConnectorError(
        'connection-failed',
        `Could not mark as ${unread ? 'unread' : 'read'} on the server (${failures.join('; ')}). Nothing was changed; try again when the account is online.`,
      );
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

function groupBy<T>(values: T[], key: (value: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const k = key(value);
    const group = groups.get(k);
    if (group) group.push(value);
    else groups.set(k, [value]);
  }
  return groups;
}
