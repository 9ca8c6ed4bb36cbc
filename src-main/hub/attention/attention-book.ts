/**
 * Attention in the hub: each item a connector reports is decided by the rules (level, priority and
 * the reason, kept with the item), `silent` items are stored read, and fresh `notify` items raise
 * one `attention.notification` per conversation — unless quiet hours or a pause hold it, or a flood
 * turns many into one summary. Snoozed items that wake go through the same rules. Also the calls
 * for quiet hours, pauses and `item.why`; the rule list itself is the RuleBook's.
 */
import type { AttentionSettings, ItemWhy, RaisedNotification } from '../../../src-shared/attention.ts';
import type { Account } from '../../../src-shared/domain.ts';
import type { Preferences } from '../../../src-shared/preferences.ts';
import { InputError, record } from '../../common/input.ts';
import type { Logger } from '../../common/logger.ts';
import type { AttentionFacts, ConnectorItem } from '../../connectors/connector.ts';
import type { InboxStore, StoredItem } from '../../store/inbox-store.ts';
import type { StoredDecision } from '../../store/attention-store.ts';
import { NotFoundError } from '../errors.ts';
import type { HubEventBus } from '../events.ts';
import { FloodControl } from './flood.ts';
import { whyOf } from './item-why.ts';
import { notificationFor } from './notification-text.ts';
import { isQuiet, nextQuietChange, parseQuietHours } from './quiet-hours.ts';
import { RuleBook } from './rule-book.ts';
import type { RuleBookParts } from './rule-book.ts';
import type { RuleSubject, Verdict } from './rules.ts';

/** A pause longer than this is more likely a typo than a wish; quiet hours or a rule say it better. */
const MAX_PAUSE_MS = 31 * 24 * 3_600_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface AttentionParts {
  store: InboxStore;
  events: HubEventBus;
  preferences(): Preferences;
  accounts: RuleBookParts['accounts'];
  changeAccount: RuleBookParts['changeAccount'];
  log: Logger;
  now?: () => number;
  /** The time zone quiet hours are read in; the system's when undefined (tests pin one). */
  timeZone?: string;
  floodLimit?: number;
}

/** The facts kept with a decision: enough to explain it, to evaluate it again when a snooze ends, and to make a rule from it. */
export type KeptFacts = Omit<AttentionFacts, 'text'> & { categories: string[] };

/** Notifications to raise for one account's items once they are stored. */
export interface ToRaise {
  accountId: string;
  entries: { id: string; item: Pick<StoredItem, 'source' | 'conversationKey' | 'sender' | 'title' | 'snippet' | 'timestamp'>; facts: AttentionFacts; verdict: Verdict }[];
}

/** Decisions made before an upsert, to be kept and acted on once the items are stored. */
export interface PendingAttention {
  account: Account;
  entries: { itemId: string; item: ConnectorItem; facts: AttentionFacts; verdict: Verdict; arriving: boolean; prior?: StoredDecision }[];
}

export class AttentionBook {
  readonly rules: RuleBook;
  readonly #p: AttentionParts;
  readonly #now: () => number;
  readonly #flood: FloodControl;
  #floodTimer: NodeJS.Timeout | undefined;
  #changeTimer: NodeJS.Timeout | undefined;
  #offEvents: (() => void) | undefined;
  #disposed = false;

