/**
 * Reading mail in Debian's chromium against `groundswell serve` and the real test Dovecot. The corpus
 * points every remote image, style sheet, font, refresh and form at a local server that counts hits:
 * nothing may reach it before Show images, and only images after. A newsletter keeps its layout, a
 * hostile mail runs nothing (no dialog, no navigation), a link whose text names another host warns,
 * and attachments are listed and saved with their exact bytes. Screenshots go to test-results/e2e.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationMessages, mailCorpus } from '../fixtures/mail/corpus.ts';
import type { MailCorpus } from '../fixtures/mail/corpus.ts';
import { axeViolations } from '../support/axe.ts';
import { removeAllAccounts, runCli } from '../support/cli.ts';
import { startDovecot } from '../support/dovecot.ts';
import type { Dovecot, DovecotUser } from '../support/dovecot.ts';
import { withClient } from '../support/mail-fixtures.ts';
import { tempProfile } from '../support/profile.ts';
import { startServe } from '../support/serve-process.ts';
import type { ServeProcess } from '../support/serve-process.ts';
import { startTrackingServer } from '../support/tracking-server.ts';
import type { TrackingServer } from '../support/tracking-server.ts';

const SHOTS = 'test-results/e2e';
/** Paths that must never be fetched, Show images or not. */
const NEVER = ['/import.css', '/font.woff2', '/refresh', '/link.css', '/script', '/form', '/iframe', '/object.swf', '/embed.swf', '/video.mp4', '/audio.mp3', '/poster.png', '/noscript.gif', '/svg-image.png', '/behavior.htc', '/binding.xml', '/escaped.png', '/image-set.png', '/input-image.png', '/srcset.png'];

