/**
 * Hostile text in Debian's chromium against `groundswell serve`: a feed entry whose title is a
 * one-megabyte word opens and the window keeps answering; a subject with a right-to-left override
 * reads in its real order, each field isolated from its neighbours; a sender at a Cyrillic
 * "pаypal.com" carries a warning named for what it imitates, in the list and the reading pane.
 * Screenshots in light and dark go to test-results/e2e.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeAllAccounts, runCli } from '../support/cli.ts';
import { startDovecot, type Dovecot, type DovecotUser } from '../support/dovecot.ts';
import { rssFeed } from '../support/feed-fixtures.ts';
import { startFeedServer, type FeedServer } from '../support/feed-server.ts';
import { appendMessages, type FixtureMessage } from '../support/mail-fixtures.ts';
import { tempProfile } from '../support/profile.ts';
import { startServe, type ServeProcess } from '../support/serve-process.ts';

const SHOTS = 'test-results/e2e';
const HUGE_WORD = 'W'.repeat(1_000_000);
const SPOOFED = 'Invoice \u202Egpj.exe\u202C paid';
const HEBREW = 'שלום, הפגישה נדחתה למחר';
const WARNING = 'Look-alike sender address: this is not paypal.com';

function mail(from: string, subject: string, n: number): FixtureMessage {
  const date = new Date(Date.now() - n * 60_000);
  const messageId = `<e2e-hostile-${n}@text.test>`;
  const encoded = `=?UTF-8?B?${Buffer.from(subject, 'utf8').toString('base64')}?=`;
  const raw = Buffer.from(
    [`From: ${from}`, 'To: Erin <erin@example.test>', `Subject: ${encoded}`, `Date: ${date.toUTCString()}`, `Message-ID: ${messageId}`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', `Message ${n}.`, ''].join('\r\n'),
    'utf8',
  );
  return { kind: 'hostile', raw, date, flags: [], messageId, expect: { title: subject, sender: from } };
}

describe('hostile text in a browser', () => {
  const user: DovecotUser = { user: 'frank', password: `e2e-${randomBytes(8).toString('hex')}` };
  const profile = tempProfile();
  let feeds: FeedServer;
  let dovecot: Dovecot;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  const cli = (args: string[], stdin?: string) => runCli([...args, '--profile', profile.dir], stdin === undefined ? {} : { stdin });
  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png` });
  const inbox = () => page.getByRole('listbox', { name: 'Inbox' });
  const row = (text: string) => inbox().getByRole('option').filter({ hasText: text });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    feeds = await startFeedServer();
    feeds.serveFeed('/hostile.rss', {
      body: rssFeed(
        [
          { id: 'huge', title: HUGE_WORD, at: '2026-11-20T12:00:00Z', html: `<p>${HUGE_WORD}</p>` },
          { id: 'hebrew', title: HEBREW, at: '2026-11-20T10:00:00Z', html: '<p>תודה</p>' },
        ],
        { title: 'Hostile Status' },
      ),
      contentType: 'application/rss+xml',
    });
    dovecot = await startDovecot({ users: [user] });
    await appendMessages(dovecot, user, [mail('Billing <billing@example.test>', SPOOFED, 1), mail('PayPal Security <service@p\u0430ypal.com>', 'Your account is limited', 2)]);
    expect((await cli(['account', 'add', 'feed', '--url', feeds.url('/hostile.rss')])).code).toBe(0);
    const imap = await cli(['account', 'add', 'imap', '--name', 'Mail', '--host', '127.0.0.1', '--port', String(dovecot.port), '--security', 'plain', '--user', user.user, '--password-stdin'], `${user.password}\n`);
    expect(imap.stderr).toBe('');
    expect((await cli(['sync', '--once'])).code).toBe(0);
    serve = await startServe(profile.dir);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  });

  afterAll(async () => {
    await browser?.close();
    await removeAllAccounts(profile.dir);
    await serve?.stop();
    await dovecot?.stop();
    await feeds?.stop();
    profile.remove();
  });

  it('opens the entry with a one-megabyte title and stays responsive', async () => {
    await page.goto(serve.url);
    await expect.poll(() => inbox().getByRole('option').count(), { timeout: 30_000 }).toBe(4);
    await row('WWWW').click();
    const title = page.getByRole('region', { name: 'Reading pane' }).getByRole('heading').first();
    await expect.poll(() => title.textContent()).toMatch(/^W+…$/);
    // The next click must be handled: a window busy laying out a megabyte word never gets to it.
    await row(HEBREW).click();
    await page.getByRole('region', { name: 'Reading pane' }).getByRole('heading', { name: HEBREW }).waitFor();
    await shot('40-hostile-feed-hebrew');
  });

  it('shows the overridden subject in its real order, each field isolated', async () => {
    const title = row('gpj.exe').locator('.title');
    expect(await title.textContent()).toBe('Invoice gpj.exe paid');
    const style = await title.evaluate((el) => ({ tag: el.tagName, dir: el.getAttribute('dir'), unicodeBidi: el.ownerDocument.defaultView!.getComputedStyle(el).unicodeBidi }));
    expect(style).toEqual({ tag: 'BDI', dir: 'auto', unicodeBidi: 'isolate' });
    const hebrew = row(HEBREW).locator('.title');
    expect(await hebrew.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).direction)).toBe('rtl');
  });

  it('marks the look-alike sender in the row and the reading pane, in light and dark', async () => {
    const spoof = row('Your account is limited');
    await spoof.getByRole('img', { name: WARNING }).waitFor();
    await spoof.click();
    const pane = page.getByRole('region', { name: 'Reading pane' });
    await pane.getByRole('img', { name: WARNING }).waitFor();
    await expect.poll(() => pane.textContent()).toContain('(its domain is really xn--pypal-4ve.com). Do not trust links or attachments');
    await pane.getByText('Message 2.').waitFor();
    await shot('41-look-alike-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('42-look-alike-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await row('gpj.exe').getByRole('img', { name: WARNING }).count()).toBe(0);
  });
});
