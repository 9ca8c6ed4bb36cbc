/**
 * Attention in the window: the rules, quiet hours and the pause (read at start, followed through
 * `attention.changed`, changed from the Preferences dialog and the pause control), the notifications
 * the hub raises (a browser notification in `serve`, a toast otherwise), and the reading pane's
 * "Why" panel with its one-step rules.
 */
import type { AttentionRule, AttentionSettings, QuietHours, RaisedNotification, RuleInput } from '../../src-shared/attention.ts';
import type { InboxItem } from '../../src-shared/domain.ts';
import { pauseUntil, type PauseChoice } from '../../src-shared/pause-options.ts';
import { findItem, markRead, openItem, showToast, type Hub } from './actions.ts';
import { BrowserNotifier } from './browserNotifier.ts';
import type { AppState, WhyView } from './store.ts';

const notifiers = new WeakMap<Hub, BrowserNotifier>();

export async function loadAttention(hub: Hub): Promise<void> {
  const [settings, rules] = await Promise.all([hub.client.call('attention.get', {}), hub.client.call('rules.list', {})]);
  // Like the counts, attention settings are decoration until the user opens them: a failure keeps what is shown.
  hub.store.setState({
    ...(settings.ok ? { attention: settings.value } : {}),
    ...(rules.ok ? { rules: rules.value } : {}),
  });
}

/** Subscribes to the hub's attention events and the shell's "open this item"; returns the unsubscribe. */
export function followAttentionEvents(hub: Hub, notifier: BrowserNotifier = new BrowserNotifier(undefined)): () => void {
  notifiers.set(hub, notifier);
  hub.store.setState({ browserNotifications: notifier.permission() });
  const offs = [
    hub.client.on('attention.changed', ({ rules, ...settings }) => hub.store.setState({ attention: settings, rules })),
    hub.client.on('attention.notification', (n) => presentNotification(hub, n)),
    hub.client.on('window.openItem', ({ itemId }) => void showNotifiedItem(hub, itemId)),
    hub.store.subscribe((s, before) => {
      const back = (before.connection === 'offline' && s.connection === 'online') || (before.service.state !== 'running' && s.service.state === 'running');
      if (back) void loadAttention(hub);
      if (!s.preferences.desktopNotifications && before.preferences.desktopNotifications) notifier.closeAll();
    }),
  ];
  return () => {
    for (const off of offs) off();
    notifier.closeAll();
  };
}

/**
 * A notification the hub raised: a browser notification where the user allowed them (the window
 * notifies once per conversation, replacing the one before), else a toast in the window. Nothing
 * for the item the user is reading.
 */
export function presentNotification(hub: Hub, n: RaisedNotification): void {
  const state = hub.store.getState();
  if (state.openId === n.itemId) return;
  const notifier = notifiers.get(hub);
  const raised = n.desktop && notifier !== undefined && notifier.present(n, (itemId) => void showNotifiedItem(hub, itemId));
  if (!raised) showToast(hub, 'info', n.body === '' ? n.title : `${n.title}: ${n.body}`);
}

/** "Turn on desktop notifications": the browser asks the user (this must run inside the click). */
export async function enableBrowserNotifications(hub: Hub): Promise<void> {
  const notifier = notifiers.get(hub);
  if (notifier === undefined) return;
  const permission = await notifier.request();
  hub.store.setState({ browserNotifications: permission });
  if (permission === 'denied') showToast(hub, 'error', 'The browser blocks notifications from this page: allow them in its site settings, then reload.');
}

/** A click on a notification: the item opens in the reading pane and counts as read. */
export async function showNotifiedItem(hub: Hub, itemId: string): Promise<void> {
  // openItem marks read what the list shows unread; a row not refreshed yet since the news (or not
  // listed at all) is marked here, since the notification says it is new.
  const listedUnread = findItem(hub.store.getState(), itemId)?.unread === true;
  await openItem(hub, itemId);
  if (!listedUnread && hub.store.getState().openId === itemId) await markRead(hub, [itemId]);
}

// ---------------------------------------------------------------- pause and quiet hours

