/**
 * Attention for mail through the whole hub against a real Dovecot, new mail arriving over IDLE:
 * exactly one notification naming the sender and the subject; a rule muting the account (silent:
 * nothing raised, counts unchanged, and the mail stays read across a restart although the server
 * says unread; badge: counted, no banner); a keyword rule making mail priority; quiet hours holding
 * notifications with counts still moving, priority breaking through only when chosen, and a pause
 * holding everything; and `groundswell watch --json`, run and attached, printing the same stream.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnreadCounts } from '../../src-shared/api.ts';
import type { RaisedNotification } from '../../src-shared/attention.ts';
import type { InboxItem } from '../../src-shared/domain.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { startDovecot } from '../support/dovecot.ts';
import type { Dovecot, DovecotUser } from '../support/dovecot.ts';
import { appendMessages, realisticMessages, rfc822, withClient } from '../support/mail-fixtures.ts';
import type { FixtureMessage } from '../support/mail-fixtures.ts';
import { tempProfile } from '../support/profile.ts';
import type { TempProfile } from '../support/profile.ts';

async function value<T>(promise: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const result = await promise;
  if (!result.ok) throw new Error(`call failed: ${result.error.message}`);
  return result.value;
}

async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let serial = 0;
/** One message from `from` with `subject`, dated now, unseen. */
function message(from: string, subject: string, body = 'Details inside.'): FixtureMessage {
  const messageId = `<attention-${++serial}-${Date.now()}@becker.test>`;
  const date = new Date();
  return {
    kind: 'attention',
    raw: rfc822({ from, to: 'Ivy Example <ivy@example.test>', subject, date, messageId, content: `Content-Type: text/plain; charset=utf-8\n\n${body}\n` }),
    date,
    flags: [],
    messageId,
    expect: { title: subject, sender: from },
  };
}

/** "HH:MM" of local time `minutes` from now: quiet hours are read on the local wall clock. */
function clockIn(minutes: number): string {
  const at = new Date(Date.now() + minutes * 60_000);
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
}

let dovecot: Dovecot;
let user: DovecotUser;
let profile: TempProfile;
let hub: Hub;
let accountId: string;
const raised: RaisedNotification[] = [];

function open(): Hub {
  hub = Hub.open({ profileDir: profile.dir });
  hub.on((name, payload) => {
    if (name === 'attention.notification') raised.push(payload as RaisedNotification);
  });
  return hub;
}

async function online(): Promise<void> {
  hub.startConnectors();
  await eventually('the account online', async () => (await value(hub.call('accounts.list', {})))[0]?.status.state === 'online');
}

/** Delivers one message over a second connection and waits until the hub stored it. */
async function deliver(from: string, subject: string, body?: string): Promise<InboxItem> {
  await appendMessages(dovecot, user, [message(from, subject, body)]);
  // The hub raises a notification in the same step that stores the item: once it is listed, any notification is out.
  return eventually(`"${subject}" in the inbox`, async () => (await value(hub.call('inbox.list', { limit: 100 }))).items.find((i) => i.title === subject));
}

const counts = (): Promise<UnreadCounts> => value(hub.call('inbox.counts', {}));
const raisedFor = (itemId: string) => raised.filter((n) => n.itemId === itemId);

beforeAll(async () => {
  user = { user: 'ivy', password: 'pw-ivy-attention-4k' };
  dovecot = await startDovecot({ users: [user] });
  await appendMessages(dovecot, user, realisticMessages(3, new Date(), 5, 'backlog.test'));
  profile = tempProfile('gs-attention-mail-');
  open();
  const view = await value(
    hub.call('accounts.add', {
      kind: 'imap',
      input: { displayName: 'Work mail', host: dovecot.host, port: dovecot.port, security: 'plain', user: user.user, password: user.password },
    }),
  );
  accountId = view.account.id;
  await value(hub.call('sync.once', {}));
  await online();
});

afterAll(async () => {
  await value(hub.call('accounts.remove', { accountId })).catch(() => undefined);
  await hub.dispose();
  await dovecot.stop();
  profile.remove();
});

