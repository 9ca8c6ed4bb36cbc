/**
 * The chat calls of the contract: each names an inbox item (a room), which leads to its account and
 * to that account's chat connector. Parameters are checked here like every other call's.
 */
import type { ChatTimeline } from '../../src-shared/api.ts';
import type { Account } from '../../src-shared/domain.ts';
import type { ChatConnector } from '../connectors/connector.ts';
import type { InboxStore, StoredItem } from '../store/inbox-store.ts';
import { NotFoundError } from './errors.ts';
import { safeTimeline } from './item-text.ts';
import { InputError, parseBoolean, parseChatText, parseId, parseMxc, parseOptionalId, parseRoomId } from './validate.ts';

/** Thumbnails are a few hundred kB; a full image in a chat is rarely over a few MB. */
const MAX_MEDIA_BYTES = 10 * 1024 * 1024;

export type WithChat = <T>(account: Account, run: (chat: ChatConnector) => Promise<T>) => Promise<T>;

/** The accounts chat calls may reach: those whose kind offers chat. */
export interface ChatAccounts {
  find(accountId: string): Account | undefined;
  withChat(): Account[];
}

export class ChatCalls {
  readonly #store: InboxStore;
  readonly #accounts: ChatAccounts;
  readonly #withChat: WithChat;

  constructor(store: InboxStore, accounts: ChatAccounts, withChat: WithChat) {
    this.#store = store;
    this.#accounts = accounts;
    this.#withChat = withChat;
  }

  async timeline(raw: unknown): Promise<ChatTimeline> {
    const { item, account } = this.#room(parseId(raw, 'itemId', 'Item'));
    const older = (raw as { older?: unknown }).older === true;
    const around = parseOptionalId(raw, 'around', 'Message');
    const timeline = await this.#withChat(account, (chat) => chat.timeline(item.externalId, { older, ...(around ? { around } : {}) }));
    return { itemId: item.id, ...safeTimeline(timeline) };
  }

  async send(raw: unknown): Promise<{ itemId: string }> {
    const text = parseChatText(raw);
    const replyToId = parseOptionalId(raw, 'replyToId', 'Reply');
    const itemId = parseOptionalId(raw, 'itemId', 'Item');
    const { item, account } = itemId !== undefined ? this.#room(itemId) : this.#roomById(parseRoomId(raw), parseOptionalId(raw, 'accountId', 'Account'));
    const waitForDelivery = (raw as { waitForDelivery?: unknown }).waitForDelivery === true;
    await this.#withChat(account, (chat) => chat.send(item.externalId, text, { ...(replyToId ? { replyToId } : {}), waitForDelivery }));
    return { itemId: item.id };
  }

  async retry(raw: unknown): Promise<null> {
    const { item, account } = this.#room(parseId(raw, 'itemId', 'Item'));
    const messageId = parseId(raw, 'messageId', 'Message');
    await this.#withChat(account, (chat) => chat.retry(item.externalId, messageId));
    return null;
  }

  async respondToInvite(raw: unknown): Promise<null> {
    const { item, account } = this.#room(parseId(raw, 'itemId', 'Item'));
    const accept = parseBoolean(raw, 'accept', 'Accept');
    await this.#withChat(account, (chat) => chat.respondToInvite(item.externalId, accept));
    return null;
  }

  async media(raw: unknown): Promise<{ dataUrl: string }> {
    const { account } = this.#room(parseId(raw, 'itemId', 'Item'));
    const mxc = parseMxc(raw);
    const thumbnail = parseBoolean(raw, 'thumbnail', 'Thumbnail');
    const { contentType, bytes } = await this.#withChat(account, (chat) => chat.media(mxc, { thumbnail, maxBytes: MAX_MEDIA_BYTES }));
    return { dataUrl: `data:${contentType};base64,${Buffer.from(bytes).toString('base64')}` };
  }

  async typing(raw: unknown): Promise<null> {
    const { item, account } = this.#room(parseId(raw, 'itemId', 'Item'));
    const typing = parseBoolean(raw, 'typing', 'Typing');
    await this.#withChat(account, (chat) => chat.typing(item.externalId, typing));
    return null;
  }

  #room(itemId: string): { item: StoredItem; account: Account } {
    const item = this.#store.getItem(itemId);
    if (!item) throw new NotFoundError('That conversation no longer exists; you may have left the room.');
    if (item.source !== 'chat') throw new InputError('Only chat conversations have a timeline and a composer.', 'itemId');
    const account = this.#accounts.find(item.accountId);
    if (!account) throw new NotFoundError('The account of that conversation was removed.');
    return { item, account };
  }

  /** A room id from the command line: on the named account, or on the only Matrix account in that room. */
  #roomById(roomId: string, accountId: string | undefined): { item: StoredItem; account: Account } {
    const candidates = this.#accounts
      .withChat()
      .filter((a) => accountId === undefined || a.id === accountId)
      .flatMap((account) => {
        const item = this.#store.getItem(`${account.id}:${roomId}`);
        return item ? [{ item, account }] : [];
      });
    if (candidates.length === 0) throw new NotFoundError(`No chat account here is in ${roomId}. Run \`sync --once\` first, or check the room id.`);
    if (candidates.length > 1) throw new InputError(`Several accounts are in ${roomId}; say which with --account.`, 'accountId');
    return candidates[0]!;
  }
}
