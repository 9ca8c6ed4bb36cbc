/**
 * Triage through the whole hub against a real Dovecot: star as \Flagged both ways, done/delete/spam
 * as moves to the special-use mailboxes (and Archive created when the server has none), undo with
 * the new UID learnt, bulk actions counted in IMAP commands, the outbox across a stopped server
 * and a restarted hub, and a UIDVALIDITY change under a waiting action. The server's state is read
 * back over a second, plain IMAP connection.
 */
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TriageResult } from '../../src-shared/api.ts';
import type { RaisedNotification } from '../../src-shared/attention.ts';
import type { InboxItem, TriageView } from '../../src-shared/domain.ts';
import { createLogger } from '../../src-main/common/logger.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { runCli } from '../support/cli.ts';
import { startDovecot } from '../support/dovecot.ts';
import type { Dovecot, DovecotUser } from '../support/dovecot.ts';
import { testKeychain } from '../support/keychain.ts';
import { appendMessages, realisticMessages, withClient } from '../support/mail-fixtures.ts';
import type { FixtureMessage } from '../support/mail-fixtures.ts';
import { tempProfile } from '../support/profile.ts';
import type { TempProfile } from '../support/profile.ts';

const keychain = testKeychain();

async function value<T>(promise: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const result = await promise;
  if (!result.ok) throw new Error(`call failed: ${result.error.message}`);
  return result.value;
}

/** The Message-IDs in a mailbox, with UID and flags, over a second connection. */
async function mailbox(dovecot: Dovecot, user: DovecotUser, path: string): Promise<Map<string, { uid: number; flags: Set<string> }>> {
  return withClient(dovecot, user, async (client: ImapFlow) => {
    const found = new Map<string, { uid: number; flags: Set<string> }>();
    const box = await client.mailboxOpen(path, { readOnly: true });
    if (box.exists === 0) return found;
    for await (const message of client.fetch('1:*', { uid: true, flags: true, envelope: true })) {
      found.set(message.envelope?.messageId ?? '', { uid: message.uid, flags: message.flags ?? new Set() });
    }
    return found;
  });
}

interface World {
  dovecot: Dovecot;
  user: DovecotUser;
  profile: TempProfile;
  hub: Hub;
  accountId: string;
  messages: FixtureMessage[];
  /** IMAP commands the hub sent, as imapflow logged them. */
  commands: string[];
  /** The hub's own log lines at info and above, as JSON. */
  logs: string[];
  events: { name: string; payload: unknown }[];
  reopen(): Promise<void>;
}

async function world(options: { specialUse: boolean; messages: number; user: string }): Promise<World> {
  const user = { user: options.user, password: `pw-${options.user}-7f2k` };
  const dovecot = await startDovecot({ users: [user], specialUse: options.specialUse });
  const messages = realisticMessages(options.messages, new Date(), 20, `${options.user}.test`);
  await appendMessages(dovecot, user, messages);
  const profile = tempProfile('gs-triage-');
  const commands: string[] = [];
  const logs: string[] = [];
  const events: { name: string; payload: unknown }[] = [];
  const open = () => {
    const log = createLogger(
      {
        write: (line) => {
          const entry = JSON.parse(line) as { src?: string; message?: string };
          if (entry.src === 'c' && typeof entry.message === 'string') commands.push(entry.message);
          if (!line.includes('"level":"debug"')) logs.push(line);
        },
      },
      { level: 'debug' },
    );
    const hub = Hub.open({ profileDir: profile.dir, secrets: keychain.secrets, log });
    hub.on((name, payload) => events.push({ name, payload }));
    return hub;
  };
  const w: World = {
    dovecot,
    user,
    profile,
    hub: open(),
    accountId: '',
    messages,
    commands,
    logs,
    events,
    async reopen() {
      await w.hub.dispose();
      w.hub = open();
    },
  };
  const view = await value(
    w.hub.call('accounts.add', {
      kind: 'imap',
      input: { displayName: 'Work mail', host: dovecot.host, port: dovecot.port, security: 'plain', user: user.user, password: user.password, syncMaxMessages: 5_000 },
    }),
  );
  w.accountId = view.account.id;
  await value(w.hub.call('sync.once', {}));
  return w;
}

async function close(w: World | undefined): Promise<void> {
  if (!w) return;
  await w.hub.dispose();
  await w.dovecot.stop();
  w.profile.remove();
}

