/**
 * Reading mail against the real test Dovecot, through the CLI as a user runs it: `show`, `attachments`
 * and `attachment save`. A proxy between Groundswell and Dovecot counts the bytes the server sends, so
 * the test sees that opening a mail fetched its text but not its 3 MB attachment (BODYSTRUCTURE, then
 * a FETCH of the parts wanted), and that saving the attachment fetched it then.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxItem, MailAttachment } from '../../src-shared/domain.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { mailCorpus } from '../fixtures/mail/corpus.ts';
import type { MailCorpus } from '../fixtures/mail/corpus.ts';
import { removeAllAccounts, runCli } from '../support/cli.ts';
import { startDovecot } from '../support/dovecot.ts';
import type { Dovecot, DovecotUser } from '../support/dovecot.ts';
import { serverFlags, withClient } from '../support/mail-fixtures.ts';
import { tempProfile } from '../support/profile.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import type { TcpProxy } from '../support/tcp-proxy.ts';

const TRACKER = 'tracker.invalid:9';

describe('reading mail from Dovecot with the CLI', () => {
  const user: DovecotUser = { user: 'rita', password: `read-${randomBytes(8).toString('hex')}` };
  const profile = tempProfile();
  const out = mkdtempSync(join(tmpdir(), 'gs-attachments-'));
  let dovecot: Dovecot;
  let proxy: TcpProxy;
  let corpus: MailCorpus;
  let items: InboxItem[];
  const cli = (...args: string[]) => runCli([...args, '--profile', profile.dir]);
  const item = (subject: string) => {
    const found = items.find((i) => i.title === subject);
    if (!found) throw new Error(`no item titled ${subject}`);
    return found;
  };
  const json = async <T>(...args: string[]): Promise<T> => {
    const run = await cli(...args, '--json');
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as T;
  };

  beforeAll(async () => {
    dovecot = await startDovecot({ users: [user] });
    corpus = mailCorpus(TRACKER);
    await withClient(dovecot, user, async (client) => {
      for (const message of corpus.messages) await client.append('INBOX', message.raw, [], new Date());
    });
    proxy = await startTcpProxy(dovecot);
    const added = await runCli(
      ['account', 'add', 'imap', '--host', '127.0.0.1', '--port', String(proxy.port), '--security', 'plain', '--user', user.user, '--password-stdin', '--name', 'Rita', '--profile', profile.dir],
      { stdin: user.password },
    );
    expect(added.code, added.stderr).toBe(0);
    expect((await cli('sync', '--once')).code).toBe(0);
    items = await json<InboxItem[]>('inbox', '--source', 'mail');
  }, 120_000);

  afterAll(async () => {
    await removeAllAccounts(profile.dir);
    await proxy?.close();
    await dovecot?.stop();
    profile.remove();
    rmSync(out, { recursive: true, force: true });
  });

  it('marks the mail with attachments in the list, and only that one', () => {
    const marked = items.filter((i) => i.origin.kind === 'mail' && i.origin.hasAttachments === true).map((i) => i.title);
    expect(marked).toEqual(['Report and photos attached']);
  });

  it('shows a plain-text mail with its headers and text, says a receipt was asked for, and does not mark it read', async () => {
    const plain = item('Re: Site visit on Friday');
    const shown = await json<{ headers: { name: string; value: string }[]; text: string; attachments: MailAttachment[]; receiptRequested?: string; hasHtml: boolean }>('show', plain.id);
    expect(shown.headers).toContainEqual({ name: 'From', value: 'Bob Builder <bob@example.test>' });
    expect(shown.text).toContain('Friday works.');
    expect(shown.text).toContain('> Can we meet on Friday?');
    expect(shown.receiptRequested).toContain('bob@example.test');
    expect(shown.hasHtml).toBe(false);
    expect(shown.attachments).toEqual([]);
    const text = await cli('show', plain.id);
    expect(text.stdout).toMatch(/^From: Bob Builder <bob@example.test>$/m);
    expect(text.stdout).toContain('none was sent');
    const uid = plain.origin.kind === 'mail' ? plain.origin.uid : -1;
    expect((await serverFlags(dovecot, user, uid)).has('\\Seen')).toBe(false);
  });

  it('lists attachments without fetching them, with cleaned names, types, sizes and the ones that run code', async () => {
    const mail = item('Report and photos attached');
    const before = proxy.serverBytes;
    const listed = await json<MailAttachment[]>('attachments', mail.id);
    const fetched = proxy.serverBytes - before;
    // The attachments weigh over 4 MB as base64; the structure, text and envelope a few kB.
    expect(fetched).toBeLessThan(256 * 1024);
    expect(listed.map((a) => [a.index, a.name, a.contentType, a.risky])).toEqual(corpus.attachments.map((a, i) => [i + 1, a.cleanName, a.contentType, a.risky]));
    for (const [i, a] of listed.entries()) expect(Math.abs(a.size - corpus.attachments[i]!.bytes.length)).toBeLessThanOrEqual(Math.max(64, corpus.attachments[i]!.bytes.length * 0.02));
    const text = await cli('attachments', mail.id);
    expect(text.stdout).toMatch(/^2 {2}invoice-tool\.exe {2}application\/octet-stream {2}[\d.]+ kB {2}\(can run code/m);
  });

  it('saves an attachment byte for byte, fetching it only now, and never over an existing file', async () => {
    const mail = item('Report and photos attached');
    const before = proxy.serverBytes;
    const target = join(out, 'photos.zip');
    const saved = await cli('attachment', 'save', mail.id, '4', '--out', target);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toContain(`to ${target}`);
    expect(proxy.serverBytes - before).toBeGreaterThan(3 * 1024 * 1024);
    expect(readFileSync(target).equals(corpus.attachments[3]!.bytes)).toBe(true);

    const again = await cli('attachment', 'save', mail.id, '1', '--out', target);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists; nothing was written');
    expect(readFileSync(target).equals(corpus.attachments[3]!.bytes)).toBe(true);

    // Into a folder, under its cleaned name: "../../.bashrc" stays inside.
    const folder = join(out, 'folder');
    mkdirSync(folder);
    const intoFolder = await cli('attachment', 'save', mail.id, '3', '--out', folder);
    expect(intoFolder.code, intoFolder.stderr).toBe(0);
    expect(readFileSync(join(folder, '_.._.bashrc'), 'utf8')).toBe('echo not yours\n');

    const wrong = await cli('attachment', 'save', mail.id, '9', '--out', join(out, 'nine'));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('has 4 attachment(s); pick one from 1 to 4');
    const usage = await cli('attachment', 'save', mail.id, '1');
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain('needs --out FILE');
  });

  it('gives the window the HTML with its cid: logo from the message and nothing remote', async () => {
    const hub = Hub.open({ profileDir: profile.dir });
    try {
      const newsletter = await hub.call('item.get', { itemId: item('Acme Weekly: the quarter in numbers').id });
      expect(newsletter.ok).toBe(true);
      if (!newsletter.ok) return;
      const html = newsletter.value.mail?.html ?? '';
      expect(html).toContain(`src="data:image/png;base64,${corpus.logo.toString('base64')}"`);
      expect(html).not.toContain(TRACKER);
      expect(newsletter.value.mail?.remoteBlocked).toBeGreaterThan(0);
      // The logo is shown inline, so it is not listed as an attachment.
      expect(newsletter.value.mail?.attachments).toEqual([]);
      const shown = await hub.call('item.get', { itemId: item('Acme Weekly: the quarter in numbers').id, remoteContent: true });
      expect(shown.ok && shown.value.mail?.html).toContain(`http://${TRACKER}/pixel/open.gif`);
      expect(shown.ok && shown.value.mail?.remoteShown).toBe('message');

      const huge = await hub.call('item.get', { itemId: item('The whole archive in one mail').id });
      expect(huge.ok && huge.value.mail?.html).toContain('End of the archive.');
    } finally {
      await hub.dispose();
    }
  }, 60_000);
});
