/**
 * Initial IMAP sync of 2,000 messages into a memory context, beside the cheapest thing an IMAP
 * client can do with the same mailbox: one FETCH of envelope, flags and internal date. The ratio
 * says what headers + snippet + parsing cost on top of the protocol itself.
 */
import { ImapFlow } from 'imapflow';
import type { ImapSettings } from '../src-shared/domain.ts';
import { createImapConnector } from '../src-main/connectors/imap/imap-connector.ts';
import { startDovecot } from '../tests/support/dovecot.ts';
import { appendMessages, mailboxFixture } from '../tests/support/mail-fixtures.ts';
import { createMemoryContext, waitFor } from '../tests/support/memory-context.ts';
import { report } from './report.ts';

const BENCH = 'imap-sync';
const COUNT = 2_000;
const ROUNDS = 3;
const FLOOR_RATIO = 2;
const DELIVERIES = 5;

const dovecot = await startDovecot();
try {
  const user = dovecot.users[0];
  if (!user) throw new Error('no user');
  await appendMessages(dovecot, user, mailboxFixture(COUNT));

  const plainFetch = async (): Promise<number> => {
    const client = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, doSTARTTLS: false, auth: { user: user.user, pass: user.password }, logger: false });
    client.on('error', () => {});
    await client.connect();
    try {
      await client.mailboxOpen('INBOX');
      const started = performance.now();
      const messages = await client.fetchAll('1:*', { envelope: true, flags: true, internalDate: true, uid: true });
      const elapsed = performance.now() - started;
      if (messages.length !== COUNT) throw new Error(`plain fetch saw ${messages.length} messages`);
      return elapsed;
    } finally {
      await client.logout();
    }
  };

  // Connecting and logging in are outside the plain figure, so they stay outside ours too: the
  // connector's time is measured from syncOnce, minus one login measured separately.
  const loginOnly = async (): Promise<number> => {
    const started = performance.now();
    const client = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, doSTARTTLS: false, auth: { user: user.user, pass: user.password }, logger: false });
    client.on('error', () => {});
    await client.connect();
    await client.mailboxOpen('INBOX');
    await client.logout();
    return performance.now() - started;
  };

  const benchContext = (id: string) =>
    createMemoryContext<ImapSettings>(
      {
        id,
        kind: 'imap',
        source: 'mail',
        displayName: 'bench',
        createdAt: 0,
        settings: { host: dovecot.host, port: dovecot.port, security: 'plain', user: user.user, syncWindowDays: 30, syncMaxMessages: COUNT },
      },
      user.password,
      // The hub logs at info; debug would add a JSON line per IMAP response to our side only.
      { logLevel: 'info' },
    );

  const connectorSync = async (): Promise<number> => {
    const ctx = benchContext('bench');
    const connector = createImapConnector(ctx);
    const started = performance.now();
    await connector.syncOnce();
    const elapsed = performance.now() - started;
    if (ctx.items.size !== COUNT) throw new Error(`connector stored ${ctx.items.size} messages`);
    return elapsed;
  };

  // One warm-up of each, so Dovecot's index cache and our module loading are not measured.
  await plainFetch();
  await connectorSync();

  const plain: number[] = [];
  const ours: number[] = [];
  const logins: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    plain.push(await plainFetch());
    logins.push(await loginOnly());
    ours.push(await connectorSync());
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const plainMs = median(plain);
  const loginMs = median(logins);
  const syncMs = median(ours);
  const syncWithoutLoginMs = Math.max(syncMs - loginMs, 1);
  const ratio = syncWithoutLoginMs / plainMs;

  report({ bench: BENCH, metric: `initial sync of ${COUNT} (connector, median of ${ROUNDS})`, value: syncMs, unit: 'ms' });
  report({ bench: BENCH, metric: 'connect + login + select (subtracted)', value: loginMs, unit: 'ms' });
  report({ bench: BENCH, metric: `plain imapflow FETCH 1:* envelope+flags (median of ${ROUNDS})`, value: plainMs, unit: 'ms' });
  report({ bench: BENCH, metric: 'sync / plain fetch', value: ratio, unit: '×', floor: `≤ ${FLOOR_RATIO}×`, pass: ratio <= FLOOR_RATIO });

  // New mail while idling: from the end of the APPEND on a second connection to ctx.upsert.
  const liveCtx = benchContext('bench-live');
  const arrivals = new Map<string, number>();
  const upsert = liveCtx.upsert.bind(liveCtx);
  liveCtx.upsert = (items, cursor) => {
    for (const item of items) if (item.origin.kind === 'mail' && item.origin.messageId) arrivals.set(item.origin.messageId, performance.now());
    upsert(items, cursor);
  };
  const live = createImapConnector(liveCtx);
  live.start();
  try {
    await waitFor('online', () => liveCtx.lastStatus()?.state === 'online', 120_000);
    const latencies: number[] = [];
    const append = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, doSTARTTLS: false, auth: { user: user.user, pass: user.password }, logger: false });
    append.on('error', () => {});
    await append.connect();
    try {
      for (let i = 0; i < DELIVERIES; i++) {
        // Let the connector settle into IDLE, as it would be between two real deliveries.
        await new Promise((r) => setTimeout(r, 1_000));
        const messageId = `<live-${i}.${Date.now()}@bench.test>`;
        const raw = `From: Bench <bench@example.test>\r\nSubject: live ${i}\r\nMessage-ID: ${messageId}\r\nDate: ${new Date().toUTCString()}\r\n\r\nhello\r\n`;
        await append.append('INBOX', raw);
        const delivered = performance.now();
        const arrived = await waitFor(`delivery ${i}`, () => arrivals.get(messageId), 30_000);
        latencies.push(Math.max(0, arrived - delivered));
      }
      await live.stop();
      latencies.sort((a, b) => a - b);
      // The floor any client meets: Dovecot waits a moment after a change before it notifies IDLE.
      const bare = await bareIdleLatencies(append);
      report({ bench: BENCH, metric: `bare imapflow IDLE: APPEND to EXISTS, median of ${DELIVERIES}`, value: median(bare), unit: 'ms' });
    } finally {
      await append.logout();
    }
    const worst = latencies.at(-1) as number;
    report({ bench: BENCH, metric: `new mail to upsert while idling, median of ${DELIVERIES}`, value: median(latencies), unit: 'ms' });
    report({ bench: BENCH, metric: `new mail to upsert while idling, worst of ${DELIVERIES}`, value: worst, unit: 'ms', floor: '≤ 1,000 ms', pass: worst <= 1_000 });
  } finally {
    await live.stop();
  }
} finally {
  await dovecot.stop();
}

async function bareIdleLatencies(sender: ImapFlow): Promise<number[]> {
  const user = dovecot.users[0] as { user: string; password: string };
  const watcher = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, doSTARTTLS: false, auth: { user: user.user, pass: user.password }, logger: false, autoIdleDelay: 300 });
  watcher.on('error', () => {});
  await watcher.connect();
  try {
    await watcher.mailboxOpen('INBOX');
    let notify: (() => void) | undefined;
    watcher.on('exists', () => notify?.());
    const out: number[] = [];
    for (let i = 0; i < DELIVERIES; i++) {
      await new Promise((r) => setTimeout(r, 1_000));
      const seen = new Promise<void>((resolve) => (notify = resolve));
      await sender.append('INBOX', `From: Bench <bench@example.test>\r\nSubject: bare ${i}\r\n\r\nhello\r\n`);
      const appended = performance.now();
      await seen;
      out.push(performance.now() - appended);
    }
    return out;
  } finally {
    await watcher.logout();
  }
}
