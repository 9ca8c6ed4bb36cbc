/**
 * Inbox items: the reading pane's detail, cached once fetched. Read state changes with the rest of
 * triage (triage.ts), through the outbox. Mail is fetched fresh (its raw body kept in memory by
 * MailReading) so the HTML, remote content and attachments are always the server's; the stored text
 * is what shows when the server cannot be reached.
 */
import type { InboxItem, ItemDetail } from '../../src-shared/domain.ts';
import { ATTACHMENT_MAX_BYTES } from '../../src-shared/limits.ts';
import type { Logger } from '../common/logger.ts';
import type { Connector, ConnectorDetail } from '../connectors/connector.ts';
import type { InboxStore, StoredItem } from '../store/inbox-store.ts';
import type { AccountBook } from './accounts.ts';
import { describe, NotFoundError, UnsupportedError } from './errors.ts';
import { InputError } from '../common/input.ts';
import { safeDetail } from './item-text.ts';
import { listAttachments, MailReading } from './mail-reading.ts';
import type { ConnectorSupervision } from './supervision.ts';

export interface DetailOptions {
  /** Show images: this message's remote content is let in. */
  remoteContent?: boolean;
}

export class ItemBook {
  readonly #store: InboxStore;
  readonly #accounts: AccountBook;
  readonly #supervision: ConnectorSupervision;
  readonly #log: Logger;
  readonly #trustedSenders: () => readonly string[];
  readonly #mail = new MailReading();

  constructor(store: InboxStore, accounts: AccountBook, supervision: ConnectorSupervision, log: Logger, trustedSenders: () => readonly string[] = () => []) {
    this.#store = store;
    this.#accounts = accounts;
    this.#supervision = supervision;
    this.#log = log;
    this.#trustedSenders = trustedSenders;
  }

  async detail(itemId: string, options: DetailOptions = {}): Promise<ItemDetail> {
    const stored = this.#store.getItem(itemId);
    if (!stored) throw new NotFoundError('That item no longer exists; it may have been deleted on the server.');
    const item = toInboxItem(stored);
    const remote = { thisMessage: options.remoteContent === true, trustedSenders: this.#trustedSenders() };
    const held = this.#mail.source(itemId);
    const cached = this.#store.getBody(itemId);
    if (held && cached) return { item, ...this.#mail.view(itemId, safeDetail({ headers: cached.headers, bodyText: cached.bodyText }), held, remote), ...this.#conversation(stored) };
    // Mail is fetched fresh for its HTML and attachments, unless its account is known to be away:
    // then the saved text shows at once instead of after a connection attempt times out.
    const state = this.#supervision.status(stored.accountId).state;
    const away = state === 'offline' || state === 'auth-failed';
    const fresh = this.#isMail(stored.accountId) && !away;
    if (cached && away && this.#isMail(stored.accountId)) {
      return {
        item,
        ...safeDetail({ headers: cached.headers, bodyText: cached.bodyText }),
        bodyError: 'The account is offline, so this is the text saved when the message was last opened; its formatting and attachments show when the account is back.',
      };
    }
    if (cached && !fresh) {
      // Bodies stored before the limits existed are cut on their way out.
      return { item, ...safeDetail({ headers: cached.headers, bodyText: cached.bodyText, ...(cached.content ? { content: cached.content } : {}) }) };
    }
    try {
      const { mailSource, ...loaded } = await this.#withConnector(stored.accountId, (connector) => connector.loadDetail(item));
      const detail = safeDetail(loaded);
      if (!detail.bodyError) this.#store.putBody(itemId, { headers: detail.headers, bodyText: detail.bodyText, fetchedAt: Date.now() });
      if (!mailSource) return { item, ...detail };
      this.#mail.remember(itemId, mailSource);
      return { item, ...this.#mail.view(itemId, detail, mailSource, remote), ...this.#conversation(stored) };
    } catch (error) {
      if (error instanceof NotFoundError) throw new NotFoundError('The account of that item was removed.');
      this.#log.warn('could not load item body', { itemId, error });
      const why = describe(error);
      if (cached) {
        return {
          item,
          ...safeDetail({ headers: cached.headers, bodyText: cached.bodyText }),
          bodyError: `The server could not be reached (${why}), so this is the text saved when the message was last opened; its formatting and attachments show when the account is online.`,
        };
      }
      return {
        item,
        headers: [],
        bodyText: item.snippet,
        bodyError: `The full message could not be loaded (${why}). Showing the preview; try again when the account is online.`,
      };
    }
  }

  /** One attachment, fetched from the server now (never with the message). */
  async attachment(itemId: string, index: number): Promise<{ name: string; contentType: string; size: number; base64: string }> {
    const stored = this.#store.getItem(itemId);
    if (!stored) throw new NotFoundError('That item no longer exists; it may have been deleted on the server.');
    const item = toInboxItem(stored);
    let source = this.#mail.source(itemId);
    if (!source) {
      const detail: ConnectorDetail = await this.#withConnector(stored.accountId, (connector) => connector.loadDetail(item));
      if (!detail.mailSource) throw new UnsupportedError('This item has no attachments: only mail carries them.');
      source = detail.mailSource;
      this.#mail.remember(itemId, source);
    }
    const listed = listAttachments(source);
    const wanted = listed[index - 1];
    const ref = source.attachments[index - 1]?.ref;
    if (!wanted || ref === undefined) {
      throw new InputError(listed.length === 0 ? 'This message has no attachments.' : `This message has ${listed.length} attachment(s); pick one from 1 to ${listed.length}.`, 'index');
    }
    const bytes = await this.#withConnector(stored.accountId, (connector) => {
      if (!connector.attachments) throw new UnsupportedError('This account cannot fetch attachments.');
      return connector.attachments.fetch(item, ref, ATTACHMENT_MAX_BYTES);
    });
    return { name: wanted.name, contentType: wanted.contentType, size: bytes.length, base64: Buffer.from(bytes).toString('base64') };
  }

  /** The other messages of a mail's conversation, for the pane to show around it. */
  #conversation(stored: StoredItem): Pick<ItemDetail, 'conversation'> {
    const thread = this.#store.conversation(stored.accountId, stored.conversationKey);
    if (thread.length < 2 || !thread.some((t) => t.id === stored.id)) return {};
    return {
      conversation: thread.map((t) => ({
        itemId: t.id,
        sender: t.sender,
        timestamp: t.timestamp,
        snippet: t.snippet,
        unread: t.unread,
        hasAttachments: t.origin.kind === 'mail' && t.origin.hasAttachments === true,
      })),
    };
  }

  #isMail(accountId: string): boolean {
    return this.#accounts.find(accountId)?.kind?.capabilities.includes('mail') === true;
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
