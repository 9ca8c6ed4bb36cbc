/**
 * One room: its events in stream order, the state after each of them (shared until it changes),
 * receipts, typing and per-user room account data. Authorisation lives in room-actions.ts.
 */
import { isObject, type JsonObject } from './json.ts';

/** The event as a federation-free server would hold it; `unsigned` is built per viewer. */
export interface RoomEvent {
  event_id: string;
  room_id: string;
  sender: string;
  type: string;
  content: JsonObject;
  origin_server_ts: number;
  state_key?: string;
  redacts?: string;
}

export type RoomState = ReadonlyMap<string, StoredEvent>;

export interface StoredEvent {
  event: RoomEvent;
  stream: number;
  /** State before this event, so history reads see the room as it was. */
  stateBefore: RoomState;
  /** The state event this one replaced, for unsigned.prev_content. */
  replaces?: StoredEvent;
  sentBy?: { userId: string; deviceId: string; txnId: string };
  redactedBecause?: StoredEvent;
}

export interface Receipt {
  userId: string;
  receiptType: string;
  eventId: string;
  threadId: string | undefined;
  ts: number;
  stream: number;
}

export interface AccountDataEntry {
  content: JsonObject;
  stream: number;
}

export type Membership = 'join' | 'invite' | 'leave' | 'ban' | 'knock';

export const stateKeyOf = (type: string, stateKey: string) => `${type}\u0000${stateKey}`;

export class Room {
  readonly roomId: string;
  readonly version: string;
  readonly events: StoredEvent[] = [];
  currentState: RoomState = new Map();
  readonly receipts: Receipt[] = [];
  /** user id → when their typing notice lapses */
  readonly typing = new Map<string, number>();
  typingStream = 0;
  readonly accountData = new Map<string, Map<string, AccountDataEntry>>();
  readonly forgottenBy = new Set<string>();

  constructor(roomId: string, version: string) {
    this.roomId = roomId;
    this.version = version;
  }

  append(event: RoomEvent, stream: number, sentBy?: StoredEvent['sentBy']): StoredEvent {
    const stored: StoredEvent = { event, stream, stateBefore: this.currentState, sentBy };
    if (event.state_key !== undefined) {
      const key = stateKeyOf(event.type, event.state_key);
      stored.replaces = this.currentState.get(key);
      const next = new Map(this.currentState);
      next.set(key, stored);
      this.currentState = next;
    }
    this.events.push(stored);
    return stored;
  }

  stateAfter(stored: StoredEvent): RoomState {
    if (stored.event.state_key === undefined) return stored.stateBefore;
    return new Map(stored.stateBefore).set(stateKeyOf(stored.event.type, stored.event.state_key), stored);
  }

  /** The state once every event up to a stream position had happened. */
  stateAtStream(stream: number): RoomState {
    const last = this.events.findLast((stored) => stored.stream <= stream);
    return last ? this.stateAfter(last) : new Map();
  }

  findEvent(eventId: string): StoredEvent | undefined {
    return this.events.find((stored) => stored.event.event_id === eventId);
  }

  indexOf(eventId: string): number {
    return this.events.findIndex((stored) => stored.event.event_id === eventId);
  }

  stateEvent(type: string, stateKey = '', state: RoomState = this.currentState): StoredEvent | undefined {
    return state.get(stateKeyOf(type, stateKey));
  }

  stateContent(type: string, stateKey = '', state: RoomState = this.currentState): JsonObject | undefined {
    return this.stateEvent(type, stateKey, state)?.event.content;
  }

  membership(userId: string, state: RoomState = this.currentState): Membership | undefined {
    const membership = this.stateContent('m.room.member', userId, state)?.membership;
    return typeof membership === 'string' ? (membership as Membership) : undefined;
  }

  /** The membership event in force at a stream position (after every event up to it). */
  memberEventAt(userId: string, stream: number): StoredEvent | undefined {
    let found: StoredEvent | undefined;
    for (const stored of this.events) {
      if (stored.stream > stream) break;
      if (stored.event.type === 'm.room.member' && stored.event.state_key === userId) found = stored;
    }
    return found;
  }

  membersWith(membership: Membership, state: RoomState = this.currentState): string[] {
    const members: string[] = [];
    for (const stored of state.values()) {
      if (stored.event.type === 'm.room.member' && stored.event.content.membership === membership && stored.event.state_key !== undefined) {
        members.push(stored.event.state_key);
      }
    }
    return members;
  }

  powerLevels(state: RoomState = this.currentState): JsonObject {
    return this.stateContent('m.room.power_levels', '', state) ?? {};
  }

  powerLevelOf(userId: string, state: RoomState = this.currentState): number {
    const levels = this.powerLevels(state);
    const users = isObject(levels.users) ? levels.users : {};
    const level = users[userId] ?? levels.users_default;
    if (typeof level === 'number') return level;
    // Before any power levels exist the creator holds the room.
    const creator = this.stateEvent('m.room.create', '', state)?.event.sender;
    return !this.stateEvent('m.room.power_levels', '', state) && creator === userId ? 100 : 0;
  }

  /** Level needed for an action such as 'invite', 'kick', 'ban', 'redact'. */
  levelFor(action: string, fallback: number): number {
    const level = this.powerLevels()[action];
    return typeof level === 'number' ? level : fallback;
  }

  levelToSend(type: string, isState: boolean): number {
    const levels = this.powerLevels();
    const perType = isObject(levels.events) ? levels.events[type] : undefined;
    if (typeof perType === 'number') return perType;
    const fallback = isState ? levels.state_default : levels.events_default;
    return typeof fallback === 'number' ? fallback : isState ? 50 : 0;
  }

  roomAccountData(userId: string): Map<string, AccountDataEntry> {
    let entries = this.accountData.get(userId);
    if (!entries) {
      entries = new Map();
      this.accountData.set(userId, entries);
    }
    return entries;
  }

  typingUsers(now: number): string[] {
    return [...this.typing].filter(([, until]) => until > now).map(([userId]) => userId);
  }

  /** The latest receipt of each (user, type, thread), newest stream last. */
  latestReceipts(): Receipt[] {
    const latest = new Map<string, Receipt>();
    for (const receipt of this.receipts) latest.set(`${receipt.userId}|${receipt.receiptType}|${receipt.threadId ?? ''}`, receipt);
    return [...latest.values()];
  }
}
