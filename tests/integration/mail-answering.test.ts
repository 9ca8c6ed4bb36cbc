/**
 * Answering mail through the whole hub against real servers: Postfix (a private instance) takes
 * the message over SMTP with AUTH checked by Dovecot, and delivers it over LMTP into the test
 * Dovecot, where each recipient's INBOX is read back with a plain imapflow client and mailparser.
 * Reply, Reply all and Forward headers, the Sent copy, \Answered and $Forwarded, a 5xx refusal, and
 * the outbox across a Postfix stop and a hub restart with exactly one delivery.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailDraft, SendResult } from '../../src-shared/mail.ts';
import type { InboxItem } from '../../src-shared/domain.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { profilePaths } from '../../src-main/hub/profile.ts';
import { startDovecot, type Dovecot, type DovecotUser } from '../support/dovecot.ts';
import { testKeychain } from '../support/keychain.ts';
import { appendMessages, rfc822, withClient, type FixtureMessage } from '../support/mail-fixtures.ts';
import { flagsOf, readMailbox, waitForDelivery } from '../support/mail-readback.ts';
import { startPostfix, type Postfix } from '../support/postfix.ts';
import { tempProfile, type TempProfile } from '../support/profile.ts';

const keychain = testKeychain();
const DOMAIN = 'example.test';
const REFUSED = `gone@${DOMAIN}`;

async function value<T>(promise: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const result = await promise;
  if (!result.ok) throw new Error(`call failed: ${result.error.message}`);
  return result.value;
}

function fixture(kind: string, parts: Parameters<typeof rfc822>[0]): FixtureMessage {
  return { kind, raw: rfc822(parts), date: parts.date, flags: [], messageId: parts.messageId, expect: { title: parts.subject, sender: parts.from } };
}

interface World {
  dovecot: Dovecot;
  postfix: Postfix;
  alice: DovecotUser;
  bob: DovecotUser;
  carol: DovecotUser;
  profile: TempProfile;
  hub: Hub;
  accountId: string;
  reopen(): Promise<void>;
}

let w: World;

async function itemByMessageId(messageId: string): Promise<InboxItem> {
  const page = await value(w.hub.call('inbox.list', { view: 'all', limit: 500 }));
  const item = page.items.find((i) => i.origin.kind === 'mail' && i.origin.messageId === messageId);
  if (!item) throw new Error(`no item for ${messageId}`);
  return item;
}

async function answer(mode: 'reply' | 'replyAll' | 'forward', messageId: string, change: (draft: MailDraft) => MailDraft): Promise<{ draft: MailDraft; sent: SendResult }> {
  const item = await itemByMessageId(messageId);
  const prepared = await value(w.hub.call('mail.prepare', { mode, itemId: item.id }));
  const draft = change(prepared);
  return { draft, sent: await value(w.hub.call('mail.send', { draft })) };
}

beforeAll(async () => {
  const alice = { user: 'alice', password: 'alice-pass-3k9d' };
  const bob = { user: 'bob', password: 'bob-pass-8s2m' };
  const carol = { user: 'carol', password: 'carol-pass-1q7z' };
  const dovecot = await startDovecot({ users: [alice, bob, carol], sentAndDrafts: true, lmtp: true });
  const postfix = await startPostfix({ lmtpPort: dovecot.lmtpPort!, authPort: dovecot.authPort!, domain: DOMAIN, refuse: { [REFUSED]: 'This mailbox was closed for good' } });
  const now = Date.now();
  await appendMessages(dovecot, alice, [
    fixture('plan', {
      from: 'Bob Builder <bob@example.test>',
      to: 'Alice Example <alice@example.test>, ALICE@example.test',
      extraHeaders: ['Cc: Carol <carol@example.test>, Bob Builder <BOB@example.test>'],
      subject: 'Re: Re: Quarterly plan',
      date: new Date(now - 3_600_000),
      messageId: '<plan-2@example.test>',
      inReplyTo: '<plan-1@example.test>',
      references: ['<plan-0@example.test>', '<plan-1@example.test>'],
      content: 'Content-Type: text/plain; charset=utf-8\n\nCan you look at the numbers\nbefore Friday?\n',
    }),
    fixture('report', {
      from: 'Carol <carol@example.test>',
      subject: 'Fwd: Site report',
      date: new Date(now - 1_800_000),
      messageId: '<report-1@example.test>',
      content: 'Content-Type: text/plain; charset=utf-8\n\nThe site report is attached in spirit.\n',
    }),
    fixture('closed', {
      from: `Old colleague <${REFUSED}>`,
      subject: 'Farewell',
      date: new Date(now - 900_000),
      messageId: '<farewell-1@example.test>',
      content: 'Content-Type: text/plain; charset=utf-8\n\nThis address closes tomorrow.\n',
    }),
  ]);
  const profile = tempProfile('gs-mail-answering-');
  const open = () => Hub.open({ profileDir: profile.dir, secrets: keychain.secrets, mailRetryMs: 60_000 });
  w = {
    dovecot,
    postfix,
    alice,
    bob,
    carol,
    profile,
    hub: open(),
    accountId: '',
    async reopen() {
      await w.hub.dispose();
      w.hub = open();
    },
  };
  const view = await value(
    w.hub.call('accounts.add', {
      kind: 'imap',
      input: {
        displayName: 'Alice at work',
        host: dovecot.host,
        port: dovecot.port,
        security: 'plain',
        user: alice.user,
        password: alice.password,
        address: `alice@${DOMAIN}`,
        fromName: 'Alice Example',
        smtpHost: postfix.host,
        smtpPort: postfix.port,
        smtpSecurity: 'plain',
      },
    }),
  );
  w.accountId = view.account.id;
  await value(w.hub.call('sync.once', {}));
});

afterAll(async () => {
  await w?.hub.dispose();
  await w?.postfix.stop();
  await w?.dovecot.stop();
  w?.profile.remove();
  await keychain.clear();
});

describe('SMTP settings', () => {
  it('probes the SMTP login when the account is added: a wrong SMTP password is refused and nothing is saved', async () => {
    const result = await w.hub.call('accounts.add', {
      kind: 'imap',
      input: {
        host: w.dovecot.host, port: w.dovecot.port, security: 'plain', user: w.bob.user, password: w.bob.password,
        smtpHost: w.postfix.host, smtpPort: w.postfix.port, smtpSecurity: 'plain', smtpPassword: 'not-bobs-password',
      },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('auth-failed');
      expect(result.error.message).toMatch(/outgoing server 127\.0\.0\.1 refused the user name or password/);
    }
    expect((await value(w.hub.call('accounts.list', {}))).map((a) => a.account.displayName)).toEqual(['Alice at work']);
  });

  it('refuses plain SMTP to another computer, naming the field', async () => {
    const result = await w.hub.call('accounts.add', {
      kind: 'imap',
      input: { host: w.dovecot.host, port: w.dovecot.port, security: 'plain', user: w.bob.user, password: w.bob.password, smtpHost: 'smtp.example.com', smtpSecurity: 'plain' },
    });
    expect(result.ok ? undefined : result.error.field).toBe('smtpSecurity');
  });
});

describe('Reply, Reply all and Forward through Postfix into Dovecot', () => {
  it('a reply reaches the sender once, threaded, with Re: once, the quote, an HTML alternative, a Sent copy and \\Answered', async () => {
    const { draft, sent } = await answer('reply', '<plan-2@example.test>', (d) => ({ ...d, text: 'Looks **good** to me.' }));
    expect(draft.to).toEqual(['Bob Builder <bob@example.test>']);
    expect(draft.cc).toEqual([]);
    expect(draft.subject).toBe('Re: Quarterly plan');
    expect(sent.state).toBe('sent');

    const [copy, ...more] = await waitForDelivery(w.dovecot, w.bob, 'INBOX', sent.messageId);
    expect(more).toEqual([]);
    expect(copy!.subject).toBe('Re: Quarterly plan');
    expect(copy!.from).toEqual([`alice@${DOMAIN}`]);
    expect(copy!.inReplyTo).toBe('<plan-2@example.test>');
    expect(copy!.references).toBe('<plan-0@example.test> <plan-1@example.test> <plan-2@example.test>');
    expect(copy!.text).toContain('Looks **good** to me.');
    expect(copy!.text).toMatch(/Bob Builder <bob@example\.test> wrote:\n> Can you look at the numbers\n> before Friday\?/);
    expect(copy!.html).toContain('<strong>good</strong>');
    expect(copy!.html).toContain('<blockquote');

    const sentBox = (await readMailbox(w.dovecot, w.alice, 'Sent')).filter((m) => m.messageId === sent.messageId);
    expect(sentBox).toHaveLength(1);
    expect(sentBox[0]!.flags).toContain('\\Seen');
    expect(await flagsOf(w.dovecot, w.alice, 'INBOX', '<plan-2@example.test>')).toContain('\\Answered');
  });

  it('reply all goes to the sender and everyone else once each, without my own addresses', async () => {
    const { draft, sent } = await answer('replyAll', '<plan-2@example.test>', (d) => ({ ...d, text: 'Adding my notes.' }));
    expect(draft.to).toEqual(['Bob Builder <bob@example.test>']);
    expect(draft.cc).toEqual(['Carol <carol@example.test>']);
    expect(sent.state).toBe('sent');
    const [toBob] = await waitForDelivery(w.dovecot, w.bob, 'INBOX', sent.messageId);
    const [toCarol] = await waitForDelivery(w.dovecot, w.carol, 'INBOX', sent.messageId);
    expect(toBob!.to).toEqual(['bob@example.test']);
    expect(toCarol!.cc).toEqual(['carol@example.test']);
    expect([...toBob!.to, ...toBob!.cc].map((a) => a.toLowerCase())).not.toContain(`alice@${DOMAIN}`);
    expect(toBob!.subject).toBe('Re: Quarterly plan');
  });

  it('a forward carries Fwd: once, the original below, an attachment, and marks the original $Forwarded', async () => {
    const file = Buffer.from('%PDF-1.4 pretend report\n');
    const { draft, sent } = await answer('forward', '<report-1@example.test>', (d) => ({
      ...d,
      to: ['bob@example.test'],
      text: 'FYI',
      attachments: [{ name: 'report.pdf', contentType: 'application/pdf', data: file.toString('base64') }],
    }));
    expect(draft.subject).toBe('Fwd: Site report');
    expect(sent.state).toBe('sent');
    const [copy] = await waitForDelivery(w.dovecot, w.bob, 'INBOX', sent.messageId);
    expect(copy!.subject).toBe('Fwd: Site report');
    expect(copy!.inReplyTo).toBe('');
    expect(copy!.text).toMatch(/---------- Forwarded message ----------\nFrom: Carol <carol@example\.test>/);
    expect(copy!.text).toContain('The site report is attached in spirit.');
    expect(copy!.attachments).toEqual([{ filename: 'report.pdf', contentType: 'application/pdf', size: file.length }]);
    expect(await flagsOf(w.dovecot, w.alice, 'INBOX', '<report-1@example.test>')).toContain('$Forwarded');
  });

  it('a forward as attachment carries the original whole, as message/rfc822', async () => {
    const { sent } = await answer('forward', '<report-1@example.test>', (d) => ({ ...d, to: ['carol@example.test'], forwardAsAttachment: true, quote: undefined, text: 'The original.' }) as MailDraft);
    expect(sent.state).toBe('sent');
    const [copy] = await waitForDelivery(w.dovecot, w.carol, 'INBOX', sent.messageId);
    expect(copy!.raw.toString('latin1')).toMatch(/Content-Type: message\/rfc822/i);
    expect(copy!.raw.toString('latin1')).toContain('Message-ID: <report-1@example.test>');
  });

  it('a new message to a mailbox the server refuses for good comes back refused with the server\'s words, and the draft is kept', async () => {
    const { sent } = await answer('reply', '<farewell-1@example.test>', (d) => ({ ...d, text: 'All the best!' }));
    expect(sent.state).toBe('refused');
    expect(sent.message).toMatch(/5\d\d .*This mailbox was closed for good/);
    const drafts = await value(w.hub.call('mail.drafts', {}));
    const kept = drafts.find((d) => d.draftId === sent.draftId);
    expect(kept?.text).toBe('All the best!');
    expect(kept?.problem).toMatch(/This mailbox was closed for good/);
    expect(await value(w.hub.call('mail.outbox', {}))).toEqual([]);
    expect(await flagsOf(w.dovecot, w.alice, 'INBOX', '<farewell-1@example.test>')).not.toContain('\\Answered');
  });
});

describe('the outbox', () => {
  it('keeps a message while Postfix is down, across a hub restart, and delivers it exactly once when it is back', async () => {
    await w.postfix.pause();
    const draft = { ...(await value(w.hub.call('mail.prepare', { mode: 'new', accountId: w.accountId }))), to: ['bob@example.test'], subject: 'Sent while the server was away', text: 'Still here?' };
    const sent = await value(w.hub.call('mail.send', { draft }));
    expect(sent.state).toBe('waiting');
    expect(sent.message).toMatch(/^Connection refused by 127\.0\.0\.1:\d+: the outgoing mail server is not running/);
    const waiting = await value(w.hub.call('mail.outbox', {}));
    expect(waiting.map((m) => [m.subject, m.state])).toEqual([['Sent while the server was away', 'waiting']]);

    await w.reopen();
    expect((await value(w.hub.call('mail.outbox', {}))).map((m) => m.state)).toEqual(['waiting']);
    await w.postfix.resume();
    await value(w.hub.call('sync.once', {}));
    expect(await value(w.hub.call('mail.outbox', {}))).toEqual([]);

    const copies = await waitForDelivery(w.dovecot, w.bob, 'INBOX', sent.messageId);
    // A second sync may not send it again.
    await value(w.hub.call('sync.once', {}));
    w.postfix.flush();
    expect((await readMailbox(w.dovecot, w.bob, 'INBOX')).filter((m) => m.messageId === sent.messageId)).toHaveLength(1);
    expect(copies).toHaveLength(1);
    expect((await readMailbox(w.dovecot, w.alice, 'Sent')).filter((m) => m.messageId === sent.messageId)).toHaveLength(1);
  });

  it('a draft closed unsent goes to the server\'s Drafts, once however often it is saved', async () => {
    const draft = { ...(await value(w.hub.call('mail.prepare', { mode: 'new', accountId: w.accountId }))), to: ['carol@example.test'], subject: 'Half written', text: 'First thoughts' };
    const { draftId } = await value(w.hub.call('mail.saveDraft', { draft }));
    await value(w.hub.call('mail.saveDraft', { draft: { ...draft, draftId, text: 'First thoughts, and second ones' } }));
    expect(await value(w.hub.call('mail.closeDraft', { draftId, keep: true }))).toEqual({ savedOnServer: true });
    const drafts = (await readMailbox(w.dovecot, w.alice, 'Drafts')).filter((m) => m.subject === 'Half written');
    expect(drafts).toHaveLength(1);
    expect(drafts[0]!.text).toContain('First thoughts, and second ones');
    expect(drafts[0]!.flags).toContain('\\Draft');
    expect((await value(w.hub.call('mail.drafts', {}))).some((d) => d.draftId === draftId)).toBe(false);
  });

  it('a draft sent twice (a double click, a retried call) goes out once', async () => {
    const draft = { ...(await value(w.hub.call('mail.prepare', { mode: 'new', accountId: w.accountId }))), to: ['bob@example.test'], subject: 'Only once', text: 'Once.' };
    const { draftId } = await value(w.hub.call('mail.saveDraft', { draft }));
    const [first, second] = await Promise.all([w.hub.call('mail.send', { draft: { ...draft, draftId } }), w.hub.call('mail.send', { draft: { ...draft, draftId } })]);
    const results = [first, second];
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)?.ok === false && results.find((r) => !r.ok)).toMatchObject({ error: { code: 'invalid-input', message: expect.stringMatching(/already sent/) } });
    const sent = results.find((r) => r.ok)!;
    const messageId = sent.ok ? sent.value.messageId : '';
    expect(await waitForDelivery(w.dovecot, w.bob, 'INBOX', messageId)).toHaveLength(1);
    w.postfix.flush();
    expect((await readMailbox(w.dovecot, w.bob, 'INBOX')).filter((m) => m.subject === 'Only once')).toHaveLength(1);
  });

  /**
   * A crash at a precise point of a send, made by stopping the hub with the row in the state it
   * would have had then (a hub killed mid-SMTP leaves exactly that): Postfix is paused meanwhile so
   * the first try could not have delivered anything.
   */
  async function crashedWhile(state: 'sending' | 'handed', subject: string): Promise<SendResult> {
    await w.postfix.pause();
    const draft = { ...(await value(w.hub.call('mail.prepare', { mode: 'new', accountId: w.accountId }))), to: ['carol@example.test'], subject, text: 'Crash window' };
    const sent = await value(w.hub.call('mail.send', { draft }));
    expect(sent.state).toBe('waiting');
    await w.hub.dispose();
    const db = new Database(profilePaths(w.profile.dir).database);
    db.prepare('UPDATE mail_outbox SET state = ? WHERE id = ?').run(state, sent.outboxId);
    db.close();
    await w.postfix.resume();
    await w.reopen();
    return sent;
  }

  it('a crash before the whole message went out: it is simply sent again, and arrives once', async () => {
    const sent = await crashedWhile('sending', 'Cut short while connecting');
    await value(w.hub.call('sync.once', {}));
    expect(await value(w.hub.call('mail.outbox', {}))).toEqual([]);
    expect(await waitForDelivery(w.dovecot, w.carol, 'INBOX', sent.messageId)).toHaveLength(1);
  });

  it('a crash after the whole message went out, with no copy in Sent: it is not resent until the user says so', async () => {
    const sent = await crashedWhile('handed', 'Cut short after the final dot');
    await value(w.hub.call('sync.once', {}));
    const [unsure] = await value(w.hub.call('mail.outbox', {}));
    expect(unsure?.state).toBe('unsure');
    expect(unsure?.lastError).toMatch(/may or may not have gone out/);
    w.postfix.flush();
    expect((await readMailbox(w.dovecot, w.carol, 'INBOX')).filter((m) => m.messageId === sent.messageId)).toEqual([]);

    const again = await value(w.hub.call('mail.retry', { outboxId: sent.outboxId }));
    expect(again.state).toBe('sent');
    expect(await waitForDelivery(w.dovecot, w.carol, 'INBOX', sent.messageId)).toHaveLength(1);
  });

  it('an unsure message the user says arrived is kept as sent: its copy is filed and it is not sent again', async () => {
    const sent = await crashedWhile('handed', 'The user saw it arrive');
    await value(w.hub.call('sync.once', {}));
    expect((await value(w.hub.call('mail.outbox', {}))).map((m) => m.state)).toEqual(['unsure']);
    expect((await value(w.hub.call('mail.markSent', { outboxId: sent.outboxId }))).state).toBe('sent');
    expect(await value(w.hub.call('mail.outbox', {}))).toEqual([]);
    expect((await readMailbox(w.dovecot, w.alice, 'Sent')).filter((m) => m.messageId === sent.messageId)).toHaveLength(1);
    w.postfix.flush();
    expect((await readMailbox(w.dovecot, w.carol, 'INBOX')).filter((m) => m.messageId === sent.messageId)).toEqual([]);
  });

  it('a crash after the whole message went out, whose copy is in Sent (as servers that file sent mail leave it): taken as sent, not resent', async () => {
    const sent = await crashedWhile('handed', 'Filed by the server itself');
    const copy = rfc822({ from: `alice@${DOMAIN}`, to: 'carol@example.test', subject: 'Filed by the server itself', date: new Date(), messageId: sent.messageId, content: 'Content-Type: text/plain\n\nCrash window\n' });
    await withClient(w.dovecot, w.alice, (client) => client.append('Sent', copy, ['\\Seen']));
    await value(w.hub.call('sync.once', {}));
    expect(await value(w.hub.call('mail.outbox', {}))).toEqual([]);
    w.postfix.flush();
    expect((await readMailbox(w.dovecot, w.carol, 'INBOX')).filter((m) => m.messageId === sent.messageId)).toEqual([]);
    expect((await readMailbox(w.dovecot, w.alice, 'Sent')).filter((m) => m.messageId === sent.messageId)).toHaveLength(1);
  });
});
