/**
 * The CLI's mail commands as a user runs them (the real `groundswell` binary, an in-process hub per
 * command): an account with its own SMTP password (two secrets on standard input), `account update
 * --smtp-…` checked with the server, `reply --all`, `forward` and `compose --attach`, each read back
 * from the recipient's INBOX after Postfix delivered it into Dovecot.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { startDovecot, type Dovecot } from '../support/dovecot.ts';
import { appendMessages, rfc822 } from '../support/mail-fixtures.ts';
import { waitForDelivery } from '../support/mail-readback.ts';
import { startPostfix, type Postfix } from '../support/postfix.ts';
import { tempProfile } from '../support/profile.ts';

const alice = { user: 'alice', password: 'alice-cli-pass-4k2' };
const bob = { user: 'bob', password: 'bob-cli-pass-9x1' };
const carol = { user: 'carol', password: 'carol-cli-pass-2m8' };
const profile = tempProfile('gs-mail-cli-');
const files = mkdtempSync(join(tmpdir(), 'gs-mail-cli-files-'));
const cli = (args: string[], stdin?: string) => runCli([...args, '--profile', profile.dir], stdin === undefined ? {} : { stdin });
let dovecot: Dovecot;
let postfix: Postfix;
let accountId = '';

beforeAll(async () => {
  dovecot = await startDovecot({ users: [alice, bob, carol], sentAndDrafts: true, lmtp: true });
  postfix = await startPostfix({ lmtpPort: dovecot.lmtpPort!, authPort: dovecot.authPort! });
  await appendMessages(dovecot, alice, [
    {
      kind: 'question',
      raw: rfc822({
        from: 'Bob <bob@example.test>',
        to: 'alice@example.test',
        extraHeaders: ['Cc: carol@example.test'],
        subject: 'Budget question',
        date: new Date(Date.now() - 60_000),
        messageId: '<budget-1@example.test>',
        content: 'Content-Type: text/plain; charset=utf-8\n\nIs the budget final?\n',
      }),
      date: new Date(Date.now() - 60_000),
      flags: [],
      messageId: '<budget-1@example.test>',
      expect: { title: 'Budget question', sender: 'Bob' },
    },
  ]);
});

afterAll(async () => {
  if (accountId) await cli(['account', 'remove', accountId]);
  await postfix?.stop();
  await dovecot?.stop();
  profile.remove();
  rmSync(files, { recursive: true, force: true });
});

describe('groundswell mail commands', () => {
  it('adds an IMAP account with SMTP settings and an SMTP password of its own (one secret per line on stdin)', async () => {
    const added = await cli(
      [
        'account', 'add', 'imap', '--name', 'Work', '--host', '127.0.0.1', '--port', String(dovecot.port), '--security', 'plain', '--user', 'alice',
        '--address', 'alice@example.test', '--smtp-host', '127.0.0.1', '--smtp-port', String(postfix.port), '--smtp-security', 'plain',
        '--smtp-user', 'alice', '--password-stdin', '--smtp-password-stdin', '--json',
      ],
      `${alice.password}\n${alice.password}\n`,
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const view = JSON.parse(added.stdout) as { account: { id: string; settings: Record<string, unknown> }; summary: string };
    accountId = view.account.id;
    expect(view.account.settings['smtp']).toEqual({ host: '127.0.0.1', port: postfix.port, security: 'plain', user: 'alice', ownPassword: true });
    expect(view.summary).toContain(`sending through 127.0.0.1:${postfix.port}`);
  });

  it('checks a changed SMTP server before saving it, and keeps the old one when it does not answer', async () => {
    const refused = await cli(['account', 'update', accountId, '--smtp-port', '1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Connection refused by 127\.0\.0\.1:1/);
    const listed = JSON.parse((await cli(['account', 'list', '--json'])).stdout) as { account: { settings: { smtp: { port: number } } } }[];
    expect(listed[0]!.account.settings.smtp.port).toBe(postfix.port);
  });

  it('account update --smtp-host … --smtp-password-stdin with an empty line goes back to the IMAP login, checked first', async () => {
    const updated = await cli(['account', 'update', accountId, '--smtp-host', '127.0.0.1', '--smtp-user', '', '--smtp-password-stdin', '--json'], '\n');
    expect(updated.stderr).toBe('');
    expect(updated.code).toBe(0);
    const view = JSON.parse(updated.stdout) as { account: { settings: { smtp: Record<string, unknown> } } };
    expect(view.account.settings.smtp).toEqual({ host: '127.0.0.1', port: postfix.port, security: 'plain', ownPassword: false });
  });

  it('reply --all answers a mail item by mail, and forward and compose --attach send new ones', async () => {
    expect((await cli(['sync', '--once'])).code).toBe(0);
    const items = JSON.parse((await cli(['inbox', '--json'])).stdout) as { id: string; title: string }[];
    const question = items.find((i) => i.title === 'Budget question')!;

    const replied = await cli(['reply', question.id, '--text-stdin', '--all'], 'Yes, final since Monday.\n');
    expect(replied.stderr).toBe('');
    expect(replied.code).toBe(0);
    const messageId = /^Sent (<[^>]+>)\./.exec(replied.stdout)?.[1];
    expect(messageId).toBeDefined();
    const [toBob] = await waitForDelivery(dovecot, bob, 'INBOX', messageId!);
    const [toCarol] = await waitForDelivery(dovecot, carol, 'INBOX', messageId!);
    expect(toBob!.subject).toBe('Re: Budget question');
    expect(toBob!.inReplyTo).toBe('<budget-1@example.test>');
    expect(toBob!.text).toMatch(/^Yes, final since Monday\.\n\n.*wrote:\n> Is the budget final\?/s);
    expect(toCarol!.cc).toEqual(['carol@example.test']);

    const forwarded = await cli(['forward', question.id, '--to', 'carol@example.test', '--text-stdin'], 'See below.\n');
    expect(forwarded.code).toBe(0);
    const [fwd] = await waitForDelivery(dovecot, carol, 'INBOX', /^Sent (<[^>]+>)\./.exec(forwarded.stdout)![1]!);
    expect(fwd!.subject).toBe('Fwd: Budget question');

    const file = join(files, 'numbers.csv');
    writeFileSync(file, 'q1,q2\n10,20\n');
    const composed = await cli(['compose', '--account', accountId, '--to', 'bob@example.test', '--subject', 'Numbers', '--text-stdin', '--attach', file], 'Attached.\n');
    expect(composed.code).toBe(0);
    const [numbers] = await waitForDelivery(dovecot, bob, 'INBOX', /^Sent (<[^>]+>)\./.exec(composed.stdout)![1]!);
    expect(numbers!.subject).toBe('Numbers');
    expect(numbers!.attachments).toEqual([{ filename: 'numbers.csv', contentType: 'text/csv', size: 12 }]);
  });

  it('says what is missing instead of sending', async () => {
    const noTo = await cli(['compose', '--account', accountId, '--subject', 'x', '--text-stdin'], 'x');
    expect(noTo.code).toBe(1);
    expect(noTo.stderr).toMatch(/compose needs --to ADDR/);
    const missingFile = await cli(['compose', '--account', accountId, '--to', 'bob@example.test', '--subject', 'x', '--text-stdin', '--attach', join(files, 'nope.pdf')], 'x');
    expect(missingFile.code).toBe(1);
    expect(missingFile.stderr).toMatch(/Could not read .*nope\.pdf: no such file\. Nothing was sent\./);
  });
});
