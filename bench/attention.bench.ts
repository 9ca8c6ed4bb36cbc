/**
 * Attention: what deciding costs per item with 200 rules, beside what storing that item costs
 * anyway; and new mail → notification over IDLE on loopback, measured from the moment the hub's own
 * IMAP connection reads the server's untagged EXISTS (imapflow logs each response line; so Dovecot's
 * delivery and its IDLE notice are outside the figure) to the moment the hub raises
 * `attention.notification`: the FETCH round trip, parsing, storing, the rules and the event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AttentionRule, RaisedNotification } from '../src-shared/attention.ts';
import type { AttentionFacts } from '../src-main/connectors/connector.ts';
import { RuleList } from '../src-main/hub/attention/rules.ts';
import type { RuleSubject } from '../src-main/hub/attention/rules.ts';
import { createLogger } from '../src-main/common/logger.ts';
import { Hub } from '../src-main/hub/hub.ts';
import { InboxStore } from '../src-main/store/inbox-store.ts';
import { startDovecot } from '../tests/support/dovecot.ts';
import { appendMessages, rfc822 } from '../tests/support/mail-fixtures.ts';
import { memorySecrets } from '../tests/support/memory-secrets.ts';
import { percentile, report } from './report.ts';

const BENCH = 'attention';
const RULES = 200;
const ITEMS = 20_000;
const EVAL_FLOOR_US = 50;
const ROUNDS = 30;
const LATENCY_FLOOR_MS = 300;

// ---- rule evaluation ---------------------------------------------------------------------

/** 200 rules of every kind, as a heavy user's list might be: rooms and senders muted, words, accounts. */
function heavyRules(): AttentionRule[] {
  const rules: AttentionRule[] = [];
  for (let i = 0; i < RULES - 5; i++) {
    const id = `r${i}`;
    switch (i % 5) {
      case 0:
        rules.push({ id, name: id, match: { conversation: { accountId: 'chat', key: `!room${i}:example.org`, name: `room ${i}` } }, level: 'silent', priority: false, builtIn: false });
        break;
      case 1:
        rules.push({ id, name: id, match: { sender: `person${i}@example.com` }, level: 'notify', priority: true, builtIn: false });
        break;
      case 2:
        rules.push({ id, name: id, match: { sender: `team${i}.example.net` }, level: 'badge', priority: false, builtIn: false });
        break;
      case 3:
        rules.push({ id, name: id, match: { keywords: [`word${i}`, `two words ${i}`, `incident-${i}`] }, level: 'notify', priority: true, builtIn: false });
        break;
      default:
        rules.push({ id, name: id, match: { accountId: `account${i}`, mentionsOnly: true }, level: 'notify', priority: false, builtIn: false });
    }
  }
  rules.push(
    { id: 'mail-inbox', name: 'Mail: Inbox', match: { source: 'mail', mailbox: 'INBOX' }, level: 'notify', priority: false, builtIn: true },
    { id: 'chat-mentions', name: 'Chat: mentions', match: { source: 'chat', mentionsOnly: true }, level: 'notify', priority: true, builtIn: true },
    { id: 'chat-direct', name: 'Chat: direct messages', match: { source: 'chat', directOnly: true }, level: 'notify', priority: false, builtIn: true },
    { id: 'chat-rooms', name: 'Chat: room messages', match: { source: 'chat' }, level: 'badge', priority: false, builtIn: true },
    { id: 'feeds', name: 'Feeds', match: { source: 'feed' }, level: 'badge', priority: false, builtIn: true },
  );
  return rules;
}

/** Items whose text is a real mail's length, most matching nothing until the defaults at the end. */
function subjects(): RuleSubject[] {
  const body = 'Hi team, the nightly build on the release branch failed again after the dependency bump; logs are attached and the on-call rotation has been notified. '.repeat(12);
  return Array.from({ length: ITEMS }, (_, i) => {
    const facts: AttentionFacts = {
      fresh: true,
      fromMe: false,
      mentionsMe: i % 7 === 0,
      direct: false,
      sender: `someone${i % 300}@example.org`,
      conversationName: `Thread ${i}`,
      place: 'INBOX',
      mailbox: 'INBOX',
      text: { title: `Build report ${i} for the release`, categories: [], body },
    };
    return { accountId: i % 2 === 0 ? 'mail' : 'chat', accountName: 'Work', source: i % 2 === 0 ? 'mail' : 'chat', conversationKey: `conv-${i}`, facts };
  });
}

