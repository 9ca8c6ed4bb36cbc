/** Room endpoints: creation, membership, sending, state, history, receipts and typing. */
import { clientEvent } from './client-events.ts';
import { forbidden, MatrixError, missingParam, notFound } from './errors.ts';
import { isObject, optionalString, requiredString, type JsonObject } from './json.ts';
import { eventContext, paginate } from './messages.ts';
import type { RoomEventFilter } from './filters.ts';
import {
  changeMembership,
  createRoom,
  canSeeEvent,
  redactEvent,
  requireJoined,
  requireRoom,
  resolveRoomIdOrAlias,
  sendMessageEvent,
  sendStateEvent,
} from './room-actions.ts';
import type { Membership, Room, RoomState } from './room.ts';
import { authedRoute, CLIENT, type AuthedContext, type Reply, type Route } from './router.ts';
import { parseStreamToken } from './tokens.ts';

const ROOM = `${CLIENT}/rooms/{roomId}`;
const MAX_TYPING_MS = 120_000;

function roomOf(ctx: AuthedContext): Room {
  return requireRoom(ctx.hs, ctx.params.roomId ?? '');
}

function viewerOf(ctx: AuthedContext) {
  return { userId: ctx.user.userId, deviceId: ctx.session.deviceId };
}

/** The spec scopes transaction ids to a device and an endpoint; a retry gets the first answer back. */
function idempotent(ctx: AuthedContext, run: (txnId: string) => JsonObject): Reply {
  const endpoint = ctx.pathname.replace(/^\/_matrix\/client\/(?:v3|r0)/, '');
  const key = `${ctx.user.userId}|${ctx.session.deviceId}|${endpoint}`;
  const previous = ctx.hs.transactions.get(key);
  if (previous) return { json: previous };
  const result = run(ctx.params.txnId ?? '');
  ctx.hs.transactions.set(key, result);
  return { json: result };
}

/** What a member may read: the live state while joined, the state as they left it afterwards. */
function readableState(room: Room, userId: string): RoomState {
  const memberEvent = room.stateEvent('m.room.member', userId);
  const membership = memberEvent?.event.content.membership;
  if (membership === 'join') return room.currentState;
  if (memberEvent && (membership === 'leave' || membership === 'ban')) return room.stateAfter(memberEvent);
  throw forbidden(`User ${userId} not in room ${room.roomId}`);
}

function membershipRoute(path: string, membership: Membership): Route {
  return authedRoute('POST', `${ROOM}/${path}`, (ctx) => {
    const body = ctx.body();
    changeMembership(ctx.hs, ctx.user.userId, roomOf(ctx), requiredString(body, 'user_id'), membership, { reason: optionalString(body, 'reason') });
    return { json: {} };
  });
}

function joinRoute(template: string): Route {
  return authedRoute('POST', template, (ctx) => {
    const room = resolveRoomIdOrAlias(ctx.hs, ctx.params.roomIdOrAlias ?? ctx.params.roomId ?? '');
    changeMembership(ctx.hs, ctx.user.userId, room, ctx.user.userId, 'join', { reason: optionalString(ctx.body(), 'reason') });
    return { json: { room_id: room.roomId } };
  });
}

function recordReceipt(ctx: AuthedContext, room: Room, receiptType: string, eventId: string, threadId: string | undefined): void {
  if (!room.findEvent(eventId)) throw notFound(`Event ${eventId} not found in ${room.roomId}`);
  if (receiptType === 'm.fully_read') {
    room.roomAccountData(ctx.user.userId).set('m.fully_read', { content: { event_id: eventId }, stream: ctx.hs.advanceStream() });
  } else if (receiptType === 'm.read' || receiptType === 'm.read.private') {
    room.receipts.push({ userId: ctx.user.userId, receiptType, eventId, threadId, ts: Date.now(), stream: ctx.hs.advanceStream() });
  } else {
    throw new MatrixError(400, 'M_INVALID_PARAM', `Receipt type must be m.read, m.read.private or m.fully_read`);
  }
  ctx.hs.changed();
}

function getState(ctx: AuthedContext): Reply {
  const room = roomOf(ctx);
  const stored = room.stateEvent(ctx.params.eventType ?? '', ctx.params.stateKey ?? '', readableState(room, ctx.user.userId));
  if (!stored) throw notFound('Event not found.');
  if (ctx.query.get('format') === 'event') return { json: clientEvent(stored, viewerOf(ctx), { withRoomId: true }) };
  return { json: stored.event.content };
}

