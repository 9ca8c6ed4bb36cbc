/**
 * GET /sync: builds the response from the global stream position in `since`, and long-polls
 * (up to `timeout`) until something for this user lands on the stream: room events, account
 * data, to-device messages or device-list changes.
 */
import { clientEvent, strippedState, type Viewer } from './client-events.ts';
import { acknowledgeToDevice, e2eeSyncSections } from './e2ee.ts';
import { eventPasses, resolveFilter, roomPasses, type RoomEventFilter, type SyncFilter } from './filters.ts';
import type { JsonObject } from './json.ts';
import { evaluatePushRules } from './push-rules.ts';
import { canSeeEvent } from './room-actions.ts';
import type { Room, RoomState, StoredEvent } from './room.ts';
import { authedRoute, CLIENT, type AuthedContext, type Route } from './router.ts';
import { pushRulesOf, type HomeserverState, type User } from './state.ts';
import { parseStreamToken, streamToken } from './tokens.ts';

const DEFAULT_TIMELINE_LIMIT = 10;
const INVITE_STATE_TYPES = ['m.room.create', 'm.room.join_rules', 'm.room.name', 'm.room.avatar', 'm.room.canonical_alias', 'm.room.encryption', 'm.room.topic'];

interface SyncRequest {
  user: User;
  viewer: Viewer;
  since: number | undefined;
  filter: SyncFilter;
  fullState: boolean;
}

interface Built {
  response: JsonObject;
  hasContent: boolean;
}

export const syncRoutes: Route[] = [authedRoute('GET', `${CLIENT}/sync`, handleSync)];

async function handleSync(ctx: AuthedContext) {
  const request: SyncRequest = {
    user: ctx.user,
    viewer: { userId: ctx.user.userId, deviceId: ctx.session.deviceId },
    since: parseStreamToken(ctx.query.get('since'), 'since'),
    filter: resolveFilter(ctx.user, ctx.query.get('filter')) as SyncFilter,
    fullState: ctx.query.get('full_state') === 'true',
  };
  // Asking for what comes after `since` acknowledges the to-device messages up to it.
  acknowledgeToDevice(ctx.hs, ctx.user.userId, ctx.session.deviceId, request.since);
  const timeoutMs = Math.max(0, Number(ctx.query.get('timeout') ?? 0) || 0);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const built = buildSync(ctx.hs, request);
    // An initial sync never waits: the client needs the state at once.
    if (request.since === undefined || built.hasContent || Date.now() >= deadline || ctx.signal.aborted) return { json: built.response };
    await nextChangeOrDeadline(ctx.hs, deadline, ctx.signal);
  }
}