  constructor(parts: AttentionParts) {
    this.#p = parts;
    this.#now = parts.now ?? Date.now;
    this.rules = new RuleBook({
      store: parts.store,
      accounts: parts.accounts,
      conversationName: (itemId) => (parts.store.attention.decisions([itemId]).get(itemId)?.facts as KeptFacts | undefined)?.conversationName,
      changeAccount: parts.changeAccount,
      changed: () => this.#changed(),
      now: this.#now,
    });
    this.#flood = new FloodControl({
      ...(parts.floodLimit !== undefined ? { limit: parts.floodLimit } : {}),
      accountName: (accountId) => parts.accounts.find(accountId)?.account.displayName ?? 'one account',
      previews: () => parts.preferences().notificationPreviews,
    });
  }

  /** Feed settings become their rules (the first start after an upgrade too), and follow every account change. */
  start(): void {
    this.rules.syncOwned();
    this.#offEvents = this.#p.events.on((name) => {
      if (name === 'accounts.changed' && !this.#disposed) this.rules.syncOwned();
    });
    this.#scheduleChange();
  }

  dispose(): void {
    this.#disposed = true;
    this.#offEvents?.();
    clearTimeout(this.#floodTimer);
    clearTimeout(this.#changeTimer);
  }

  // ---- quiet hours and pause --------------------------------------------------------------

  settings(): AttentionSettings {
    const stored = this.#p.store.attention.settings();
    const now = this.#now();
    const pausedUntil = stored.pausedUntil !== null && stored.pausedUntil > now ? stored.pausedUntil : null;
    return {
      quietHours: stored.quietHours,
      pausedUntil,
      holding: pausedUntil !== null || (stored.quietHours !== null && isQuiet(stored.quietHours, now, this.#p.timeZone)),
      floodLimit: this.#flood.limit,
    };
  }

  setQuietHours(raw: unknown): AttentionSettings {
    const quietHours = parseQuietHours(record(raw, 'the request')['quietHours'] ?? null);
    this.#p.store.attention.writeSettings({ ...this.#p.store.attention.settings(), quietHours });
    this.#changed();
    return this.settings();
  }

  pause(raw: unknown): AttentionSettings {
    const until = record(raw, 'the request')['until'] ?? null;
    const now = this.#now();
    if (until !== null) {
      if (typeof until !== 'number' || !Number.isFinite(until)) throw new InputError('Pause until a time (ms since the epoch), or null to resume.', 'until');
      if (until <= now) throw new InputError('A pause must end in the future.', 'until');
      if (until - now > MAX_PAUSE_MS) throw new InputError('Pause for at most 31 days; for longer, mute with a rule or set quiet hours.', 'until');
    }
    this.#p.store.attention.writeSettings({ ...this.#p.store.attention.settings(), pausedUntil: until === null ? null : Math.floor(until) });
    this.#changed();
    return this.settings();
  }

  // ---- why --------------------------------------------------------------------------------

  why(raw: unknown): ItemWhy {
    const itemId = record(raw, 'the request')['itemId'];
    if (typeof itemId !== 'string' || itemId === '') throw new InputError('Give the item id (see `groundswell inbox`).', 'itemId');
    const item = this.#p.store.getItem(itemId);
    if (!item) throw new NotFoundError('No item has that id; it may have been removed on its server.');
    const decision = this.#p.store.attention.decisions([itemId]).get(itemId);
    return whyOf(item, decision, decision ? undefined : this.#evaluate(item, factsOfStored(item, undefined)));
  }

  // ---- items as connectors report them ----------------------------------------------------

  /**
   * Decides the items of an upsert before they are stored: a silent arrival is stored read (and
   * stays read while the rule holds, whatever the server says), and priority is the rule's or the
   * server's own (a flagged mail). Items without facts pass as they are.
   */
  decide(account: Account, items: ConnectorItem[]): { items: ConnectorItem[]; pending: PendingAttention } {
    const withFacts = items.filter((i) => i.attention !== undefined);
    const pending: PendingAttention = { account, entries: [] };
    if (withFacts.length === 0) return { items, pending };
    const priors = this.#p.store.attention.priors(account.id, withFacts.map((i) => i.externalId));
    const decided = new Map<ConnectorItem, ConnectorItem>();
    for (const item of withFacts) {
      const facts = item.attention!;
      const prior = priors.get(item.externalId);
      const verdict = this.#evaluate({ accountId: account.id, source: item.source, conversationKey: item.conversationKey }, facts);
      // New content: a fresh item not decided for this timestamp before (a re-sent batch is not new).
      const arriving = facts.fresh && prior?.decision?.decidedFor !== item.timestamp;
      let unread = item.unread;
      if (verdict.level === 'silent' && (arriving || prior === undefined)) unread = false;
      else if (verdict.level === 'silent' && prior?.decision?.level === 'silent' && prior.unread === false) unread = false;
      decided.set(item, { ...item, unread, priority: item.priority || verdict.priority });
      pending.entries.push({ itemId: prior?.itemId ?? `${account.id}:${item.externalId}`, item: decided.get(item)!, facts, verdict, arriving, ...(prior?.decision ? { prior: prior.decision } : {}) });
    }
    return { items: items.map((i) => decided.get(i) ?? i), pending };
  }

  /** After the upsert: keeps each decision with its item and raises what is to be raised. */
  settle(pending: PendingAttention): void {
    this.raise(this.record(pending));
  }

  /**
   * Keeps each decision with its item (supervision runs it in the upsert's transaction, so an item
   * and its decision land together) and says what is to be raised once they are stored.
   */
  record(pending: PendingAttention): ToRaise {
    const { account } = pending;
    if (pending.entries.length === 0 || this.#disposed) return { accountId: account.id, entries: [] };
    const settings = this.settings();
    const decisions: StoredDecision[] = [];
    const toRaise: { decision: StoredDecision; item: ConnectorItem; facts: AttentionFacts; verdict: Verdict }[] = [];
    for (const { itemId, item, facts, verdict, arriving, prior } of pending.entries) {
      const base = {
        itemId,
        level: verdict.level,
        priority: item.priority,
        ...(verdict.rule ? { ruleId: verdict.rule.id, ruleName: verdict.rule.name } : {}),
        reason: verdict.text,
        decidedFor: item.timestamp,
        facts: keep(facts),
      };
      if (!arriving) {
        // The same content decided again: what was raised (or why not) stays as it was.
        const notNotified = prior ? prior.notNotifiedBecause : facts.fresh ? undefined : 'it arrived as backlog (a first sync or a catch-up), not as something new';
        // So does the reason it was decided for: reading a mention clears the server's highlight count,
        // and the item re-reported without it must still say why it notified.
        const same = prior !== undefined && prior.decidedFor === item.timestamp;
        const { ruleId: _ruleId, ruleName: _ruleName, ...unruled } = base;
        const decided = same ? { ...unruled, ...pick(prior, ['level', 'reason', 'ruleId', 'ruleName']) } : base;
        decisions.push({ ...decided, notified: prior?.notified ?? false, ...(notNotified !== undefined ? { notNotifiedBecause: notNotified } : {}) });
        continue;
      }
      const refusal = this.#refusal(facts, item, verdict, settings);
      const decision: StoredDecision = { ...base, notified: refusal === undefined, ...(refusal !== undefined ? { notNotifiedBecause: refusal } : {}) };
      decisions.push(decision);
      if (refusal === undefined) toRaise.push({ decision, item, facts, verdict });
    }
    this.#p.store.attention.writeDecisions(decisions);
    return {
      accountId: account.id,
      entries: toRaise.map(({ decision, item, facts, verdict }) => ({ id: decision.itemId, item, facts, verdict: { ...verdict, priority: decision.priority } })),
    };
  }

  /** Raises what `record` kept, once the store has it. */
  raise(toRaise: ToRaise): void {
    if (!this.#disposed) this.#raise(toRaise.entries, toRaise.accountId);
  }

  /** Read-state changes from a server: an item a rule silenced stays read while the rule holds. */
  holdRead(account: Account, changes: { externalId: string; unread: boolean }[]): { externalId: string; unread: boolean }[] {
    const wantUnread = changes.filter((c) => c.unread);
    if (wantUnread.length === 0) return changes;
    const priors = this.#p.store.attention.priors(account.id, wantUnread.map((c) => c.externalId));
    return changes.filter((c) => {
      if (!c.unread) return true;
      const prior = priors.get(c.externalId);
      return !(prior && !prior.unread && prior.decision?.level === 'silent' && this.#stillSilent(prior.decision));
    });
  }

  /** Snoozed items came back: each notifies as its rules say, like something new. */
  woke(items: StoredItem[]): void {
    if (this.#disposed || items.length === 0) return;
    const settings = this.settings();
    const decisions = this.#p.store.attention.decisions(items.map((i) => i.id));
    const toRaise: { id: string; item: StoredItem; facts: AttentionFacts; verdict: Verdict }[] = [];
    for (const item of items) {
      const facts = factsOfStored(item, decisions.get(item.id));
      const verdict = this.#evaluate(item, facts);
      // A snooze is a reminder the user asked for: it raises a notification unless a rule silences
      // what it matches (badge only keeps new arrivals quiet), held by quiet hours like any other.
      const level = verdict.level === 'silent' ? 'silent' : 'notify';
      const woken = { ...verdict, level, text: `it came back from snooze (a reminder you set); ${verdict.text}`, priority: verdict.priority || item.priority } satisfies Verdict;
      const refusal = this.#refusal({ ...facts, fromMe: false }, { unread: true }, woken, settings);
      this.#p.store.attention.writeDecisions([
        {
          itemId: item.id,
          level: woken.level,
          priority: woken.priority,
          ...(verdict.rule ? { ruleId: verdict.rule.id, ruleName: verdict.rule.name } : {}),
          reason: woken.text,
          notified: refusal === undefined,
          ...(refusal !== undefined ? { notNotifiedBecause: refusal } : {}),
          decidedFor: item.timestamp,
          facts: keep(facts),
        },
      ]);
      if (refusal === undefined) toRaise.push({ id: item.id, item, facts, verdict: woken });
    }
    const byAccount = new Map<string, typeof toRaise>();
    for (const entry of toRaise) byAccount.set(entry.item.accountId, [...(byAccount.get(entry.item.accountId) ?? []), entry]);
    for (const [accountId, group] of byAccount) this.#raise(group, accountId);
  }

  // ---- internals --------------------------------------------------------------------------

  #evaluate(item: { accountId: string; source: RuleSubject['source']; conversationKey: string }, facts: AttentionFacts): Verdict {
    const accountName = this.#p.accounts.find(item.accountId)?.account.displayName ?? '';
    return this.rules.list.evaluate({ ...item, accountName, facts });
  }

  #stillSilent(decision: StoredDecision): boolean {
    return decision.ruleId === undefined || this.rules.list.rules.some((r) => r.id === decision.ruleId && r.level === 'silent');
  }

  /** Why a fresh item raises no notification, or undefined when it does. */
  #refusal(facts: AttentionFacts, item: { unread: boolean }, verdict: Verdict, settings: AttentionSettings): string | undefined {
    if (facts.fromMe) return 'you sent it yourself';
    if (verdict.level === 'silent') return 'its rule silences it';
    if (verdict.level === 'badge') return 'its rule counts it without a notification';
    if (!item.unread) return 'it was already read when it arrived';
    if (settings.pausedUntil !== null) return `notifications are paused until ${clock(settings.pausedUntil)}`;
    if (settings.holding && settings.quietHours) {
      const quiet = settings.quietHours;
      if (!(quiet.priorityBreaksThrough && verdict.priority)) return `notifications are held by quiet hours (${quiet.start}–${quiet.end})`;
    }
    return undefined;
  }

  /** One notification per conversation of the batch (its newest item), through flood control. */
  #raise(entries: ToRaise['entries'], accountId: string): void {
    if (entries.length === 0) return;
    const preferences = this.#p.preferences();
    const now = this.#now();
    const newest = new Map<string, { entry: (typeof entries)[number]; count: number; priority: boolean }>();
    for (const entry of entries.toSorted((a, b) => a.item.timestamp - b.item.timestamp)) {
      const before = newest.get(entry.item.conversationKey);
      newest.set(entry.item.conversationKey, { entry, count: (before?.count ?? 0) + 1, priority: (before?.priority ?? false) || entry.verdict.priority });
    }
    for (const { entry, count, priority } of newest.values()) {
      const { id, item, facts, verdict } = entry;
      const notification = notificationFor({ ...item, id, accountId }, facts, { ...verdict, priority }, {
        previews: preferences.notificationPreviews,
        desktop: preferences.desktopNotifications,
        at: now,
        alsoNew: count - 1,
      });
      const out = this.#flood.offer(notification, now);
      if (out) this.#emit(out);
    }
    this.#scheduleFlood();
  }

  #emit(notification: RaisedNotification): void {
    if (!this.#disposed) this.#p.events.emit('attention.notification', notification);
  }

  #scheduleFlood(): void {
    clearTimeout(this.#floodTimer);
    const due = this.#flood.nextDueAt();
    if (due === undefined || this.#disposed) return;
    this.#floodTimer = setTimeout(() => {
      for (const summary of this.#flood.due(this.#now())) this.#emit(summary);
      this.#scheduleFlood();
    }, Math.max(0, due - this.#now()));
    this.#floodTimer.unref();
  }

  #changed(): void {
    if (this.#disposed) return;
    this.#p.events.emit('attention.changed', { ...this.settings(), rules: this.rules.rules() });
    this.#scheduleChange();
  }

  /** Quiet hours beginning or ending and a pause running out change `holding`: the tray and the window hear it. */
  #scheduleChange(): void {
    clearTimeout(this.#changeTimer);
    if (this.#disposed) return;
    const now = this.#now();
    const stored = this.#p.store.attention.settings();
    const times = [
      ...(stored.pausedUntil !== null && stored.pausedUntil > now ? [stored.pausedUntil] : []),
      ...(stored.quietHours ? [nextQuietChange(stored.quietHours, now, this.#p.timeZone)] : []),
    ];
    if (times.length === 0) return;
    this.#changeTimer = setTimeout(() => this.#changed(), Math.min(MAX_TIMER_MS, Math.max(0, Math.min(...times) - now + 50)));
    this.#changeTimer.unref();
  }
}

function keep(facts: AttentionFacts): KeptFacts {
  const { text, ...rest } = facts;
  return { ...rest, categories: text.categories };
}

/** Facts for a stored item: those kept with its decision, else what the item itself says. */
function factsOfStored(item: StoredItem, decision: StoredDecision | undefined): AttentionFacts {
  const kept = decision?.facts as KeptFacts | undefined;
  const text = { title: item.title, categories: kept?.categories ?? [], body: `${item.snippet} ${item.searchText ?? ''}`.trim() };
  if (kept) {
    const { categories: _categories, ...rest } = kept;
    return { ...rest, text };
  }
  const mailbox = item.origin.kind === 'mail' ? item.origin.mailbox : undefined;
  return {
    fresh: false,
    fromMe: false,
    mentionsMe: false,
    direct: item.origin.kind === 'chat' && item.origin.direct === true,
    conversationName: item.source === 'mail' ? item.title : item.source === 'chat' ? item.title : item.sender,
    place: mailbox ?? (item.source === 'chat' ? item.title : item.sender),
    ...(mailbox !== undefined ? { mailbox } : {}),
    text,
  };
}

function clock(at: number): string {
  const date = new Date(at);
  const sameDay = new Date().toDateString() === date.toDateString();
  const time = `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
  return sameDay ? time : `${date.toISOString().slice(0, 10)} ${time}`;
}


/** The fields of a kept decision that are set (optional ones left out rather than undefined). */
function pick<K extends keyof StoredDecision>(from: StoredDecision, keys: readonly K[]): Pick<StoredDecision, K> {
  const out: Partial<Pick<StoredDecision, K>> = {};
  for (const key of keys) if (from[key] !== undefined) out[key] = from[key];
  return out as Pick<StoredDecision, K>;
}
