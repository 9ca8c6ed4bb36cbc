/**
 * The real Hub for tests that need one without servers: a temporary profile (removed on dispose),
 * an in-memory keychain, and the built-in kinds with their network replaced by scriptable fake
 * servers (tests/support/fake-kinds). Paging, search, counts, events, validation and error mapping
 * are the hub's own; the test drives the servers and talks to the hub through the in-process client,
 * the same HubClient the renderer's createHub takes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventName, HubClient, HubEvents } from '../../src-shared/api.ts';
import type { AccountKind, AccountView, ConnectionState } from '../../src-shared/domain.ts';
import { createLogger } from '../../src-main/common/logger.ts';
import type { AnyConnectorKind } from '../../src-main/connectors/kind.ts';
import { inProcessClient } from '../../src-main/cli/in-process-client.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { fakeChatKind, FakeChatServer } from './fake-kinds/chat.ts';
import { fakeFeedKind, FakeFeedServer } from './fake-kinds/feeds.ts';
import { fakeMailKind, FakeMailServer } from './fake-kinds/mail.ts';
import { memorySecrets } from './memory-secrets.ts';
import { hubService, type HubService } from './hub-service.ts';
import { testClient, type TestClient } from './test-client.ts';

export interface FakeServers {
  readonly mail: FakeMailServer;
  readonly chat: FakeChatServer;
  readonly feeds: FakeFeedServer;
}

export interface HubHarness extends FakeServers {
  /** The hub running now (in service mode, the current hub process's). */
  readonly hub: Hub;
  /** The in-process client with the test conveniences: hand it to the renderer's createHub. */
  readonly client: TestClient;
  /** The in-process client without them, for the test's own set-up and checks (not in `client.calls`). */
  readonly direct: HubClient;
  /** With `service: true`: the hub behind the Electron app's supervisor, which the test starts, crashes and restarts. */
  readonly service: HubService | undefined;
  readonly profileDir: string;
  /** What the hub logged, one JSON line each. */
  readonly logLines: string[];
  /**
   * Adds an account through the hub, as `accounts.add` does for the user, and waits until its
   * connector reports `until` (online by default). Throws with the hub's error when refused.
   */
  addAccount(kind: AccountKind, input: object, until?: ConnectionState['state']): Promise<AccountView>;
  /** The account as the hub lists it now. */
  account(accountId: string): Promise<AccountView | undefined>;
  /** The next `name` event whose payload `matches`. Subscribe before causing it. */
  nextEvent<E extends EventName>(name: E, matches?: (payload: HubEvents[E]) => boolean): Promise<HubEvents[E]>;
  /** Stops the hub and deletes the profile. */
  dispose(): Promise<void>;
}

export interface HarnessOptions {
  /** The kinds the hub runs; the three fakes by default. */
  kinds?: (servers: FakeServers) => readonly AnyConnectorKind[];
  /**
   * Runs the hub behind the real HubSupervisor, as the Electron app does, in a "hub process" that
   * can die and be restarted on the same profile. Nothing runs until the test calls `service.start()`.
   */
  service?: boolean;
}

export function fakeKinds(servers: FakeServers): AnyConnectorKind[] {
  return [fakeMailKind(servers.mail), fakeChatKind(servers.chat), fakeFeedKind(servers.feeds)];
}

export async function openHubHarness(options: HarnessOptions = {}): Promise<HubHarness> {
  const servers: FakeServers = { mail: new FakeMailServer(), chat: new FakeChatServer(), feeds: new FakeFeedServer() };
  const profileDir = mkdtempSync(join(tmpdir(), 'gs-harness-'));
  const logLines: string[] = [];
  const log = createLogger({ write: (line) => logLines.push(line) }, { level: 'info' });
  // One keychain and one set of servers for every hub opened on this profile, as across a restart.
  const secrets = memorySecrets();
  const kinds = (options.kinds ?? fakeKinds)(servers);
  const openHub = () => {
    const hub = Hub.open({ profileDir, secrets, kinds, log });
    // As the app and `serve` run it: accounts added later start their connectors at once.
    hub.startConnectors();
    return hub;
  };
  let hub: Hub | undefined;
  let service: HubService | undefined;
  try {
    if (options.service) service = hubService(openHub);
    else hub = openHub();
  } catch (error) {
    rmSync(profileDir, { recursive: true, force: true });
    throw error;
  }
  const direct = service?.client ?? inProcessClient(hub!);
  const client = testClient(direct);

  const account = async (accountId: string) => {
    const listed = await direct.call('accounts.list', {});
    if (!listed.ok) throw new Error(`accounts.list failed: ${listed.error.message}`);
    return listed.value.find((a) => a.account.id === accountId);
  };

  return {
    ...servers,
    get hub() {
      return service?.hub ?? hub!;
    },
    service,
    client,
    direct,
    profileDir,
    logLines,
    account,
    async addAccount(kind, input, until = 'online') {
      // The first sync's inbox.changed is batched: it must not land in the test that follows.
      const changed = new Set<string>();
      const off = direct.on('inbox.changed', (p) => p.accountIds.forEach((id) => changed.add(id)));
      try {
        const added = await direct.call('accounts.add', { kind, input });
        if (!added.ok) throw new Error(`accounts.add ${kind} was refused (${added.error.code}): ${added.error.message}`);
        const id = added.value.account.id;
        const view = await eventually(`${added.value.account.displayName} to be ${until}`, async () => {
          const now = await account(id);
          return now?.status.state === until ? now : undefined;
        });
        const stored = await direct.call('inbox.list', { accountId: id, limit: 1 });
        if (stored.ok && stored.value.items.length > 0) await eventually(`the hub to announce what ${view.account.displayName} brought in`, () => changed.has(id));
        return view;
      } finally {
        off();
      }
    },
    nextEvent(name, matches = () => true) {
      return new Promise((resolve) => {
        const off = direct.on(name, (payload) => {
          if (!matches(payload)) return;
          off();
          resolve(payload);
        });
      });
    },
    async dispose() {
      client.releaseAll();
      await (service?.stop() ?? hub!.dispose());
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls `check` until it returns something other than undefined or false; fails naming `what` after
 * `timeoutMs`. For the hub's real asynchrony (change events are batched, connectors report later).
 */
export async function eventually<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
