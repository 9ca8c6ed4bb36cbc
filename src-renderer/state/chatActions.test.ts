import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatTimeline } from '../../src-shared/api.ts';
import type { AccountView } from '../../src-shared/domain.ts';
import { chatMessage, fakeRoom } from '../../tests/support/fake-kinds/chat.ts';
import { eventually, openHubHarness, type HubHarness } from '../../tests/support/hub-harness.ts';
import { addAccount } from './accountActions.ts';
import { createHub, markRead, markUnread, openItem, refreshAll, setConnection, type Hub } from './actions.ts';
import {
  TYPING_EVERY_MS,
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

const ME = '@me:example.org';
const general = fakeRoom('General', { count: 25 });
const random = fakeRoom('Random', { count: 3 });
const invite = fakeRoom('Secret plans', { membership: 'invite', newest: Date.UTC(2025, 2, 3, 13) });

let h: HubHarness;
let hub: Hub;
let chat: AccountView;
/** Item ids of the rooms, as the hub names them. */
let ids: { general: string; random: string; invite: string };

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

function typingSaid(): boolean[] {
  return h.client.paramsOf('chat.typing').map((p) => p.typing);
}

function manualFrames() {
  const queue: (() => void)[] = [];
  return { schedule: (f: () => void) => void queue.push(f), pending: () => queue.length, flush: () => queue.splice(0).forEach((f) => f()) };
}

beforeEach(async () => {
  h = await openHubHarness();
  h.chat.user(ME, 'matrix password', [general, random, invite]);
  chat = await h.addAccount('matrix', { displayName: 'Team chat', userId: ME, password: 'matrix password' });
  ids = { general: `${chat.account.id}:${general.roomId}`, random: `${chat.account.id}:${random.roomId}`, invite: `${chat.account.id}:${invite.roomId}` };
  hub = createHub(h.client, createAppStore());
  await refreshAll(hub);
});

afterEach(async () => {
  await h.dispose();
});

describe('adding a Matrix account', () => {
  beforeEach(() => {
    h.chat.user('@alice:example.org', 'right password');
    hub.store.setState({ addAccountOpen: true });
  });

  const alice = (password: string) => ({ kind: 'matrix', input: { userId: '@alice:example.org', password }, secrets: [password] });

  it('returns the hub’s refusal with its field and keeps the dialog open', async () => {
    const result = await addAccount(hub, alice('wrong'));
    expect(result).toEqual({ ok: false, error: { code: 'auth-failed', message: 'Authentication failed: the homeserver refused this user ID and password.', field: 'password' } });
    expect(state().addAccountOpen).toBe(true);
  });

  it('refuses what is not a user ID beside the field, before asking any homeserver', async () => {
    const result = await addAccount(hub, { kind: 'matrix', input: { userId: 'alice', password: 'right password' }, secrets: ['right password'] });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'userId' } });
  });

  it('blanks the password out of an error that quotes it', async () => {
    h.chat.failNext('login', { code: 'connection-failed', message: 'login with hunter22 timed out' });
    const result = await addAccount(hub, alice('hunter22'));
    expect(result.ok ? '' : result.error.message).toBe('login with •••• timed out');
  });

  it('closes the dialog and shows the account on success', async () => {
    const result = await addAccount(hub, alice('right password'));
    expect(result).toEqual({ ok: true });
    expect(state().addAccountOpen).toBe(false);
    expect(state().accounts.map((a) => a.account.kind)).toEqual(['matrix', 'matrix']);
    expect(state().accounts.map((a) => a.account.displayName)).toContain('@alice:example.org');
    expect(JSON.stringify(state())).not.toContain('right password');
  });
});

