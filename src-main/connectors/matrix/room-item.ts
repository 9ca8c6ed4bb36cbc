/**
 * A room as one inbox row: its name (for a DM, the other person), the latest message and who sent
 * it, the server's unread and highlight counts, and an invitation as an item of its own until it is
 * answered. The row is recomputed from the SDK's room state whenever a sync touches the room, with
 * the facts attention rules match on (a mention by the push rules, a DM, who wrote the newest
 * message); whether it is new (`fresh`) is the connector's to say, from what the sync was.
 */
import { NotificationCountType } from 'matrix-js-sdk';
import type { MatrixClient, Room } from 'matrix-js-sdk';
import type { ChatMessage } from '../../../src-shared/api.ts';
import type { ConnectorItem } from '../connector.ts';
import { roomTriageFacts } from './room-triage.ts';
import { boundedName, timelineMessages } from './timeline.ts';

export const ROOM_SCOPE = 'rooms';
const SNIPPET_LENGTH = 200;

export interface RoomFacts {
  /** Named in the user's m.direct account data. */
  direct: boolean;
  /** The user asked for the room to stay unread (m.marked_unread). */
  markedUnread: boolean;
  /** The newest message stored before (its time): what came after it is what keywords look at. */
  storedUntil?: number;
}

/** Messages whose text keyword rules read: the ones after the stored row, at most this many. */
const KEYWORD_MESSAGES = 20;
const KEYWORD_TEXT_LENGTH = 4_000;

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function messagePreview(message: ChatMessage): string {
  switch (message.kind) {
    case 'image':
      return 'sent an image';
    case 'file':
      return `sent a file: ${message.body}`;
    case 'emote':
      return `* ${message.senderName} ${message.body}`;
    default:
      return message.body;
  }
}

/** What search finds a message by: its text (a file by its name); a deleted or unreadable one drops out. */
function searchableMessage(message: ChatMessage): { id: string; sender: string; body: string; timestamp: number } {
  const searchable = message.kind === 'text' || message.kind === 'notice' || message.kind === 'emote' || message.kind === 'file' || message.kind === 'image';
  return { id: message.id, sender: message.senderName, body: searchable ? message.body : '', timestamp: message.timestamp };
}

export function roomItem(client: MatrixClient, room: Room, facts: RoomFacts): ConnectorItem | undefined {
  const membership = room.getMyMembership();
  if (membership !== 'join' && membership !== 'invite') return undefined;
  const myUserId = client.getSafeUserId();
  const encrypted = room.hasEncryptionStateEvent();
  const base = { externalId: room.roomId, scope: ROOM_SCOPE, source: 'chat' as const, conversationKey: room.roomId, title: oneLine(room.name || room.roomId, 200) };

  if (membership === 'invite') {
    const inviteEvent = room.currentState.getMember(myUserId)?.events.member;
    const inviter = inviteEvent?.getSender();
    const inviterName = inviter ? boundedName(room.getMember(inviter)?.name ?? inviter) : 'Someone';
    const snippet = `${inviterName} invited you${facts.direct ? ' to a direct chat' : ''}`;
    return {
      ...base,
      sender: inviterName,
      snippet,
      timestamp: inviteEvent?.getTs() ?? Date.now(),
      unread: true,
      priority: false,
      origin: { kind: 'chat', roomId: room.roomId, eventId: inviteEvent?.getId() ?? '', membership: 'invite', encrypted, direct: facts.direct },
      attention: {
        fresh: false,
        fromMe: false,
        mentionsMe: false,
        direct: facts.direct,
        ...(inviter ? { sender: inviter } : {}),
        conversationName: base.title,
        place: base.title,
        text: { title: '', categories: [], body: snippet },
      },
    };
  }

  const messages = timelineMessages(room, myUserId).filter((m) => m.kind !== 'membership' && m.sendState === undefined);
  const latest = messages.at(-1);
  const lastEvent = room.getLiveTimeline().getEvents().at(-1);
  const total = room.getUnreadNotificationCount(NotificationCountType.Total);
  const highlights = room.getUnreadNotificationCount(NotificationCountType.Highlight);
  const unread = total > 0 || facts.markedUnread;
  const latestEvent = latest ? room.findEventById(latest.id) : undefined;
  const latestHighlights = latestEvent !== undefined && !latest?.mine && client.getPushActionsForEvent(latestEvent)?.tweaks?.highlight === true;
  const active = room.getLastActiveTimestamp();
  const since = facts.storedUntil;
  const newer = messages.filter((m) => !m.mine && (since === undefined || m.timestamp > since)).slice(-KEYWORD_MESSAGES);
  return {
    ...base,
    sender: latest?.senderName ?? '',
    snippet: latest ? oneLine(messagePreview(latest), SNIPPET_LENGTH) : encrypted ? 'Encrypted room' : 'No messages yet',
    // Each message is searchable on its own, so a search opens the room at the one that matched.
    messages: messages.map(searchableMessage),
    timestamp: latest?.timestamp ?? (active > 0 ? active : Date.now()),
    unread,
    priority: false,
    origin: {
      kind: 'chat',
      roomId: room.roomId,
      eventId: lastEvent?.getId() ?? latest?.id ?? '',
      ...(total > 0 ? { unreadCount: total } : {}),
      encrypted,
      direct: facts.direct,
    },
    facts: roomTriageFacts(room),
    attention: {
      fresh: false,
      fromMe: latest?.mine ?? false,
      // The server's highlight count, and the SDK's own push-rule verdict on the newest message.
      mentionsMe: highlights > 0 || (unread && latestHighlights),
      direct: facts.direct,
      ...(latest ? { sender: latest.senderId } : {}),
      conversationName: base.title,
      place: base.title,
      text: { title: '', categories: [], body: oneLine(newer.map((m) => m.body).join(' '), KEYWORD_TEXT_LENGTH) },
    },
  };
}
