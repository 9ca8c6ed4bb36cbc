/**
 * The IMAP connector against a real Dovecot on 127.0.0.1. Every test has its own mail user, so
 * mailboxes do not leak between tests; a second imapflow client plays the other mail program.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account, ImapSettings, InboxItem } from '../../src-shared/domain.ts';
import { ConnectorError, type Connector, type ConnectorItem } from '../../src-main/connectors/connector.ts';
import { createImapConnector } from '../../src-main/connectors/imap/imap-connector.ts';
import { verifyImapLogin } from '../../src-main/connectors/imap/verify-login.ts';
import { startDovecot, type Dovecot, type DovecotUser } from '../support/dovecot.ts';
import { appendMessages, hostileMessages, mailboxFixture, realisticMessages, rfc822, serverFlags, withClient, type FixtureMessage } from '../support/mail-fixtures.ts';
import { createMemoryContext, waitFor, type MemoryContext } from '../support/memory-context.ts';

const DAY = 24 * 60 * 60 * 1000;
let dovecot: Dovecot;
let userCount = 0;

beforeAll(async () => {
  dovecot = await startDovecot({ users: [] });
});
afterAll(async () => {
  await dovecot?.stop();
});

function newUser(): Promise<DovecotUser> {
  userCount += 1;
  return dovecot.addUser(`user${userCount}`, `pw-${userCount}-Zq8#x!`);
}

function settingsFor(user: DovecotUser, overrides: Partial<ImapSettings> = {}): ImapSettings {
  return { host: dovecot.host, port: dovecot.port, security: 'plain', user: user.user, syncWindowDays: 30, syncMaxMessages: 2_000, ...overrides };
}

function contextFor(user: DovecotUser, overrides: Partial<ImapSettings> = {}, password = user.password): MemoryContext<ImapSettings> {
  const account: Account<ImapSettings> = { id: `acc-${user.user}`, kind: 'imap', source: 'mail', displayName: user.user, createdAt: 0, settings: settingsFor(user, overrides) };
  return createMemoryContext(account, password);
}

/** What the hub would hand back to markRead/loadDetail: the stored item with its id. */
function asInboxItem(ctx: MemoryContext<ImapSettings>, item: ConnectorItem): InboxItem {
  const { externalId, scope: _scope, searchText: _searchText, facts: _facts, ...rest } = item;
  return { ...rest, id: `${ctx.account.id}:${externalId}`, accountId: ctx.account.id, done: false, starred: false, snoozedUntil: null, snoozeEnded: null, pending: false };
}

function byMessageId(ctx: MemoryContext<ImapSettings>, messageId: string): ConnectorItem | undefined {
  return [...ctx.items.values()].find((i) => i.origin.kind === 'mail' && i.origin.messageId === messageId);
}

function uidOf(item: ConnectorItem): number {
  if (item.origin.kind !== 'mail') throw new Error('not mail');
  return item.origin.uid;
}

function freshMessage(subject: string, when = new Date()): FixtureMessage {
  const messageId = `<${subject.replace(/\W+/g, '-')}.${when.getTime()}@fixtures.test>`;
  return {
    kind: 'fresh',
    raw: rfc822({ from: 'Live Sender <live@example.test>', subject, date: when, messageId, content: 'Content-Type: text/plain\n\nJust arrived.\n' }),
    date: when,
    flags: [],
    messageId,
    expect: { title: subject, sender: 'Live Sender', snippetIncludes: 'Just arrived.' },
  };
}

async function withConnector<T>(ctx: MemoryContext<ImapSettings>, work: (connector: Connector) => Promise<T>): Promise<T> {
  const connector = createImapConnector(ctx);
  try {
    return await work(connector);
  } finally {
    await connector.stop();
  }
}

const isOnline = (ctx: MemoryContext<ImapSettings>) => ctx.lastStatus()?.state === 'online';

function expectNoSecretIn(ctx: MemoryContext<ImapSettings>) {
  const leaks = ctx.logLines.filter((line) => line.includes(ctx.secret));
  expect(leaks).toEqual([]);
}