function settled(hub: Hub, result: { ok: true; value: AttentionSettings } | { ok: false; error: { message: string } }, what: string): boolean {
  if (result.ok) {
    hub.store.setState({ attention: result.value, attentionError: null });
    return true;
  }
  hub.store.setState({ attentionError: `Could not ${what}: ${result.error.message}` });
  showToast(hub, 'error', `Could not ${what}: ${result.error.message}`);
  return false;
}

export async function pauseNotifications(hub: Hub, choice: PauseChoice, now = Date.now()): Promise<void> {
  settled(hub, await hub.client.call('attention.pause', { until: pauseUntil(choice, now) }), 'pause notifications');
}

export async function resumeNotifications(hub: Hub): Promise<void> {
  settled(hub, await hub.client.call('attention.pause', { until: null }), 'resume notifications');
}

export async function setQuietHours(hub: Hub, quietHours: QuietHours | null): Promise<boolean> {
  return settled(hub, await hub.client.call('attention.setQuietHours', { quietHours }), quietHours === null ? 'turn quiet hours off' : 'set quiet hours');
}

// ---------------------------------------------------------------- rules

function ruleFailed(hub: Hub, what: string, message: string): void {
  hub.store.setState({ attentionError: `Could not ${what}: ${message}` });
}

function replaceRule(hub: Hub, rule: AttentionRule): void {
  hub.store.setState((s) => ({ rules: s.rules === null ? null : s.rules.map((r) => (r.id === rule.id ? rule : r)), attentionError: null }));
}

export async function updateRule(hub: Hub, ruleId: string, changes: Partial<Pick<AttentionRule, 'name' | 'level' | 'priority'>>): Promise<void> {
  const result = await hub.client.call('rules.update', { ruleId, changes });
  if (result.ok) replaceRule(hub, result.value);
  else ruleFailed(hub, 'change the rule', result.error.message);
}

export async function removeRule(hub: Hub, ruleId: string): Promise<void> {
  const result = await hub.client.call('rules.remove', { ruleId });
  if (result.ok) hub.store.setState((s) => ({ rules: s.rules === null ? null : s.rules.filter((r) => r.id !== ruleId), attentionError: null }));
  else ruleFailed(hub, 'remove the rule', result.error.message);
}

/** Moves a rule one place earlier (-1) or later (+1) in the order rules are tried. */
export async function moveRule(hub: Hub, ruleId: string, by: -1 | 1): Promise<void> {
  const rules = hub.store.getState().rules ?? [];
  const at = rules.findIndex((r) => r.id === ruleId);
  const to = at + by;
  if (at < 0 || to < 0 || to >= rules.length) return;
  // rules.move puts it ahead of another: one up is ahead of the one above; one down is ahead of the one two below (or last).
  const beforeRuleId = by === -1 ? rules[to]!.id : (rules[at + 2]?.id ?? null);
  const result = await hub.client.call('rules.move', { ruleId, beforeRuleId });
  if (result.ok) hub.store.setState({ rules: result.value, attentionError: null });
  else ruleFailed(hub, 'move the rule', result.error.message);
}

// ---------------------------------------------------------------- the "Why" panel

function patchWhy(hub: Hub, itemId: string, patch: Partial<WhyView>): void {
  hub.store.setState((s) => (s.why?.itemId === itemId ? { why: { ...s.why, ...patch } } : {}));
}

export async function openWhy(hub: Hub, itemId: string): Promise<void> {
  hub.store.setState({ why: { itemId, why: null, loadState: 'loading', error: null, outcome: null, busy: false } });
  await reloadWhy(hub, itemId);
}

/** Reads the open panel's reason again (the item changed, or a rule was made from it); the panel stays as it is meanwhile. */
export async function reloadWhy(hub: Hub, itemId: string): Promise<void> {
  const result = await hub.client.call('item.why', { itemId });
  if (result.ok) patchWhy(hub, itemId, { why: result.value, loadState: 'idle', error: null });
  else patchWhy(hub, itemId, { loadState: 'error', error: result.error.message });
}

export function closeWhy(hub: Hub): void {
  hub.store.setState({ why: null });
}

export type OneStepRule = 'mute-conversation' | 'mute-sender' | 'always-sender';