describe('the open room', () => {
  it('loads the timeline when a chat item is opened, oldest first', async () => {
    await openItem(hub, ids.general);
    await openChatRoom(hub, ids.general);
    expect(room()).toMatchObject({ itemId: ids.general, loadState: 'idle', loadError: null });
    expect(shownIds()).toEqual(general.messages.slice(15).map((m) => m.id));
    expect(room().timeline?.hasOlder).toBe(true);
  });

  it('shows why the first load failed, and keeps the messages when a later reload fails', async () => {
    h.chat.failNext('timeline', { code: 'connection-failed', message: 'The homeserver is unreachable.' });
    await openChatRoom(hub, ids.general);
    expect(room()).toMatchObject({ loadState: 'error', loadError: 'The homeserver is unreachable.', timeline: null });
    await openChatRoom(hub, ids.general);
    expect(room().loadState).toBe('idle');
    h.chat.failNext('timeline', { code: 'connection-failed', message: 'The homeserver is unreachable.' });
    await openChatRoom(hub, ids.general);
    expect(room()).toMatchObject({ loadState: 'idle', loadError: null });
    expect(shownIds()).toHaveLength(10);
  });

  it('forgets the room when the reading pane moves on, and drops an answer that lands afterwards', async () => {
    h.client.hold('chat.timeline');
    const opening = openChatRoom(hub, ids.general);
    leaveChatRoom(hub, ids.general);
    h.client.release('chat.timeline');
    await opening;
    expect(state().chatRoom).toBeNull();
  });
});

