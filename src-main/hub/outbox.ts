/**
 * The outbox: server actions the hub already applied here, sent to each account's server in the
 * order they were taken (after Thunderbird's pending_commands). Each account's entries go one at a
 * time; an unreachable server keeps them for later (the account coming online, sync.once, the next
 * start), and one that refuses for good has the change rolled back with its reason. An entry leaves
 * the outbox in the same transaction that stores what its server said (a move's new UIDs), and
 * every server action is one that does nothing the second time, so a crash in between never
 * applies anything twice.
 */
import type { Logger } from '../common/logger.ts';
import { ConnectorError } from '../connectors/connector.ts';
import type { Connector, ServerTriageAction, TriageOutcome } from '../connectors/connector.ts';
import type { InboxStore, StoredItem } from '../store/inbox-store.ts';
import type { OutboxEntry, Relocation, TriageRecord } from '../store/triage-store.ts';
import type { AccountBook } from './accounts.ts';
import { describe } from './errors.ts';
import type { HubEventBus } from './events.ts';
import { toInboxItem } from './items.ts';
import type { ConnectorSupervision } from './supervision.ts';

/** A server action and the item state before it, for a rollback. */
export type OutboxAction = ServerTriageAction | 'read' | 'unread';

export interface ItemState {
  record: TriageRecord;
  unread: boolean;
}

export interface OutboxData {
  itemIds: string[];
  until?: number;
  before: Record<string, ItemState>;
}

export interface SendReport {
  /** Entries still waiting for a server that could not be reached. */
  waiting: boolean;
  notices: string[];
  /** Refusals for good, each already rolled back: "Work mail: the mailbox is gone". */
  refusals: string[];
}

const NOTHING: TriageOutcome = { moved: [], missing: [], notices: [] };

export class Outbox {
  readonly #store: InboxStore;
  readonly #accounts: AccountBook;
  readonly #supervision: ConnectorSupervision;
  readonly #events: HubEventBus;
  readonly #log: Logger;
  readonly #running = new Map<string, Promise<SendReport>>();

  constructor(store: InboxStore, accounts: AccountBook, supervision: ConnectorSupervision, events: HubEventBus, log: Logger) {
    this.#store = store;
    this.#accounts = accounts;
    this.#supervision = supervision;
    this.#events = events;
    this.#log = log;
  }