describe('initial sync', () => {
  let user: DovecotUser;
  let fixture: FixtureMessage[];
  let ctx: MemoryContext<ImapSettings>;

  beforeAll(async () => {
    user = await newUser();
    fixture = mailboxFixture(500);
    await appendMessages(dovecot, user, fixture);
    ctx = contextFor(user);
    await withConnector(ctx, (c) => c.syncOnce());
  }, 180_000);

  it('stores all 500 messages, each once, with a cursor', () => {
    expect(ctx.items.size).toBe(500);
    expect([...ctx.upsertCounts.values()].every((n) => n === 1)).toBe(true);
    const cursor = ctx.cursors.get('mailbox:INBOX') as { uidValidity: number; uidNext: number; highestModseq?: string };
    expect(cursor.uidNext).toBe(501);
    expect(cursor.highestModseq).toMatch(/^\d+$/);
    for (const item of ctx.items.values()) {
      expect(item.externalId).toBe(`INBOX:${cursor.uidValidity}:${uidOf(item)}`);
      expect(item).toMatchObject({ source: 'mail', scope: 'INBOX', origin: { kind: 'mail', mailbox: 'INBOX', uidValidity: cursor.uidValidity } });
    }
  });

  it('reports progress up to the total', () => {
    const syncing = ctx.statuses.filter((s) => s.state === 'syncing');
    expect(syncing.length).toBeGreaterThan(2);
    expect(syncing.at(-1)).toEqual({ state: 'syncing', done: 500, total: 500 });
  });

  it('decodes subjects, senders and bodies of every fixture, hostile ones included', () => {
    for (const message of fixture) {
      const item = byMessageId(ctx, message.messageId);
      expect(item, message.kind).toBeDefined();
      expect({ kind: message.kind, title: item?.title, sender: item?.sender }).toEqual({ kind: message.kind, title: message.expect.title, sender: message.expect.sender });
      if (message.expect.snippetIncludes) expect(item?.snippet, message.kind).toContain(message.expect.snippetIncludes);
      expect(item?.timestamp).toBe(Math.floor(message.date.getTime() / 1000) * 1000);
    }
  });

  it('reads flags and threads', () => {
    const seenFlagged = fixture.find((m) => m.kind === 'flagged-seen') as FixtureMessage;
    expect(byMessageId(ctx, seenFlagged.messageId)).toMatchObject({ unread: false, priority: true });
    const plain = fixture.find((m) => m.kind === 'plain') as FixtureMessage;
    expect(byMessageId(ctx, plain.messageId)).toMatchObject({ unread: true, priority: false });
    const unreadCount = [...ctx.items.values()].filter((i) => i.unread).length;
    expect(unreadCount).toBe(fixture.filter((m) => !m.flags.includes('\\Seen')).length);
    // A reply shares the conversation of the message it answers.
    const reply = [...ctx.items.values()].find((i) => i.title.startsWith('Re: '));
    const root = reply && [...ctx.items.values()].find((i) => i.title === reply.title.slice(4));
    expect(root?.conversationKey).toBeDefined();
    expect(reply?.conversationKey).toBe(root?.conversationKey);
  });

  it('loads the detail of a windows-1251 message without marking it read', async () => {
    const message = fixture.find((m) => m.kind === 'windows-1251') as FixtureMessage;
    const item = byMessageId(ctx, message.messageId) as ConnectorItem;
    const detail = await withConnector(ctx, (c) => c.loadDetail(asInboxItem(ctx, item)));
    expect(detail.bodyText).toContain('Привет, Алиса! Отчёт за квартал готов.');
    expect(detail.headers).toEqual(
      expect.arrayContaining([
        { name: 'Subject', value: 'Отчёт за квартал' },
        { name: 'From', value: 'Иван Петров <ivan@example.test>' },
        { name: 'To', value: 'Alice Example <alice@example.test>' },
      ]),
    );
    expect((await serverFlags(dovecot, user, uidOf(item))).has('\\Seen')).toBe(false);
  });

  it('shows HTML-only mail as text and a huge-header message with its subject', async () => {
    const html = byMessageId(ctx, (fixture.find((m) => m.kind === 'html-only') as FixtureMessage).messageId) as ConnectorItem;
    const huge = byMessageId(ctx, (fixture.find((m) => m.kind === 'huge-header') as FixtureMessage).messageId) as ConnectorItem;
    await withConnector(ctx, async (c) => {
      const htmlDetail = await c.loadDetail(asInboxItem(ctx, html));
      expect(htmlDetail.bodyText).toContain('Prices rose 5 € & more été.');
      expect(htmlDetail.bodyText).not.toMatch(/<|alert|color: red/);
      const hugeDetail = await c.loadDetail(asInboxItem(ctx, huge));
      expect(hugeDetail.headers).toContainEqual({ name: 'Subject', value: 'A 200 KB header' });
      expect(hugeDetail.bodyText).toContain('Small body after a big header.');
    });
    expectNoSecretIn(ctx);
  });
});

