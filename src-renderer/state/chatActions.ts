/**
 * What the UI does with chat: show the open room's timeline (and page back through it), write,
 * reply, retry, answer invitations and fetch media. Like actions.ts these are plain functions over a
 * Hub, so the hub's events and the components call them alike.
 */
import type { ChatMessage, ChatTimeline } from '../../src-shared/api.ts';
import type { Result } from '../../src-shared/result.ts';
import { closeItem, findItem, loadCounts, markRead, refreshVisible, showToast, type Hub } from './actions.ts';
import { coalesce, frameOrTimeout, type Schedule } from './coalesce.ts';
import { searchTermsInForce, type AppState, type ChatReplyTarget, type ChatRoomView } from './store.ts';

/** Tell the room we are typing at most this often; the homeserver keeps the notice alive meanwhile. */
export const TYPING_EVERY_MS = 4000;
/** Decoded images are large; only the most recent ones stay in memory. */
const MEDIA_CACHE_SIZE = 200;

/** Bookkeeping that is not for the screen: kept beside the Hub rather than in the store, so no component re-renders for it. */
interface ChatRuntime {
  /** Latest reload of the open room: an answer to an older one is dropped. */
  reloadSeq: number;
  /** The room we last told "typing", and when; null once we said we stopped. */
  typing: { itemId: string; at: number } | null;
  media: Map<string, Promise<Result<string>>>;
}

const runtimes = new WeakMap<Hub, ChatRuntime>();

function runtime(hub: Hub): ChatRuntime {
  let r = runtimes.get(hub);
  if (r === undefined) runtimes.set(hub, (r = { reloadSeq: 0, typing: null, media: new Map() }));
  return r;
}

function openRoom(hub: Hub, itemId: string): ChatRoomView | null {
  const room = hub.store.getState().chatRoom;
  return room?.itemId === itemId ? room : null;
}

/** Changes the room only if it is still the open one: an answer may land after the user moved on. */
function patchRoom(hub: Hub, itemId: string, patch: Partial<ChatRoomView>): void {
  hub.store.setState((s) => (s.chatRoom?.itemId === itemId ? { chatRoom: { ...s.chatRoom, ...patch } } : {}));
}

// ---------------------------------------------------------------- the timeline

/**
 * Puts a fresh answer beside what is shown. A plain reload may return only the latest page: the
 * older messages the user already paged back to are kept in front of it, so reading history is not
 * yanked away each time someone writes.
 */
export function mergeReload(shown: ChatTimeline | null, fresh: ChatTimeline): ChatTimeline {
  const first = fresh.messages[0];
  if (shown === null || first === undefined) return fresh;
  const at = shown.messages.findIndex((m) => m.id === first.id);
  if (at <= 0) return fresh;
  return { ...fresh, messages: [...shown.messages.slice(0, at), ...fresh.messages], hasOlder: shown.hasOlder };
}

/** An older page only adds what comes before the first message shown; everything newer stays as the reloads left it. */
export function mergeOlder(shown: ChatTimeline | null, older: ChatTimeline): ChatTimeline {
  const first = shown?.messages[0];
  if (shown === null || first === undefined) return older;
  const at = older.messages.findIndex((m) => m.id === first.id);
  if (at === -1) return older;
  return { ...shown, messages: [...older.messages.slice(0, at), ...shown.messages], hasOlder: older.hasOlder };
}

/** The message a search hit in this room matched, while that search's results show. */
function searchFocus(state: AppState, itemId: string): { focusMessageId?: string } {
  const messageId = searchTermsInForce(state) === null ? undefined : state.searchMeta?.hits[itemId]?.messageId;
  return messageId === undefined ? {} : { focusMessageId: messageId };
}

/** Shows a room in the reading pane and loads its timeline; the open item stays as it was otherwise. */
export async function openChatRoom(hub: Hub, itemId: string): Promise<void> {
  if (openRoom(hub, itemId) === null) {
    const previous = hub.store.getState().chatRoom;
    if (previous !== null) stopTyping(hub);
    hub.store.setState({
      chatRoom: {
        itemId,
        timeline: null,
        loadState: 'loading',
        loadError: null,
        loadingOlder: false,
        replyTo: null,
        sending: false,
        sendError: null,
        answeringInvite: false,
        ...searchFocus(hub.store.getState(), itemId),
      },
    });
  }
  await reloadTimeline(hub);
}

/** The reading pane moved on: say we stopped typing and forget the room (its draft stays). */
export function leaveChatRoom(hub: Hub, itemId: string): void {
  if (openRoom(hub, itemId) === null) return;
  stopTyping(hub);
  runtime(hub).reloadSeq++;
  hub.store.setState({ chatRoom: null });
}