function putState(ctx: AuthedContext): Reply {
  const stored = sendStateEvent(ctx.hs, ctx.user.userId, roomOf(ctx), ctx.params.eventType ?? '', ctx.params.stateKey ?? '', ctx.body());
  return { json: { event_id: stored.event.event_id } };
}

function parseRoomEventFilter(raw: string | null): RoomEventFilter {
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (isObject(parsed)) return parsed as RoomEventFilter;
  } catch {
    // Falls through to the error below.
  }
  throw new MatrixError(400, 'M_BAD_JSON', 'filter must be a JSON object');
}

export const roomRoutes: Route[] = [
  authedRoute('POST', `${CLIENT}/createRoom`, (ctx) => {
    const room = createRoom(ctx.hs, ctx.user, ctx.body());
    const alias = room.stateContent('m.room.canonical_alias')?.alias;
    return { json: typeof alias === 'string' ? { room_id: room.roomId, room_alias: alias } : { room_id: room.roomId } };
  }),
  authedRoute('GET', `${CLIENT}/joined_rooms`, (ctx) => ({
    json: { joined_rooms: [...ctx.hs.rooms.values()].filter((room) => room.membership(ctx.user.userId) === 'join').map((room) => room.roomId) },
  })),
  authedRoute('GET', `${CLIENT}/directory/room/{roomAlias}`, (ctx) => {
    const roomId = ctx.hs.aliases.get(ctx.params.roomAlias ?? '');
    if (!roomId) throw notFound(`Room alias ${ctx.params.roomAlias} not found`);
    return { json: { room_id: roomId, servers: [ctx.hs.serverName] } };
  }),
  membershipRoute('invite', 'invite'),
  membershipRoute('kick', 'leave'),
  membershipRoute('ban', 'ban'),
  membershipRoute('unban', 'leave'),
  joinRoute(`${ROOM}/join`),
  joinRoute(`${CLIENT}/join/{roomIdOrAlias}`),
  authedRoute('POST', `${ROOM}/leave`, (ctx) => {
    changeMembership(ctx.hs, ctx.user.userId, roomOf(ctx), ctx.user.userId, 'leave', { reason: optionalString(ctx.body(), 'reason') });
    return { json: {} };
  }),
  authedRoute('POST', `${ROOM}/forget`, (ctx) => {
    const room = roomOf(ctx);
    if (room.membership(ctx.user.userId) === 'join') throw new MatrixError(400, 'M_UNKNOWN', 'User is still joined to the room');
    room.forgottenBy.add(ctx.user.userId);
    return { json: {} };
  }),

  authedRoute('PUT', `${ROOM}/send/{eventType}/{txnId}`, (ctx) =>
    idempotent(ctx, (txnId) => {
      const sentBy = { userId: ctx.user.userId, deviceId: ctx.session.deviceId, txnId };
      const stored = sendMessageEvent(ctx.hs, ctx.user.userId, roomOf(ctx), ctx.params.eventType ?? '', ctx.body(), sentBy);
      return { event_id: stored.event.event_id };
    }),
  ),
  authedRoute('PUT', `${ROOM}/redact/{eventId}/{txnId}`, (ctx) =>
    idempotent(ctx, (txnId) => {
      const sentBy = { userId: ctx.user.userId, deviceId: ctx.session.deviceId, txnId };
      const reason = optionalString(ctx.body(), 'reason');
      const stored = redactEvent(ctx.hs, ctx.user.userId, roomOf(ctx), ctx.params.eventId ?? '', reason, sentBy);
      return { event_id: stored.event.event_id };
    }),
  ),
  authedRoute('PUT', `${ROOM}/state/{eventType}`, putState),
  authedRoute('PUT', `${ROOM}/state/{eventType}/{stateKey*}`, putState),
  authedRoute('GET', `${ROOM}/state`, (ctx) => {
    const room = roomOf(ctx);
    const state = readableState(room, ctx.user.userId);
    return { json: [...state.values()].map((stored) => clientEvent(stored, viewerOf(ctx), { withRoomId: true })) };
  }),
  authedRoute('GET', `${ROOM}/state/{eventType}`, getState),
  authedRoute('GET', `${ROOM}/state/{eventType}/{stateKey*}`, getState),
  authedRoute('GET', `${ROOM}/event/{eventId}`, (ctx) => {
    const room = roomOf(ctx);
    const stored = room.findEvent(ctx.params.eventId ?? '');
    if (!stored || !canSeeEvent(room, ctx.user.userId, stored)) throw notFound('Event not found.');
    return { json: clientEvent(stored, viewerOf(ctx), { withRoomId: true }) };
  }),
  authedRoute('GET', `${ROOM}/members`, (ctx) => {
    const room = roomOf(ctx);
    const at = parseStreamToken(ctx.query.get('at'), 'at');
    const readable = readableState(room, ctx.user.userId);
    const state = at === undefined ? readable : room.stateAtStream(at);
    const only = ctx.query.get('membership');
    const except = ctx.query.get('not_membership');
    const chunk = [...state.values()].filter(
      (stored) =>
        stored.event.type === 'm.room.member' &&
        (only === null || stored.event.content.membership === only) &&
        (except === null || stored.event.content.membership !== except),
    );
    return { json: { chunk: chunk.map((stored) => clientEvent(stored, viewerOf(ctx), { withRoomId: true })) } };
  }),
  authedRoute('GET', `${ROOM}/joined_members`, (ctx) => {
    const room = roomOf(ctx);
    requireJoined(room, ctx.user.userId);
    const joined: JsonObject = {};
    for (const userId of room.membersWith('join')) {
      const content = room.stateContent('m.room.member', userId) ?? {};
      joined[userId] = { display_name: content.displayname ?? null, avatar_url: content.avatar_url ?? null };
    }
    return { json: { joined } };
  }),
  authedRoute('GET', `${ROOM}/context/{eventId}`, (ctx) => {
    const limit = Number(ctx.query.get('limit') ?? 10);
    const cappedLimit = Number.isFinite(limit) ? Math.min(Math.max(Math.trunc(limit), 0), 100) : 10;
    return { json: eventContext(roomOf(ctx), viewerOf(ctx), ctx.params.eventId ?? '', cappedLimit, parseRoomEventFilter(ctx.query.get('filter'))) };
  }),
  authedRoute('GET', `${ROOM}/messages`, (ctx) => {
    const limit = Number(ctx.query.get('limit') ?? 10);
    const direction = ctx.query.get('dir') ?? 'f';
    if (direction !== 'b' && direction !== 'f') throw new MatrixError(400, 'M_INVALID_PARAM', 'dir must be b or f');
    const response = paginate(roomOf(ctx), viewerOf(ctx), ctx.hs.streamPosition, {
      from: parseStreamToken(ctx.query.get('from'), 'from'),
      to: parseStreamToken(ctx.query.get('to'), 'to'),
      direction,
      limit: Number.isFinite(limit) ? Math.min(Math.max(Math.trunc(limit), 0), 1000) : 10,
      filter: parseRoomEventFilter(ctx.query.get('filter')),
    });
    return { json: response };
  }),

  authedRoute('POST', `${ROOM}/receipt/{receiptType}/{eventId}`, (ctx) => {
    const room = roomOf(ctx);
    requireJoined(room, ctx.user.userId);
    recordReceipt(ctx, room, ctx.params.receiptType ?? '', ctx.params.eventId ?? '', optionalString(ctx.body(), 'thread_id'));
    return { json: {} };
  }),
  authedRoute('POST', `${ROOM}/read_markers`, (ctx) => {
    const room = roomOf(ctx);
    requireJoined(room, ctx.user.userId);
    const body = ctx.body();
    for (const receiptType of ['m.fully_read', 'm.read', 'm.read.private']) {
      const eventId = optionalString(body, receiptType);
      if (eventId !== undefined) recordReceipt(ctx, room, receiptType, eventId, undefined);
    }
    return { json: {} };
  }),
  authedRoute('PUT', `${ROOM}/typing/{userId}`, (ctx) => {
    if (ctx.params.userId !== ctx.user.userId) throw forbidden('Cannot set another user\'s typing state');
    const room = roomOf(ctx);
    requireJoined(room, ctx.user.userId);
    const body = ctx.body();
    if (typeof body.typing !== 'boolean') throw missingParam('typing');
    const { hs } = ctx;
    const userId = ctx.user.userId;
    const noticeChanged = () => {
      room.typingStream = hs.advanceStream();
      hs.changed();
    };
    if (!body.typing) {
      room.typing.delete(userId);
      noticeChanged();
      return { json: {} };
    }
    const timeout = typeof body.timeout === 'number' ? Math.min(body.timeout, MAX_TYPING_MS) : 30_000;
    const until = Date.now() + timeout;
    room.typing.set(userId, until);
    noticeChanged();
    hs.schedule(timeout, () => {
      if (room.typing.get(userId) !== until) return;
      room.typing.delete(userId);
      noticeChanged();
    });
    return { json: {} };
  }),
];
