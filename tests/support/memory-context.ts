/**
 * A ConnectorContext that keeps everything in memory: what the hub would store in SQLite and the
 * keychain, held in Maps. Tests read the result (items, cursors, status history, log lines) the way
 * the hub would, instead of asserting on calls.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Account, ConnectionState, PollActivity } from '../../src-shared/domain.ts';
import { createLogger, type Logger, type LogLevel } from '../../src-main/common/logger.ts';
import type { ConnectorContext, ConnectorItem } from '../../src-main/connectors/connector.ts';

export interface MemoryContext<S extends object = object> extends ConnectorContext<S> {
  readonly items: Map<string, ConnectorItem>;
  readonly cursors: Map<string, unknown>;
  readonly statuses: ConnectionState[];
  readonly activities: PollActivity[];
  /** Settings the connector asked to persist (permanent redirects), newest last. */
  readonly settingsUpdates: S[];
  /** Every JSON log line written through ctx.log (debug level unless told otherwise). */
  readonly logLines: string[];
  /** How often each externalId reached upsert: more than once means work was repeated. */
  readonly upsertCounts: Map<string, number>;
  /** externalIds whose chat timeline the connector said changed, in order. */
  readonly chatChanges: string[];
  secret: string;
  /** What takeSignInPassword hands out (once). */
  signInPassword: string | undefined;
  /** How often the connector said its encryption state changed. */
  securityChanges: number;
  itemsIn(scope: string): ConnectorItem[];
  lastStatus(): ConnectionState | undefined;
}

export function createMemoryContext<S extends object>(account: Account<S>, secret: string, options: { logLevel?: LogLevel; dataDir?: string } = {}): MemoryContext<S> {
  const items = new Map<string, ConnectorItem>();
  const cursors = new Map<string, unknown>();
  const statuses: ConnectionState[] = [];
  const activities: PollActivity[] = [];
  const settingsUpdates: S[] = [];
  const logLines: string[] = [];
  const upsertCounts = new Map<string, number>();
  const chatChanges: string[] = [];
  const log: Logger = createLogger({ write: (line) => logLines.push(line) }, { level: options.logLevel ?? 'debug', scope: account.id });

  const ctx: MemoryContext<S> = {
    account,
    log,
    items,
    cursors,
    statuses,
    activities,
    settingsUpdates,
    logLines,
    upsertCounts,
    chatChanges,
    secret,
    signInPassword: undefined,
    securityChanges: 0,
    dataDir: options.dataDir ?? mkdtempSync(join(tmpdir(), 'gs-account-')),
    async readSecret() {
      return ctx.secret;
    },
    async writeSecret(value) {
      ctx.secret = value;
    },
    takeSignInPassword() {
      const password = ctx.signInPassword;
      ctx.signInPassword = undefined;
      return password;
    },
    securityChanged() {
      ctx.securityChanges += 1;
    },
    readCursor<T>(key: string): T | undefined {
      const value = cursors.get(key);
      // A round trip through JSON, as the hub's store does, so non-serialisable cursors show up.
      return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as T);
    },
    writeCursor(key, value) {
      cursors.set(key, JSON.parse(JSON.stringify(value)) as unknown);
    },
    knownExternalIds(scope) {
      return [...items.values()].filter((i) => i.scope === scope).map((i) => i.externalId);
    },
    knownReadState(scope) {
      const state = new Map<string, boolean>();
      for (const item of items.values()) if (item.scope === scope) state.set(item.externalId, item.unread);
      return state;
    },
    knownItems(scope, among) {
      const known = new Map<string, { unread: boolean; timestamp: number }>();
      const wanted = among === undefined ? undefined : new Set(among);
      for (const item of items.values()) {
        if (item.scope === scope && (wanted === undefined || wanted.has(item.externalId))) known.set(item.externalId, { unread: item.unread, timestamp: item.timestamp });
      }
      return known;
    },
    status(state) {
      statuses.push(state);
    },
    activity(activity) {
      activities.push(activity);
    },
    updateSettings(settings) {
      settingsUpdates.push(settings);
    },
    upsert(batch, cursor) {
      for (const item of batch) {
        items.set(item.externalId, { ...item });
        upsertCounts.set(item.externalId, (upsertCounts.get(item.externalId) ?? 0) + 1);
      }
      if (cursor) cursors.set(cursor.key, JSON.parse(JSON.stringify(cursor.value)) as unknown);
    },
    setUnread(changes) {
      for (const change of changes) {
        const item = items.get(change.externalId);
        if (item) items.set(change.externalId, { ...item, unread: change.unread });
      }
    },
    triageFacts(facts) {
      for (const { externalId, ...fact } of facts) {
        const item = items.get(externalId);
        if (item) items.set(externalId, { ...item, facts: { ...item.facts, ...fact } });
      }
    },
    remove(externalIds) {
      for (const id of externalIds) items.delete(id);
    },
    clearScope(scope) {
      for (const [id, item] of items) if (item.scope === scope) items.delete(id);
    },
    chatChanged(externalIds) {
      chatChanges.push(...externalIds);
    },
    itemsIn(scope) {
      return [...items.values()].filter((i) => i.scope === scope);
    },
    lastStatus() {
      return statuses.at(-1);
    },
  };
  return ctx;
}

/** Polls until `check` returns a value other than undefined/false; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