async function list(w: World, view: TriageView): Promise<InboxItem[]> {
  return (await value(w.hub.call('inbox.list', { view, limit: 500 }))).items;
}

const triage = (w: World, action: Parameters<Hub['call']>[1] & object) => value(w.hub.call('items.triage', action as never)) as Promise<TriageResult>;
async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const messageId = (item: InboxItem) => (item.origin.kind === 'mail' ? item.origin.messageId! : '');

describe('triage against Dovecot with special-use mailboxes', () => {
  let w: World;
  beforeAll(async () => {
    w = await world({ specialUse: true, messages: 30, user: 'dora' });
  });
  afterAll(async () => {
    await close(w);
    await keychain.clear();
  });

  it('stars as \\Flagged, and shows a flag set in another client as a star', async () => {
    const [first, second] = await list(w, 'inbox');
    await triage(w, { itemIds: [first!.id], action: 'star' });
    expect((await mailbox(w.dovecot, w.user, 'INBOX')).get(messageId(first!))?.flags.has('\\Flagged')).toBe(true);
    expect((await list(w, 'starred')).map((i) => i.id)).toEqual([first!.id]);

    await withClient(w.dovecot, w.user, async (client) => {
      await client.mailboxOpen('INBOX');
      await client.messageFlagsAdd(String(second!.origin.kind === 'mail' ? second!.origin.uid : 0), ['\\Flagged'], { uid: true });
    });
    await value(w.hub.call('sync.once', {}));
    expect((await list(w, 'starred')).map((i) => i.id).sort()).toEqual([first!.id, second!.id].sort());

    await triage(w, { itemIds: [first!.id, second!.id], action: 'unstar' });
    const inbox = await mailbox(w.dovecot, w.user, 'INBOX');
    expect(inbox.get(messageId(first!))?.flags.has('\\Flagged')).toBe(false);
    expect(inbox.get(messageId(second!))?.flags.has('\\Flagged')).toBe(false);
    expect(await list(w, 'starred')).toEqual([]);
  });

  it('moves a done mail to \\Archive keeping its id, and undo brings it back to INBOX with its new UID', async () => {
    const before = await value(w.hub.call('inbox.counts', {}));
    const target = (await list(w, 'inbox')).find((i) => i.unread)!;
    await triage(w, { itemIds: [target.id], action: 'done' });
    expect((await mailbox(w.dovecot, w.user, 'INBOX')).has(messageId(target))).toBe(false);
    const archived = (await mailbox(w.dovecot, w.user, 'Archive')).get(messageId(target))!;
    expect(archived).toBeDefined();
    const done = await list(w, 'done');
    expect(done.map((i) => i.id)).toEqual([target.id]);
    expect(done[0]!.origin).toMatchObject({ mailbox: 'Archive', uid: archived.uid });
    expect((await list(w, 'inbox')).map((i) => i.id)).not.toContain(target.id);
    expect((await value(w.hub.call('inbox.counts', {}))).all).toBe(before.all - 1);
    // The INBOX sync sees the message gone and must not take the item with it.
    await value(w.hub.call('sync.once', {}));
    expect((await list(w, 'done')).map((i) => i.id)).toEqual([target.id]);

    const undo = await value(w.hub.call('items.undo', {}));
    expect(undo.undone).toBe('done');
    const back = (await mailbox(w.dovecot, w.user, 'INBOX')).get(messageId(target))!;
    expect(back).toBeDefined();
    expect((await mailbox(w.dovecot, w.user, 'Archive')).has(messageId(target))).toBe(false);
    await value(w.hub.call('sync.once', {}));
    const inbox = await list(w, 'inbox');
    expect(inbox.filter((i) => messageId(i) === messageId(target)).map((i) => i.id)).toEqual([target.id]);
    expect(inbox.find((i) => i.id === target.id)!.origin).toMatchObject({ mailbox: 'INBOX', uid: back.uid });
    expect(back.uid).not.toBe(target.origin.kind === 'mail' ? target.origin.uid : 0);
    expect(await list(w, 'done')).toEqual([]);
    expect((await value(w.hub.call('inbox.counts', {}))).all).toBe(before.all);
    // The item still answers to actions where it is now.
    await triage(w, { itemIds: [target.id], action: 'star' });
    expect((await mailbox(w.dovecot, w.user, 'INBOX')).get(messageId(target))?.flags.has('\\Flagged')).toBe(true);
  });

  it('moves deleted mail to \\Trash and spam to \\Junk; deleting in the trash needs a confirmation and then removes it', async () => {
    const [a, b] = await list(w, 'inbox');
    await triage(w, { itemIds: [a!.id], action: 'delete' });
    await triage(w, { itemIds: [b!.id], action: 'spam' });
    expect((await mailbox(w.dovecot, w.user, 'Trash')).has(messageId(a!))).toBe(true);
    expect((await mailbox(w.dovecot, w.user, 'Junk')).has(messageId(b!))).toBe(true);
    expect((await list(w, 'all')).map((i) => i.id)).not.toContain(a!.id);

    const refused = await w.hub.call('items.triage', { itemIds: [a!.id], action: 'delete' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatchObject({ code: 'invalid-input', field: 'confirm' });
    expect((await mailbox(w.dovecot, w.user, 'Trash')).has(messageId(a!))).toBe(true);

    await triage(w, { itemIds: [a!.id], action: 'delete', confirm: true });
    expect((await mailbox(w.dovecot, w.user, 'Trash')).has(messageId(a!))).toBe(false);
    expect((await w.hub.call('item.get', { itemId: a!.id })).ok).toBe(false);
  });

  it('snoozes here only, and brings the mail back unread with its mark and a notification', async () => {
    const target = (await list(w, 'inbox'))[0]!;
    await triage(w, { itemIds: [target.id], action: 'read' });
    const until = Date.now() + 1_500;
    await triage(w, { itemIds: [target.id], action: 'snooze', until });
    expect((await list(w, 'inbox')).map((i) => i.id)).not.toContain(target.id);
    expect((await list(w, 'snoozed')).map((i) => i.id)).toEqual([target.id]);
    const notified = await new Promise<RaisedNotification>((resolve) => {
      const off = w.hub.on((name, payload) => {
        if (name === 'attention.notification') {
          off();
          resolve(payload as RaisedNotification);
        }
      });
    });
    expect(notified).toMatchObject({ itemId: target.id, source: 'mail', title: target.sender, body: target.title, conversation: 'INBOX' });
    expect(notified.reason).toMatch(/^it came back from snooze/);
    const woke = (await list(w, 'inbox')).find((i) => i.id === target.id)!;
    expect(woke).toMatchObject({ unread: true, snoozedUntil: null, snoozeEnded: until });
    expect((await mailbox(w.dovecot, w.user, 'INBOX')).get(messageId(target))?.flags.has('\\Seen')).toBe(false);
  });
});

describe('triage with the account online', () => {
  let w: World;
  beforeAll(async () => {
    w = await world({ specialUse: true, messages: 5, user: 'hank' });
    w.hub.startConnectors();
  });
  afterAll(async () => {
    await close(w);
    await keychain.clear();
  });

  it('keeps following INBOX after an action opened another mailbox on the live connection', async () => {
    await eventually('the account online', async () => (await value(w.hub.call('accounts.list', {})))[0]?.status.state === 'online');
    const [target] = await list(w, 'inbox');
    await triage(w, { itemIds: [target!.id], action: 'done' });
    await triage(w, { itemIds: [target!.id], action: 'star' });
    await value(w.hub.call('items.undo', {}));
    const [arriving] = realisticMessages(1, new Date(), 1, 'late.test');
    await appendMessages(w.dovecot, w.user, [arriving!]);
    await eventually('the new mail pushed to the inbox', async () => (await list(w, 'inbox')).some((i) => messageId(i) === arriving!.messageId));
  });
});

describe('triage in bulk and offline', () => {
  let w: World;
  beforeAll(async () => {
    w = await world({ specialUse: true, messages: 1_000, user: 'erin' });
  });
  afterAll(async () => {
    await close(w);
    await keychain.clear();
  });

  it('marks 1,000 mails read with one STORE and moves them with one UID MOVE', async () => {
    expect((await value(w.hub.call('inbox.counts', {}))).all).toBeGreaterThan(0);
    w.commands.length = 0;
    const read = await value(w.hub.call('items.markAllRead', {}));
    expect(read.itemIds.length).toBeGreaterThan(0);
    expect(w.commands.filter((c) => /UID STORE/.test(c))).toHaveLength(1);
    expect([...(await mailbox(w.dovecot, w.user, 'INBOX')).values()].every((m) => m.flags.has('\\Seen'))).toBe(true);
    expect((await value(w.hub.call('inbox.counts', {}))).all).toBe(0);

    const all = (await value(w.hub.call('inbox.list', { limit: 500 }))).items;
    const more = (await value(w.hub.call('inbox.list', { limit: 500, after: (await value(w.hub.call('inbox.list', { limit: 500 }))).next! }))).items;
    w.commands.length = 0;
    await triage(w, { itemIds: [...all, ...more].map((i) => i.id), action: 'done' });
    expect(w.commands.filter((c) => /UID (MOVE|COPY)/.test(c))).toHaveLength(1);
    expect((await mailbox(w.dovecot, w.user, 'Archive')).size).toBe(1_000);
    expect((await list(w, 'inbox')).length).toBe(0);
  });

  it('keeps actions through a stopped server and a hub restart, and sends each once', async () => {
    const done = await list(w, 'done');
    const [a, b] = done;
    await w.dovecot.pause();
    const result = await triage(w, { itemIds: [a!.id, b!.id], action: 'undone' });
    expect(result.waiting).toBe(true);
    const waiting = await list(w, 'inbox');
    expect(waiting.map((i) => [i.id, i.pending]).sort()).toEqual([[a!.id, true], [b!.id, true]].sort());

    await w.reopen();
    expect((await list(w, 'inbox')).every((i) => i.pending)).toBe(true);
    await w.dovecot.resume();
    await value(w.hub.call('sync.once', {}));
    const inbox = await mailbox(w.dovecot, w.user, 'INBOX');
    expect([...inbox.keys()].sort()).toEqual([messageId(a!), messageId(b!)].sort());
    expect((await mailbox(w.dovecot, w.user, 'Archive')).size).toBe(998);
    const back = await list(w, 'inbox');
    expect(back.map((i) => [i.id, i.pending]).sort()).toEqual([[a!.id, false], [b!.id, false]].sort());
    // A second sync (and its outbox run) changes nothing on the server.
    await value(w.hub.call('sync.once', {}));
    expect((await mailbox(w.dovecot, w.user, 'INBOX')).size).toBe(2);
  });

  it('finds a message again by its Message-ID when UIDVALIDITY changed under a waiting action', async () => {
    const [target] = await list(w, 'inbox');
    await w.dovecot.pause();
    await triage(w, { itemIds: [target!.id], action: 'star' });
    await w.dovecot.recreateMailbox(w.user.user);
    const original = w.messages.find((m) => m.messageId === messageId(target!))!;
    await appendMessages(w.dovecot, w.user, [original]);
    await value(w.hub.call('sync.once', {}));
    const inbox = await mailbox(w.dovecot, w.user, 'INBOX');
    expect(inbox.get(messageId(target!))?.flags.has('\\Flagged')).toBe(true);
    const items = await list(w, 'inbox');
    expect(items.filter((i) => messageId(i) === messageId(target!)).map((i) => [i.id, i.starred, i.pending])).toEqual([[target!.id, true, false]]);
  });

  it('drops a waiting action on a message the rebuilt mailbox no longer has, and says so', async () => {
    const [target] = await list(w, 'inbox');
    await w.dovecot.pause();
    await triage(w, { itemIds: [target!.id], action: 'unstar' });
    await w.dovecot.recreateMailbox(w.user.user);
    await value(w.hub.call('sync.once', {}));
    expect(w.logs.join('\n')).toMatch(/One message was no longer on the server \(the mailbox was rebuilt or it was moved elsewhere\)/);
    // The mail done earlier lives in the archive, which the rebuild left alone; this one is gone.
    expect(await list(w, 'inbox')).toEqual([]);
    expect((await list(w, 'all')).map((i) => i.id)).not.toContain(target!.id);
  });
});

describe('triage against Dovecot without special-use mailboxes', () => {
  let w: World;
  beforeAll(async () => {
    w = await world({ specialUse: false, messages: 5, user: 'fred' });
  });
  afterAll(async () => {
    await close(w);
    await keychain.clear();
  });

  it('creates Archive once, says so, and moves done mail there', async () => {
    const [a, b] = await list(w, 'inbox');
    const first = await triage(w, { itemIds: [a!.id], action: 'done' });
    expect(first.notices.join(' ')).toMatch(/created "Archive"/);
    expect((await mailbox(w.dovecot, w.user, 'Archive')).has(messageId(a!))).toBe(true);
    const second = await triage(w, { itemIds: [b!.id], action: 'done' });
    expect(second.notices).toEqual([]);
    expect((await mailbox(w.dovecot, w.user, 'Archive')).size).toBe(2);
  });

  it('rolls an action back, saying why, when the server refuses it for good', async () => {
    const [done] = await list(w, 'done');
    // Another client removes the mailbox the done mail lives in.
    await withClient(w.dovecot, w.user, (client) => client.mailboxDelete('Archive'));
    const refused = await w.hub.call('items.triage', { itemIds: [done!.id], action: 'undone' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.message).toMatch(/undone here too: Work mail: 127.0.0.1 refused to move the mail back to INBOX/);
    expect((await list(w, 'done')).map((i) => [i.id, i.pending])).toContainEqual([done!.id, false]);
    expect(await list(w, 'inbox')).not.toContainEqual(expect.objectContaining({ id: done!.id }));
  });
});

describe('triage from the CLI', () => {
  const user = { user: 'gina', password: 'gina-pass-5t1q' };
  const profile = tempProfile('gs-triage-cli-');
  let dovecot: Dovecot;
  let accountId = '';
  const cli = (...args: string[]) => runCli([...args, '--profile', profile.dir]);
  const inbox = async (view: string) => JSON.parse((await cli('inbox', '--view', view, '--json')).stdout) as Record<string, unknown>[];

  beforeAll(async () => {
    dovecot = await startDovecot({ users: [user], specialUse: true });
    await appendMessages(dovecot, user, realisticMessages(4, new Date(), 10, 'gina.test').map((m) => ({ ...m, flags: [] })));
    const added = await runCli(
      ['account', 'add', 'imap', '--name', 'Mail', '--host', '127.0.0.1', '--port', String(dovecot.port), '--security', 'plain', '--user', user.user, '--password-stdin', '--json', '--profile', profile.dir],
      { stdin: user.password + '\n' },
    );
    accountId = JSON.parse(added.stdout).account.id;
    expect((await cli('sync', '--once')).code).toBe(0);
  });
  afterAll(async () => {
    if (accountId) await cli('account', 'remove', accountId);
    await dovecot?.stop();
    profile.remove();
  });

  it('leaves the server in the state it printed, with the triage fields in --json', async () => {
    const [a, b, c] = await inbox('inbox');
    expect(a).toMatchObject({ done: false, starred: false, snoozedUntil: null, pending: false });
    const done = await cli('done', String(a!['id']));
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect((await mailbox(dovecot, user, 'Archive')).has(String((a!['origin'] as { messageId: string }).messageId))).toBe(true);
    expect((await inbox('done')).map((i) => [i['id'], i['done']])).toEqual([[a!['id'], true]]);

    expect((await cli('star', String(b!['id']))).code).toBe(0);
    expect((await inbox('starred')).map((i) => i['id'])).toEqual([b!['id']]);
    const snooze = await cli('snooze', String(c!['id']), '--for', '2h');
    expect(snooze.code).toBe(0);
    const [snoozed] = await inbox('snoozed');
    expect(snoozed!['id']).toBe(c!['id']);
    expect(Date.parse(String(snoozed!['snoozedUntil'])) - Date.now()).toBeGreaterThan(3_600_000);
    expect((await cli('snooze', String(c!['id']))).code).toBe(1);

    expect((await cli('read', '--all')).code).toBe(0);
    const flags = [...(await mailbox(dovecot, user, 'INBOX')).values()].map((m) => m.flags.has('\\Seen'));
    // The snoozed mail is outside the Inbox view, so it stays unread.
    expect(flags.sort()).toEqual([false, true, true]);

    const refused = await cli('delete', String(b!['id']));
    expect(refused.code).toBe(0);
    const again = await cli('delete', String(b!['id']));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/--yes/);
    expect((await cli('delete', String(b!['id']), '--yes')).code).toBe(0);
    expect((await mailbox(dovecot, user, 'Trash')).size).toBe(0);
  });
});
