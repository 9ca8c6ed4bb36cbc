/**
 * Attention in the window against the real hub (tests/support/hub-harness.ts, the fake chat kind
 * reporting facts like the Matrix connector): a mention raises a notification shown as a toast where
 * the browser has none, the Why panel says why (still after the mention is read), "Mute this room"
 * makes the rule and the next mention arrives read and silent, and the pause, quiet hours and the
 * rule order change through the calls the Preferences dialog makes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView } from '../../src-shared/domain.ts';
import { chatMessage, fakeRoom } from '../../tests/support/fake-kinds/chat.ts';
import { eventually, openHubHarness, type HubHarness } from '../../tests/support/hub-harness.ts';
import { createHub, followHubEvents, openItem, refreshAll, type Hub } from './actions.ts';
import {
  addRuleFromItem,
  followAttentionEvents,
  loadAttention,
  moveRule,
  muteOfItem,
  openWhy,
  pauseNotifications,
  removeRule,
  resumeNotifications,
  setQuietHours,
  showNotifiedItem,
  unmuteFromItem,
} from './attentionActions.ts';
import { createAppStore } from './store.ts';

const ME = '@me:example.org';
const general = fakeRoom('General', { count: 3 });
let h: HubHarness;
let hub: Hub;
let chat: AccountView;
let itemId: string;

const state = () => hub.store.getState();
const decision = () => state().why?.why?.reason;

beforeEach(async () => {
  h = await openHubHarness();
  h.chat.user(ME, 'matrix password', [general]);
  chat = await h.addAccount('matrix', { displayName: 'Team chat', userId: ME, password: 'matrix password' });
  itemId = `${chat.account.id}:${general.roomId}`;
  hub = createHub(h.client, createAppStore());
  followHubEvents(hub, (flush) => void setTimeout(flush, 0));
  followAttentionEvents(hub);
  await Promise.all([refreshAll(hub), loadAttention(hub)]);
});

afterEach(async () => {
  await h.dispose();
});

describe('attention in the window', () => {
  it('toasts a mention, says why it notified even once read, and mutes the room in one step', { timeout: 30_000 }, async () => {
    expect(state().rules?.some((r) => r.builtIn)).toBe(true);
    expect(state().attention).toMatchObject({ pausedUntil: null });
    h.chat.receive(ME, general.roomId, chatMessage('$m1', 'Priya', 'me: can you confirm the rollout?', Date.now()));
    const toast = await eventually('the notification as a toast', () => state().toasts.find((t) => t.text.includes('can you confirm the rollout')));
    expect(toast.text).toBe('Priya in General: me: can you confirm the rollout?');

    await showNotifiedItem(hub, itemId);
    expect(state().openId).toBe(itemId);
    await eventually('the room to be read in the hub', async () => {
      const listed = await h.direct.call('inbox.list', {});
      return listed.ok && listed.value.items.find((i) => i.id === itemId)?.unread === false;
    });
    await openWhy(hub, itemId);
    // Reading the mention cleared it on the server; the reason it notified stays.
    expect(decision()).toMatchObject({ level: 'notify', notified: true, ruleName: 'Chat: mentions' });
    expect(state().why?.why?.sender).toBe('@priya:example.org');

    const item = state().detail?.item ?? state().items.find((i) => i.id === itemId)!;
    await addRuleFromItem(hub, item, 'mute-conversation');
    expect(state().why?.outcome).toMatchObject({ ok: true, text: expect.stringContaining('Muted this room') });
    const rules = await h.direct.call('rules.list', {});
    const mute = rules.ok ? rules.value.find((r) => r.match.conversation?.name === 'General') : undefined;
    expect(mute).toMatchObject({ level: 'silent', builtIn: false });
    expect(state().rules?.map((r) => r.id)).toContain(mute!.id);

    const toasts = state().toasts.length;
    h.chat.receive(ME, general.roomId, chatMessage('$m2', 'Priya', 'me: and now?', Date.now() + 1));
    await eventually('the muted mention to be stored read', async () => {
      const listed = await h.direct.call('inbox.list', { view: 'all' });
      const room = listed.ok ? listed.value.items.find((i) => i.id === itemId) : undefined;
      return room?.snippet === 'me: and now?' && room.unread === false;
    });
    await openWhy(hub, itemId);
    expect(decision()).toMatchObject({ level: 'silent', ruleId: mute!.id });
    expect(state().toasts.length).toBe(toasts);
    // The panel now offers to undo it.
    expect(muteOfItem(state(), itemId)?.id).toBe(mute!.id);
    await unmuteFromItem(hub, item, mute!);
    expect(state().why?.outcome).toMatchObject({ ok: true, text: expect.stringContaining('Removed rule “Mute General”') });
    const left = await h.direct.call('rules.list', {});
    expect(left.ok && left.value.some((r) => r.id === mute!.id)).toBe(false);
  });

  it('pauses and resumes, sets quiet hours and moves and removes a rule of the user’s', async () => {
    const before = Date.now();
    await pauseNotifications(hub, 'hour', before);
    expect(state().attention?.pausedUntil).toBe(before + 3_600_000);
    expect(state().attention?.holding).toBe(true);
    await resumeNotifications(hub);
    expect(state().attention).toMatchObject({ pausedUntil: null, holding: false });

    expect(await setQuietHours(hub, { start: '22:00', end: '07:00', priorityBreaksThrough: true })).toBe(true);
    expect(state().attention?.quietHours).toEqual({ start: '22:00', end: '07:00', priorityBreaksThrough: true });
    expect(await setQuietHours(hub, { start: '25:00', end: '07:00', priorityBreaksThrough: false })).toBe(false);
    expect(state().attentionError).toMatch(/^Could not set quiet hours: /);
    expect(state().attention?.quietHours?.start).toBe('22:00');
    expect(await setQuietHours(hub, null)).toBe(true);
    expect(state().attention?.quietHours).toBeNull();

    await openItem(hub, itemId);
    const item = state().detail!.item;
    await openWhy(hub, itemId);
    await addRuleFromItem(hub, item, 'always-sender');
    const rules = state().rules!;
    const mine = rules.find((r) => !r.builtIn)!;
    expect(mine.name).toMatch(/^Always notify for /);
    const at = rules.indexOf(mine);
    await moveRule(hub, mine.id, 1);
    expect(state().rules!.findIndex((r) => r.id === mine.id)).toBe(at + 1);
    await moveRule(hub, mine.id, -1);
    expect(state().rules!.findIndex((r) => r.id === mine.id)).toBe(at);
    await removeRule(hub, mine.id);
    expect(state().rules!.some((r) => r.id === mine.id)).toBe(false);
    const listed = await h.direct.call('rules.list', {});
    expect(listed.ok && listed.value.some((r) => r.id === mine.id)).toBe(false);
  });
});