describe('attention for mail', () => {
  it('raises nothing for the first sync\'s backlog, and says why', async () => {
    const backlog = (await value(hub.call('inbox.list', {}))).items;
    expect(backlog).toHaveLength(3);
    expect(raised).toEqual([]);
    const why = await value(hub.call('item.why', { itemId: backlog[0]!.id }));
    expect(why.reason).toMatchObject({ level: 'notify', ruleId: 'mail-inbox', notified: false, notNotifiedBecause: expect.stringMatching(/backlog/) });
  });

  it('raises exactly one notification for new mail over IDLE, with the sender and the subject', async () => {
    const item = await deliver('Tom Becker <tom@becker.test>', 'Mobile app crash spike after 3.8.1');
    expect(raisedFor(item.id)).toEqual([
      expect.objectContaining({
        accountId,
        source: 'mail',
        level: 'notify',
        priority: false,
        title: 'Tom Becker',
        body: 'Mobile app crash spike after 3.8.1',
        conversation: 'INBOX',
        reason: "it arrived in INBOX — rule 'Mail: Inbox'",
        group: `${accountId}:${item.conversationKey}`,
        desktop: true,
      }),
    ]);
    // Read on another client: the flag change comes in over the same connection, after anything the arrival raised.
    await withClient(dovecot, user, async (client) => {
      await client.mailboxOpen('INBOX');
      await client.messageFlagsAdd({ header: { subject: 'Mobile app crash spike' } }, ['\\Seen']);
    });
    await eventually('read here too', async () => (await value(hub.call('inbox.list', { limit: 100 }))).items.find((i) => i.id === item.id && !i.unread));
    expect(raisedFor(item.id)).toHaveLength(1);
    const why = await value(hub.call('item.why', { itemId: item.id }));
    expect(why).toMatchObject({ reason: { level: 'notify', notified: true, ruleName: 'Mail: Inbox' }, sender: 'tom@becker.test', unread: false, counted: false });
  });

  it('a rule muting the account raises nothing: silent keeps the counts as they were, badge moves them', async () => {
    const rule = await value(hub.call('rules.add', { match: { accountId }, level: 'silent' }));
    expect(rule).toMatchObject({ name: 'Mute Work mail', level: 'silent', builtIn: false });
    expect((await value(hub.call('rules.list', {})))[0]!.id).toBe(rule.id);
    const before = await counts();
    const muted = await deliver('Build Bot <ci@becker.test>', 'Nightly build passed');
    expect(muted.unread).toBe(false);
    expect(raisedFor(muted.id)).toEqual([]);
    expect(await counts()).toEqual(before);
    const why = await value(hub.call('item.why', { itemId: muted.id }));
    expect(why).toMatchObject({ reason: { level: 'silent', ruleId: rule.id, text: "it came to Work mail — rule 'Mute Work mail'" }, counted: false });
    expect(why.unreadBecause).toBe("Read: silenced by rule 'Mute Work mail', so it was stored as read and is not counted");

    // The server still has it unread; a restart's catch-up must not bring it back.
    await hub.dispose();
    open();
    await value(hub.call('sync.once', {}));
    expect((await value(hub.call('inbox.list', { limit: 100 }))).items.find((i) => i.id === muted.id)?.unread).toBe(false);
    expect(await counts()).toEqual(before);
    await online();

    await value(hub.call('rules.update', { ruleId: rule.id, changes: { level: 'badge' } }));
    const counted = await deliver('Build Bot <ci@becker.test>', 'Nightly build failed');
    expect(counted.unread).toBe(true);
    expect(raisedFor(counted.id)).toEqual([]);
    const after = await counts();
    expect(after.all).toBe(before.all + 1);
    expect(after.byAccount[accountId]).toBe((before.byAccount[accountId] ?? 0) + 1);
    expect((await value(hub.call('item.why', { itemId: counted.id }))).reason).toMatchObject({ level: 'badge', notified: false, notNotifiedBecause: 'its rule counts it without a notification' });
    await value(hub.call('rules.remove', { ruleId: rule.id }));
  });

  it('a keyword rule makes matching mail priority, counted apart', async () => {
    const rule = await value(hub.call('rules.add', { match: { keywords: ['crash', 'data loss'] }, level: 'notify', priority: true }));
    const before = await counts();
    const plain = await deliver('Dana Ops <dana@becker.test>', 'Lunch on Friday');
    const urgent = await deliver('Dana Ops <dana@becker.test>', 'Checkout CRASH in 3.8.2', 'Customers report a crash at checkout.');
    const phrase = await deliver('Dana Ops <dana@becker.test>', 'Sync report', 'We saw data  loss on two devices.');
    expect([plain.priority, urgent.priority, phrase.priority]).toEqual([false, true, true]);
    expect(raisedFor(plain.id)).toEqual([expect.objectContaining({ priority: false })]);
    expect(raisedFor(urgent.id)).toEqual([expect.objectContaining({ priority: true, reason: `it mentions "crash" — rule '${rule.name}'` })]);
    expect(raisedFor(phrase.id)).toEqual([expect.objectContaining({ priority: true, reason: `it mentions "data loss" — rule '${rule.name}'` })]);
    expect((await counts()).priority).toBe(before.priority + 2);
    await value(hub.call('rules.remove', { ruleId: rule.id }));
  });

  it('quiet hours hold notifications while counts move; priority breaks through only when chosen; a pause holds everything', async () => {
    const priority = await value(hub.call('rules.add', { match: { keywords: ['outage'] }, level: 'notify', priority: true }));
    const quiet = await value(hub.call('attention.setQuietHours', { quietHours: { start: clockIn(-60), end: clockIn(60), priorityBreaksThrough: false } }));
    expect(quiet.holding).toBe(true);
    const before = await counts();
    const held = await deliver('Dana Ops <dana@becker.test>', 'Weekly numbers');
    const heldPriority = await deliver('Dana Ops <dana@becker.test>', 'Outage in eu-west');
    expect(raisedFor(held.id)).toEqual([]);
    expect(raisedFor(heldPriority.id)).toEqual([]);
    expect((await counts()).all).toBe(before.all + 2);
    expect((await value(hub.call('item.why', { itemId: held.id }))).reason.notNotifiedBecause).toMatch(/^notifications are held by quiet hours \(\d\d:\d\d–\d\d:\d\d\)$/);

    await value(hub.call('attention.setQuietHours', { quietHours: { start: clockIn(-60), end: clockIn(60), priorityBreaksThrough: true } }));
    const stillHeld = await deliver('Dana Ops <dana@becker.test>', 'Weekly numbers, again');
    const through = await deliver('Dana Ops <dana@becker.test>', 'Outage in us-east');
    expect(raisedFor(stillHeld.id)).toEqual([]);
    expect(raisedFor(through.id)).toEqual([expect.objectContaining({ priority: true, title: 'Dana Ops', body: 'Outage in us-east' })]);

    const paused = await value(hub.call('attention.pause', { until: Date.now() + 3_600_000 }));
    expect(paused).toMatchObject({ holding: true, pausedUntil: expect.any(Number) });
    const pausedPriority = await deliver('Dana Ops <dana@becker.test>', 'Outage in ap-south');
    expect(raisedFor(pausedPriority.id)).toEqual([]);
    expect((await value(hub.call('item.why', { itemId: pausedPriority.id }))).reason.notNotifiedBecause).toMatch(/^notifications are paused until /);

    await value(hub.call('attention.pause', { until: null }));
    const settings = await value(hub.call('attention.setQuietHours', { quietHours: null }));
    expect(settings).toMatchObject({ holding: false, pausedUntil: null, quietHours: null });
    const free = await deliver('Dana Ops <dana@becker.test>', 'Back to normal');
    expect(raisedFor(free.id)).toHaveLength(1);
    await value(hub.call('rules.remove', { ruleId: priority.id }));
  });
});

