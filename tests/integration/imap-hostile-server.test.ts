/**
 * The IMAP connector against servers that misbehave, each a real Dovecot configured or handled to
 * do it: no IDLE, too many connections, a mailbox rebuilt under a live connection, and (through a
 * TCP proxy in between) a server that stops answering in the middle of a FETCH.
 */
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account, ImapSettings } from '../../src-shared/domain.ts';
import type { Connector, ConnectorItem } from '../../src-main/connectors/connector.ts';
import { createImapConnector, type ImapTiming } from '../../src-main/connectors/imap/imap-connector.ts';
import { backoffCap } from '../../src-main/connectors/reconnect.ts';
import { startDovecot, type Dovecot, type DovecotOptions, type DovecotUser } from '../support/dovecot.ts';
import { appendMessages, realisticMessages, rfc822, withClient, type FixtureMessage } from '../support/mail-fixtures.ts';
import { createMemoryContext, waitFor, type MemoryContext } from '../support/memory-context.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

/** One Dovecot per describe, reached through a proxy that counts what the connector sends. */
function serverFor(options: DovecotOptions) {
  const server = { dovecot: undefined as unknown as Dovecot, proxy: undefined as unknown as TcpProxy };
  beforeAll(async () => {
    server.dovecot = await startDovecot({ users: [], ...options });
    server.proxy = await startTcpProxy(server.dovecot);
  });
  afterAll(async () => {
    await server.proxy?.close();
    await server.dovecot?.stop();
  });
  return server;
}

let userCount = 0;
function newUser(dovecot: Dovecot): Promise<DovecotUser> {
  userCount += 1;
  return dovecot.addUser(`hostile${userCount}`, `pw-${userCount}-Kx7!q`);
}

function contextFor(user: DovecotUser, port: number): MemoryContext<ImapSettings> {
  const settings: ImapSettings = { host: '127.0.0.1', port, security: 'plain', user: user.user, syncWindowDays: 30, syncMaxMessages: 2_000 };
  const account: Account<ImapSettings> = { id: `acc-${user.user}`, kind: 'imap', source: 'mail', displayName: user.user, createdAt: 0, settings };
  return createMemoryContext(account, user.password);
}

async function withConnector<T>(ctx: MemoryContext<ImapSettings>, timing: ImapTiming, work: (connector: Connector) => Promise<T>): Promise<T> {
  const connector = createImapConnector(ctx, timing);
  try {
    return await work(connector);
  } finally {
    await connector.stop();
  }
}

function freshMessage(subject: string): FixtureMessage {
  const when = new Date();
  const messageId = `<${subject.replace(/\W+/g, '-')}.${when.getTime()}@fixtures.test>`;
  const raw = rfc822({ from: 'Live Sender <live@example.test>', subject, date: when, messageId, content: 'Content-Type: text/plain\n\nJust arrived.\n' });
  return { kind: 'fresh', raw, date: when, flags: [], messageId, expect: { title: subject, sender: 'Live Sender' } };
}

const messageIdOf = (item: ConnectorItem) => (item.origin.kind === 'mail' ? item.origin.messageId : undefined);
const byMessageId = (ctx: MemoryContext<ImapSettings>, id: string) => [...ctx.items.values()].find((i) => messageIdOf(i) === id);
const isOnline = (ctx: MemoryContext<ImapSettings>) => ctx.lastStatus()?.state === 'online';
const count = (proxy: TcpProxy, verb: string) => proxy.commands.get(verb) ?? 0;

