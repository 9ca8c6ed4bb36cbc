/**
 * Every text a connector reports passes here on its way into the store or out to the window: items,
 * reading-pane bodies, chat timelines and account names, for every source alike. One-line fields
 * are cleaned (display-text.ts) and everything is cut to its limit (text-limits.ts).
 */
import type { ChatMessage, ChatTimeline } from '../../src-shared/api.ts';
import type { ItemDetail } from '../../src-shared/domain.ts';
import type { ConnectorItem } from '../connectors/connector.ts';
import type { NewItem, StoredBody } from '../store/inbox-store.ts';
import { displayLine } from './display-text.ts';
import { senderWarning } from './sender-warning.ts';
import { cutField, cutRich, TEXT_LIMITS } from './text-limits.ts';

type Detail = Omit<ItemDetail, 'item'>;

/** A connector's item as the store keeps it: text cleaned and cut, the sender's address checked. */
export function storedItem(item: ConnectorItem, ids: { id: string; accountId: string; source: NewItem['source'] }): NewItem & { body?: StoredBody } {
  const { detail, senderAddress, facts: _facts, attention: _attention, ...fields } = item;
  const warning = senderWarning(senderAddress);
  return {
    ...fields,
    ...ids,
    conversationKey: cutField(item.conversationKey, 'conversationKey'),
    sender: displayLine(item.sender, TEXT_LIMITS.sender),
    title: displayLine(item.title, TEXT_LIMITS.title),
    snippet: displayLine(item.snippet, TEXT_LIMITS.snippet),
    ...(item.searchText !== undefined ? { searchText: cutField(item.searchText, 'searchText') } : {}),
    // Kept for from: beside the sender's name.
    ...(senderAddress ? { senderAddress: displayLine(senderAddress, TEXT_LIMITS.sender) } : {}),
    ...(item.recipients !== undefined ? { recipients: displayLine(item.recipients, TEXT_LIMITS.headerValue) } : {}),
    ...(item.messages !== undefined ? { messages: item.messages.slice(-MAX_SEARCHABLE_MESSAGES).map(searchableMessage) } : {}),
    ...(warning ? { senderWarning: warning } : {}),
    ...(detail ? { body: { ...safeDetail(detail), fetchedAt: Date.now() } } : {}),
  };
}

/** A room's messages searchable at once: the sync's window, not its whole history. */
const MAX_SEARCHABLE_MESSAGES = 200;

function searchableMessage(message: NonNullable<ConnectorItem['messages']>[number]): NonNullable<NewItem['messages']>[number] {
  return {
    id: cutField(message.id, 'conversationKey'),
    sender: displayLine(message.sender, TEXT_LIMITS.sender),
    body: cutField(message.body, 'chatBody'),
    timestamp: Number.isFinite(message.timestamp) ? message.timestamp : 0,
  };
}

/** The reading pane's headers and body within their limits; header values are one line each. */
export function safeDetail<D extends Detail>(detail: D): D {
  return {
    ...detail,
    headers: detail.headers.slice(0, TEXT_LIMITS.headers).map((h) => ({
      name: displayLine(h.name, TEXT_LIMITS.headerName),
      value: displayLine(h.value, TEXT_LIMITS.headerValue),
    })),
    bodyText: cutField(detail.bodyText, 'bodyText'),
    ...(detail.content ? { content: cutRich(detail.content) } : {}),
  };
}

/** A room's timeline as the window gets it: names on one line, messages within their limits. */
export function safeTimeline<T extends Omit<ChatTimeline, 'itemId'>>(timeline: T): T {
  return {
    ...timeline,
    roomName: displayLine(timeline.roomName, TEXT_LIMITS.title),
    ...(timeline.topic !== undefined ? { topic: displayLine(timeline.topic, TEXT_LIMITS.topic) } : {}),
    ...(timeline.inviter !== undefined ? { inviter: displayLine(timeline.inviter, TEXT_LIMITS.sender) } : {}),
    typing: timeline.typing.slice(0, 20).map((name) => displayLine(name, TEXT_LIMITS.sender)),
    messages: timeline.messages.map(safeMessage),
  };
}

function safeMessage(message: ChatMessage): ChatMessage {
  return {
    ...message,
    senderName: displayLine(message.senderName, TEXT_LIMITS.sender),
    body: cutField(message.body, 'chatBody'),
    ...(message.content ? { content: cutRich(message.content, TEXT_LIMITS.chatBody) } : {}),
    ...(message.replyTo
      ? { replyTo: { ...message.replyTo, senderName: displayLine(message.replyTo.senderName, TEXT_LIMITS.sender), body: displayLine(message.replyTo.body, TEXT_LIMITS.snippet) } }
      : {}),
    reactions: message.reactions.slice(0, 100).map((r) => ({ ...r, key: displayLine(r.key, TEXT_LIMITS.reaction) })),
    ...(message.image ? { image: { ...message.image, name: displayLine(message.image.name, TEXT_LIMITS.fileName) } } : {}),
  };
}

/** An account's name, typed or taken from the server (a feed's own title, an OPML outline). */
export function safeDisplayName(name: string): string {
  return displayLine(name, TEXT_LIMITS.displayName);
}
