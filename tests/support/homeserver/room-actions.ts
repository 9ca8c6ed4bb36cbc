/**
 * Changes to rooms with the checks a real server makes first: membership, power levels, join
 * rules. Each change is one event on the global stream, and wakes any waiting /sync.
 */
import { forbidden, MatrixError, notFound } from './errors.ts';
import { isObject, type JsonObject } from './json.ts';
import { redactedContent } from './client-events.ts';
import { Room, type Membership, type RoomEvent, type StoredEvent } from './room.ts';
import { randomId, type HomeserverState, type User } from './state.ts';

const DEFAULT_ROOM_VERSION = '10';

export interface NewEvent {
  type: string;
  sender: string;
  content: JsonObject;
  state_key?: string;
  redacts?: string;
}

export function appendEvent(hs: HomeserverState, room: Room, draft: NewEvent, sentBy?: StoredEvent['sentBy']): StoredEvent {
  const event: RoomEvent = {
    event_id: `$${randomId(32)}`,
    room_id: room.roomId,
    origin_server_ts: Date.now(),
    ...draft,
  };
  const stored = room.append(event, hs.advanceStream(), sentBy);
  if (event.type === 'm.room.member' && event.state_key !== undefined && event.content.membership === 'join') {
    room.forgottenBy.delete(event.state_key);
  }
  hs.changed();
  return stored;
}

export function requireRoom(hs: HomeserverState, roomId: string): Room {
  const room = hs.rooms.get(roomId);
  if (!room) throw notFound(`Unknown room ${roomId}`);
  return room;
}

export function requireJoined(room: Room, userId: string): void {
  if (room.membership(userId) !== 'join') throw forbidden(`User ${userId} not in room ${room.roomId}`);
}

type Preset = 'private_chat' | 'public_chat' | 'trusted_private_chat';

export function createRoom(hs: HomeserverState, creator: User, body: JsonObject): Room {
  const visibility = body.visibility === 'public' ? 'public' : 'private';
  const presetValue = body.preset ?? (visibility === 'public' ? 'public_chat' : 'private_chat');
  if (presetValue !== 'private_chat' && presetValue !== 'public_chat' && presetValue !== 'trusted_private_chat') {
    throw new MatrixError(400, 'M_INVALID_PARAM', `Unknown preset ${String(presetValue)}`);
  }
  const preset: Preset = presetValue;
  const roomVersion = typeof body.room_version === 'string' ? body.room_version : DEFAULT_ROOM_VERSION;
  const invitees = Array.isArray(body.invite) ? body.invite.filter((id): id is string => typeof id === 'string') : [];
  for (const invitee of invitees) if (!hs.users.has(invitee)) throw notFound(`Unknown user ${invitee}`);

  let alias: string | undefined;
  if (typeof body.room_alias_name === 'string') {
    alias = `#${body.room_alias_name}:${hs.serverName}`;
    if (hs.aliases.has(alias)) throw new MatrixError(400, 'M_ROOM_IN_USE', 'Room alias already taken');
  }

  const room = new Room(`!${randomId(18)}:${hs.serverName}`, roomVersion);
  hs.rooms.set(room.roomId, room);
  const sender = creator.userId;
  const state = (type: string, content: JsonObject, stateKey = '') => appendEvent(hs, room, { type, sender, content, state_key: stateKey });

  state('m.room.create', { creator: sender, room_version: roomVersion, ...(isObject(body.creation_content) ? body.creation_content : {}) });
  state('m.room.member', memberContent(creator, 'join'), sender);

  const users: Record<string, number> = { [sender]: 100 };
  if (preset === 'trusted_private_chat') for (const invitee of invitees) users[invitee] = 100;
  state('m.room.power_levels', {
    users,
    users_default: 0,
    events: {
      'm.room.name': 50,
      'm.room.power_levels': 100,
      'm.room.history_visibility': 100,
      'm.room.canonical_alias': 50,
      'm.room.avatar': 50,
      'm.room.tombstone': 100,
      'm.room.server_acl': 100,
      'm.room.encryption': 100,
    },
    events_default: 0,
    state_default: 50,
    ban: 50,
    kick: 50,
    redact: 50,
    // Synapse lets anyone invite in private rooms.
    invite: preset === 'public_chat' ? 50 : 0,
    historical: 100,
    notifications: { room: 50 },
    ...(isObject(body.power_level_content_override) ? body.power_level_content_override : {}),
  });
  if (alias) {
    hs.aliases.set(alias, room.roomId);
    state('m.room.canonical_alias', { alias });
  }
  state('m.room.join_rules', { join_rule: preset === 'public_chat' ? 'public' : 'invite' });
  state('m.room.history_visibility', { history_visibility: 'shared' });
  if (preset !== 'public_chat') state('m.room.guest_access', { guest_access: 'can_join' });

  const initialState = Array.isArray(body.initial_state) ? body.initial_state : [];
  for (const entry of initialState) {
    if (!isObject(entry) || typeof entry.type !== 'string' || !isObject(entry.content)) continue;
    state(entry.type, entry.content, typeof entry.state_key === 'string' ? entry.state_key : '');
  }
  if (typeof body.name === 'string') state('m.room.name', { name: body.name });
  if (typeof body.topic === 'string') state('m.room.topic', { topic: body.topic });
  for (const invitee of invitees) {
    changeMembership(hs, sender, room, invitee, 'invite', { isDirect: body.is_direct === true });
  }
  return room;
}