{
  const list = new RuleList(heavyRules());
  const items = subjects();
  for (const subject of items.slice(0, 2_000)) list.evaluate(subject);
  const times: number[] = [];
  for (const subject of items) {
    const started = performance.now();
    list.evaluate(subject);
    times.push((performance.now() - started) * 1_000);
  }
  times.sort((a, b) => a - b);
  const p95 = percentile(times, 95);
  report({ bench: BENCH, metric: `rule evaluation per item, ${RULES} rules, p50`, value: percentile(times, 50), unit: 'µs' });
  report({ bench: BENCH, metric: `rule evaluation per item, ${RULES} rules, p95`, value: p95, unit: 'µs', floor: `≤ ${EVAL_FLOOR_US}`, pass: p95 <= EVAL_FLOOR_US });

  // The reference: what storing the same item costs anyway (batches of 100, as a sync writes them).
  const dir = mkdtempSync(join(tmpdir(), 'gs-attention-bench-'));
  try {
    const store = InboxStore.open(join(dir, 'bench.sqlite'));
    store.insertAccount({ id: 'mail', kind: 'imap', displayName: 'Work', createdAt: 0, settings: {}, settingsVersion: 1 });
    const rows = items.slice(0, 10_000).map((s, i) => ({
      id: `mail:${i}`,
      accountId: 'mail',
      externalId: `${i}`,
      scope: 'INBOX',
      source: 'mail' as const,
      conversationKey: s.conversationKey,
      sender: 'Someone',
      title: s.facts.text.title,
      snippet: s.facts.text.body.slice(0, 200),
      searchText: s.facts.text.body,
      timestamp: 1_700_000_000_000 + i,
      unread: true,
      priority: false,
      origin: { kind: 'mail' as const, mailbox: 'INBOX', uidValidity: 1, uid: i + 1 },
    }));
    const started = performance.now();
    for (let i = 0; i < rows.length; i += 100) store.upsertItems(rows.slice(i, i + 100));
    const perItemUs = ((performance.now() - started) * 1_000) / rows.length;
    store.close();
    report({ bench: BENCH, metric: '  reference: storing one such item (upsert, batches of 100)', value: perItemUs, unit: 'µs' });
    report({ bench: BENCH, metric: '  rule evaluation p50 / storing', value: percentile(times, 50) / perItemUs, unit: '×' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- new mail → notification over IDLE --------------------------------------------------

const user = { user: 'bench', password: 'pw-bench-attention' };
const dovecot = await startDovecot({ users: [user] });
const profileDir = mkdtempSync(join(tmpdir(), 'gs-attention-bench-profile-'));
let heard: ((at: number) => void) | undefined;
const log = createLogger(
  {
    write: (line) => {
      // The server's untagged "* N EXISTS" as the hub's connection reads it.
      if (heard && line.includes('"src":"s"') && / EXISTS/.test(line)) heard(performance.now());
    },
  },
  { level: 'debug' },
);
// Every round is a notification from one account within a minute: flood control would sum them up.
const hub = Hub.open({ profileDir, secrets: memorySecrets(), floodLimit: 1_000, log });
try {
  const added = await hub.call('accounts.add', {
    kind: 'imap',
    input: { displayName: 'Bench', host: dovecot.host, port: dovecot.port, security: 'plain', user: user.user, password: user.password },
  });
  if (!added.ok) throw new Error(added.error.message);
  hub.startConnectors();
  for (let tries = 0; ; tries++) {
    const accounts = await hub.call('accounts.list', {});
    if (accounts.ok && accounts.value[0]?.status.state === 'online') break;
    if (tries > 200) throw new Error('the account did not come online');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  let raised: ((at: number, n: RaisedNotification) => void) | undefined;
  hub.on((name, payload) => {
    if (name === 'attention.notification') raised?.(performance.now(), payload as RaisedNotification);
  });

  const beyond: number[] = [];
  const fromAppend: number[] = [];
  for (let round = 0; round < ROUNDS + 3; round++) {
    const subject = `Bench round ${round}: crash spike after 3.8.${round}`;
    const serverNotice = new Promise<number>((resolve) => (heard = resolve));
    const notification = new Promise<number>((resolve) => {
      raised = (at, n) => {
        if (n.body === subject) resolve(at);
      };
    });
    const started = performance.now();
    const date = new Date();
    await appendMessages(dovecot, user, [
      {
        kind: 'bench',
        raw: rfc822({ from: 'Tom Becker <tom@becker.test>', subject, date, messageId: `<bench-${round}-${Date.now()}@becker.test>`, content: 'Content-Type: text/plain\n\nSee the dashboard.\n' }),
        date,
        flags: [],
        messageId: '',
        expect: { title: subject, sender: 'Tom Becker' },
      },
    ]);
    const [noticeAt, notifiedAt] = await Promise.all([serverNotice, notification]);
    // The first rounds warm up the parser and the statements.
    if (round < 3) continue;
    beyond.push(notifiedAt - noticeAt);
    fromAppend.push(notifiedAt - started);
  }
  beyond.sort((a, b) => a - b);
  fromAppend.sort((a, b) => a - b);
  const p95 = percentile(beyond, 95);
  report({ bench: BENCH, metric: `new mail → notification, beyond the server's IDLE notice (${ROUNDS} mails), p50`, value: percentile(beyond, 50), unit: 'ms' });
  report({ bench: BENCH, metric: `new mail → notification, beyond the server's IDLE notice (${ROUNDS} mails), p95`, value: p95, unit: 'ms', floor: `≤ ${LATENCY_FLOOR_MS}`, pass: p95 <= LATENCY_FLOOR_MS });
  report({ bench: BENCH, metric: '  reference: from the start of APPEND on another connection, p50', value: percentile(fromAppend, 50), unit: 'ms' });
  report({ bench: BENCH, metric: '  reference: from the start of APPEND on another connection, p95', value: percentile(fromAppend, 95), unit: 'ms' });
} finally {
  await hub.dispose();
  await dovecot.stop();
  rmSync(profileDir, { recursive: true, force: true });
}
