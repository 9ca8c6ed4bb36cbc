/** How stored events look to a client: the client-server "ClientEvent" format and stripped state. */
import type { JsonObject } from './json.ts';
import type { RoomEvent, StoredEvent } from './room.ts';

export interface Viewer {
  userId: string;
  deviceId: string;
}

export function clientEvent(stored: StoredEvent, viewer: Viewer, options: { withRoomId: boolean }): JsonObject {
  const { event } = stored;
  const unsigned: JsonObject = { age: Math.max(0, Date.now() - event.origin_server_ts) };
  if (stored.sentBy && stored.sentBy.userId === viewer.userId && stored.sentBy.deviceId === viewer.deviceId) {
    unsigned.transaction_id = stored.sentBy.txnId;
  }
  if (stored.replaces) {
    unsigned.prev_content = stored.replaces.event.content;
    unsigned.prev_sender = stored.replaces.event.sender;
    unsigned.replaces_state = stored.replaces.event.event_id;
  }
  if (stored.redactedBecause) unsigned.redacted_because = clientEvent(stored.redactedBecause, viewer, { withRoomId: true });

  const serialized: JsonObject = {
    type: event.type,
    content: event.content,
    sender: event.sender,
    origin_server_ts: event.origin_server_ts,
    event_id: event.event_id,
    unsigned,
  };
  if (options.withRoomId) serialized.room_id = event.room_id;
  if (event.state_key !== undefined) serialized.state_key = event.state_key;
  if (event.redacts !== undefined) serialized.redacts = event.redacts;
  return structuredClone(serialized);
}

export function strippedState(event: RoomEvent): JsonObject {
  return structuredClone({ type: event.type, state_key: event.state_key, sender: event.sender, content: event.content });
}

/** Content keys that survive redaction, per the room version 10 redaction algorithm. */
const PRESERVED_CONTENT: Record<string, string[]> = {
  'm.room.member': ['membership', 'join_authorised_via_users_server'],
  'm.room.create': ['creator'],
  'm.room.join_rules': ['join_rule', 'allow'],
  'm.room.power_levels': ['ban', 'events', 'events_default', 'kick', 'redact', 'state_default', 'users', 'users_default'],
  'm.room.history_visibility': ['history_visibility'],
};

export function redactedContent(event: RoomEvent): JsonObject {
  const kept = PRESERVED_CONTENT[event.type] ?? [];
  return Object.fromEntries(Object.entries(event.content).filter(([key]) => kept.includes(key)));
}