describe('reading mail in a browser', () => {
  const user: DovecotUser = { user: 'nina', password: `e2e-${randomBytes(8).toString('hex')}` };
  const profile = tempProfile();
  let dovecot: Dovecot;
  let tracker: TrackingServer;
  let serve: ServeProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let corpus: MailCorpus;
  const dialogs: string[] = [];
  const navigations: string[] = [];
  const popups: string[] = [];

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });
  const pane = () => page.getByRole('region', { name: 'Reading pane' });
  const frame = (subject: string): FrameLocator => pane().frameLocator(`iframe[title="Message: ${subject}"]`);
  const open = async (subject: string) => {
    await page.getByRole('listbox', { name: 'Inbox' }).getByRole('option').filter({ hasText: subject }).click();
    await expect.poll(() => pane().locator('h2').first().innerText(), { timeout: 20_000 }).toContain(subject);
    await expect.poll(() => pane().innerText(), { timeout: 30_000 }).not.toContain('Loading…');
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dovecot = await startDovecot({ users: [user] });
    tracker = await startTrackingServer();
    corpus = mailCorpus(tracker.host);
    await withClient(dovecot, user, async (client) => {
      for (const message of [...corpus.messages, ...conversationMessages(3, { date: new Date(Date.now() - 3_600_000), subject: 'Crane delivery' })]) await client.append('INBOX', message.raw, [], new Date());
    });
    const added = await runCli(
      ['account', 'add', 'imap', '--host', '127.0.0.1', '--port', String(dovecot.port), '--security', 'plain', '--user', user.user, '--password-stdin', '--name', 'Nina', '--profile', profile.dir],
      { stdin: user.password },
    );
    expect(added.code, added.stderr).toBe(0);
    serve = await startServe(profile.dir);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    context.on('page', (p) => popups.push(p.url() || 'about:blank'));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations.push(f.url());
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await removeAllAccounts(profile.dir);
    await serve?.stop();
    await tracker?.stop();
    await dovecot?.stop();
    profile.remove();
  });

  it('fills the list from the server', async () => {
    await page.goto(serve.url);
    // The corpus and one conversation of three mails, which is one row.
    await expect.poll(() => page.getByRole('listbox', { name: 'Inbox' }).getByRole('option').count(), { timeout: 60_000 }).toBe(corpus.messages.length + 1);
  });

  it('shows a newsletter with its layout and its own logo, and reaches out to nothing', async () => {
    const subject = 'Acme Weekly: the quarter in numbers';
    await open(subject);
    const mail = frame(subject);
    await mail.getByRole('heading', { name: subject }).waitFor({ timeout: 20_000 });
    // The layout's own styles apply: the 600px table, the white headline on the dark hero, the table cells.
    const container = mail.locator('table.container');
    expect(await container.evaluate((t) => Math.round(t.getBoundingClientRect().width))).toBe(600);
    expect(await mail.getByRole('heading', { name: subject }).evaluate((h) => h.ownerDocument.defaultView!.getComputedStyle(h).color)).toBe('rgb(255, 255, 255)');
    expect(await mail.locator('td.hero').evaluate((td) => td.ownerDocument.defaultView!.getComputedStyle(td).backgroundColor)).toBe('rgb(18, 53, 91)');
    expect(await mail.getByText('+14 %').isVisible()).toBe(true);
    // The cid: logo is drawn from the message itself.
    const logo = mail.getByRole('img', { name: 'Acme logo' });
    await expect.poll(() => logo.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: 10_000 }).toBe(120);
    expect(await pane().innerText()).toMatch(/Remote images are off \(\d+ held back\)/);
    await shot('mail-01-newsletter-light');
    // The window around the mail; the mail's own markup is the sender's.
    expect(await axeViolations(page), 'axe on an HTML mail').toEqual([]);
    expect(tracker.log).toEqual([]);
  });

  it('loads the images and the tracking pixel only after Show images, and never the style sheet or the font', async () => {
    const subject = 'Acme Weekly: the quarter in numbers';
    expect(tracker.hits()).toBe(0);
    await pane().getByRole('button', { name: 'Show images' }).click();
    await expect.poll(() => tracker.hits('/pixel/open.gif'), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => tracker.hits('/img/chart.png'), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => tracker.hits('/css-bg.png'), { timeout: 20_000 }).toBe(1);
    await frame(subject).getByRole('img', { name: 'Growth chart' }).waitFor();
    for (const path of NEVER) expect(tracker.hits(path), path).toBe(0);
    await shot('mail-02-newsletter-images');
  });

  it('warns before a link whose text shows one host and leads to another, and opens plain links outside', async () => {
    const subject = 'Acme Weekly: the quarter in numbers';
    await frame(subject).getByRole('link', { name: 'https://www.bank.example.com/login' }).click();
    const warning = page.getByRole('alertdialog', { name: 'This link goes somewhere else' });
    await warning.waitFor();
    expect(await warning.innerText()).toContain('The link shows www.bank.example.com, but it leads to evil.example.net.');
    await shot('mail-03-link-warning');
    await warning.getByRole('button', { name: 'Cancel' }).click();
    await warning.waitFor({ state: 'hidden' });
    expect(popups).toEqual([]);

    // The web is not reachable from the test machine: the report page is answered here.
    await context.route('https://acme.example.com/**', (route) => route.fulfill({ contentType: 'text/html', body: '<title>Report</title>The report' }));
    const popup = context.waitForEvent('page');
    await frame(subject).getByRole('link', { name: 'full report' }).click();
    const opened = await popup;
    await expect.poll(() => opened.url(), { timeout: 10_000 }).toBe('https://acme.example.com/report');
    // noopener: the page it opened has no handle back on Groundswell.
    expect(await opened.evaluate('window.opener === null')).toBe(true);
    await opened.close();
    expect(navigations.every((url) => url.startsWith(`http://127.0.0.1:${serve.port}/`))).toBe(true);
  });

  it('runs nothing of a hostile mail: no dialog, no navigation, no script, no hit on the tracker', async () => {
    const before = tracker.log.length;
    const subject = 'A hostile message';
    await open(subject);
    const mail = frame(subject);
    await mail.getByText('The end.').waitFor({ timeout: 20_000 });
    await shot('mail-04-hostile');
    // The mail lays a fixed overlay over its own frame (it cannot reach past it); clicks land on it.
    for (const text of ['Nothing in this message may run or reach out.', 'a javascript link', 'an encoded javascript link', 'a data link', 'Send my password']) {
      await mail.getByText(text).click({ force: true });
      await mail.getByText(text).dispatchEvent('click');
    }
    // Only the frame's own head (charset, its policy, no-referrer) holds a <meta>; the mail's body holds none of these.
    expect(await mail.locator('head meta').count()).toBe(3);
    expect(await mail.locator('script, base, link, body meta').count()).toBe(0);
    expect(await mail.locator('body').locator('form, input, button, iframe, object, embed, svg, math, area, map, video, audio, textarea').count()).toBe(0);
    // Nothing above may have navigated the page or the frame, or opened a window.
    await mail.getByText('The end.').waitFor();
    expect(dialogs).toEqual([]);
    expect(navigations.every((url) => url.startsWith(`http://127.0.0.1:${serve.port}/`))).toBe(true);
    expect(popups.length).toBe(1);
    expect(tracker.log.slice(before), tracker.log.join(' ')).toEqual([]);
    await shot('mail-04-hostile');
  });

  it('shows plain text with its line breaks, quotes and links, and says no read receipt was sent', async () => {
    await open('Re: Site visit on Friday');
    const body = pane().locator('.plain-mail');
    expect(await body.getByRole('link', { name: 'https://plans.example.test/site/42' }).getAttribute('href')).toBe('https://plans.example.test/site/42');
    expect(await body.getByRole('link', { name: 'office@example.com' }).getAttribute('href')).toBe('mailto:office@example.com');
    expect(await body.locator('blockquote blockquote').innerText()).toContain('Earlier: the crane arrives Monday.');
    expect(await body.evaluate((b) => b.ownerDocument.defaultView!.getComputedStyle(b).whiteSpace)).toBe('pre-wrap');
    expect(await pane().innerText()).toContain('The sender asked for a read receipt');
    await shot('mail-05-plain');
  });

  it('lists attachments under the header, saves one with its exact bytes, and warns before one that runs code', async () => {
    const row = page.getByRole('listbox', { name: 'Inbox' }).getByRole('option').filter({ hasText: 'Report and photos attached' });
    await row.getByRole('img', { name: 'Has attachments' }).waitFor();
    expect(await page.getByRole('listbox', { name: 'Inbox' }).getByRole('img', { name: 'Has attachments' }).count()).toBe(1);
    await open('Report and photos attached');
    const list = pane().getByRole('region', { name: 'Attachments' });
    for (const a of corpus.attachments) await list.getByText(a.cleanName, { exact: true }).waitFor();
    expect(await list.innerText()).toContain('can run code');
    await shot('mail-06-attachments-light');
    expect(await axeViolations(page), 'axe on an open mail with attachments').toEqual([]);

    const download = page.waitForEvent('download');
    await list.getByRole('button', { name: 'Save site photos.zip' }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).toBe('site photos.zip');
    expect(readFileSync(await saved.path()).equals(corpus.attachments[3]!.bytes)).toBe(true);

    await list.getByRole('button', { name: 'Open invoice-tool.exe' }).click();
    const warning = page.getByRole('alertdialog', { name: 'This file can run programs' });
    await warning.waitFor();
    expect(await warning.innerText()).toContain('invoice-tool.exe');
    await warning.getByRole('button', { name: 'Cancel' }).click();
    await warning.waitFor({ state: 'hidden' });

    const bashrc = page.waitForEvent('download');
    await list.getByRole('button', { name: 'Save _.._.bashrc' }).click();
    expect((await bashrc).suggestedFilename()).toBe('_.._.bashrc');
    expect(dialogs).toEqual([]);
  });

  it('remembers "Always from this sender" and shows their images at once', async () => {
    const subject = 'Acme Weekly: the quarter in numbers';
    await open('Re: Site visit on Friday');
    await open(subject);
    await pane().getByRole('button', { name: 'Always from this sender' }).click();
    await expect.poll(() => pane().innerText(), { timeout: 20_000 }).toContain('Remote images show for mail from news@acme.example.com');
    await open('Re: Site visit on Friday');
    const before = tracker.hits('/pixel/open.gif');
    await open(subject);
    await expect.poll(() => tracker.hits('/pixel/open.gif'), { timeout: 20_000 }).toBe(before + 1);
    expect(await pane().getByRole('button', { name: 'Show images' }).count()).toBe(0);
  });

  it('shows a conversation as one row with its count and people, and as the whole thread in the pane', async () => {
    const row = page.getByRole('listbox', { name: 'Inbox' }).getByRole('option').filter({ hasText: 'Re: Crane delivery' });
    expect(await row.innerText()).toMatch(/Fay Fox, Eli Engel, Dana Diaz\s*3/);
    await row.click();
    const conversation = pane().getByRole('region', { name: 'Conversation' });
    await conversation.waitFor({ timeout: 20_000 });
    expect(await conversation.innerText()).toContain('3 messages in this conversation');
    // The newest is open, its quote folded; the two before it are one line each.
    const body = conversation.locator('.plain-mail');
    await expect.poll(() => body.first().innerText(), { timeout: 20_000 }).toContain('Message 3 of the visit thread.');
    expect(await body.first().innerText()).not.toContain('More quoted words.');
    await conversation.getByRole('button', { name: 'Show quoted text' }).click();
    expect(await body.first().innerText()).toContain('More quoted words.');
    const first = conversation.getByRole('button', { name: /Dana Diaz/ });
    expect(await first.getAttribute('aria-expanded')).toBe('false');
    await first.click();
    await expect.poll(() => conversation.innerText(), { timeout: 20_000 }).toContain('Message 1 of the visit thread.');
    await shot('mail-10-conversation');
    expect(await axeViolations(page), 'axe on a conversation').toEqual([]);
  });

  it('looks right dark and narrow', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await open('Report and photos attached');
    await shot('mail-07-attachments-dark');
    await open('Acme Weekly: the quarter in numbers');
    await frame('Acme Weekly: the quarter in numbers').getByRole('img', { name: 'Acme logo' }).waitFor();
    await shot('mail-08-newsletter-dark');
    await page.setViewportSize({ width: 600, height: 900 });
    // One pane at a time at this width: the open message fills the window, Back returns to the list.
    await pane().getByRole('button', { name: 'Back' }).click();
    await open('Acme Weekly: the quarter in numbers');
    await shot('mail-09-newsletter-narrow');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1360, height: 900 });
  });
});