async function nextChangeOrDeadline(hs: HomeserverState, deadline: number, signal: AbortSignal): Promise<void> {
  const change = hs.nextChange();
  let timer: NodeJS.Timeout | undefined;
  let onAbort = () => {};
  const deadlineOrHangUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([change.promise, deadlineOrHangUp]);
  } finally {
    change.cancel();
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

function buildSync(hs: HomeserverState, request: SyncRequest): Built {
  const { user, since } = request;
  const join: JsonObject = {};
  const invite: JsonObject = {};
  const leave: JsonObject = {};
  for (const room of hs.rooms.values()) {
    if (room.forgottenBy.has(user.userId) || !roomPasses(room.roomId, request.filter.room)) continue;
    const memberEvent = room.stateEvent('m.room.member', user.userId);
    const membership = memberEvent?.event.content.membership;
    if (!memberEvent) continue;
    if (membership === 'join') {
      const section = joinedRoom(room, request);
      if (section) join[room.roomId] = section;
    } else if (membership === 'invite') {
      if (since === undefined || memberEvent.stream > since) invite[room.roomId] = { invite_state: { events: inviteState(room, memberEvent) } };
    } else if (membership === 'leave' || membership === 'ban') {
      const section = leftRoom(room, memberEvent, request);
      if (section) leave[room.roomId] = section;
    }
  }
  const accountData = [...user.accountData]
    .filter(([type, entry]) => (since === undefined || entry.stream > since) && eventPasses({ type, sender: user.userId }, request.filter.account_data))
    .map(([type, entry]) => ({ type, content: entry.content }));

  const e2ee = e2eeSyncSections(hs, user.userId, request.viewer.deviceId, since, hs.streamPosition);
  const hasContent = [join, invite, leave].some((section) => Object.keys(section).length > 0) || accountData.length > 0 || e2ee.hasContent;
  return {
    hasContent,
    response: {
      next_batch: streamToken(hs.streamPosition),
      rooms: { join, invite, leave, knock: {} },
      account_data: { events: structuredClone(accountData) },
      presence: { events: [] },
      to_device: { events: e2ee.toDevice },
      device_lists: e2ee.deviceLists,
      device_one_time_keys_count: e2ee.oneTimeKeyCounts,
      device_unused_fallback_key_types: e2ee.unusedFallbackKeyTypes,
    },
  };
}

interface Timeline {
  events: StoredEvent[];
  limited: boolean;
  prevBatch: string;
}

function timelineBetween(room: Room, request: SyncRequest, after: number, upTo: number): Timeline {
  const filter = request.filter.room?.timeline;
  const window = room.events.filter(
    (stored) => stored.stream > after && stored.stream <= upTo && canSeeEvent(room, request.user.userId, stored) && eventPasses(stored.event, filter),
  );
  const limit = Math.max(0, filter?.limit ?? DEFAULT_TIMELINE_LIMIT);
  const events = limit === 0 ? [] : window.slice(-limit);
  const first = events[0];
  return {
    events,
    limited: window.length > events.length,
    prevBatch: streamToken(first ? first.stream - 1 : Math.min(upTo, Math.max(after, 0))),
  };
}

/** State to send alongside a timeline: all of it for a fresh room, else what changed in the gap. */
function stateFor(room: Room, request: SyncRequest, timeline: Timeline, changedAfter: number | undefined): StoredEvent[] {
  const filter = request.filter.room?.state;
  const before: RoomState = timeline.events[0]?.stateBefore ?? room.currentState;
  const all = [...before.values()].filter((stored) => eventPasses(stored.event, filter));
  const delta = changedAfter === undefined || request.fullState ? all : all.filter((stored) => stored.stream > changedAfter);
  if (!lazyLoadMembers(filter, request.filter.room?.timeline)) return delta;
  // Lazy loading: only the members whose events the client is about to show, plus the user.
  const wanted = new Set([request.user.userId, ...timeline.events.map((stored) => stored.event.sender)]);
  const nonMembers = delta.filter((stored) => stored.event.type !== 'm.room.member');
  const members = all.filter((stored) => stored.event.type === 'm.room.member' && wanted.has(stored.event.state_key ?? ''));
  return [...nonMembers, ...members];
}

function lazyLoadMembers(...filters: (RoomEventFilter | undefined)[]): boolean {
  return filters.some((filter) => filter?.lazy_load_members === true);
}

function joinedRoom(room: Room, request: SyncRequest): JsonObject | undefined {
  const { user, viewer, since } = request;
  const joinedAtSince = since !== undefined && room.memberEventAt(user.userId, since)?.event.content.membership === 'join';
  const changedAfter = joinedAtSince ? since : undefined;
  const timeline = timelineBetween(room, request, changedAfter ?? -1, Number.POSITIVE_INFINITY);
  const state = stateFor(room, request, timeline, changedAfter);
  const ephemeral = ephemeralEvents(room, user.userId, changedAfter);
  const accountData = [...room.roomAccountData(user.userId)]
    .filter(([, entry]) => changedAfter === undefined || entry.stream > changedAfter)
    .map(([type, entry]) => ({ type, content: entry.content }));
  const changedStateCount = changedAfter === undefined ? state.length : state.filter((stored) => stored.stream > changedAfter).length;
  const fresh = changedAfter === undefined;
  if (!fresh && timeline.events.length === 0 && changedStateCount === 0 && ephemeral.length === 0 && accountData.length === 0) return undefined;

  const unread = unreadCounts(room, user);
  return {
    summary: summaryOf(room, user.userId),
    state: { events: state.map((stored) => clientEvent(stored, viewer, { withRoomId: false })) },
    timeline: {
      events: timeline.events.map((stored) => clientEvent(stored, viewer, { withRoomId: false })),
      limited: timeline.limited,
      prev_batch: timeline.prevBatch,
    },
    ephemeral: { events: ephemeral },
    account_data: { events: structuredClone(accountData) },
    unread_notifications: { notification_count: unread.notifications, highlight_count: unread.highlights },
    unread_thread_notifications: {},
  };
}

function leftRoom(room: Room, memberEvent: StoredEvent, request: SyncRequest): JsonObject | undefined {
  const { since, user, viewer } = request;
  if (since === undefined) {
    if (request.filter.room?.include_leave !== true) return undefined;
  } else {
    const before = room.memberEventAt(user.userId, since)?.event.content.membership;
    if (memberEvent.stream <= since || (before !== 'join' && before !== 'invite')) return undefined;
  }
  const timeline = timelineBetween(room, request, since ?? -1, memberEvent.stream);
  const state = stateFor(room, request, timeline, since);
  return {
    state: { events: state.map((stored) => clientEvent(stored, viewer, { withRoomId: false })) },
    timeline: {
      events: timeline.events.map((stored) => clientEvent(stored, viewer, { withRoomId: false })),
      limited: timeline.limited,
      prev_batch: timeline.prevBatch,
    },
    account_data: { events: [] },
  };
}

function inviteState(room: Room, inviteEvent: StoredEvent): JsonObject[] {
  const picked = INVITE_STATE_TYPES.flatMap((type) => {
    const stored = room.stateEvent(type, '', inviteEvent.stateBefore);
    return stored ? [strippedState(stored.event)] : [];
  });
  const inviter = room.stateEvent('m.room.member', inviteEvent.event.sender, inviteEvent.stateBefore);
  if (inviter) picked.push(strippedState(inviter.event));
  picked.push(strippedState(inviteEvent.event));
  return picked;
}

function ephemeralEvents(room: Room, userId: string, changedAfter: number | undefined): JsonObject[] {
  const events: JsonObject[] = [];
  const typing = room.typingUsers(Date.now());
  if (changedAfter === undefined ? typing.length > 0 : room.typingStream > changedAfter) {
    events.push({ type: 'm.typing', content: { user_ids: typing } });
  }
  const receipts = room
    .latestReceipts()
    .filter((receipt) => (changedAfter === undefined || receipt.stream > changedAfter) && (receipt.receiptType !== 'm.read.private' || receipt.userId === userId));
  if (receipts.length > 0) {
    const content: Record<string, Record<string, Record<string, JsonObject>>> = {};
    for (const receipt of receipts) {
      const byType = (content[receipt.eventId] ??= {});
      const byUser = (byType[receipt.receiptType] ??= {});
      byUser[receipt.userId] = receipt.threadId === undefined ? { ts: receipt.ts } : { ts: receipt.ts, thread_id: receipt.threadId };
    }
    events.push({ type: 'm.receipt', content });
  }
  return events;
}

function summaryOf(room: Room, userId: string): JsonObject {
  const joined = room.membersWith('join');
  const invited = room.membersWith('invite');
  const byJoinOrder = (a: string, b: string) => (room.stateEvent('m.room.member', a)?.stream ?? 0) - (room.stateEvent('m.room.member', b)?.stream ?? 0);
  let heroes = [...joined, ...invited].filter((member) => member !== userId).sort(byJoinOrder);
  // With nobody else left, name the room after those who were there, as Synapse does.
  if (heroes.length === 0) heroes = [...room.membersWith('leave'), ...room.membersWith('ban')].filter((member) => member !== userId).sort(byJoinOrder);
  return { 'm.heroes': heroes.slice(0, 5), 'm.joined_member_count': joined.length, 'm.invited_member_count': invited.length };
}

/** Counts notifying events since the user's read receipt (or their join), by their push rules. */
function unreadCounts(room: Room, user: User): { notifications: number; highlights: number } {
  const ownReceipts = room.latestReceipts().filter(
    (receipt) =>
      receipt.userId === user.userId &&
      (receipt.receiptType === 'm.read' || receipt.receiptType === 'm.read.private') &&
      (receipt.threadId === undefined || receipt.threadId === 'main'),
  );
  const joinIndex = room.events.indexOf(room.stateEvent('m.room.member', user.userId) as StoredEvent);
  const readUpTo = Math.max(joinIndex, ...ownReceipts.map((receipt) => room.indexOf(receipt.eventId)));
  const rules = pushRulesOf(user);
  let notifications = 0;
  let highlights = 0;
  for (const stored of room.events.slice(readUpTo + 1)) {
    if (stored.event.sender === user.userId || stored.redactedBecause) continue;
    const stateThen = stored.stateBefore;
    const levels = room.powerLevels(stateThen);
    const notificationLevels = (typeof levels.notifications === 'object' && levels.notifications !== null ? levels.notifications : {}) as Record<string, number>;
    const displayName = room.stateContent('m.room.member', user.userId, stateThen)?.displayname;
    const outcome = evaluatePushRules(rules, stored.event as unknown as JsonObject, {
      userId: user.userId,
      displayName: typeof displayName === 'string' ? displayName : user.displayname,
      joinedMemberCount: room.membersWith('join', stateThen).length,
      senderPowerLevel: room.powerLevelOf(stored.event.sender, stateThen),
      notificationPowerLevels: notificationLevels,
    });
    if (outcome.notify) notifications += 1;
    if (outcome.highlight) highlights += 1;
  }
  return { notifications, highlights };
}
