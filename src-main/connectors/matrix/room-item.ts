/**
 * A room as one inbox row: its name (for a DM, the other person), the latest message and who sent
 * it, the server's unread and highlight counts, and an invitation as an item of its own until it is
 * answered. The row is recomputed from the SDK's room state whenever a sync touches the room.
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
}

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
    return {
      ...base,
      sender: inviterName,
      snippet: `${inviterName} invited you${facts.direct ? ' to a direct chat' : ''}`,
      timestamp: inviteEvent?.getTs() ?? Date.now(),
      unread: true,
      priority: false,
      origin: { kind: 'chat', roomId: room.roomId, eventId: inviteEvent?.getId() ?? '', membership: 'invite', encrypted, direct: facts.direct },
    };
  }

  const messages = timelineMessages(room, myUserId).filter((m) => m.kind !== 'membership' && m.sendState === undefined);
  const latest = messages.at(-1);
  const lastEvent = room.getLiveTimeline().getEvents().at(-1);
  const total = room.getUnreadNotificationCount(NotificationCountType.Total);
  const highlights = room.getUnreadNotificationCount(NotificationCountType.Highlight);
  const unread = total > 0 || facts.markedUnread;
  const latestEvent = latest ? room.findEventById(latest.id) : undefined;
  // The server's highlight count, and the SDK's own push-rule verdict on the newest message.
  const latestHighlights = latestEvent !== undefined && !latest?.mine && client.getPushActionsForEvent(latestEvent)?.tweaks?.highlight === true;
  const active = room.getLastActiveTimestamp();
  return {
    ...base,
    sender: latest?.senderName ?? '',
    snippet: latest ? oneLine(messagePreview(latest), SNIPPET_LENGTH) : encrypted ? 'Encrypted room' : 'No messages yet',
    // Each message is searchable on its own, so a search opens the room at the one that matched.
    messages: messages.map(searchableMessage),
    timestamp: latest?.timestamp ?? (active > 0 ? active : Date.now()),
    unread,
    priority: highlights > 0 || (unread && latestHighlights),
    origin: {
      kind: 'chat',
      roomId: room.roomId,
      eventId: lastEvent?.getId() ?? latest?.id ?? '',
      ...(total > 0 ? { unreadCount: total } : {}),
      encrypted,
      direct: facts.direct,
    },
    facts: roomTriageFacts(room),
  };
}