describe('sync window', () => {
  it('takes only mail inside the window, newest first, at most syncMaxMessages', async () => {
    const user = await newUser();
    const now = Date.now();
    const old = realisticMessages(5, new Date(now - 60 * DAY), 10);
    const recent = realisticMessages(12, new Date(now), 10);
    await appendMessages(dovecot, user, [...old, ...recent]);
    const ctx = contextFor(user, { syncWindowDays: 30, syncMaxMessages: 8 });
    await withConnector(ctx, (c) => c.syncOnce());
    expect(ctx.items.size).toBe(8);
    const got = [...ctx.items.values()].map(uidOf).sort((a, b) => a - b);
    // UIDs 6..17 are the recent ones; the newest eight are 10..17.
    expect(got).toEqual([10, 11, 12, 13, 14, 15, 16, 17]);
  });
});

describe('live connection', () => {
  it('delivers new mail that arrives while idling', async () => {
    const user = await newUser();
    await appendMessages(dovecot, user, realisticMessages(5, new Date()));
    const ctx = contextFor(user);
    await withConnector(ctx, async (connector) => {
      connector.start();
      await waitFor('online', () => isOnline(ctx));
      expect(ctx.items.size).toBe(5);
      // Give imapflow time to enter IDLE, so the delivery is pushed rather than polled.
      await new Promise((r) => setTimeout(r, 600));
      const fresh = freshMessage('Arrived during IDLE');
      await appendMessages(dovecot, user, [fresh]);
      const item = await waitFor('the new message', () => byMessageId(ctx, fresh.messageId));
      expect(item).toMatchObject({ title: 'Arrived during IDLE', sender: 'Live Sender', unread: true });
      expect(item.snippet).toContain('Just arrived.');
      expect([...ctx.upsertCounts.values()].every((n) => n === 1)).toBe(true);
    });
    expectNoSecretIn(ctx);
  });

  it('sends markRead/markUnread to the server and follows \\Seen set by another client', async () => {
    const user = await newUser();
    await appendMessages(dovecot, user, realisticMessages(6, new Date()).map((m) => ({ ...m, flags: [] })));
    const ctx = contextFor(user);
    await withConnector(ctx, async (connector) => {
      connector.start();
      await waitFor('online', () => isOnline(ctx));
      const [first, second] = [...ctx.items.values()].sort((a, b) => uidOf(a) - uidOf(b));
      if (!first || !second) throw new Error('fixture missing');

      await connector.markRead([asInboxItem(ctx, first)]);
      expect(ctx.items.get(first.externalId)?.unread).toBe(false);
      expect((await serverFlags(dovecot, user, uidOf(first))).has('\\Seen')).toBe(true);

      await connector.markUnread([asInboxItem(ctx, first)]);
      expect(ctx.items.get(first.externalId)?.unread).toBe(true);
      expect((await serverFlags(dovecot, user, uidOf(first))).has('\\Seen')).toBe(false);

      await withClient(dovecot, user, async (client) => {
        await client.mailboxOpen('INBOX');
        await client.messageFlagsAdd(String(uidOf(second)), ['\\Seen'], { uid: true });
      });
      await waitFor('the other client’s \\Seen', () => ctx.items.get(second.externalId)?.unread === false);
    });
  });

  it('removes mail expunged on the server', async () => {
    const user = await newUser();
    await appendMessages(dovecot, user, realisticMessages(6, new Date()));
    const ctx = contextFor(user);
    await withConnector(ctx, async (connector) => {
      connector.start();
      await waitFor('online', () => isOnline(ctx));
      const victim = [...ctx.items.values()].sort((a, b) => uidOf(a) - uidOf(b))[2] as ConnectorItem;
      await withClient(dovecot, user, async (client) => {
        await client.mailboxOpen('INBOX');
        await client.messageDelete(String(uidOf(victim)), { uid: true });
      });
      await waitFor('the expunge', () => !ctx.items.has(victim.externalId));
      expect(ctx.items.size).toBe(5);
    });
  });

  it('reconnects after a Dovecot restart and picks up mail delivered meanwhile, without duplicates', async () => {
    const user = await newUser();
    await appendMessages(dovecot, user, realisticMessages(10, new Date()));
    const ctx = contextFor(user);
    await withConnector(ctx, async (connector) => {
      connector.start();
      await waitFor('online', () => isOnline(ctx));
      await new Promise((r) => setTimeout(r, 600));
      const before = ctx.statuses.length;
      await dovecot.restart();
      const during = freshMessage('Delivered during the outage');
      await appendMessages(dovecot, user, [during]);
      await waitFor('the message from the outage', () => byMessageId(ctx, during.messageId), 30_000);
      await waitFor('online again', () => isOnline(ctx), 30_000);
      const after = ctx.statuses.slice(before);
      expect(after.some((s) => s.state === 'offline')).toBe(true);
      expect(ctx.items.size).toBe(11);
      expect([...ctx.upsertCounts.values()].every((n) => n === 1)).toBe(true);

      // And the new connection idles too.
      const later = freshMessage('After the reconnect');
      await appendMessages(dovecot, user, [later]);
      await waitFor('mail after the reconnect', () => byMessageId(ctx, later.messageId));
    });
  });
});

