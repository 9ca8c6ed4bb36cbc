/**
 * Triage: what done, star, snooze, delete, spam, read and unread make of an item's state, decided
 * here for every kind alike. A change applies here at once (the window moves, counts follow), and
 * the server actions it implies go to the outbox in the same transaction; a kind whose connector
 * has no triage capability keeps everything but read state here only. Also Undo of the last
 * action, and snoozes ending on time (a timer for the soonest, found again from the store at start).
 */
import type { TriageRequest, TriageResult, UndoResult } from '../../src-shared/api.ts';
import type { InboxFilter } from '../../src-shared/api.ts';
import { TRIAGE_ACTIONS, TRIAGE_VIEWS } from '../../src-shared/domain.ts';
import type { TriageAction, TriageView } from '../../src-shared/domain.ts';
import { InputError } from '../common/input.ts';
import type { Logger } from '../common/logger.ts';
import { ConnectorError } from '../connectors/connector.ts';
import type { InboxStore, StoredItem } from '../store/inbox-store.ts';
import { UNTRIAGED } from '../store/triage-store.ts';
import type { TriageRecord } from '../store/triage-store.ts';
import type { AccountBook } from './accounts.ts';
import { NotFoundError } from './errors.ts';
import type { HubEventBus } from './events.ts';
import type { ItemState, Outbox, OutboxAction, OutboxData } from './outbox.ts';

/** The last action, as Undo finds it (kept in the store, so it survives a restart and works from the CLI). */
interface UndoRecord {
  action: TriageAction;
  before: Record<string, ItemState>;
}

