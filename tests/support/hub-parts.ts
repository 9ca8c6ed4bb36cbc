/**
 * The hub's parts, wired as hub.ts wires them but over a temporary profile, an in-memory keychain and
 * the kinds a test gives, so each part is tested on its own against fake connectors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventName } from '../../src-shared/api.ts';
import { createLogger, silentSink } from '../../src-main/common/logger.ts';
import type { AnyConnectorKind } from '../../src-main/connectors/kind.ts';
import { BrowserSignIns } from '../../src-main/hub/browser-sign-ins.ts';
import { AccountBook } from '../../src-main/hub/accounts.ts';
import { HubEventBus } from '../../src-main/hub/events.ts';
import { ItemBook } from '../../src-main/hub/items.ts';
import { KindRegistry } from '../../src-main/hub/kinds.ts';
import { SearchIndexing } from '../../src-main/hub/search-indexing.ts';
import { SignInPasswords } from '../../src-main/hub/sign-in-passwords.ts';
import { ConnectorSupervision } from '../../src-main/hub/supervision.ts';
import { InboxStore } from '../../src-main/store/inbox-store.ts';
import { memorySecrets } from './memory-secrets.ts';

export function hubParts(kinds: readonly AnyConnectorKind[]) {
  const dir = mkdtempSync(join(tmpdir(), 'gs-parts-'));
  const log = createLogger(silentSink);
  const store = InboxStore.open(join(dir, 'groundswell.sqlite'));
  const keychain = new Map<string, string>();
  const secrets = memorySecrets(keychain);
  const events = new HubEventBus(log);
  const emitted: { name: EventName; payload: unknown }[] = [];
  events.on((name, payload) => emitted.push({ name, payload }));
  const signInPasswords = new SignInPasswords();
  const searchIndexing = new SearchIndexing(store, log);
  const supervision: ConnectorSupervision = new ConnectorSupervision({
    store,
    secrets,
    events,
    searchIndexing,
    signInPasswords,
    log,
    accountsDir: join(dir, 'accounts'),
    saveSettings: (accountId, settings) => accounts.saveSettings(accountId, settings),
    // Items pass as the connector reported them: attention is the hub's (tested with the whole hub).
    attention: {
      decide: (_account, items) => ({ items, pending: { account: _account, entries: [] } }),
      record: (pending) => ({ accountId: pending.account.id, entries: [] }),
      raise: () => undefined,
      holdRead: (_account, changes) => changes,
    },
  });
  const accounts: AccountBook = new AccountBook({ store, secrets, kinds: new KindRegistry(kinds), supervision, events, signInPasswords, signIns: new BrowserSignIns(log), log });
  const items = new ItemBook(store, accounts, supervision, log);
  return {
    dir,
    store,
    keychain,
    events,
    emitted,
    signInPasswords,
    supervision,
    accounts,
    items,
    /** Events of one name seen so far. */
    seen: (name: EventName) => emitted.filter((e) => e.name === name).map((e) => e.payload),
    async dispose() {
      searchIndexing.dispose();
      await supervision.dispose();
      events.dispose();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type HubParts = ReturnType<typeof hubParts>;

/** Waits for a condition the hub reaches asynchronously (a batched event, a connector started). */
export async function eventually<T>(what: string, check: () => T | undefined | false, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
