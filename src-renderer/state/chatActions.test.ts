import { beforeEach, describe, expect, it } from 'vitest';
import type { ChatTimeline } from '../../src-shared/api.ts';
import { MemoryHub, chatMessage, chatRoom, matrixAccount } from '../testing/memoryHub.ts';
import { createHub, openItem, refreshAll, setConnection, type Hub } from './actions.ts';
import {
  TYPING_EVERY_MS,
  addMatrixAccount,
  answerInvite,
  cancelReply,
  followChatEvents,
  leaveChatRoom,
  loadChatMedia,
  loadOlderMessages,
  mergeOlder,
  mergeReload,
  openChatRoom,
  retryMessage,
  sendMessage,
  setDraft,
  startReply,
  stopTyping,
} from './chatActions.ts';
import { createAppStore } from './store.ts';

let server: MemoryHub;
let hub: Hub;
const general = chatRoom('chat', 'General', { count: 25, loaded: 10 });
const invite = chatRoom('chat', 'Secret plans', { membership: 'invite', newest: Date.UTC(2025, 2, 3, 13) });

function state() {
  return hub.store.getState();
}

function room() {
  const r = state().chatRoom;
  if (r === null) throw new Error('no room open');
  return r;
}

function shownIds(): string[] {
  return room().timeline?.messages.map((m) => m.id) ?? [];
}

function sends() {
  return server.calls.filter((c) => c.name === 'chat.send').map((c) => c.params);
}

function typingCalls() {
  return server.calls.filter((c) => c.name === 'chat.typing').map((c) => c.params);
}

function manualFrames() {
  const queue: (() => void)[] = [];
  return { schedule: (f: () => void) => void queue.push(f), pending: () => queue.length, flush: () => queue.splice(0).forEach((f) => f()) };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

beforeEach(async () => {
  server = new MemoryHub();
  server.accounts = [matrixAccount('chat', 'Team chat')];
  for (const r of [general, invite]) {
    server.items.push(structuredClone(r.item));
    server.timelines.set(r.item.id, structuredClone(r.timeline));
    server.olderPages.set(r.item.id, structuredClone(r.olderPages));
  }
  hub = createHub(server, createAppStore());
  await refreshAll(hub);
});

describe('adding a Matrix account', () => {
  beforeEach(() => {
    server.matrixUsers.set('@alice:example.org', 'right password');
    hub.store.setState({ addAccountOpen: true });
  });

  it('returns the hub’s refusal with its field and keeps the dialog open', async () => {
    const result = await addMatrixAccount(hub, { userId: '@alice:example.org', password: 'wrong' });
    expect(result).toEqual({ ok: false, error: { code: 'auth-failed', message: 'The homeserver refused this password. Check it and try again.', field: 'password' } });
    expect(state().addAccountOpen).toBe(true);
  });

  it('blanks the password out of an error that quotes it', async () => {
    server.failNext('accounts.addMatrix', { code: 'connection-failed', message: 'login with hunter22 timed out' });
    const result = await addMatrixAccount(hub, { userId: '@alice:example.org', password: 'hunter22' });
    expect(result.ok ? '' : result.error.message).toBe('login with •••• timed out');
  });

  it('closes the dialog and shows the account on success', async () => {
    const result = await addMatrixAccount(hub, { userId: '@alice:example.org', password: 'right password' });
    expect(result).toEqual({ ok: true });
    expect(state().addAccountOpen).toBe(false);
    expect(state().accounts.map((a) => a.account.kind)).toEqual(['matrix', 'matrix']);
    expect(JSON.stringify(state())).not.toContain('right password');
  });
});

describe('the open room', () => {
  it('loads the timeline when a chat item is opened, oldest first', async () => {
    await openItem(hub, general.item.id);
    await openChatRoom(hub, general.item.id);
    expect(room()).toMatchObject({ itemId: general.item.id, loadState: 'idle', loadError: null });
    expect(shownIds()).toEqual(general.timeline.messages.map((m) => m.id));
    expect(room().timeline?.hasOlder).toBe(true);
  });

  it('shows why the first load failed, and keeps the messages when a later reload fails', async () => {
    server.failNext('chat.timeline', { code: 'connection-failed', message: 'The homeserver is unreachable.' });
    await openChatRoom(hub, general.item.id);
    expect(room()).toMatchObject({ loadState: 'error', loadError: 'The homeserver is unreachable.', timeline: null });
    await openChatRoom(hub, general.item.id);
    expect(room().loadState).toBe('idle');
    server.failNext('chat.timeline', { code: 'connection-failed', message: 'The homeserver is unreachable.' });
    await openChatRoom(hub, general.item.id);
    expect(room()).toMatchObject({ loadState: 'idle', loadError: null });
    expect(shownIds()).toHaveLength(10);
  });

  it('forgets the room when the reading pane moves on, and drops an answer that lands afterwards', async () => {
    server.hold('chat.timeline');
    const opening = openChatRoom(hub, general.item.id);
    leaveChatRoom(hub, general.item.id);
    server.release('chat.timeline');
    await opening;
    expect(state().chatRoom).toBeNull();
  });
});

describe('older messages', () => {
  it('loads one page at a time, never two at once, and stops when there is no more', async () => {
    await openChatRoom(hub, general.item.id);
    server.hold('chat.timeline');
    const first = loadOlderMessages(hub);
    const second = loadOlderMessages(hub);
    expect(room().loadingOlder).toBe(true);
    server.release('chat.timeline');
    await Promise.all([first, second]);
    expect(server.calls.filter((c) => c.name === 'chat.timeline' && (c.params as { older?: boolean }).older === true)).toHaveLength(1);
    expect(room().loadingOlder).toBe(false);
    expect(shownIds()).toHaveLength(20);
    await loadOlderMessages(hub);
    expect(shownIds()).toHaveLength(25);
    expect(shownIds()[0]).toBe('$General-0');
    expect(room().timeline?.hasOlder).toBe(false);
    const calls = server.countCalls('chat.timeline');
    await loadOlderMessages(hub);
    expect(server.countCalls('chat.timeline')).toBe(calls);
  });

  it('keeps the history the user paged back to when a reload answers with only the latest page', () => {
    const base = (ids: string[], hasOlder: boolean): ChatTimeline => ({
      ...general.timeline,
      messages: ids.map((id) => chatMessage(id, 'Alice', id, 0)),
      hasOlder,
    });
    const shown = base(['a', 'b', 'c', 'd'], false);
    expect(mergeReload(shown, base(['c', 'd', 'e'], true))).toMatchObject({ messages: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id })), hasOlder: false });
    // A gap (the room moved on too far): the fresh page replaces what was shown.
    expect(mergeReload(shown, base(['x', 'y'], true)).messages.map((m) => m.id)).toEqual(['x', 'y']);
    // An older page adds only what precedes the first message shown; newer ones stay as the reload left them.
    const older = base(['0', 'a', 'b'], true);
    expect(mergeOlder(shown, older)).toMatchObject({ messages: ['0', 'a', 'b', 'c', 'd'].map((id) => ({ id })), hasOlder: true });
  });
});

