/**
 * A person's first session, in Debian's chromium against `groundswell serve`: add an IMAP account
 * through the UI (a wrong password first), watch the inbox fill, open a message and see \Seen on
 * the real Dovecot, mark it unread again, search. Screenshots of each screen go to test-results/e2e.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxItem } from '../../src-shared/domain.ts';
import { removeAllAccounts, runCli } from '../support/cli.ts';
import { startDovecot } from '../support/dovecot.ts';
import type { Dovecot, DovecotUser } from '../support/dovecot.ts';
import { appendMessages, mailboxFixture, serverFlags } from '../support/mail-fixtures.ts';
import { tempProfile } from '../support/profile.ts';
import { startServe } from '../support/serve-process.ts';
import type { ServeProcess } from '../support/serve-process.ts';

const SHOTS = 'test-results/e2e';

describe('the inbox in a browser', () => {
  const user: DovecotUser = { user: 'erin', password: `e2e-${randomBytes(8).toString('hex')}` };
  const profile = tempProfile();
  let dovecot: Dovecot;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const seenOnServer = async (uid: number) => (await serverFlags(dovecot, user, uid)).has('\\Seen');
  const itemsFromHub = async () =>
    JSON.parse((await runCli(['inbox', '--json', '--limit', '500', '--profile', profile.dir])).stdout) as InboxItem[];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dovecot = await startDovecot({ users: [user] });
    await appendMessages(dovecot, user, mailboxFixture(120));
    serve = await startServe(profile.dir);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  });

  afterAll(async () => {
    await browser?.close();
    // Remove the account through the running hub so its password leaves the keychain too.
    await removeAllAccounts(profile.dir);
    await serve?.stop();
    await dovecot?.stop();
    profile.remove();
  });

  it('opens on the first run, which explains what Groundswell does', async () => {
    await page.goto(serve.url);
    await expect.poll(() => page.url()).not.toContain('token=');
    await page.getByRole('navigation', { name: 'Sources' }).waitFor();
    await page.getByRole('main', { name: 'Welcome to Groundswell' }).waitFor();
    await page.getByRole('searchbox', { name: 'Search' }).waitFor();
    await shot('01-empty');
  });

  it('adds an IMAP account, showing the server’s error for a wrong password first', async () => {
    await page.getByRole('button', { name: 'Add account' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add account' });
    await dialog.waitFor();
    // Mail by address is the dialog's first choice; this test types the server itself.
    await dialog.getByRole('radio', { name: 'IMAP mail' }).check();
    await dialog.getByLabel('Display name').fill('Erin at work');
    await dialog.getByLabel('Server', { exact: true }).fill('127.0.0.1');
    await dialog.getByLabel('Security', { exact: true }).selectOption('plain');
    await dialog.getByLabel('Port', { exact: true }).fill(String(dovecot.port));
    await dialog.getByLabel('User name', { exact: true }).fill(user.user);
    await dialog.getByLabel('Password', { exact: true }).fill('not-the-password');
    await shot('02-add-account');
    await dialog.getByRole('button', { name: 'Add account' }).click();
    await expect.poll(() => dialog.innerText(), { timeout: 20_000 }).toMatch(/authentication failed/i);
    expect(await dialog.innerText()).not.toContain('not-the-password');
    await shot('03-add-account-error');

    await dialog.getByLabel('Password', { exact: true }).fill(user.password);
    await dialog.getByRole('button', { name: 'Add account' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
  });

  it('fills the merged list from the server', async () => {
    const inbox = page.getByRole('listbox', { name: 'Inbox' });
    await expect.poll(() => inbox.getByRole('option').count(), { timeout: 30_000 }).toBeGreaterThan(10);
    await expect.poll(async () => (await itemsFromHub()).length, { timeout: 30_000 }).toBe(120);
    await shot('04-inbox');
  });

  it('opens an unread message, which sets \\Seen on the server; Mark as unread clears it', async () => {
    const inbox = page.getByRole('listbox', { name: 'Inbox' });
    const unreadRow = inbox.getByRole('option').filter({ has: page.getByRole('img', { name: 'Unread' }) }).first();
    await unreadRow.click();
    const pane = page.getByRole('region', { name: 'Reading pane' });
    await pane.getByRole('button', { name: 'Mark as unread' }).waitFor({ timeout: 20_000 });
    const title = (await pane.locator('h2').innerText()).trim();
    await expect.poll(() => pane.innerText(), { timeout: 20_000 }).not.toContain('Loading…');
    await shot('05-reading');

    const opened = (await itemsFromHub()).find((i) => i.title === title && !i.unread);
    expect(opened, `an item titled ${title} marked read in the hub`).toBeDefined();
    const uid = opened!.origin.kind === 'mail' ? opened!.origin.uid : -1;
    await expect.poll(() => seenOnServer(uid), { timeout: 20_000 }).toBe(true);

    await pane.getByRole('button', { name: 'Mark as unread' }).click();
    await pane.getByRole('button', { name: 'Mark as read' }).waitFor({ timeout: 20_000 });
    await expect.poll(() => seenOnServer(uid), { timeout: 20_000 }).toBe(false);
  });

  it('searches the full-text index from the search box', async () => {
    const items = await itemsFromHub();
    // A word with few hits, so the virtualized list renders every result row.
    const candidates = [...new Set(items.flatMap((i) => i.title.split(/\s+/)).filter((w) => /^[A-Za-z]{5,}$/.test(w)))];
    let word = '';
    let viaCli: InboxItem[] = [];
    for (const candidate of candidates) {
      viaCli = JSON.parse((await runCli(['search', candidate, '--json', '--profile', profile.dir])).stdout) as InboxItem[];
      if (viaCli.length > 0 && viaCli.length <= 8) {
        word = candidate;
        break;
      }
    }
    expect(word).not.toBe('');
    await page.getByRole('searchbox', { name: 'Search' }).fill(word);
    const inbox = page.getByRole('listbox', { name: 'Inbox' });
    await expect.poll(() => inbox.getByRole('option').count(), { timeout: 20_000 }).toBe(viaCli.length);
    expect(await inbox.getByRole('option').first().innerText()).toContain(viaCli[0]!.title);
    await shot('06-search');
  });
});
