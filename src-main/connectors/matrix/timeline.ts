/**
 * A room's loaded events become the messages the reading pane draws: edits applied to what they
 * replace, reactions counted onto their target, redactions shown as removed, replies joined to
 * their quoted parent, and every formatted body through the allow-list sanitizer. Only this file
 * reads event content for display, so nothing from an event reaches the screen unfiltered.
 */
import { EventStatus, EventType } from 'matrix-js-sdk';
import type { MatrixEvent, Room } from 'matrix-js-sdk';
import { DecryptionFailureCode } from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { ChatMessage } from '../../../src-shared/api.ts';
import { sanitizeHtml } from '../rich-text.ts';
import { encryptedFileOf } from './attachments.ts';
import type { EncryptedFile } from './attachments.ts';

/** The reading pane's window onto a long room; older history loads on demand. */
export const MAX_TIMELINE_MESSAGES = 500;
const QUOTE_LENGTH = 200;

type Content = Record<string, unknown>;

interface Aggregates {
  /** Target event id → the newest edit's m.new_content. */
  edits: Map<string, Content>;
  /** Target event id → key → who reacted. */
  reactions: Map<string, Map<string, Set<string>>>;
}

function relationOf(content: Content): { rel_type?: unknown; event_id?: unknown; key?: unknown } | undefined {
  const relation = content['m.relates_to'];
  return relation !== null && typeof relation === 'object' ? (relation as { rel_type?: unknown; event_id?: unknown; key?: unknown }) : undefined;
}

function aggregate(events: readonly MatrixEvent[]): Aggregates {
  const edits = new Map<string, Content>();
  const editSenders = new Map<string, string>();
  const reactions = new Map<string, Map<string, Set<string>>>();
  const senders = new Map<string, string | undefined>(events.map((e) => [e.getId() ?? '', e.getSender()]));
  for (const event of events) {
    if (event.isRedacted()) continue;
    const content = event.getOriginalContent() as Content;
    const relation = relationOf(content);
    if (!relation || typeof relation.event_id !== 'string') continue;
    const target = relation.event_id;
    if (relation.rel_type === 'm.replace' && event.getType() === EventType.RoomMessage) {
      const replacement = content['m.new_content'];
      // Only the original sender may edit a message (the spec's rule; others' "edits" are ignored).
      if (replacement && typeof replacement === 'object' && senders.get(target) === event.getSender()) {
        edits.set(target, replacement as Content);
        editSenders.set(target, event.getSender() ?? '');
      }
    } else if (relation.rel_type === 'm.annotation' && event.getType() === EventType.Reaction && typeof relation.key === 'string') {
      const byKey = reactions.get(target) ?? new Map<string, Set<string>>();
      const who = byKey.get(relation.key) ?? new Set<string>();
      who.add(event.getSender() ?? '');
      byKey.set(relation.key.slice(0, 64), who);
      reactions.set(target, byKey);
    }
  }
  return { edits, reactions };
}

/** A reply's body starts with the quoted parent ("> <@bob:hs> text") and a blank line: not ours to show. */
export function stripReplyFallback(body: string): string {
  if (!body.startsWith('> ')) return body;
  const lines = body.split('\n');
  let i = 0;
  while (i < lines.length && lines[i]!.startsWith('> ')) i++;
  if (i < lines.length && lines[i] === '') i++;
  return lines.slice(i).join('\n');
}