describe('the composer', () => {
  beforeEach(async () => {
    await openChatRoom(hub, general.item.id);
  });

  it('sends the text as a reply, then empties the composer and drops the reply', async () => {
    const parent = general.timeline.messages[3]!;
    setDraft(hub, '  Sounds good  ');
    startReply(hub, parent);
    expect(room().replyTo).toEqual({ id: parent.id, senderName: parent.senderName, body: parent.body });
    const sending = sendMessage(hub);
    expect(room().sending).toBe(true);
    expect(await sending).toBe(true);
    expect(sends()).toEqual([{ itemId: general.item.id, text: 'Sounds good', replyToId: parent.id }]);
    expect(state().drafts[general.item.id]).toBe('');
    expect(room()).toMatchObject({ sending: false, replyTo: null, sendError: null });
    // The local echo shows at once.
    expect(room().timeline?.messages.at(-1)).toMatchObject({ body: 'Sounds good', mine: true, sendState: 'sending', replyTo: { id: parent.id } });
  });

  it('keeps the text and shows the hub’s error when sending fails; typing clears the error', async () => {
    setDraft(hub, 'Hello?');
    server.failNext('chat.send', { code: 'connection-failed', message: 'The homeserver is unreachable. The message was not sent.' });
    expect(await sendMessage(hub)).toBe(false);
    expect(state().drafts[general.item.id]).toBe('Hello?');
    expect(room()).toMatchObject({ sending: false, sendError: 'The homeserver is unreachable. The message was not sent.' });
    setDraft(hub, 'Hello??');
    expect(room().sendError).toBeNull();
  });

  it('sends nothing for blank text, and not twice while one send is on its way', async () => {
    setDraft(hub, '   \n ');
    expect(await sendMessage(hub)).toBe(false);
    setDraft(hub, 'once');
    server.hold('chat.send');
    const first = sendMessage(hub);
    const second = sendMessage(hub);
    server.release('chat.send');
    expect(await Promise.all([first, second])).toEqual([true, false]);
    expect(sends()).toHaveLength(1);
  });

  it('keeps what the user typed while the message was on its way', async () => {
    setDraft(hub, 'first');
    server.hold('chat.send');
    const sending = sendMessage(hub);
    setDraft(hub, 'first and more');
    server.release('chat.send');
    await sending;
    expect(state().drafts[general.item.id]).toBe('and more');
  });

  it('cancels a reply', () => {
    startReply(hub, general.timeline.messages[0]!);
    cancelReply(hub);
    expect(room().replyTo).toBeNull();
  });

  it('keeps a draft per room', async () => {
    setDraft(hub, 'for General');
    leaveChatRoom(hub, general.item.id);
    await openChatRoom(hub, invite.item.id);
    expect(state().drafts[invite.item.id]).toBeUndefined();
    await openChatRoom(hub, general.item.id);
    expect(state().drafts[general.item.id]).toBe('for General');
  });

  it('retries a message that failed to send, and says so when that fails too', async () => {
    server.timelines.get(general.item.id)!.messages.push({ ...chatMessage('~local-9', 'Me', 'lost', 0), mine: true, sendState: 'failed' });
    await openChatRoom(hub, general.item.id);
    await retryMessage(hub, '~local-9');
    expect(room().timeline?.messages.at(-1)?.sendState).toBe('sending');
    await retryMessage(hub, '~local-9');
    expect(state().toasts.map((t) => t.text)).toEqual(['Could not send the message again: This message is not waiting to be sent again.']);
  });
});