describe('older messages', () => {
  it('loads one page at a time, never two at once, and stops when there is no more', async () => {
    await openChatRoom(hub, ids.general);
    h.client.hold('chat.timeline');
    const first = loadOlderMessages(hub);
    const second = loadOlderMessages(hub);
    expect(room().loadingOlder).toBe(true);
    h.client.release('chat.timeline');
    await Promise.all([first, second]);
    expect(h.client.paramsOf('chat.timeline').filter((p) => p.older === true)).toHaveLength(1);
    expect(room().loadingOlder).toBe(false);
    expect(shownIds()).toHaveLength(20);
    await loadOlderMessages(hub);
    expect(shownIds()).toHaveLength(25);
    expect(shownIds()[0]).toBe('$General-0');
    expect(room().timeline?.hasOlder).toBe(false);
    const calls = h.client.countCalls('chat.timeline');
    await loadOlderMessages(hub);
    expect(h.client.countCalls('chat.timeline')).toBe(calls);
  });

  it('keeps the history the user paged back to when a reload answers with only the latest page', () => {
    const base = (messageIds: string[], hasOlder: boolean): ChatTimeline => ({
      itemId: 'room',
      roomId: general.roomId,
      roomName: 'General',
      encrypted: false,
      membership: 'join',
      messages: messageIds.map((id) => chatMessage(id, 'Alice', id, 0)),
      hasOlder,
      typing: [],
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
    await openChatRoom(hub, ids.general);
  });

  it('sends the text as a reply, then empties the composer and drops the reply; the echo shows until the server takes it', async () => {
    h.chat.delivery = 'wait';
    const parent = general.messages[18]!;
    setDraft(hub, '  Sounds good  ');
    startReply(hub, parent);
    expect(room().replyTo).toEqual({ id: parent.id, senderName: parent.senderName, body: parent.body });
    const sending = sendMessage(hub);
    expect(room().sending).toBe(true);
    expect(await sending).toBe(true);
    expect(h.client.paramsOf('chat.send')).toEqual([{ itemId: ids.general, text: 'Sounds good', replyToId: parent.id }]);
    expect(state().drafts[ids.general]).toBe('');
    expect(room()).toMatchObject({ sending: false, replyTo: null, sendError: null });
    // The local echo shows at once.
    expect(room().timeline?.messages.at(-1)).toMatchObject({ body: 'Sounds good', mine: true, sendState: 'sending', replyTo: { id: parent.id } });

    const frames = manualFrames();
    followChatEvents(hub, frames.schedule);
    const changed = h.nextEvent('chat.changed', (p) => p.itemIds.includes(ids.general));
    h.chat.takeWaiting(ME);
    await changed;
    frames.flush();
    await eventually('the sent message in place of the echo', () => room().timeline?.messages.at(-1)?.sendState === undefined);
    expect(room().timeline?.messages.at(-1)).toMatchObject({ body: 'Sounds good', mine: true, id: expect.stringMatching(/^\$/) });
    expect(room().timeline?.messages.filter((m) => m.body === 'Sounds good')).toHaveLength(1);
  });

  it('keeps the text and shows the hub’s error when sending fails; typing clears the error', async () => {
    setDraft(hub, 'Hello?');
    h.chat.failNext('send', { code: 'connection-failed', message: 'The homeserver is unreachable. The message was not sent.' });
    expect(await sendMessage(hub)).toBe(false);
    expect(state().drafts[ids.general]).toBe('Hello?');
    expect(room()).toMatchObject({ sending: false, sendError: 'The homeserver is unreachable. The message was not sent.' });
    setDraft(hub, 'Hello??');
    expect(room().sendError).toBeNull();
  });

  it('sends nothing for blank text, and not twice while one send is on its way', async () => {
    setDraft(hub, '   \n ');
    expect(await sendMessage(hub)).toBe(false);
    setDraft(hub, 'once');
    h.client.hold('chat.send');
    const first = sendMessage(hub);
    const second = sendMessage(hub);
    h.client.release('chat.send');
    expect(await Promise.all([first, second])).toEqual([true, false]);
    expect(h.client.paramsOf('chat.send')).toHaveLength(1);
  });

  it('keeps what the user typed while the message was on its way', async () => {
    setDraft(hub, 'first');
    h.client.hold('chat.send');
    const sending = sendMessage(hub);
    setDraft(hub, 'first and more');
    h.client.release('chat.send');
    await sending;
    expect(state().drafts[ids.general]).toBe('and more');
  });

  it('cancels a reply', () => {
    startReply(hub, general.messages[15]!);
    cancelReply(hub);
    expect(room().replyTo).toBeNull();
  });

  it('keeps a draft per room', async () => {
    setDraft(hub, 'for General');
    leaveChatRoom(hub, ids.general);
    await openChatRoom(hub, ids.invite);
    expect(state().drafts[ids.invite]).toBeUndefined();
    await openChatRoom(hub, ids.general);
    expect(state().drafts[ids.general]).toBe('for General');
  });

  it('retries a message that failed to send, and says so when that fails too', async () => {
    h.chat.delivery = 'refuse';
    setDraft(hub, 'lost');
    await sendMessage(hub);
    const failed = await eventually('the server to refuse the message', async () => {
      const timeline = await h.direct.call('chat.timeline', { itemId: ids.general });
      const last = timeline.ok ? timeline.value.messages.at(-1) : undefined;
      return last?.sendState === 'failed' ? last : undefined;
    });
    await openChatRoom(hub, ids.general);
    expect(room().timeline?.messages.at(-1)).toMatchObject({ id: failed.id, sendState: 'failed' });
    h.chat.delivery = 'wait';
    await retryMessage(hub, failed.id);
    expect(room().timeline?.messages.at(-1)).toMatchObject({ id: failed.id, sendState: 'sending' });
    await retryMessage(hub, failed.id);
    expect(state().toasts.map((t) => t.text)).toEqual(['Could not send the message again: That message is no longer waiting to be sent.']);
  });
});

describe('typing notices', () => {
  beforeEach(async () => {
    await openChatRoom(hub, ids.general);
  });

  it('says "typing" at most every few seconds, and "stopped" on send, blur and an emptied composer', async () => {
    const t0 = 1_000_000;
    setDraft(hub, 'h', t0);
    setDraft(hub, 'he', t0 + 1000);
    setDraft(hub, 'hel', t0 + TYPING_EVERY_MS - 1);
    expect(h.client.paramsOf('chat.typing')).toEqual([{ itemId: ids.general, typing: true }]);
    setDraft(hub, 'hell', t0 + TYPING_EVERY_MS);
    expect(typingSaid()).toHaveLength(2);
    await sendMessage(hub);
    expect(h.client.paramsOf('chat.typing').at(-1)).toEqual({ itemId: ids.general, typing: false });
    expect(typingSaid()).toHaveLength(3);

    setDraft(hub, 'again', t0 + 5 * TYPING_EVERY_MS);
    stopTyping(hub); // the composer lost focus
    stopTyping(hub); // only once
    setDraft(hub, 'x', t0 + 5 * TYPING_EVERY_MS + 10);
    setDraft(hub, '', t0 + 5 * TYPING_EVERY_MS + 20);
    expect(typingSaid().slice(3)).toEqual([true, false, true, false]);
    // The homeserver heard the last word: stopped.
    await eventually('the last typing notice to reach the homeserver', () => h.chat.typingFromUser.get(general.roomId) === false);
  });

  it('says "stopped" when the user leaves the room while typing', () => {
    setDraft(hub, 'half a thought', 5);
    leaveChatRoom(hub, ids.general);
    expect(typingSaid()).toEqual([true, false]);
  });
});

describe('hub events', () => {
  it('reloads the open room once per burst of chat.changed, and ignores other rooms', async () => {
    await openChatRoom(hub, ids.general);
    const frames = manualFrames();
    followChatEvents(hub, frames.schedule);
    const before = h.client.countCalls('chat.timeline');
    const elsewhere = h.nextEvent('chat.changed', (p) => p.itemIds.includes(ids.random));
    h.chat.receive(ME, random.roomId, chatMessage('$elsewhere', 'Bob', 'Not here', Date.UTC(2025, 2, 3, 12, 30)));
    await elsewhere;
    expect(frames.pending()).toBe(0);
    // A message and a typing notice: one burst.
    const here = h.nextEvent('chat.changed', (p) => p.itemIds.includes(ids.general));
    h.chat.receive(ME, general.roomId, chatMessage('$new', 'Bob', 'Fresh news', Date.UTC(2025, 2, 3, 12, 30)));
    h.chat.othersTyping(ME, general.roomId, ['Alice']);
    await here;
    expect(frames.pending()).toBe(1);
    frames.flush();
    await eventually('the new message in the open room', () => shownIds().at(-1) === '$new');
    expect(h.client.countCalls('chat.timeline') - before).toBe(1);
    expect(room().timeline?.typing).toEqual(['Alice']);
  });

  it('reloads the open room when the connection comes back', async () => {
    await openChatRoom(hub, ids.general);
    const frames = manualFrames();
    followChatEvents(hub, frames.schedule);
    setConnection(hub, 'offline');
    // Written while the connection was down: its chat.changed never reached this window.
    h.chat.room(ME, general.roomId).messages.push(chatMessage('$missed', 'Bob', 'While you were away', Date.UTC(2025, 2, 3, 12, 31)));
    expect(frames.pending()).toBe(0);
    setConnection(hub, 'online');
    frames.flush();
    await eventually('the missed message', () => shownIds().at(-1) === '$missed');
  });
});

describe('reading while the room is open', () => {
  const markReads = () => h.client.countCalls('item.markRead');
  const roomUnreadInHub = async () => {
    const listed = await h.direct.call('inbox.list', { accountId: chat.account.id });
    return listed.ok ? listed.value.items.find((i) => i.id === ids.general)?.unread : undefined;
  };

  function newMessageArrives(): void {
    h.chat.receive(ME, general.roomId, chatMessage(`$new-${Date.now()}`, 'Bob', 'Are you there?', Date.UTC(2025, 2, 3, 12, 40)));
  }

  it('marks new messages in the open room read while the window is attended', async () => {
    await openItem(hub, ids.general);
    await openChatRoom(hub, ids.general);
    followChatEvents(hub, manualFrames().schedule, () => true);
    const before = markReads();
    newMessageArrives();
    await refreshAll(hub);
    await eventually('the room to be marked read', async () => (await roomUnreadInHub()) === false);
    expect(markReads() - before).toBe(1);
    expect(h.chat.room(ME, general.roomId).unreadCount).toBe(0);
  });

  it('leaves them unread while the user is elsewhere, and a room marked unread stays unread', async () => {
    await openItem(hub, ids.general);
    await openChatRoom(hub, ids.general);
    let attended = false;
    followChatEvents(hub, manualFrames().schedule, () => attended);
    const before = markReads();
    newMessageArrives();
    await refreshAll(hub);
    expect(await roomUnreadInHub()).toBe(true);
    expect(markReads() - before).toBe(0);

    // Read, then marked unread by hand: no new messages, only the mark.
    await markRead(hub, [ids.general]);
    await markUnread(hub, [ids.general]);
    await refreshAll(hub);
    const marked = markReads();
    attended = true;
    await refreshAll(hub);
    expect(markReads()).toBe(marked);
    expect(await roomUnreadInHub()).toBe(true);
  });
});

describe('invitations', () => {
  it('accepting joins the room and shows it', async () => {
    await openItem(hub, ids.invite);
    await openChatRoom(hub, ids.invite);
    expect(room().timeline).toMatchObject({ membership: 'invite', inviter: 'Alice' });
    await answerInvite(hub, true);
    expect(h.client.paramsOf('chat.respondToInvite')).toEqual([{ itemId: ids.invite, accept: true }]);
    expect(room()).toMatchObject({ answeringInvite: false, timeline: { membership: 'join' } });
    expect(state().toasts.map((t) => t.text)).toEqual(['Joined Secret plans.']);
  });

  it('declining closes the item, which leaves the list', async () => {
    await openItem(hub, ids.invite);
    await openChatRoom(hub, ids.invite);
    expect(state().items.map((i) => i.id)).toContain(ids.invite);
    await answerInvite(hub, false);
    expect(state().chatRoom).toBeNull();
    expect(state().openId).toBeNull();
    expect(state().items.map((i) => i.id)).not.toContain(ids.invite);
  });

  it('says so and stays when the answer fails', async () => {
    await openChatRoom(hub, ids.invite);
    h.chat.failNext('invite', { code: 'connection-failed', message: 'The homeserver is unreachable.' });
    await answerInvite(hub, true);
    expect(room()).toMatchObject({ answeringInvite: false, timeline: { membership: 'invite' } });
    expect(state().toasts.map((t) => [t.kind, t.text])).toEqual([['error', 'Could not join Secret plans: The homeserver is unreachable.']]);
  });
});

describe('media', () => {
  it('fetches an mxc image through the hub once, and again after a failure', async () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    h.chat.media.set('mxc://example.org/abc', { contentType: 'image/png', full: bytes('full image'), thumbnail: bytes('thumbnail') });
    h.chat.failNext('media', { code: 'connection-failed', message: 'offline' });
    expect((await loadChatMedia(hub, ids.general, 'mxc://example.org/abc', true)).ok).toBe(false);
    const thumb = await loadChatMedia(hub, ids.general, 'mxc://example.org/abc', true);
    expect(thumb).toEqual({ ok: true, value: `data:image/png;base64,${btoa('thumbnail')}` });
    await loadChatMedia(hub, ids.general, 'mxc://example.org/abc', true);
    const full = await loadChatMedia(hub, ids.general, 'mxc://example.org/abc', false);
    expect(full.ok && full.value).toBe(`data:image/png;base64,${btoa('full image')}`);
    expect(h.client.paramsOf('chat.media')).toEqual([
      { itemId: ids.general, mxc: 'mxc://example.org/abc', thumbnail: true },
      { itemId: ids.general, mxc: 'mxc://example.org/abc', thumbnail: true },
      { itemId: ids.general, mxc: 'mxc://example.org/abc', thumbnail: false },
    ]);
  });
});