describe('restarting the connector', () => {
  it('resumes from its cursor: only new mail is fetched, flags and expunges are caught up', async () => {
    const user = await newUser();
    await appendMessages(dovecot, user, realisticMessages(30, new Date()).map((m) => ({ ...m, flags: [] })));
    const ctx = contextFor(user);
    await withConnector(ctx, (c) => c.syncOnce());
    expect(ctx.items.size).toBe(30);

    const sorted = [...ctx.items.values()].sort((a, b) => uidOf(a) - uidOf(b));
    const [read1, read2, gone] = [sorted[3], sorted[7], sorted[11]] as [ConnectorItem, ConnectorItem, ConnectorItem];
    const added = [freshMessage('While we were away 1'), freshMessage('While we were away 2')];
    await withClient(dovecot, user, async (client) => {
      await client.mailboxOpen('INBOX');
      await client.messageFlagsAdd(`${uidOf(read1)},${uidOf(read2)}`, ['\\Seen'], { uid: true });
      await client.messageDelete(String(uidOf(gone)), { uid: true });
    });
    await appendMessages(dovecot, user, added);

    await withConnector(ctx, (c) => c.syncOnce());
    expect(ctx.items.size).toBe(31);
    expect(ctx.items.has(gone.externalId)).toBe(false);
    expect(ctx.items.get(read1.externalId)?.unread).toBe(false);
    expect(ctx.items.get(read2.externalId)?.unread).toBe(false);
    for (const m of added) expect(byMessageId(ctx, m.messageId)).toBeDefined();
    // Nothing already stored was fetched again.
    expect([...ctx.upsertCounts.values()].every((n) => n === 1)).toBe(true);
    expect((ctx.cursors.get('mailbox:INBOX') as { uidNext: number }).uidNext).toBe(33);
  });

  it('syncs again from scratch when UIDVALIDITY changes', async () => {
    const user = await newUser();
    await appendMessages(dovecot, user, realisticMessages(10, new Date()));
    const ctx = contextFor(user);
    await withConnector(ctx, (c) => c.syncOnce());
    const firstValidity = (ctx.cursors.get('mailbox:INBOX') as { uidValidity: number }).uidValidity;
    expect(ctx.items.size).toBe(10);

    // Let the clock move on: Dovecot derives a new UIDVALIDITY from the time.
    await new Promise((r) => setTimeout(r, 1_100));
    await dovecot.recreateMailbox(user.user);
    const replacement = hostileMessages(new Date()).slice(0, 4);
    await appendMessages(dovecot, user, replacement);
    const secondValidity = await withClient(dovecot, user, async (client) => Number((await client.mailboxOpen('INBOX')).uidValidity));
    expect(secondValidity).not.toBe(firstValidity);

    await withConnector(ctx, (c) => c.syncOnce());
    expect(ctx.items.size).toBe(4);
    for (const item of ctx.items.values()) expect(item.externalId.startsWith(`INBOX:${secondValidity}:`)).toBe(true);
    for (const m of replacement) expect(byMessageId(ctx, m.messageId)?.title).toBe(m.expect.title);
    expect((ctx.cursors.get('mailbox:INBOX') as { uidValidity: number }).uidValidity).toBe(secondValidity);
  });
});