function memberContent(user: User | undefined, membership: Membership): JsonObject {
  const content: JsonObject = { membership };
  if (user && (membership === 'join' || membership === 'invite')) {
    if (user.displayname !== undefined) content.displayname = user.displayname;
    if (user.avatarUrl !== undefined) content.avatar_url = user.avatarUrl;
  }
  return content;
}

export function changeMembership(
  hs: HomeserverState,
  sender: string,
  room: Room,
  target: string,
  membership: Membership,
  options: { reason?: string; isDirect?: boolean } = {},
): StoredEvent {
  const current = room.membership(target);
  const senderLevel = room.powerLevelOf(sender);
  const outranksTarget = senderLevel > room.powerLevelOf(target);
  switch (membership) {
    case 'join': {
      if (sender !== target) throw forbidden('Cannot force another user to join.');
      if (current === 'ban') throw forbidden('You are banned from this room');
      if (current === 'join') return room.stateEvent('m.room.member', target) as StoredEvent;
      const joinRule = room.stateContent('m.room.join_rules')?.join_rule;
      if (current !== 'invite' && joinRule !== 'public') throw forbidden('You are not invited to this room.');
      break;
    }
    case 'invite':
      requireJoined(room, sender);
      if (!hs.users.has(target)) throw notFound(`Unknown user ${target}`);
      if (senderLevel < room.levelFor('invite', 0)) throw forbidden('You do not have permission to invite users');
      if (current === 'join') throw forbidden(`${target} is already in the room.`);
      if (current === 'ban') throw forbidden(`${target} is banned from the room`);
      break;
    case 'leave':
      if (sender === target) {
        if (current !== 'join' && current !== 'invite' && current !== 'knock') throw forbidden(`User ${target} not in room ${room.roomId}`);
      } else if (current === 'ban') {
        if (senderLevel < room.levelFor('ban', 50)) throw forbidden('You do not have permission to unban');
      } else {
        requireJoined(room, sender);
        if (current !== 'join' && current !== 'invite') throw forbidden(`${target} is not in the room`);
        if (senderLevel < room.levelFor('kick', 50) || !outranksTarget) throw forbidden('You do not have permission to kick');
      }
      break;
    case 'ban':
      requireJoined(room, sender);
      if (senderLevel < room.levelFor('ban', 50) || !outranksTarget) throw forbidden('You do not have permission to ban');
      break;
    default:
      throw new MatrixError(400, 'M_BAD_JSON', `Unsupported membership ${membership}`);
  }
  const content = memberContent(hs.users.get(target), membership);
  if (options.reason) content.reason = options.reason;
  if (options.isDirect) content.is_direct = true;
  return appendEvent(hs, room, { type: 'm.room.member', sender, content, state_key: target });
}

