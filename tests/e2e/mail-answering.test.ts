/**
 * Answering mail in Debian's chromium against `groundswell serve`: a mail from Bob in Dovecot, the
 * account added with the CLI (with its Postfix as the outgoing server), Reply from the reading pane
 * typed and sent with Ctrl+Enter, and the reply read back from Bob's INBOX after Postfix delivered it
 * over LMTP. Then New message with an attachment, Escape asking before anything is thrown away and
 * the draft kept in Drafts; screenshots of the composer in light, dark and a narrow window, and axe.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../support/axe.ts';
import { removeAllAccounts, runCli } from '../support/cli.ts';
import { startDovecot, type Dovecot } from '../support/dovecot.ts';
import { appendMessages, rfc822 } from '../support/mail-fixtures.ts';
import { readMailbox, waitForDelivery } from '../support/mail-readback.ts';
import { startPostfix, type Postfix } from '../support/postfix.ts';
import { tempProfile } from '../support/profile.ts';
import { startServe, type ServeProcess } from '../support/serve-process.ts';

const SHOTS = 'test-results/e2e';

describe('answering mail in a browser', () => {
  const alice = { user: 'alice', password: `e2e-${randomBytes(8).toString('hex')}` };
  const bob = { user: 'bob', password: `e2e-${randomBytes(8).toString('hex')}` };
  const profile = tempProfile();
  let dovecot: Dovecot;
  let postfix: Postfix;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;

  const cli = (args: string[], stdin?: string) => runCli([...args, '--profile', profile.dir], stdin === undefined ? {} : { stdin });
  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png` });
  const composer = (name: string) => page.getByRole('dialog', { name });
  const axe = async (screen: string): Promise<void> => expect(await axeViolations(page), `axe on ${screen}`).toEqual([]);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dovecot = await startDovecot({ users: [alice, bob], sentAndDrafts: true, lmtp: true });
    postfix = await startPostfix({ lmtpPort: dovecot.lmtpPort!, authPort: dovecot.authPort!, refuse: { 'gone@example.test': 'This mailbox was closed for good' } });
    const date = new Date(Date.now() - 600_000);
    await appendMessages(dovecot, alice, [
      {
        kind: 'question',
        raw: rfc822({
          from: 'Bob Builder <bob@example.test>',
          to: 'Alice <alice@example.test>',
          subject: 'Can we move the review?',
          date,
          messageId: '<review-1@example.test>',
          content: 'Content-Type: text/plain; charset=utf-8\n\nThursday does not work for me.\nWould Friday at 10 do?\n',
        }),
        date,
        flags: [],
        messageId: '<review-1@example.test>',
        expect: { title: 'Can we move the review?', sender: 'Bob Builder' },
      },
    ]);
    const added = await cli(
      [
        'account', 'add', 'imap', '--name', 'Alice at work', '--host', '127.0.0.1', '--port', String(dovecot.port), '--security', 'plain', '--user', 'alice',
        '--address', 'alice@example.test', '--from-name', 'Alice Example', '--smtp-host', '127.0.0.1', '--smtp-port', String(postfix.port), '--smtp-security', 'plain', '--password-stdin',
      ],
      `${alice.password}\n`,
    );
    expect(added.stderr).toBe('');
    expect((await cli(['sync', '--once'])).code).toBe(0);
    serve = await startServe(profile.dir);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    if (serve !== undefined) await removeAllAccounts(profile.dir);
    await serve?.stop();
    await postfix?.stop();
    await dovecot?.stop();
    profile.remove();
  });

  it('replies from the reading pane: the composer has the sender, Re: and the quote, and Ctrl+Enter sends it to Bob', async () => {
    await page.goto(serve.url);
    await page.getByRole('listbox', { name: 'Inbox' }).getByRole('option', { name: /Can we move the review\?/ }).click();
    const pane = page.getByRole('region', { name: 'Reading pane' });
    await pane.getByRole('group', { name: 'Answer' }).waitFor();
    await shot('59-reading-pane-answer-buttons');
    await pane.getByRole('button', { name: 'Reply', exact: true }).click();
    const dialog = composer('Reply');
    await dialog.waitFor();
    // The hub reads the original from Dovecot first; under load that takes more than expect.poll's default second.
    await expect.poll(() => dialog.getByLabel('To').inputValue(), { timeout: 20_000 }).toBe('Bob Builder <bob@example.test>');
    expect(await dialog.getByLabel('Subject').inputValue()).toBe('Re: Can we move the review?');
    expect(await dialog.getByLabel('Quoted text').inputValue()).toMatch(/Bob Builder <bob@example\.test> wrote:\n> Thursday does not work for me\.\n> Would Friday at 10 do\?/);
    // An answer starts in the text.
    await expect.poll(() => page.locator(':focus').getAttribute('id'), { timeout: 5_000 }).toBe(await dialog.getByLabel('Message').getAttribute('id'));
    await page.keyboard.type('Friday at 10 is **fine**.\n\n- room 4\n- bring the plan');
    await shot('60-composer-reply-light');
    await axe('the reply composer (light)');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('61-composer-reply-dark');
    await axe('the reply composer (dark)');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 600, height: 800 });
    await shot('62-composer-reply-narrow');
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.keyboard.press('Control+Enter');
    await page.getByRole('status').filter({ hasText: 'Sent.' }).waitFor();
    expect(await dialog.count()).toBe(0);
    const delivered = (await readMailbox(dovecot, alice, 'Sent')).find((m) => m.subject === 'Re: Can we move the review?');
    expect(delivered).toBeDefined();
    const [copy] = await waitForDelivery(dovecot, bob, 'INBOX', delivered!.messageId);
    expect(copy!.inReplyTo).toBe('<review-1@example.test>');
    expect(copy!.from).toEqual(['alice@example.test']);
    expect(copy!.text).toContain('Friday at 10 is **fine**.');
    expect(copy!.html).toContain('<strong>fine</strong>');
    expect(copy!.html).toContain('<li>room 4</li>');
  });

  it('a new message takes an attachment from the picker; Escape asks first, and Save as draft files it in Drafts', async () => {
    await page.getByRole('button', { name: 'New message' }).click();
    const dialog = composer('New message');
    await dialog.getByLabel('To').fill('bob@example.test');
    await dialog.getByLabel('Subject').fill('Plan for Friday');
    await dialog.getByLabel('Message').fill('The plan is attached.');
    await dialog.locator('input[type="file"]').setInputFiles({ name: 'plan.txt', mimeType: 'text/plain', buffer: Buffer.from('1. Review\n2. Lunch\n') });
    await dialog.getByRole('list', { name: 'Attachments' }).getByText('plan.txt').waitFor();
    await shot('63-composer-new-light');
    await axe('the new message composer');

    await page.keyboard.press('Escape');
    const question = dialog.getByRole('alertdialog', { name: 'Close this message?' });
    await question.waitFor();
    await shot('64-composer-close-question');
    await axe('the close question');
    await question.getByRole('button', { name: 'Keep writing' }).click();
    expect(await question.count()).toBe(0);
    expect(await dialog.getByLabel('Subject').inputValue()).toBe('Plan for Friday');

    await page.keyboard.press('Escape');
    await question.getByRole('button', { name: 'Save as draft' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved in Drafts.' }).waitFor();
    const drafts = (await readMailbox(dovecot, alice, 'Drafts')).filter((m) => m.subject === 'Plan for Friday');
    expect(drafts).toHaveLength(1);
    expect(drafts[0]!.flags).toContain('\\Draft');
    expect(drafts[0]!.attachments.map((a) => a.filename)).toEqual(['plan.txt']);
    expect((await readMailbox(dovecot, bob, 'INBOX')).some((m) => m.subject === 'Plan for Friday')).toBe(false);
  });

  it('a message the server refuses stays open with the server\'s words; after a reload it waits among the drafts', async () => {
    await page.getByRole('button', { name: 'New message' }).click();
    const dialog = composer('New message');
    await dialog.getByLabel('To').fill('gone@example.test');
    await dialog.getByLabel('Subject').fill('Are you still there?');
    await dialog.getByLabel('Message').fill('Just checking.');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'This mailbox was closed for good' }).waitFor();
    await shot('65-composer-refused');

    await page.reload();
    await page.getByRole('button', { name: 'New message' }).waitFor();
    await page.getByRole('button', { name: '1 draft' }).click();
    const drafts = page.getByRole('region', { name: 'Drafts' });
    await drafts.getByText(/Not sent: .*This mailbox was closed for good/).waitFor();
    await shot('66-drafts-list');
    await axe('the drafts list');
    await drafts.getByRole('button', { name: 'Open' }).click();
    const reopened = composer('New message');
    expect(await reopened.getByLabel('Subject').inputValue()).toBe('Are you still there?');
    expect(await reopened.getByLabel('Message').inputValue()).toBe('Just checking.');
    await page.keyboard.press('Escape');
    await reopened.getByRole('alertdialog', { name: 'Close this message?' }).getByRole('button', { name: 'Discard' }).click();
    await expect.poll(() => page.getByRole('button', { name: '1 draft' }).count(), { timeout: 10_000 }).toBe(0);
  });

  it('a message sent while Postfix is down shows "waiting to send", and Send now delivers it once the server is back', async () => {
    await postfix.pause();
    await page.getByRole('button', { name: 'New message' }).click();
    const dialog = composer('New message');
    await dialog.getByLabel('To').fill('bob@example.test');
    await dialog.getByLabel('Subject').fill('Sent while the server was away');
    await dialog.getByLabel('Message').fill('Hello from the outbox.');
    await page.keyboard.press('Control+Enter');
    await page.getByRole('status').filter({ hasText: /Waiting to send: Connection refused/ }).waitFor();
    const waiting = page.getByRole('button', { name: '1 message waiting to send' });
    await waiting.click();
    const outbox = page.getByRole('region', { name: 'Outbox' });
    await outbox.getByText(/waiting to send: .*Connection refused/).waitFor();
    await shot('67-outbox-waiting');
    await axe('the outbox list');

    await postfix.resume();
    await outbox.getByRole('button', { name: 'Send now' }).click();
    await expect.poll(() => waiting.count(), { timeout: 20_000 }).toBe(0);
    const sent = (await readMailbox(dovecot, alice, 'Sent')).filter((m) => m.subject === 'Sent while the server was away');
    expect(sent).toHaveLength(1);
    expect(await waitForDelivery(dovecot, bob, 'INBOX', sent[0]!.messageId)).toHaveLength(1);
  });
});