describe('typing notices', () => {
  beforeEach(async () => {
    await openChatRoom(hub, general.item.id);
  });

  it('says "typing" at most every few seconds, and "stopped" on send, blur and an emptied composer', async () => {
    const t0 = 1_000_000;
    setDraft(hub, 'h', t0);
    setDraft(hub, 'he', t0 + 1000);
    setDraft(hub, 'hel', t0 + TYPING_EVERY_MS - 1);
    expect(typingCalls()).toEqual([{ itemId: general.item.id, typing: true }]);
    setDraft(hub, 'hell', t0 + TYPING_EVERY_MS);
    expect(typingCalls()).toHaveLength(2);
    await sendMessage(hub);
    expect(typingCalls().at(-1)).toEqual({ itemId: general.item.id, typing: false });
    expect(typingCalls()).toHaveLength(3);

    setDraft(hub, 'again', t0 + 5 * TYPING_EVERY_MS);
    stopTyping(hub); // the composer lost focus
    stopTyping(hub); // only once
    setDraft(hub, 'x', t0 + 5 * TYPING_EVERY_MS + 10);
    setDraft(hub, '', t0 + 5 * TYPING_EVERY_MS + 20);
    expect(typingCalls().slice(3).map((c) => (c as { typing: boolean }).typing)).toEqual([true, false, true, false]);
    await settle();
    expect(server.typing.get(general.item.id)).toBe(false);
  });

  it('says "stopped" when the user leaves the room while typing', () => {
    setDraft(hub, 'half a thought', 5);
    leaveChatRoom(hub, general.item.id);
    expect(typingCalls().map((c) => (c as { typing: boolean }).typing)).toEqual([true, false]);
  });
});

describe('hub events', () => {
  it('reloads the open room once per burst of chat.changed, and ignores other rooms', async () => {
    await openChatRoom(hub, general.item.id);
    const frames = manualFrames();
    followChatEvents(hub, frames.schedule);
    const before = server.countCalls('chat.timeline');
    server.emit('chat.changed', { itemIds: [invite.item.id] });
    expect(frames.pending()).toBe(0);
    server.timelines.get(general.item.id)!.messages.push(chatMessage('$new', 'Bob', 'Fresh news', Date.UTC(2025, 2, 3, 12, 30)));
    server.timelines.get(general.item.id)!.typing = ['Alice'];
    for (let i = 0; i < 10; i++) server.emit('chat.changed', { itemIds: [general.item.id] });
    expect(frames.pending()).toBe(1);
    frames.flush();
    await settle();
    expect(server.countCalls('chat.timeline') - before).toBe(1);
    expect(shownIds().at(-1)).toBe('$new');
    expect(room().timeline?.typing).toEqual(['Alice']);
  });

  it('reloads the open room when the connection comes back', async () => {
    await openChatRoom(hub, general.item.id);
    const frames = manualFrames();
    followChatEvents(hub, frames.schedule);
    setConnection(hub, 'offline');
    server.timelines.get(general.item.id)!.messages.push(chatMessage('$missed', 'Bob', 'While you were away', Date.UTC(2025, 2, 3, 12, 31)));
    setConnection(hub, 'online');
    frames.flush();
    await settle();
    expect(shownIds().at(-1)).toBe('$missed');
  });
});