  /** Sends what waits for these accounts (all of them unless given); resolves when each has tried once. */
  async send(accountIds: string[] = this.#store.triage.outboxAccounts()): Promise<SendReport> {
    const reports = await Promise.all([...new Set(accountIds)].map((id) => this.#sendAccount(id)));
    return {
      waiting: reports.some((r) => r.waiting),
      notices: reports.flatMap((r) => r.notices),
      refusals: reports.flatMap((r) => r.refusals),
    };
  }

  /** One run per account at a time; a call during a run waits for it, then runs again for what came meanwhile. */
  #sendAccount(accountId: string): Promise<SendReport> {
    const previous = this.#running.get(accountId) ?? Promise.resolve(undefined);
    // A run that failed (the store closing under it) must not stop the ones after it.
    const next = previous.catch(() => undefined).then(() => this.#drain(accountId));
    this.#running.set(accountId, next);
    void next.finally(() => {
      if (this.#running.get(accountId) === next) this.#running.delete(accountId);
    });
    return next;
  }

  /** The hub is closing: a send still waiting for its server must not touch the closed store afterwards. */
  dispose(): void {
    this.#disposed = true;
  }

  #disposed = false;

  async #drain(accountId: string): Promise<SendReport> {
    const report: SendReport = { waiting: false, notices: [], refusals: [] };
    if (this.#disposed) return report;
    const found = this.#accounts.find(accountId);
    for (const entry of this.#store.triage.outbox(accountId)) {
      if (this.#disposed) break;
      const data = entry.data as OutboxData;
      if (!found?.kind) {
        report.waiting = true;
        break;
      }
      const items = this.#store.getItems(data.itemIds);
      const { account, kind } = found;
      try {
        const outcome = items.length === 0 ? NOTHING : await this.#supervision.withConnector(account, kind, (c) => run(c, entry, data, items));
        if (this.#disposed) break;
        this.#finish(entry, data, items, outcome);
        const notices = outcome.notices.map((n) => `${account.displayName}: ${n}`);
        // Kept in the log too: an entry sent by a reconnect or sync.once has no caller to tell.
        for (const notice of notices) this.#log.info('triage action done, with a note from the server', { accountId, action: entry.action, notice });
        report.notices.push(...notices);
      } catch (error) {
        if (this.#disposed) break;
        if (isTransient(error)) {
          this.#store.triage.attempted(entry.id, describe(error));
          this.#log.info('triage action waits for its server', { accountId, action: entry.action, attempts: entry.attempts + 1, error });
          report.waiting = true;
          break;
        }
        this.#rollBack(entry, data);
        this.#log.warn('the server refused a triage action; rolled back', { accountId, action: entry.action, error });
        report.refusals.push(`${account.displayName}: ${describe(error)}`);
      }
    }
    return report;
  }

  #finish(entry: OutboxEntry, data: OutboxData, items: StoredItem[], outcome: TriageOutcome): void {
    const byExternalId = new Map(items.map((i) => [i.externalId, i.id]));
    const relocations: Relocation[] = outcome.moved.flatMap((move) => {
      const itemId = byExternalId.get(move.externalId);
      return itemId === undefined ? [] : [{ itemId, ...move.now }];
    });
    const purged = entry.action === 'purge' ? items.map((i) => i.id) : [];
    this.#store.triage.finish(entry.id, data.itemIds, { relocations, purged });
    if (relocations.length > 0 || purged.length > 0 || items.length > 0) this.#events.itemsChanged(entry.accountId);
  }

  /** Puts back only what this action changed, so a later action on other fields stays. */
  #rollBack(entry: OutboxEntry, data: OutboxData): void {
    const current = this.#store.triage.read(Object.keys(data.before));
    const records = new Map<string, TriageRecord>();
    const unread = new Map<string, boolean>();
    for (const [id, before] of Object.entries(data.before)) {
      const now = current.get(id);
      if (now === undefined) continue;
      const action = entry.action as OutboxAction;
      if (action === 'read' || action === 'unread') unread.set(id, before.unread);
      else records.set(id, restoreFields(action, now, before.record));
    }
    this.#store.triage.finish(entry.id, data.itemIds, { records, unread });
    this.#events.itemsChanged(entry.accountId);
  }
}

function run(connector: Connector, entry: OutboxEntry, data: OutboxData, items: StoredItem[]): Promise<TriageOutcome> {
  const action = entry.action as OutboxAction;
  const inboxItems = items.map(toInboxItem);
  if (action === 'read') return connector.markRead(inboxItems).then(() => NOTHING);
  if (action === 'unread') return connector.markUnread(inboxItems).then(() => NOTHING);
  // A kind without server triage keeps it here only.
  if (!connector.triage) return Promise.resolve(NOTHING);
  return connector.triage.apply(
    action,
    items.map((item) => ({ item: toInboxItem(item), externalId: item.externalId })),
    data.until === undefined ? {} : { until: data.until },
  );
}

/** "Try again later": the server could not be reached, or wants the user to sign in again first. */
export function isTransient(error: unknown): boolean {
  return error instanceof ConnectorError && (error.code === 'connection-failed' || error.code === 'auth-failed');
}

function restoreFields(action: ServerTriageAction, now: TriageRecord, before: TriageRecord): TriageRecord {
  switch (action) {
    case 'done':
    case 'undone':
      return { ...now, doneAt: before.doneAt, doneThrough: before.doneThrough };
    case 'star':
    case 'unstar':
      return { ...now, starred: before.starred };
    case 'snooze':
    case 'unsnooze':
      return { ...now, snoozedUntil: before.snoozedUntil, snoozeEnded: before.snoozeEnded };
    case 'delete':
    case 'spam':
    case 'restore':
    case 'purge':
      return { ...now, removed: before.removed };
    default:
      throw new Error(`Unhandled action ${JSON.stringify(action satisfies never)}`);
  }
}
