/**
 * A connector kind whose server is a script: the hub's parts are tested against it. What the
 * "server" accepts, what its connector reports and how its calls fail are set by the test; every
 * fact still reaches the hub through the real ConnectorContext.
 */
import type { InboxItem, ItemDetail, SourceKind } from '../../../../src-shared/domain.ts';
import { displayName, InputError, onlyKeys, record, text } from '../../../../src-main/common/input.ts';
import { ConnectorError } from '../../../../src-main/connectors/connector.ts';
import type { Connector, ConnectorContext, ConnectorItem } from '../../../../src-main/connectors/connector.ts';
import type { ConnectorKind } from '../../../../src-main/connectors/kind.ts';

export interface ScriptedSettings {
  server: string;
  user: string;
}

/** What the scripted server does; a test changes it at any time. */
export interface ScriptedServer {
  /** Passwords it accepts, per user. */
  passwords: Map<string, string>;
  /** Items it holds, per account id, as the connector reports them on sync. */
  items: Map<string, ConnectorItem[]>;
  /** The next server calls fail with these, in order (read-state changes, syncs, details). */
  failures: ConnectorError[];
  /** Read-state changes the server accepted: [accountId, externalIds, unread]. */
  readChanges: [string, string[], boolean][];
  /** Contexts of the connectors made, newest last, to report facts as the server would. */
  contexts: ConnectorContext<ScriptedSettings>[];
  created: number;
  stopped: number;
}

export function scriptedServer(): ScriptedServer {
  return { passwords: new Map(), items: new Map(), failures: [], readChanges: [], contexts: [], created: 0, stopped: 0 };
}

export function scriptedItem(externalId: string, overrides: Partial<ConnectorItem> = {}): ConnectorItem {
  return {
    externalId,
    scope: 'inbox',
    source: 'mail',
    conversationKey: externalId,
    sender: 'Sam Sender',
    title: `Message ${externalId}`,
    snippet: `About ${externalId}`,
    timestamp: Date.UTC(2026, 0, 1) + Number(externalId.replace(/\D/g, '') || 0) * 60_000,
    unread: true,
    priority: false,
    origin: { kind: 'mail', mailbox: 'INBOX', uidValidity: 1, uid: Number(externalId.replace(/\D/g, '') || 1) },
    ...overrides,
  };
}

function nextFailure(server: ScriptedServer): void {
  const failure = server.failures.shift();
  if (failure) throw failure;
}

function scriptedConnector(server: ScriptedServer, ctx: ConnectorContext<ScriptedSettings>): Connector {
  server.created++;
  server.contexts.push(ctx);
  const sync = async () => {
    nextFailure(server);
    ctx.upsert(server.items.get(ctx.account.id) ?? []);
  };
  const change = (unread: boolean) => async (items: InboxItem[]) => {
    nextFailure(server);
    server.readChanges.push([ctx.account.id, items.map((i) => i.id), unread]);
  };
  return {
    start: () => {
      sync().then(
        () => ctx.status({ state: 'online', since: Date.now() }),
        (error: unknown) => ctx.status({ state: 'offline', reason: (error as Error).message, nextRetryAt: 0 }),
      );
    },
    stop: async () => {
      server.stopped++;
    },
    syncOnce: sync,
    markRead: change(false),
    markUnread: change(true),
    loadDetail: async (item): Promise<Omit<ItemDetail, 'item'>> => {
      nextFailure(server);
      return { headers: [{ name: 'From', value: item.sender }], bodyText: `The whole of ${item.title}.` };
    },
  };
}

export function scriptedKind(server: ScriptedServer, options: { kind?: string; source?: SourceKind } = {}): ConnectorKind<ScriptedSettings> {
  return {
    kind: options.kind ?? 'scripted',
    source: options.source ?? 'mail',
    label: 'Scripted server',
    description: 'A server a test scripts',
    settingsVersion: 1,
    capabilities: [],
    fields: [
      { name: 'server', label: 'Server', type: 'text', required: true, flag: 'server', changeable: true },
      { name: 'user', label: 'User', type: 'text', required: true, flag: 'user', changeable: true },
      { name: 'password', label: 'Password', type: 'secret', required: true, flag: 'password', changeable: false },
    ],
    draft(raw) {
      const input = record(raw, 'the account');
      const settings = { server: text(input['server'], 'server', 'Server'), user: text(input['user'], 'user', 'User') };
      return { displayName: displayName(input) || `${settings.user} on ${settings.server}`, settings, secret: text(input['password'], 'password', 'Password') };
    },
    identity: (s) => `${s.user}@${s.server}`,
    duplicate: (name) => ({ message: `Already here as "${name}".`, field: 'user' }),
    decodeSettings: (stored) => {
      const s = record(stored, 'the stored settings');
      return { server: String(s['server'] ?? ''), user: String(s['user'] ?? '') };
    },
    applyChanges(settings, changes) {
      onlyKeys(changes, ['server', 'user'], 'A scripted account');
      const next = { ...settings, ...(changes as Partial<ScriptedSettings>) };
      if (next.server === '') throw new InputError('Server is required.', 'server');
      return { settings: next, recheck: next.server !== settings.server || next.user !== settings.user };
    },
    describe: (account) => `${account.settings.user}@${account.settings.server}`,
    signsIn: () => true,
    async verify(account, secret) {
      if (server.passwords.get(account.settings.user) !== secret) throw new ConnectorError('auth-failed', 'The scripted server refused that password.');
      return { account, secret };
    },
    create: async (ctx) => scriptedConnector(server, ctx),
  };
}