describe('reading while the room is open', () => {
  function newMessageArrives(): void {
    const stored = server.items.find((i) => i.id === general.item.id)!;
    stored.unread = true;
    if (stored.origin.kind === 'chat') stored.origin.unreadCount = 1;
  }
  const markReads = () => server.calls.filter((c) => c.name === 'item.markRead').length;

  it('marks new messages in the open room read while the window is attended', async () => {
    await openItem(hub, general.item.id);
    await openChatRoom(hub, general.item.id);
    followChatEvents(hub, manualFrames().schedule, () => true);
    const before = markReads();
    newMessageArrives();
    await refreshAll(hub);
    await settle();
    expect(markReads() - before).toBe(1);
    expect(server.items.find((i) => i.id === general.item.id)!.unread).toBe(false);
  });

  it('leaves them unread while the user is elsewhere, and a room marked unread stays unread', async () => {
    await openItem(hub, general.item.id);
    await openChatRoom(hub, general.item.id);
    let attended = false;
    followChatEvents(hub, manualFrames().schedule, () => attended);
    const before = markReads();
    newMessageArrives();
    await refreshAll(hub);
    await settle();
    expect(markReads() - before).toBe(0);

    // Marked unread by hand: no new messages, only the mark.
    attended = true;
    const stored = server.items.find((i) => i.id === general.item.id)!;
    if (stored.origin.kind === 'chat') delete stored.origin.unreadCount;
    await refreshAll(hub);
    await settle();
    expect(markReads() - before).toBe(0);
  });
});

describe('invitations', () => {
  it('accepting joins the room and shows it', async () => {
    await openItem(hub, invite.item.id);
    await openChatRoom(hub, invite.item.id);
    expect(room().timeline).toMatchObject({ membership: 'invite', inviter: 'Alice' });
    await answerInvite(hub, true);
    expect(server.calls.filter((c) => c.name === 'chat.respondToInvite').map((c) => c.params)).toEqual([{ itemId: invite.item.id, accept: true }]);
    expect(room()).toMatchObject({ answeringInvite: false, timeline: { membership: 'join' } });
    expect(state().toasts.map((t) => t.text)).toEqual(['Joined Secret plans.']);
  });

  it('declining closes the item, which leaves the list', async () => {
    await openItem(hub, invite.item.id);
    await openChatRoom(hub, invite.item.id);
    await answerInvite(hub, false);
    expect(state().chatRoom).toBeNull();
    expect(state().openId).toBeNull();
    expect(state().items.map((i) => i.id)).not.toContain(invite.item.id);
  });

  it('says so and stays when the answer fails', async () => {
    await openChatRoom(hub, invite.item.id);
    server.failNext('chat.respondToInvite', { code: 'connection-failed', message: 'The homeserver is unreachable.' });
    await answerInvite(hub, true);
    expect(room()).toMatchObject({ answeringInvite: false, timeline: { membership: 'invite' } });
    expect(state().toasts.map((t) => [t.kind, t.text])).toEqual([['error', 'Could not join Secret plans: The homeserver is unreachable.']]);
  });
});

describe('media', () => {
  it('fetches an mxc image through the hub once, and again after a failure', async () => {
    server.failNext('chat.media', { code: 'connection-failed', message: 'offline' });
    expect((await loadChatMedia(hub, general.item.id, 'mxc://example.org/abc', true)).ok).toBe(false);
    const thumb = await loadChatMedia(hub, general.item.id, 'mxc://example.org/abc', true);
    expect(thumb).toEqual({ ok: true, value: `data:text/plain;base64,${btoa('thumbnail mxc://example.org/abc')}` });
    await loadChatMedia(hub, general.item.id, 'mxc://example.org/abc', true);
    const full = await loadChatMedia(hub, general.item.id, 'mxc://example.org/abc', false);
    expect(full.ok && full.value).toBe(`data:text/plain;base64,${btoa('full mxc://example.org/abc')}`);
    expect(server.calls.filter((c) => c.name === 'chat.media').map((c) => c.params)).toEqual([
      { itemId: general.item.id, mxc: 'mxc://example.org/abc', thumbnail: true },
      { itemId: general.item.id, mxc: 'mxc://example.org/abc', thumbnail: true },
      { itemId: general.item.id, mxc: 'mxc://example.org/abc', thumbnail: false },
    ]);
  });
});