/** Who sent the item, as a rule matches it: as `item.why` names it, else a mail's From address or the room's latest message's user id. */
export function senderOf(state: AppState, item: InboxItem): string | undefined {
  if (state.why?.itemId === item.id && state.why.why?.sender !== undefined) return state.why.why.sender;
  if (item.source === 'mail') {
    const from = state.detail?.item.id === item.id ? state.detail.headers.find((h) => h.name.toLowerCase() === 'from')?.value : undefined;
    const address = from?.match(/<([^<>\s]+@[^<>\s]+)>/)?.[1] ?? from?.match(/[^\s<>"]+@[^\s<>"]+/)?.[0];
    return address?.toLowerCase();
  }
  if (item.source === 'chat') {
    const timeline = state.chatRoom?.itemId === item.id ? state.chatRoom.timeline : null;
    const theirs = timeline?.messages.filter((m) => !m.mine).at(-1);
    return theirs?.senderId;
  }
  return undefined;
}

/** What a conversation is called in the one-step button: "room", "feed", "mailbox". */
export function conversationWord(item: InboxItem): string {
  return item.source === 'chat' ? 'room' : item.source === 'feed' ? 'feed' : 'conversation';
}

/** The user's own rule that decided this item, if it mutes its conversation: the panel offers to undo it. */
export function muteOfItem(state: AppState, itemId: string): AttentionRule | undefined {
  const ruleId = state.why?.itemId === itemId ? state.why.why?.reason.ruleId : undefined;
  const rule = ruleId === undefined ? undefined : state.rules?.find((r) => r.id === ruleId);
  return rule !== undefined && !rule.builtIn && rule.level === 'silent' && rule.match.conversation !== undefined ? rule : undefined;
}

/** "Unmute this room": removes the rule that muted it; items already kept as read stay read. */
export async function unmuteFromItem(hub: Hub, item: InboxItem, rule: AttentionRule): Promise<void> {
  patchWhy(hub, item.id, { busy: true, outcome: null });
  const result = await hub.client.call('rules.remove', { ruleId: rule.id });
  if (!result.ok) {
    patchWhy(hub, item.id, { busy: false, outcome: { ok: false, text: `Could not remove the rule: ${result.error.message}` } });
    return;
  }
  hub.store.setState((s) => ({ rules: s.rules === null ? null : s.rules.filter((r) => r.id !== rule.id) }));
  patchWhy(hub, item.id, { busy: false, outcome: { ok: true, text: `Removed rule “${rule.name}”: new items here are decided by the other rules again.` } });
  await Promise.all([loadAttention(hub), reloadWhy(hub, item.id)]);
}

/** "Mute this room", "Mute this sender", "Always notify for this sender": one rules.add, then the panel reads the item's reason again. */
export async function addRuleFromItem(hub: Hub, item: InboxItem, kind: OneStepRule): Promise<void> {
  const state = hub.store.getState();
  const sender = senderOf(state, item);
  let input: RuleInput;
  let done: string;
  switch (kind) {
    case 'mute-conversation':
      input = { match: {}, conversationOfItem: item.id, level: 'silent' };
      done = `Muted this ${conversationWord(item)}: its new items are kept as read and not counted.`;
      break;
    case 'mute-sender':
      if (sender === undefined) return;
      input = { name: `Mute ${sender}`, match: { source: item.source, sender }, level: 'silent' };
      done = `Muted ${sender}.`;
      break;
    case 'always-sender':
      if (sender === undefined) return;
      input = { name: `Always notify for ${sender}`, match: { source: item.source, sender }, level: 'notify' };
      done = `Groundswell will always notify you of ${sender}.`;
      break;
    default:
      return kind satisfies never;
  }
  patchWhy(hub, item.id, { busy: true, outcome: null });
  const result = await hub.client.call('rules.add', input);
  if (!result.ok) {
    patchWhy(hub, item.id, { busy: false, outcome: { ok: false, text: `Could not add the rule: ${result.error.message}` } });
    return;
  }
  hub.store.setState((s) => ({ rules: s.rules === null ? null : s.rules.some((r) => r.id === result.value.id) ? s.rules : [...s.rules, result.value] }));
  patchWhy(hub, item.id, { busy: false, outcome: { ok: true, text: `${done} Rule “${result.value.name}” added; change it in Preferences.` } });
  await Promise.all([loadAttention(hub), reloadWhy(hub, item.id)]);
}
