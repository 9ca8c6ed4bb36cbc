/** The parts of the spec's Filter the server honours: room lists, event types, limits and lazy-loaded members. */
import { badJson, notFound } from './errors.ts';
import { isObject, type JsonObject } from './json.ts';
import type { RoomEvent } from './room.ts';
import type { User } from './state.ts';

export interface RoomEventFilter {
  limit?: number;
  types?: string[];
  not_types?: string[];
  senders?: string[];
  not_senders?: string[];
  rooms?: string[];
  not_rooms?: string[];
  lazy_load_members?: boolean;
}

export interface SyncFilter {
  account_data?: RoomEventFilter;
  room?: {
    rooms?: string[];
    not_rooms?: string[];
    include_leave?: boolean;
    timeline?: RoomEventFilter;
    state?: RoomEventFilter;
    ephemeral?: RoomEventFilter;
    account_data?: RoomEventFilter;
  };
}

/** A filter parameter is either inline JSON or the id of a filter the user uploaded. */
export function resolveFilter(user: User, parameter: string | null): JsonObject {
  if (parameter === null || parameter === '') return {};
  if (parameter.trimStart().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(parameter);
    } catch {
      throw badJson('filter is not valid JSON');
    }
    if (!isObject(parsed)) throw badJson('filter must be a JSON object');
    return parsed;
  }
  const stored = user.filters.get(parameter);
  if (!stored) throw notFound('No such filter');
  return stored;
}

const globMatches = (pattern: string, value: string) =>
  new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);

export function eventPasses(event: Pick<RoomEvent, 'type' | 'sender'>, filter: RoomEventFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.not_types?.some((type) => globMatches(type, event.type))) return false;
  if (filter.types && !filter.types.some((type) => globMatches(type, event.type))) return false;
  if (filter.not_senders?.includes(event.sender)) return false;
  if (filter.senders && !filter.senders.includes(event.sender)) return false;
  return true;
}

export function roomPasses(roomId: string, filter: { rooms?: string[]; not_rooms?: string[] } | undefined): boolean {
  if (!filter) return true;
  if (filter.not_rooms?.includes(roomId)) return false;
  return !filter.rooms || filter.rooms.includes(roomId);
}