function stripMxReply(html: string): string {
  return html.replace(/<mx-reply>[\s\S]*?<\/mx-reply>/gi, '');
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function isDisplayed(event: MatrixEvent): boolean {
  const type = event.getType();
  if (type === EventType.RoomMember) return true;
  if (type !== EventType.RoomMessage && type !== EventType.Sticker && type !== EventType.RoomMessageEncrypted) return false;
  if (event.isRedacted()) return true;
  // An encrypted edit or reaction keeps its relation in the clear, so it is hidden even when it cannot be decrypted.
  const relation = relationOf(event.getOriginalContent() as Content) ?? relationOf(event.getWireContent() as Content);
  return relation?.rel_type !== 'm.replace' && relation?.rel_type !== 'm.annotation';
}

export interface TimelineNames {
  nameOf(userId: string): string;
}

/**
 * Oldest first, the newest MAX_TIMELINE_MESSAGES; pending messages of ours last, as they were typed.
 * The keys of encrypted images go to `onEncryptedFile`, so their media can be decrypted when fetched.
 */
/** Longer room and display names are cut: the server passes on whatever a member set, 100 kB included. */
export const MAX_NAME_LENGTH = 200;

/** A name cut to MAX_NAME_LENGTH, never through a surrogate pair. */
export function boundedName(name: string): string {
  if (name.length <= MAX_NAME_LENGTH) return name;
  const cut = /[\uD800-\uDBFF]/.test(name[MAX_NAME_LENGTH - 2] ?? '') ? MAX_NAME_LENGTH - 2 : MAX_NAME_LENGTH - 1;
  return `${name.slice(0, cut)}…`;
}

export function timelineMessages(room: Room, myUserId: string, onEncryptedFile?: (file: EncryptedFile) => void): ChatMessage[] {
  const events = [...room.getLiveTimeline().getEvents(), ...room.getPendingEvents()];
  const aggregates = aggregate(events);
  const byId = new Map(events.map((e) => [e.getId() ?? '', e]));
  const nameOf = (userId: string) => boundedName(room.getMember(userId)?.name ?? userId);
  const messages: ChatMessage[] = [];
  for (const event of events) {
    if (!isDisplayed(event)) continue;
    const message = toMessage(event, myUserId, nameOf, aggregates, byId, onEncryptedFile);
    if (message) messages.push(message);
  }
  return messages.slice(-MAX_TIMELINE_MESSAGES);
}

function toMessage(
  event: MatrixEvent,
  myUserId: string,
  nameOf: (userId: string) => string,
  aggregates: Aggregates,
  byId: Map<string, MatrixEvent>,
  onEncryptedFile: ((file: EncryptedFile) => void) | undefined,
): ChatMessage | undefined {
  const id = event.getId() ?? event.getTxnId() ?? '';
  const senderId = event.getSender() ?? '';
  const base = {
    id,
    senderId,
    senderName: nameOf(senderId),
    mine: senderId === myUserId,
    timestamp: event.getTs(),
    edited: false,
    reactions: reactionsOf(aggregates.reactions.get(id), myUserId),
    ...sendStateOf(event),
  };
  if (event.getType() === EventType.RoomMember) {
    const body = membershipText(event, nameOf);
    return body === undefined ? undefined : { ...base, kind: 'membership', body, reactions: [] };
  }
  if (event.isRedacted()) return { ...base, kind: 'redacted', body: 'Message deleted', reactions: [] };
  if (event.isDecryptionFailure()) return { ...base, ...undecryptable(event, nameOf(senderId)) };
  if (event.getType() === EventType.RoomMessageEncrypted) {
    return { ...base, kind: 'undecryptable', body: 'Decrypting…', decryption: { problem: 'other' } };
  }
  const original = event.getOriginalContent() as Content;
  const edit = aggregates.edits.get(id);
  const content = edit ?? original;
  const reply = replyOf(original, byId, nameOf);
  const msgtype = event.getType() === EventType.Sticker ? 'm.image' : text(content['msgtype']);
  const body = stripReplyFallback(text(content['body']));
  const formatted =
    content['format'] === 'org.matrix.custom.html' && typeof content['formatted_body'] === 'string'
      ? sanitizeHtml(stripMxReply(content['formatted_body']), undefined, 'mxc')
      : undefined;
  const shared = { ...base, edited: edit !== undefined, ...(reply ? { replyTo: reply } : {}) };
  switch (msgtype) {
    case 'm.text':
    case 'm.notice':
    case 'm.emote':
      return {
        ...shared,
        kind: msgtype === 'm.text' ? 'text' : msgtype === 'm.notice' ? 'notice' : 'emote',
        body,
        ...(formatted && formatted.length > 0 ? { content: formatted } : {}),
      };
    case 'm.image': {
      const info = (content['info'] ?? {}) as Content;
      // In an encrypted room the media are ciphertext, described by `file` objects instead of urls.
      const file = encryptedFileOf(content['file']);
      const thumbnailFile = encryptedFileOf(info['thumbnail_file']);
      if (file) onEncryptedFile?.(file);
      if (thumbnailFile) onEncryptedFile?.(thumbnailFile);
      const url = file?.url ?? text(content['url']);
      if (!url.startsWith('mxc://')) return { ...shared, kind: 'file', body: body || 'image' };
      const width = typeof info['w'] === 'number' ? info['w'] : undefined;
      const height = typeof info['h'] === 'number' ? info['h'] : undefined;
      // An encrypted image's thumbnail must be its own encrypted file: the server cannot scale ciphertext.
      const thumbnail = file ? (thumbnailFile?.url ?? '') : text(info['thumbnail_url']);
      return {
        ...shared,
        kind: 'image',
        body,
        image: { mxc: url, name: body || 'image', ...(thumbnail.startsWith('mxc://') ? { thumbnailMxc: thumbnail } : {}), ...(width ? { width } : {}), ...(height ? { height } : {}) },
      };
    }
    case 'm.file':
    case 'm.audio':
    case 'm.video':
      return { ...shared, kind: 'file', body: body || 'attachment' };
    default:
      return { ...shared, kind: 'other', body: body || `Unsupported message (${msgtype.slice(0, 40) || 'no type'})` };
  }
}

/** Why a message cannot be read, in the words the timeline shows; the SDK retries when keys arrive. */
function undecryptable(event: MatrixEvent, senderName: string): Pick<ChatMessage, 'kind' | 'body' | 'decryption'> {
  const wire = event.getWireContent() as Content;
  const senderDevice = text(wire['device_id']) || undefined;
  const device = senderDevice ? { senderDevice } : {};
  const their = senderDevice ? `${senderName}’s device ${senderDevice}` : `${senderName}’s device`;
  switch (event.decryptionFailureReason) {
    case DecryptionFailureCode.MEGOLM_UNKNOWN_INBOUND_SESSION_ID:
    case DecryptionFailureCode.OLM_UNKNOWN_MESSAGE_INDEX:
      return { kind: 'undecryptable', body: `Waiting for the keys from ${their}. The message opens by itself when they arrive.`, decryption: { problem: 'waiting-for-keys', ...device } };
    case DecryptionFailureCode.HISTORICAL_MESSAGE_NO_KEY_BACKUP:
    case DecryptionFailureCode.HISTORICAL_MESSAGE_BACKUP_UNCONFIGURED:
      return { kind: 'undecryptable', body: 'Sent before this device existed — restore from backup to read it.', decryption: { problem: 'needs-backup', ...device } };
    case DecryptionFailureCode.HISTORICAL_MESSAGE_WORKING_BACKUP:
      return { kind: 'undecryptable', body: 'Sent before this device existed, and your key backup does not hold its key.', decryption: { problem: 'not-for-this-device', ...device } };
    case DecryptionFailureCode.HISTORICAL_MESSAGE_USER_NOT_JOINED:
      return { kind: 'undecryptable', body: 'Sent before you joined this room; it was not encrypted for you.', decryption: { problem: 'not-for-this-device', ...device } };
    case DecryptionFailureCode.MEGOLM_KEY_WITHHELD_FOR_UNVERIFIED_DEVICE:
      return { kind: 'undecryptable', body: `${their} shares keys only with verified devices. Verify this device from another of your devices.`, decryption: { problem: 'not-for-this-device', ...device } };
    case DecryptionFailureCode.MEGOLM_KEY_WITHHELD:
      return { kind: 'undecryptable', body: `${their} did not share the key for this message with this device.`, decryption: { problem: 'not-for-this-device', ...device } };
    case DecryptionFailureCode.SENDER_IDENTITY_PREVIOUSLY_VERIFIED:
    case DecryptionFailureCode.UNSIGNED_SENDER_DEVICE:
      return { kind: 'undecryptable', body: `Hidden: ${their} is not trusted (its identity changed or it is not signed by its owner).`, decryption: { problem: 'untrusted-sender', ...device } };
    default:
      return { kind: 'undecryptable', body: 'This encrypted message could not be decrypted.', decryption: { problem: 'other', ...device } };
  }
}

function sendStateOf(event: MatrixEvent): Pick<ChatMessage, 'sendState'> {
  switch (event.status) {
    case EventStatus.NOT_SENT:
      return { sendState: 'failed' };
    case EventStatus.SENDING:
    case EventStatus.ENCRYPTING:
    case EventStatus.QUEUED:
    case EventStatus.SENT:
      return { sendState: 'sending' };
    default:
      return {};
  }
}

function reactionsOf(byKey: Map<string, Set<string>> | undefined, myUserId: string): ChatMessage['reactions'] {
  if (!byKey) return [];
  return [...byKey].map(([key, who]) => ({ key, count: who.size, mine: who.has(myUserId) })).sort((a, b) => b.count - a.count);
}

function replyOf(content: Content, byId: Map<string, MatrixEvent>, nameOf: (userId: string) => string): ChatMessage['replyTo'] {
  const relation = content['m.relates_to'] as { 'm.in_reply_to'?: { event_id?: unknown } } | undefined;
  const parentId = relation?.['m.in_reply_to']?.event_id;
  if (typeof parentId !== 'string') return undefined;
  const parent = byId.get(parentId);
  if (!parent) return { id: parentId, senderName: '', body: 'A message not loaded yet (scroll up to load older messages).' };
  const body = parent.isRedacted() ? 'Message deleted' : stripReplyFallback(text((parent.getOriginalContent() as Content)['body']));
  return { id: parentId, senderName: nameOf(parent.getSender() ?? ''), body: body.length > QUOTE_LENGTH ? `${body.slice(0, QUOTE_LENGTH)}…` : body };
}

/** Joins, leaves and invites as one line each; profile changes (same membership) are not news. */
function membershipText(event: MatrixEvent, nameOf: (userId: string) => string): string | undefined {
  const membership = text(event.getContent()['membership']);
  const previous = text(event.getPrevContent()['membership']);
  const target = event.getStateKey() ?? '';
  const actor = nameOf(event.getSender() ?? '');
  const subject = boundedName(text(event.getContent()['displayname'])) || nameOf(target);
  if (membership === previous) return undefined;
  switch (membership) {
    case 'join':
      return `${subject} joined`;
    case 'invite':
      return `${actor} invited ${subject}`;
    case 'leave':
      return event.getSender() === target ? `${subject} left` : `${actor} removed ${subject}`;
    case 'ban':
      return `${actor} banned ${subject}`;
    default:
      return undefined;
  }
}
