/**
 * Triage at size: the list refreshed after a bulk action on a 100k-item store (the Inbox, the
 * Done view and the counts a window reads right after "done" on 10,000 items), and mark all read
 * on 10,000 unread mails through the hub against a real Dovecot (wall time and IMAP commands).
 * Run: `node bench/run.ts triage`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../src-main/common/logger.ts';
import { Hub } from '../src-main/hub/hub.ts';
import { InboxStore, itemId, type NewItem } from '../src-main/store/inbox-store.ts';
import { UNTRIAGED, type TriageRecord } from '../src-main/store/triage-store.ts';
import { startDovecot } from '../tests/support/dovecot.ts';
import { appendMessages, realisticMessages } from '../tests/support/mail-fixtures.ts';
import { memorySecrets } from './memory-secrets.ts';
import { percentile, report } from './report.ts';

const BENCH = 'triage';
const STORE_ITEMS = 100_000;
const BULK = 10_000;
const MAILS = Number(process.env.TRIAGE_BENCH_MAILS ?? 10_000);

function timeMany(runs: number, fn: () => unknown): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

function latency(metric: string, times: number[], floorMs: number): void {
  report({ bench: BENCH, metric: `${metric} p50`, value: percentile(times, 50), unit: 'ms' });
  const p95 = percentile(times, 95);
  report({ bench: BENCH, metric: `${metric} p95`, value: p95, unit: 'ms', floor: `≤ ${floorMs}`, pass: p95 <= floorMs });
}

// ---- the store after a bulk action -------------------------------------------------------------

{
  const dir = mkdtempSync(join(tmpdir(), 'gs-bench-triage-'));
  try {
    const store = InboxStore.open(join(dir, 'profile.sqlite'));
    store.insertAccount({ id: 'mail', kind: 'imap', displayName: 'Mail', createdAt: 1, settings: {}, settingsVersion: 1 });
    const now = 1_790_000_000_000;
    for (let start = 0; start < STORE_ITEMS; start += 1_000) {
      const batch: NewItem[] = Array.from({ length: 1_000 }, (_, k) => {
        const n = start + k;
        return {
          id: itemId('mail', `INBOX:1:${n + 1}`),
          accountId: 'mail',
          externalId: `INBOX:1:${n + 1}`,
          scope: 'INBOX',
          source: 'mail',
          conversationKey: `c${n % 5_000}`,
          sender: `Sender ${n % 300}`,
          title: `Subject ${n}`,
          snippet: 'A short preview of the message body.',
          timestamp: now - n * 60_000,
          unread: n % 3 !== 0,
          priority: false,
          origin: { kind: 'mail', mailbox: 'INBOX', uidValidity: 1, uid: n + 1 },
        };
      });
      store.upsertItems(batch);
    }
    // "Done" on the newest 10,000, as a select-all and `e` would.
    const newest = store.listInbox({ limit: 500 });
    const ids: string[] = [];
    let page = newest;
    while (ids.length < BULK) {
      ids.push(...page.items.map((i) => i.id));
      if (!page.next) break;
      page = store.listInbox({ limit: 500, after: page.next });
    }
    const records = new Map<string, TriageRecord>(ids.slice(0, BULK).map((id) => [id, { ...UNTRIAGED, doneAt: now, doneThrough: now }]));
    const started = performance.now();
    store.triage.write(records);
    report({ bench: BENCH, metric: `done on ${BULK.toLocaleString('en-US')} of ${STORE_ITEMS.toLocaleString('en-US')} items (store write)`, value: performance.now() - started, unit: 'ms' });
    latency(`Inbox first page after it @100k`, timeMany(200, () => store.listInbox({})), 10);
    latency(`Done view first page @100k`, timeMany(200, () => store.listInbox({ view: 'done' })), 10);
    latency(`unread Inbox page @100k`, timeMany(200, () => store.listInbox({ unreadOnly: true })), 10);
    latency(`unread counts after it @100k`, timeMany(200, () => store.unreadCounts()), 10);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- mark all read against Dovecot -------------------------------------------------------------

{
  const user = { user: 'bench', password: 'bench-pass-3k9' };
  const dovecot = await startDovecot({ users: [user], specialUse: true });
  const profileDir = mkdtempSync(join(tmpdir(), 'gs-bench-triage-hub-'));
  const commands: string[] = [];
  try {
    await appendMessages(dovecot, user, realisticMessages(MAILS, new Date(), 300, 'bench.test').map((m) => ({ ...m, flags: [] })));
    const log = createLogger(
      {
        write: (line) => {
          const entry = JSON.parse(line) as { src?: string; message?: string };
          if (entry.src === 'c' && typeof entry.message === 'string') commands.push(entry.message);
        },
      },
      { level: 'debug' },
    );
    const hub = Hub.open({ profileDir, secrets: memorySecrets(), log });
    try {
      const added = await hub.call('accounts.add', {
        kind: 'imap',
        input: { displayName: 'Bench', host: dovecot.host, port: dovecot.port, security: 'plain', user: user.user, password: user.password, syncMaxMessages: MAILS, syncWindowDays: 400 },
      });
      if (!added.ok) throw new Error(added.error.message);
      const synced = await hub.call('sync.once', {});
      if (!synced.ok) throw new Error(synced.error.message);
      commands.length = 0;
      const started = performance.now();
      const result = await hub.call('items.markAllRead', {});
      const wall = performance.now() - started;
      if (!result.ok) throw new Error(result.error.message);
      report({ bench: BENCH, metric: `mark all read, ${result.value.itemIds.length.toLocaleString('en-US')} unread mails (hub + Dovecot, wall)`, value: wall, unit: 'ms' });
      report({ bench: BENCH, metric: '  IMAP commands sent for it', value: commands.length, unit: 'commands' });
      const stores = commands.filter((c) => /UID STORE/.test(c)).length;
      report({ bench: BENCH, metric: '  of which UID STORE (batches of 1,000)', value: stores, unit: 'commands', floor: `≤ ${Math.ceil(MAILS / 1_000)}`, pass: stores <= Math.ceil(MAILS / 1_000) });
    } finally {
      await hub.dispose();
    }
  } finally {
    await dovecot.stop();
    rmSync(profileDir, { recursive: true, force: true });
  }
}