describe('a server without IDLE', () => {
  const server = serverFor({ idle: false });
  const pollIntervalMs = 500;

  it('polls with NOOP at its interval: new mail and flags arrive, and nothing loops or reconnects', async () => {
    const { dovecot, proxy } = server;
    const user = await newUser(dovecot);
    await appendMessages(dovecot, user, realisticMessages(3, new Date()).map((m) => ({ ...m, flags: [] })));
    const ctx = contextFor(user, proxy.port);
    await withConnector(ctx, { pollIntervalMs }, async (connector) => {
      connector.start();
      await waitFor('online', () => isOnline(ctx));
      expect(ctx.items.size).toBe(3);
      const since = Date.now();
      const noopsBefore = count(proxy, 'NOOP');

      for (const n of [1, 2, 3]) {
        const fresh = freshMessage(`Polled ${n}`);
        await appendMessages(dovecot, user, [fresh]);
        await waitFor(`polled message ${n}`, () => byMessageId(ctx, fresh.messageId));
      }
      const first = [...ctx.items.values()].find((i) => i.title !== '' && !i.title.startsWith('Polled')) as ConnectorItem;
      await withClient(dovecot, user, async (client) => {
        await client.mailboxOpen('INBOX');
        await client.messageFlagsAdd(String(first.origin.kind === 'mail' ? first.origin.uid : 0), ['\\Seen'], { uid: true });
      });
      await waitFor('the other client’s \\Seen', () => ctx.items.get(first.externalId)?.unread === false);

      const noops = count(proxy, 'NOOP') - noopsBefore;
      const elapsed = Date.now() - since;
      expect(noops).toBeGreaterThan(0);
      // At most one poll per interval (and the one each fetch's wake-up may add): a loop would send hundreds.
      expect(noops).toBeLessThanOrEqual(Math.ceil(elapsed / pollIntervalMs) + 5);
      expect(count(proxy, 'IDLE')).toBe(0);
      expect(proxy.connections).toBe(1);
      expect(ctx.statuses.filter((s) => s.state === 'offline' || s.state === 'auth-failed')).toEqual([]);
      expect(ctx.items.size).toBe(6);
    });
  });
});

describe('a server that refuses more connections', () => {
  const server = serverFor({ maxConnectionsPerUser: 1 });
  // Deterministic backoff (the full cap each time) so the count of logins has an exact ceiling.
  const reconnect = { initialDelayMs: 200, maxDelayMs: 1_600, random: () => 1 };

  it('says so, retries with backoff while another client holds the only connection, and recovers when it leaves', async () => {
    const { dovecot, proxy } = server;
    const user = await newUser(dovecot);
    await appendMessages(dovecot, user, realisticMessages(3, new Date()));
    // The other mail program, straight to Dovecot so the proxy counts only the connector.
    const other = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, doSTARTTLS: false, auth: { user: user.user, pass: user.password }, logger: false });
    await other.connect();
    await other.mailboxOpen('INBOX');
    const ctx = contextFor(user, proxy.port);
    try {
      await withConnector(ctx, { reconnect }, async (connector) => {
        const since = Date.now();
        connector.start();
        const refused = await waitFor('the refusal', () => ctx.statuses.find((s) => s.state === 'offline' || s.state === 'auth-failed'));
        expect(refused).toMatchObject({ state: 'offline', reason: expect.stringMatching(/^The server refuses more connections from this computer/) });
        expect(refused.state === 'offline' && refused.reason).not.toMatch(/password|authentication/i);

        await waitFor('a few retries', () => count(proxy, 'AUTHENTICATE') >= 5, 30_000);
        const logins = count(proxy, 'AUTHENTICATE');
        const elapsed = Date.now() - since;
        // Attempt k+1 comes no sooner than the sum of the first k backoff caps after the start.
        let attempts = 1;
        for (let waited = backoffCap(0, reconnect.initialDelayMs, reconnect.maxDelayMs); waited <= elapsed; attempts++) {
          waited += backoffCap(attempts, reconnect.initialDelayMs, reconnect.maxDelayMs);
        }
        expect(logins).toBeLessThanOrEqual(attempts);
        expect(ctx.statuses.some((s) => s.state === 'auth-failed')).toBe(false);
        expect(ctx.items.size).toBe(0);

        await other.logout();
        await waitFor('online once the other client left', () => isOnline(ctx), 20_000);
        expect(ctx.items.size).toBe(3);
      });
    } finally {
      if (other.usable) await other.logout();
    }
  });
});