/** Fetches the open room's timeline again: on open, on `chat.changed`, after sending. */
export async function reloadTimeline(hub: Hub): Promise<void> {
  const room = hub.store.getState().chatRoom;
  if (room === null) return;
  const r = runtime(hub);
  const seq = ++r.reloadSeq;
  const { itemId } = room;
  if (room.timeline === null) patchRoom(hub, itemId, { loadState: 'loading', loadError: null });
  // A search hit's message may lie further back than the latest page: the first load reaches back to it.
  const around = room.timeline === null ? room.focusMessageId : undefined;
  const result = await hub.client.call('chat.timeline', { itemId, ...(around !== undefined ? { around } : {}) });
  if (seq !== r.reloadSeq) return;
  const now = openRoom(hub, itemId);
  if (now === null) return;
  if (result.ok) patchRoom(hub, itemId, { timeline: mergeReload(now.timeline, result.value), loadState: 'idle', loadError: null });
  // A failed reload keeps the messages on screen; the next change tries again.
  else if (now.timeline === null) patchRoom(hub, itemId, { loadState: 'error', loadError: result.error.message });
}

/** Back-pagination when the user reaches the top; one page at a time. */
export async function loadOlderMessages(hub: Hub): Promise<void> {
  const room = hub.store.getState().chatRoom;
  if (room === null || room.loadingOlder || room.timeline?.hasOlder !== true) return;
  const { itemId } = room;
  patchRoom(hub, itemId, { loadingOlder: true });
  const result = await hub.client.call('chat.timeline', { itemId, older: true });
  const now = openRoom(hub, itemId);
  if (now === null) return;
  if (result.ok) {
    patchRoom(hub, itemId, { timeline: mergeOlder(now.timeline, result.value), loadingOlder: false });
  } else {
    patchRoom(hub, itemId, { loadingOlder: false });
    showToast(hub, 'error', `Could not load older messages: ${result.error.message}`);
  }
}

// ---------------------------------------------------------------- writing

function tellTyping(hub: Hub, itemId: string, typing: boolean): void {
  // Typing notices are courtesy: a failure is not worth interrupting the user for.
  void hub.client.call('chat.typing', { itemId, typing });
}

/** The composer's text changed: kept per room, and the room hears that we are typing (throttled). */
export function setDraft(hub: Hub, text: string, now = Date.now()): void {
  const room = hub.store.getState().chatRoom;
  if (room === null) return;
  const { itemId } = room;
  hub.store.setState((s) => ({ drafts: { ...s.drafts, [itemId]: text } }));
  if (room.sendError !== null) patchRoom(hub, itemId, { sendError: null });
  const r = runtime(hub);
  if (text.trim() === '') {
    stopTyping(hub);
    return;
  }
  if (r.typing !== null && r.typing.itemId === itemId && now - r.typing.at < TYPING_EVERY_MS) return;
  r.typing = { itemId, at: now };
  tellTyping(hub, itemId, true);
}

/** On send, on leaving the composer and on leaving the room. */
export function stopTyping(hub: Hub): void {
  const r = runtime(hub);
  if (r.typing === null) return;
  const { itemId } = r.typing;
  r.typing = null;
  tellTyping(hub, itemId, false);
}

export function startReply(hub: Hub, message: Pick<ChatMessage, 'id' | 'senderName' | 'body'>): void {
  const room = hub.store.getState().chatRoom;
  if (room === null) return;
  const replyTo: ChatReplyTarget = { id: message.id, senderName: message.senderName, body: message.body };
  patchRoom(hub, room.itemId, { replyTo });
}

export function cancelReply(hub: Hub): void {
  const room = hub.store.getState().chatRoom;
  if (room !== null && room.replyTo !== null) patchRoom(hub, room.itemId, { replyTo: null });
}

/**
 * Sends the composer's text (as a reply when one is chosen). Success empties the composer; a
 * failure keeps the text and shows why under it. Returns whether the hub took the message.
 */
export async function sendMessage(hub: Hub): Promise<boolean> {
  const state = hub.store.getState();
  const room = state.chatRoom;
  if (room === null || room.sending) return false;
  const { itemId } = room;
  const typed = state.drafts[itemId] ?? '';
  const text = typed.trim();
  if (text === '') return false;
  const replyToId = room.replyTo?.id;
  patchRoom(hub, itemId, { sending: true, sendError: null });
  stopTyping(hub);
  const result = await hub.client.call('chat.send', replyToId === undefined ? { itemId, text } : { itemId, text, replyToId });
  if (!result.ok) {
    patchRoom(hub, itemId, { sending: false, sendError: result.error.message });
    return false;
  }
  // Whatever the user typed while the message was on its way stays in the composer.
  hub.store.setState((s) => {
    const current = s.drafts[itemId] ?? '';
    const rest = current === typed ? '' : current.startsWith(typed) ? current.slice(typed.length).trimStart() : current;
    return { drafts: { ...s.drafts, [itemId]: rest } };
  });
  patchRoom(hub, itemId, { sending: false, replyTo: null });
  await reloadTimeline(hub);
  return true;
}

