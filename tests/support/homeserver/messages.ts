/** GET /rooms/{roomId}/messages: paging through history a user is allowed to see. */
import { clientEvent, type Viewer } from './client-events.ts';
import { forbidden, MatrixError } from './errors.ts';
import { eventPasses, type RoomEventFilter } from './filters.ts';
import type { JsonObject } from './json.ts';
import { canSeeEvent } from './room-actions.ts';
import type { Room, StoredEvent } from './room.ts';
import { streamToken } from './tokens.ts';

export interface PageRequest {
  from: number | undefined;
  to: number | undefined;
  direction: 'b' | 'f';
  limit: number;
  filter: RoomEventFilter;
}

export function paginate(room: Room, viewer: Viewer, currentStream: number, request: PageRequest): JsonObject {
  if (room.membership(viewer.userId) === undefined) throw forbidden(`User ${viewer.userId} not in room ${room.roomId}`);
  if (request.direction !== 'b' && request.direction !== 'f') throw new MatrixError(400, 'M_INVALID_PARAM', 'dir must be b or f');
  const backwards = request.direction === 'b';
  const from = request.from ?? (backwards ? currentStream : 0);
  const inRange = (stored: StoredEvent) =>
    backwards ? stored.stream <= from && (request.to === undefined || stored.stream > request.to) : stored.stream > from && (request.to === undefined || stored.stream <= request.to);
  const ordered = backwards ? [...room.events].reverse() : room.events;
  const candidates = ordered.filter(
    (stored) => inRange(stored) && canSeeEvent(room, viewer.userId, stored) && eventPasses(stored.event, request.filter),
  );
  const page = candidates.slice(0, request.limit);
  const last = page.at(-1);
  const response: JsonObject = {
    chunk: page.map((stored) => clientEvent(stored, viewer, { withRoomId: true })),
    start: streamToken(from),
  };
  // The spec: `end` is left out once no further events are available.
  if (last && candidates.length > page.length) response.end = streamToken(backwards ? last.stream - 1 : last.stream);
  if (request.filter.lazy_load_members) response.state = membersOfSenders(room, page, viewer);
  return response;
}

/** The member event of each sender as it stood at their event, for lazy-loading clients. */
export function membersOfSenders(room: Room, events: StoredEvent[], viewer: Viewer): JsonObject[] {
  const members = new Map<string, StoredEvent>();
  for (const stored of events) {
    const member = room.stateEvent('m.room.member', stored.event.sender, stored.stateBefore);
    if (member && !members.has(stored.event.sender)) members.set(stored.event.sender, member);
  }
  return [...members.values()].map((stored) => clientEvent(stored, viewer, { withRoomId: true }));
}

/** GET /rooms/{roomId}/context/{eventId}: an event with its neighbours, for jumping into history. */
export function eventContext(room: Room, viewer: Viewer, eventId: string, limit: number, filter: RoomEventFilter): JsonObject {
  if (room.membership(viewer.userId) === undefined) throw forbidden(`User ${viewer.userId} not in room ${room.roomId}`);
  const index = room.indexOf(eventId);
  const target = room.events[index];
  if (!target || !canSeeEvent(room, viewer.userId, target)) throw new MatrixError(404, 'M_NOT_FOUND', 'Event not found.');
  const shown = (stored: StoredEvent) => canSeeEvent(room, viewer.userId, stored) && eventPasses(stored.event, filter);
  const beforeCount = Math.floor(limit / 2);
  const before = beforeCount === 0 ? [] : room.events.slice(0, index).filter(shown).slice(-beforeCount).reverse();
  const after = room.events.slice(index + 1).filter(shown).slice(0, limit - beforeCount);
  const serialize = (stored: StoredEvent) => clientEvent(stored, viewer, { withRoomId: true });
  const state = filter.lazy_load_members
    ? membersOfSenders(room, [...before, target, ...after], viewer)
    : [...target.stateBefore.values()].map(serialize);
  return {
    event: serialize(target),
    events_before: before.map(serialize),
    events_after: after.map(serialize),
    start: streamToken((before.at(-1) ?? target).stream - 1),
    end: streamToken((after.at(-1) ?? target).stream),
    state,
  };
}