/** setTimeout's longest delay; a snooze further out is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_ITEMS = 100_000;

export class TriageBook {
  readonly #store: InboxStore;
  readonly #accounts: AccountBook;
  readonly #outbox: Outbox;
  readonly #events: HubEventBus;
  readonly #log: Logger;
  /** Snoozes that ended: attention decides whether they notify, through the same rules as new items. */
  readonly #woke: (items: StoredItem[]) => void;
  #wakeTimer: NodeJS.Timeout | undefined;
  #disposed = false;

  constructor(store: InboxStore, accounts: AccountBook, outbox: Outbox, events: HubEventBus, log: Logger, woke: (items: StoredItem[]) => void = () => undefined) {
    this.#woke = woke;
    this.#store = store;
    this.#accounts = accounts;
    this.#outbox = outbox;
    this.#events = events;
    this.#log = log;
  }

  /** Wakes what is due and sets the timer for the next snooze to end. */
  start(): void {
    this.#scheduleWake();
  }

  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#wakeTimer);
  }

  async triage(raw: unknown): Promise<TriageResult> {
    const request = parseTriageRequest(raw);
    const items = this.#store.getItems(request.itemIds);
    if (items.length === 0) throw new NotFoundError('Those items no longer exist; they may have been removed on the server.');
    const now = Date.now();
    const current = this.#states(items);
    const purge = request.action === 'delete' ? items.filter((i) => current.get(i.id)?.record.removed === 'deleted').map((i) => i.id) : [];
    if (purge.length > 0 && request.confirm !== true) {
      throw new InputError(
        `${purge.length === 1 ? 'This item is' : `${purge.length} of these items are`} already deleted: deleting again removes it for good from the server. Confirm to go ahead (--yes on the command line).`,
        'confirm',
      );
    }
    if (request.action === 'delete' && request.confirm !== true) {
      const final = items.filter((i) => this.#accounts.find(i.accountId)?.kind?.confirmsDelete === true);
      if (final.length > 0) {
        throw new InputError(
          `Deleting ${final.length === 1 ? `"${final[0]!.title}"` : `${final.length} of these items`} leaves the room on the server, which cannot always be undone. Confirm to go ahead (--yes on the command line).`,
          'confirm',
        );
      }
    }
    const targets = new Map<string, ItemState>();
    for (const item of items) targets.set(item.id, next(request, current.get(item.id)!, item, now));
    return this.#transition(items, current, targets, { undo: request.action, purge });
  }

  async markAllRead(raw: unknown): Promise<TriageResult> {
    const filter = parseViewFilter(raw);
    const ids = this.#store.unreadIdsIn(filter, MAX_ITEMS);
    if (ids.length === 0) return { itemIds: [], waiting: false, notices: [] };
    const items = this.#store.getItems(ids);
    const current = this.#states(items);
    const targets = new Map(items.map((i) => [i.id, { ...current.get(i.id)!, unread: false }]));
    return this.#transition(items, current, targets, { undo: 'read', purge: [] });
  }

  async undo(): Promise<UndoResult> {
    const last = this.#store.triage.readUndo<UndoRecord>();
    if (!last) return { itemIds: [], waiting: false, notices: [] };
    const items = this.#store.getItems(Object.keys(last.before));
    const current = this.#states(items);
    const targets = new Map(items.map((i) => [i.id, last.before[i.id]!]));
    this.#store.triage.writeUndo(undefined);
    const result = await this.#transition(items, current, targets, { purge: [] });
    return { ...result, undone: last.action };
  }

  /** Applies the targets here, queues what the servers must learn, then sends it and waits for the answer. */
  async #transition(
    items: StoredItem[],
    current: Map<string, ItemState>,
    targets: Map<string, ItemState>,
    options: { undo?: TriageAction; purge: string[] },
  ): Promise<TriageResult> {
    const records = new Map<string, TriageRecord>();
    const unread = new Map<string, boolean>();
    const entries: { accountId: string; action: string; data: OutboxData; itemIds: string[] }[] = [];
    const purge = new Set(options.purge);
    for (const [accountId, group] of groupBy(items, (i) => i.accountId)) {
      const serverTriage = this.#accounts.find(accountId)?.kind?.capabilities.includes('triage') === true;
      const queued = new Map<string, OutboxData & { action: OutboxAction }>();
      for (const item of group) {
        const before = current.get(item.id)!;
        const after = targets.get(item.id)!;
        records.set(item.id, after.record);
        unread.set(item.id, after.unread);
        for (const step of serverSteps(before, after, purge.has(item.id))) {
          if (!serverTriage && step.action !== 'read' && step.action !== 'unread') continue;
          const key = `${step.action}:${step.until ?? ''}`;
          const entry = queued.get(key) ?? { action: step.action, itemIds: [], before: {}, ...(step.until === undefined ? {} : { until: step.until }) };
          entry.itemIds.push(item.id);
          entry.before[item.id] = before;
          queued.set(key, entry);
        }
      }
      for (const { action, ...data } of [...queued.values()].sort((a, b) => STEP_ORDER.indexOf(a.action) - STEP_ORDER.indexOf(b.action))) {
        entries.push({ accountId, action, data, itemIds: data.itemIds });
      }
    }
    const changed = this.#store.triage.writeAndQueue(records, unread, entries);
    if (options.undo !== undefined && changed.length > 0) {
      const changedSet = new Set(changed);
      this.#store.triage.writeUndo({ action: options.undo, before: Object.fromEntries([...current].filter(([id]) => changedSet.has(id))) } satisfies UndoRecord);
    }
    const accountIds = [...new Set(items.map((i) => i.accountId))];
    if (changed.length > 0) this.#events.emit('inbox.changed', { accountIds });
    this.#scheduleWake();
    const report = await this.#outbox.send([...new Set(entries.map((e) => e.accountId))]);
    if (report.refusals.length > 0) {
      throw new ConnectorError('not-found', `The server refused this, so it was undone here too: ${report.refusals.join('; ')}`);
    }
    return { itemIds: changed, waiting: report.waiting, notices: report.notices };
  }

  #states(items: StoredItem[]): Map<string, ItemState> {
    const records = this.#store.triage.read(items.map((i) => i.id));
    return new Map(items.map((i) => [i.id, { record: records.get(i.id) ?? UNTRIAGED, unread: i.unread }]));
  }

  #scheduleWake(): void {
    clearTimeout(this.#wakeTimer);
    this.#wakeTimer = undefined;
    if (this.#disposed) return;
    const next = this.#store.triage.nextWake();
    if (next === undefined) return;
    this.#wakeTimer = setTimeout(() => void this.#wake(), Math.min(MAX_TIMER_MS, Math.max(0, next - Date.now())));
    // A one-shot CLI command must be able to exit with a snooze still ahead.
    this.#wakeTimer.unref();
  }

  /** Snoozes that ended come back to the Inbox unread, marked with their time, and are announced. */
  async #wake(): Promise<void> {
    if (this.#disposed) return;
    const due = this.#store.triage.dueSnoozes(Date.now());
    if (due.length === 0) return this.#scheduleWake();
    const items = this.#store.getItems(due.map((d) => d.itemId));
    const current = this.#states(items);
    const ended = new Map(due.map((d) => [d.itemId, d.until]));
    const targets = new Map(
      items.map((i) => [i.id, { record: { ...current.get(i.id)!.record, snoozedUntil: null, snoozeEnded: ended.get(i.id) ?? null }, unread: true }]),
    );
    try {
      await this.#transition(items, current, targets, { purge: [] });
    } catch (error) {
      this.#log.warn('a snooze ended but its server refused the change', { error });
    }
    if (!this.#disposed) this.#woke(this.#store.getItems(items.map((i) => i.id)));
  }
}

/** Moves come first (a later flag change must find the message where it went), read state last. */
const STEP_ORDER: readonly OutboxAction[] = ['restore', 'undone', 'done', 'delete', 'spam', 'purge', 'star', 'unstar', 'snooze', 'unsnooze', 'read', 'unread'];

/** The state an action leaves an item in. */
function next(request: TriageRequest, state: ItemState, item: StoredItem, now: number): ItemState {
  const record = state.record;
  // Any new decision about an item ends its "snoozed until" mark.
  const fresh = { ...record, snoozeEnded: null };
  switch (request.action) {
    case 'done':
      return { ...state, record: { ...fresh, doneAt: record.doneAt ?? now, doneThrough: item.timestamp, snoozedUntil: null } };
    case 'undone':
      return { ...state, record: { ...fresh, doneAt: null, doneThrough: null } };
    case 'star':
      return { ...state, record: { ...record, starred: true } };
    case 'unstar':
      return { ...state, record: { ...record, starred: false } };
    case 'snooze':
      return { ...state, record: { ...fresh, snoozedUntil: request.until!, doneAt: null, doneThrough: null } };
    case 'unsnooze':
      return { ...state, record: { ...fresh, snoozedUntil: null } };
    case 'delete':
      return { ...state, record: { ...fresh, removed: 'deleted' } };
    case 'spam':
      return { ...state, record: { ...fresh, removed: 'spam' } };
    case 'read':
      return { ...state, unread: false };
    case 'unread':
      return { ...state, unread: true };
    default:
      throw new Error(`Unhandled action ${JSON.stringify(request.action satisfies never)}`);
  }
}

/** What the server must learn to go from one state to the other. */
function serverSteps(before: ItemState, after: ItemState, purge: boolean): { action: OutboxAction; until?: number }[] {
  const steps: { action: OutboxAction; until?: number }[] = [];
  const a = before.record;
  const b = after.record;
  if (a.removed !== b.removed) steps.push({ action: b.removed === null ? 'restore' : b.removed === 'deleted' ? 'delete' : 'spam' });
  if (purge) steps.push({ action: 'purge' });
  if ((a.doneAt === null) !== (b.doneAt === null)) steps.push({ action: b.doneAt === null ? 'undone' : 'done' });
  if (a.starred !== b.starred) steps.push({ action: b.starred ? 'star' : 'unstar' });
  if (a.snoozedUntil !== b.snoozedUntil) steps.push(b.snoozedUntil === null ? { action: 'unsnooze' } : { action: 'snooze', until: b.snoozedUntil });
  if (before.unread !== after.unread) steps.push({ action: after.unread ? 'unread' : 'read' });
  return steps;
}

export function parseTriageRequest(raw: unknown): TriageRequest {
  const value = (raw ?? {}) as Record<string, unknown>;
  const ids = value['itemIds'];
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_ITEMS || !ids.every((id) => typeof id === 'string' && id.length > 0 && id.length < 2_000)) {
    throw new InputError(`Give the items as a list of 1 to ${MAX_ITEMS} item ids.`, 'itemIds');
  }
  const action = value['action'];
  if (typeof action !== 'string' || !(TRIAGE_ACTIONS as readonly string[]).includes(action)) {
    throw new InputError(`The action must be one of ${TRIAGE_ACTIONS.join(', ')}.`, 'action');
  }
  const request: TriageRequest = { itemIds: ids as string[], action: action as TriageAction };
  if (action === 'snooze') {
    const until = value['until'];
    if (typeof until !== 'number' || !Number.isFinite(until) || until <= Date.now()) {
      throw new InputError('Snooze needs a time in the future to bring the items back.', 'until');
    }
    request.until = Math.floor(until);
  }
  if (value['confirm'] === true) request.confirm = true;
  return request;
}

function parseViewFilter(raw: unknown): InboxFilter {
  const value = (raw ?? {}) as Record<string, unknown>;
  const filter: InboxFilter = {};
  const view = value['view'];
  if (view !== undefined) {
    if (typeof view !== 'string' || !(TRIAGE_VIEWS as readonly string[]).includes(view)) throw new InputError(`The view must be one of ${TRIAGE_VIEWS.join(', ')}.`, 'view');
    filter.view = view as TriageView;
  }
  const source = value['source'];
  if (source !== undefined) {
    if (source !== 'mail' && source !== 'chat' && source !== 'feed') throw new InputError('The source must be mail, chat or feed.', 'source');
    filter.source = source;
  }
  const accountId = value['accountId'];
  if (accountId !== undefined) {
    if (typeof accountId !== 'string' || accountId.length === 0) throw new InputError('The account id must be text.', 'accountId');
    filter.accountId = accountId;
  }
  return filter;
}

function groupBy<T>(values: T[], key: (value: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const k = key(value);
    const group = groups.get(k);
    if (group) group.push(value);
    else groups.set(k, [value]);
  }
  return groups;
}