/** A child's exit code, whether it has exited already or does so later. */
function exitOf(child: { exitCode: number | null; once(event: 'exit', listener: (code: number | null) => void): unknown }): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', resolve));
}

describe('groundswell watch --json', () => {
  let watcher: ChildProcessWithoutNullStreams | undefined;
  let attached: ChildProcessWithoutNullStreams | undefined;

  afterAll(async () => {
    for (const child of [attached, watcher]) {
      if (child && child.exitCode === null) {
        child.kill('SIGTERM');
        await exitOf(child);
      }
    }
    open();
  });

  /** Starts `groundswell watch --json`; resolves once it says it is watching. */
  function startWatch(): Promise<{ child: ChildProcessWithoutNullStreams; lines: () => string[]; stderr: () => string }> {
    const child = spawn(process.execPath, ['bin/groundswell.js', 'watch', '--json', '--profile', profile.dir], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    return new Promise((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('Watching')) resolve({ child, lines: () => stdout.split('\n').filter((l) => l !== ''), stderr: () => stderr });
      });
      child.once('exit', (code) => reject(new Error(`watch ended (${code}): ${stderr}`)));
      setTimeout(() => reject(new Error(`watch did not start within 20 s: ${stderr}`)), 20_000).unref();
    });
  }

  it('runs the hub itself, and a second watch attached to it prints the same stream, one JSON object a line', async () => {
    await hub.dispose();
    const first = await startWatch();
    watcher = first.child;
    const second = await startWatch();
    attached = second.child;
    await appendMessages(dovecot, user, [message('Tom Becker <tom@becker.test>', 'Crash spike, day two')]);
    const [line] = await eventually('a line from watch', async () => (first.lines().length > 0 ? first.lines() : undefined), 20_000).catch((error: unknown) => {
      throw new Error(`${String(error)}; watch said: ${first.stderr()}`);
    });
    const printed = JSON.parse(line!) as Record<string, unknown>;
    expect(Object.keys(printed)).toEqual(['itemId', 'accountId', 'source', 'level', 'priority', 'title', 'body', 'reason', 'conversation']);
    expect(printed).toMatchObject({ accountId, source: 'mail', level: 'notify', priority: false, title: 'Tom Becker', body: 'Crash spike, day two', reason: "it arrived in INBOX — rule 'Mail: Inbox'", conversation: 'INBOX' });
    await eventually('the same line from the attached watch', async () => second.lines().length > 0);
    expect(second.lines()).toEqual(first.lines());

    // Other commands reach the watching hub meanwhile.
    const why = spawn(process.execPath, ['bin/groundswell.js', 'why', String(printed['itemId']), '--profile', profile.dir]);
    let text = '';
    why.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    expect(await exitOf(why)).toBe(0);
    expect(text).toContain("Notified because: it arrived in INBOX — rule 'Mail: Inbox'");

    watcher.kill('SIGTERM');
    expect(await exitOf(watcher)).toBe(0);
    // The hub it ran is gone, so the attached watch ends too, saying so.
    expect(await exitOf(attached)).toBe(2);
    expect(second.stderr()).toContain('the running hub closed the connection');
  });
});