export function sendStateEvent(hs: HomeserverState, sender: string, room: Room, type: string, stateKey: string, content: JsonObject): StoredEvent {
  if (type === 'm.room.member') {
    const membership = content.membership;
    if (typeof membership !== 'string') throw new MatrixError(400, 'M_BAD_JSON', 'membership is required');
    return changeMembership(hs, sender, room, stateKey, membership as Membership, {
      reason: typeof content.reason === 'string' ? content.reason : undefined,
    });
  }
  requireJoined(room, sender);
  if (stateKey.startsWith('@') && stateKey !== sender) throw forbidden('You cannot set state keyed by another user id');
  if (room.powerLevelOf(sender) < room.levelToSend(type, true)) throw forbidden(`You don't have permission to post that to the room.`);
  if (type === 'm.room.canonical_alias' && typeof content.alias === 'string') hs.aliases.set(content.alias, room.roomId);
  return appendEvent(hs, room, { type, sender, content, state_key: stateKey });
}

export function sendMessageEvent(hs: HomeserverState, sender: string, room: Room, type: string, content: JsonObject, sentBy: StoredEvent['sentBy']): StoredEvent {
  requireJoined(room, sender);
  if (room.powerLevelOf(sender) < room.levelToSend(type, false)) throw forbidden(`You don't have permission to post that to the room.`);
  return appendEvent(hs, room, { type, sender, content }, sentBy);
}

export function redactEvent(
  hs: HomeserverState,
  sender: string,
  room: Room,
  targetId: string,
  reason: string | undefined,
  sentBy: StoredEvent['sentBy'],
): StoredEvent {
  requireJoined(room, sender);
  const target = room.findEvent(targetId);
  if (!target) throw notFound('Event not found');
  if (target.event.sender !== sender && room.powerLevelOf(sender) < room.levelFor('redact', 50)) {
    throw forbidden('You don\'t have permission to redact events');
  }
  const content: JsonObject = { redacts: targetId };
  if (reason !== undefined) content.reason = reason;
  const redaction = appendEvent(hs, room, { type: 'm.room.redaction', sender, content, redacts: targetId }, sentBy);
  if (!target.redactedBecause) {
    target.event.content = redactedContent(target.event);
    target.redactedBecause = redaction;
  }
  return redaction;
}

/** The spec's history visibility algorithm, from the user's membership around the event. */
export function canSeeEvent(room: Room, userId: string, stored: StoredEvent): boolean {
  const visibility = room.stateContent('m.room.history_visibility', '', stored.stateBefore)?.history_visibility ?? 'shared';
  if (visibility === 'world_readable') return true;
  // Users always see their own membership changes, their leave included.
  if (stored.event.type === 'm.room.member' && stored.event.state_key === userId) return true;
  const membershipThen = room.membership(userId, stored.stateBefore);
  if (membershipThen === 'join') return true;
  if (visibility === 'shared' && room.membership(userId) === 'join') return true;
  return visibility === 'invited' && membershipThen === 'invite';
}

/** Profile changes show up as fresh member events in every joined room, as on Synapse. */
export function announceProfileChange(hs: HomeserverState, user: User): void {
  for (const room of hs.rooms.values()) {
    if (room.membership(user.userId) !== 'join') continue;
    appendEvent(hs, room, { type: 'm.room.member', sender: user.userId, content: memberContent(user, 'join'), state_key: user.userId });
  }
}

export function resolveRoomIdOrAlias(hs: HomeserverState, roomIdOrAlias: string): Room {
  if (roomIdOrAlias.startsWith('#')) {
    const roomId = hs.aliases.get(roomIdOrAlias);
    if (!roomId) throw notFound(`Room alias ${roomIdOrAlias} not found`);
    return requireRoom(hs, roomId);
  }
  if (!roomIdOrAlias.startsWith('!')) throw new MatrixError(400, 'M_INVALID_PARAM', `${roomIdOrAlias} was not legal room ID or room alias`);
  return requireRoom(hs, roomIdOrAlias);
}