describe('UIDVALIDITY changing under a running IDLE', () => {
  const server = serverFor({});

  it('syncs the mailbox again: every message once, under the new UIDVALIDITY, and keeps idling', async () => {
    const { dovecot, proxy } = server;
    const user = await newUser(dovecot);
    const before = realisticMessages(5, new Date());
    await appendMessages(dovecot, user, before);
    const ctx = contextFor(user, proxy.port);
    await withConnector(ctx, {}, async (connector) => {
      connector.start();
      await waitFor('online', () => isOnline(ctx));
      await waitFor('IDLE', () => count(proxy, 'IDLE') > 0);
      const oldValidity = (ctx.cursors.get('mailbox:INBOX') as { uidValidity: number }).uidValidity;

      const uidValidity = dovecot.changeUidValidity(user.user);
      expect(uidValidity).not.toBe(oldValidity);
      const during = freshMessage('After the rebuild');
      await appendMessages(dovecot, user, [during]);

      const all = [...before.map((m) => m.messageId), during.messageId];
      await waitFor('the mailbox under its new UIDVALIDITY', () => all.every((id) => byMessageId(ctx, id)?.externalId.startsWith(`INBOX:${uidValidity}:`)), 30_000);
      await waitFor('online again', () => isOnline(ctx), 30_000);
      const ids = [...ctx.items.values()].map(messageIdOf);
      expect(ids.sort()).toEqual([...all].sort());
      expect((ctx.cursors.get('mailbox:INBOX') as { uidValidity: number }).uidValidity).toBe(uidValidity);

      const later = freshMessage('Pushed after the rebuild');
      await appendMessages(dovecot, user, [later]);
      await waitFor('mail on the new connection', () => byMessageId(ctx, later.messageId)?.externalId.startsWith(`INBOX:${uidValidity}:`));
      expect(ctx.items.size).toBe(7);
    });
  });
});

describe('a mailbox index rebuilt under a running IDLE', () => {
  const server = serverFor({});

  it('notices the silent server, reconnects and syncs under the new UIDVALIDITY', async () => {
    const { dovecot, proxy } = server;
    const user = await newUser(dovecot);
    const before = realisticMessages(4, new Date());
    await appendMessages(dovecot, user, before);
    const ctx = contextFor(user, proxy.port);
    await withConnector(ctx, { stallTimeoutMs: 1_500 }, async (connector) => {
      connector.start();
      await waitFor('online', () => isOnline(ctx));
      await waitFor('IDLE', () => count(proxy, 'IDLE') > 0);
      const oldValidity = (ctx.cursors.get('mailbox:INBOX') as { uidValidity: number }).uidValidity;
      // Dovecot's UIDVALIDITY is the time in seconds: the next second gives a new one.
      await new Promise((r) => setTimeout(r, 1_100));
      dovecot.dropIndex(user.user);
      const during = freshMessage('After the index was lost');
      await appendMessages(dovecot, user, [during]);
      const uidValidity = await withClient(dovecot, user, async (client) => Number((await client.mailboxOpen('INBOX')).uidValidity));
      expect(uidValidity).not.toBe(oldValidity);

      const all = [...before.map((m) => m.messageId), during.messageId];
      await waitFor('the mailbox under its new UIDVALIDITY', () => all.every((id) => byMessageId(ctx, id)?.externalId.startsWith(`INBOX:${uidValidity}:`)), 30_000);
      await waitFor('online again', () => isOnline(ctx), 30_000);
      expect([...ctx.items.values()].map(messageIdOf).sort()).toEqual([...all].sort());
    });
  });
});

describe('a server that stalls in the middle of a FETCH', () => {
  const server = serverFor({});
  const total = 300;

  it('gives the stalled sync up, says so, and completes it once the server answers again', async () => {
    const { dovecot, proxy } = server;
    const user = await newUser(dovecot);
    await appendMessages(dovecot, user, realisticMessages(total, new Date()));
    const ctx = contextFor(user, proxy.port);
    // Past login and SELECT (a few kB), well inside the FETCH of 300 messages (hundreds of kB).
    proxy.stallAfter(60_000);
    await withConnector(ctx, { stallTimeoutMs: 1_500, reconnect: { initialDelayMs: 200, maxDelayMs: 1_000 } }, async (connector) => {
      connector.start();
      await waitFor('the stall', () => proxy.stalled);
      const dropped = await waitFor('the connection given up', () => ctx.statuses.find((s) => s.state === 'offline'), 30_000);
      expect(dropped).toMatchObject({ state: 'offline', reason: expect.stringMatching(/^The mail server at 127\.0\.0\.1:\d+ stopped answering in the middle of a command\./) });
      const progress = ctx.statuses.filter((s) => s.state === 'syncing');
      expect(progress.at(-1)).toMatchObject({ state: 'syncing', total });
      expect(ctx.items.size).toBeLessThan(total);
      expect(isOnline(ctx)).toBe(false);

      proxy.resume();
      await waitFor('online after the server answers again', () => isOnline(ctx), 60_000);
      expect(ctx.items.size).toBe(total);
      const later = freshMessage('After the stall');
      await appendMessages(dovecot, user, [later]);
      await waitFor('live mail after the stall', () => byMessageId(ctx, later.messageId));
      expect(ctx.items.size).toBe(total + 1);
    });
  });
});