describe('an initial sync cut short', () => {
  it('resumes where it stopped: batches already stored are not fetched again, and nothing is missing or doubled', async () => {
    const user = await newUser();
    await appendMessages(dovecot, user, realisticMessages(450, new Date()));
    const ctx = contextFor(user);
    const connector = createImapConnector(ctx);
    const upsert = ctx.upsert.bind(ctx);
    let batches = 0;
    let stopping: Promise<void> | undefined;
    ctx.upsert = (items, cursor) => {
      upsert(items, cursor);
      // Pulled out from under the sync after its second batch, like a quit or a dropped line.
      if (++batches === 2) stopping = connector.stop();
    };
    connector.start();
    await waitFor('the stop after two batches', () => stopping);
    await stopping;
    const fetchedBefore = new Set(ctx.upsertCounts.keys());
    expect(fetchedBefore.size).toBeGreaterThanOrEqual(2 * 100);
    expect(fetchedBefore.size).toBeLessThan(450);

    ctx.upsert = upsert;
    const statusesBefore = ctx.statuses.length;
    await withConnector(ctx, (c) => c.syncOnce());
    expect(ctx.items.size).toBe(450);
    // The resumed sync counts what the first run stored: "200 of 450", not "0 of 250".
    const resumed = ctx.statuses.slice(statusesBefore).filter((s) => s.state === 'syncing');
    expect(resumed[0]).toMatchObject({ state: 'syncing', total: 450 });
    const firstDone = (resumed[0] as { done: number }).done;
    expect(firstDone).toBeGreaterThanOrEqual(100);
    expect(firstDone).toBeLessThanOrEqual(fetchedBefore.size);
    expect(resumed.at(-1)).toEqual({ state: 'syncing', done: 450, total: 450 });
    // Every message reached the store exactly once over both runs.
    expect([...ctx.upsertCounts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    const cursor = ctx.cursors.get('mailbox:INBOX') as { uidNext: number; initialBelow?: number };
    expect(cursor.uidNext).toBe(451);
    expect(cursor.initialBelow).toBeUndefined();
  }, 120_000);
});

describe('login problems', () => {
  it('reports a wrong password as auth-failed, without the password, and stops retrying', async () => {
    const user = await newUser();
    const wrong = 'Wrong-Secret-123';
    await expect(verifyImapLogin(settingsFor(user), wrong)).rejects.toMatchObject({ code: 'auth-failed' });
    const error = await verifyImapLogin(settingsFor(user), wrong).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as Error).message).toBe('Authentication failed: the server rejected the user name or password.');
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(wrong);

    const ctx = contextFor(user, {}, wrong);
    await withConnector(ctx, async (connector) => {
      await expect(connector.syncOnce()).rejects.toMatchObject({ code: 'auth-failed' });
      connector.start();
      await waitFor('auth-failed status', () => ctx.lastStatus()?.state === 'auth-failed');
      await new Promise((r) => setTimeout(r, 1_500));
      expect(ctx.lastStatus()).toEqual({ state: 'auth-failed', reason: 'Authentication failed: the server rejected the user name or password.' });
    });
    expectNoSecretIn(ctx);
    await expect(verifyImapLogin(settingsFor(user), user.password)).resolves.toBeUndefined();
  });

  it('refuses plain IMAP to anything but this computer', async () => {
    const user = await newUser();
    for (const host of ['mail.example.com', '10.0.0.1', '127.0.0.2']) {
      await expect(verifyImapLogin(settingsFor(user, { host }), user.password)).rejects.toMatchObject({ code: 'invalid-input' });
    }
    await expect(verifyImapLogin(settingsFor(user, { host: 'localhost' }), user.password)).resolves.toBeUndefined();
  });

  it('says when the connection is refused', async () => {
    const user = await newUser();
    const closedPort = await new Promise<number>((resolve) => {
      // A port that was free a moment ago is the best stand-in for a server that is down.
      import('node:net').then(({ createServer }) => {
        const s = createServer().listen(0, '127.0.0.1', () => {
          const a = s.address();
          s.close(() => resolve(typeof a === 'object' && a ? a.port : 1));
        });
      });
    });
    const error = await verifyImapLogin(settingsFor(user, { port: closedPort }), user.password).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'connection-failed' });
    expect((error as Error).message).toMatch(/refused/);
  });
});