/** "Retry" on a message that failed to send. */
export async function retryMessage(hub: Hub, messageId: string): Promise<void> {
  const room = hub.store.getState().chatRoom;
  if (room === null) return;
  const result = await hub.client.call('chat.retry', { itemId: room.itemId, messageId });
  if (!result.ok) {
    showToast(hub, 'error', `Could not send the message again: ${result.error.message}`);
    return;
  }
  await reloadTimeline(hub);
}

// ---------------------------------------------------------------- invitations

/** Accept joins the room and shows its messages; Decline leaves it, and the item goes away. */
export async function answerInvite(hub: Hub, accept: boolean): Promise<void> {
  const room = hub.store.getState().chatRoom;
  if (room === null || room.answeringInvite) return;
  const { itemId } = room;
  const name = room.timeline?.roomName ?? 'the room';
  patchRoom(hub, itemId, { answeringInvite: true });
  const result = await hub.client.call('chat.respondToInvite', { itemId, accept });
  if (!result.ok) {
    patchRoom(hub, itemId, { answeringInvite: false });
    showToast(hub, 'error', `Could not ${accept ? 'join' : 'decline'} ${name}: ${result.error.message}`);
    return;
  }
  if (accept) {
    showToast(hub, 'info', `Joined ${name}.`);
    await reloadTimeline(hub);
    patchRoom(hub, itemId, { answeringInvite: false });
  } else {
    showToast(hub, 'info', `Declined the invitation to ${name}.`);
    leaveChatRoom(hub, itemId);
    if (hub.store.getState().openId === itemId) closeItem(hub);
  }
  await Promise.all([loadCounts(hub), refreshVisible(hub)]);
}

// ---------------------------------------------------------------- media

/**
 * An image of the room as a data: URL. mxc:// addresses are never loaded by the page itself: the
 * hub fetches them with the account's token. Answers are kept (failures are not, so a later look retries).
 */
export function loadChatMedia(hub: Hub, itemId: string, mxc: string, thumbnail: boolean): Promise<Result<string>> {
  const { media } = runtime(hub);
  const key = `${thumbnail ? 'thumb' : 'full'} ${mxc}`;
  const cached = media.get(key);
  if (cached !== undefined) {
    // Most recently used last, so the oldest is the one to drop.
    media.delete(key);
    media.set(key, cached);
    return cached;
  }
  const loading = hub.client.call('chat.media', { itemId, mxc, thumbnail }).then((result): Result<string> => {
    if (!result.ok) media.delete(key);
    return result.ok ? { ok: true, value: result.value.dataUrl } : result;
  });
  media.set(key, loading);
  while (media.size > MEDIA_CACHE_SIZE) {
    const oldest = media.keys().next().value;
    if (oldest === undefined) break;
    media.delete(oldest);
  }
  return loading;
}

// ---------------------------------------------------------------- hub events

/** The user is looking at the window: messages arriving in the open room count as read. */
export function windowAttended(): boolean {
  return typeof document !== 'undefined' && document.visibilityState === 'visible' && document.hasFocus();
}

/**
 * Reloads the open room when the hub says it changed (bursts become one reload) or the connection
 * returns. New messages in the open room are read while the user attends the window, as in any chat
 * client; a room the user marked unread stays so (it has no new messages, only the mark).
 */
export function followChatEvents(hub: Hub, schedule: Schedule = frameOrTimeout, attended: () => boolean = windowAttended): () => void {
  let marking = false;
  const readOpenRoom = () => {
    const { chatRoom } = hub.store.getState();
    if (chatRoom === null || marking || !attended()) return;
    const item = findItem(hub.store.getState(), chatRoom.itemId);
    if (!item?.unread || item.origin.kind !== 'chat' || (item.origin.unreadCount ?? 0) === 0) return;
    marking = true;
    void markRead(hub, [item.id]).finally(() => (marking = false));
  };
  const offRead = hub.store.subscribe(readOpenRoom);
  const onFocus = () => readOpenRoom();
  if (typeof window !== 'undefined') window.addEventListener('focus', onFocus);
  const changes = coalesce<string>(async (itemIds) => {
    const room = hub.store.getState().chatRoom;
    if (room !== null && itemIds.has(room.itemId)) await reloadTimeline(hub);
  }, schedule);
  const offEvent = hub.client.on('chat.changed', (p) => {
    const room = hub.store.getState().chatRoom;
    if (room !== null && p.itemIds.includes(room.itemId)) changes.push(p.itemIds);
  });
  // Events sent while the socket was down (or the hub process restarted) are lost: the open room is fetched again once it is back.
  const offStore = hub.store.subscribe((s, before) => {
    const back = (before.connection === 'offline' && s.connection === 'online') || (before.service.state !== 'running' && s.service.state === 'running');
    if (back && s.chatRoom !== null) changes.push([s.chatRoom.itemId]);
  });
  return () => {
    offEvent();
    offStore();
    offRead();
    if (typeof window !== 'undefined') window.removeEventListener('focus', onFocus);
  };
}
