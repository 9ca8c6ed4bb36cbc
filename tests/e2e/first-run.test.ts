/**
 * A person's first run, keyboard only, in Debian's chromium against `groundswell serve` whose mail
 * autoconfig looks at local stand-ins (an HTTP server for the domain's config-v1.1 file, dnsmasq for
 * DNS): the first-run screen says what Groundswell does and offers mail by address, a Matrix ID and a
 * feed; the address and password find the settings, which are shown with where they came from; Enter
 * adds the account, and the inbox fills with a progress line ("… 100 of 600 messages") while a TCP
 * proxy holds the server's bytes, until the last message is in. Screenshots light, dark and narrow,
 * and axe-core on each screen. The feed path (an address, Enter) and the Matrix path (a Matrix ID and
 * password, the homeserver found from it) each start from a first run of their own.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxItem } from '../../src-shared/domain.ts';
import { configFile, domainPath, type AutoconfigWorld } from '../support/autoconfig-world.ts';
import { axeViolations } from '../support/axe.ts';
import { removeAllAccounts, runCli } from '../support/cli.ts';
import { startDnsmasq, type DnsServer } from '../support/dnsmasq.ts';
import { startDovecot, type Dovecot, type DovecotUser } from '../support/dovecot.ts';
import { rssFeed, statusEntries } from '../support/feed-fixtures.ts';
import { startHomeserver, type Homeserver } from '../support/homeserver/index.ts';
import { startFeedServer, type FeedServer } from '../support/feed-server.ts';
import { appendMessages, realisticMessages } from '../support/mail-fixtures.ts';
import { waitForDelivery } from '../support/mail-readback.ts';
import { startPostfix, type Postfix } from '../support/postfix.ts';
import { tempProfile } from '../support/profile.ts';
import { startServe, type ServeProcess } from '../support/serve-process.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

const SHOTS = 'test-results/e2e';
const MESSAGES = 600;

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

describe('the first run, keyboard only', () => {
  const user: DovecotUser = { user: 'erin', password: `first-${randomBytes(8).toString('hex')}` };
  const profile = tempProfile();
  let dovecot: Dovecot;
  let postfix: Postfix;
  let proxy: TcpProxy;
  let http: FeedServer;
  let dns: DnsServer;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let mailboxBytes = 0;

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const shotThemesAndNarrow = async (name: string): Promise<void> => {
    await page.emulateMedia({ colorScheme: 'light' });
    await shot(`${name}-light`);
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(`${name}-dark`);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 600, height: 900 });
    await shot(`${name}-600`);
    await page.setViewportSize({ width: 1360, height: 860 });
  };
  // The accessible name of what has the focus: its aria-label, its <label>, or its text.
  const focusedName = () =>
    page.evaluate(`(() => {
      const el = document.activeElement;
      if (!el) return '';
      const label = el.id ? document.querySelector('label[for="' + CSS.escape(el.id) + '"]') : null;
      return el.getAttribute('aria-label') ?? label?.textContent ?? el.textContent ?? '';
    })()`) as Promise<string>;
  /** axe-core over the whole page, light and dark: no violation of WCAG 2 A/AA or best practice. */
  const axe = async (screen: string): Promise<void> => {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await axeViolations(page), `axe on ${screen} (${colorScheme})`).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  };
  const itemsFromHub = async () => JSON.parse((await runCli(['inbox', '--json', '--limit', '1000', '--profile', profile.dir])).stdout) as InboxItem[];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dovecot = await startDovecot({ users: [user], lmtp: true });
    postfix = await startPostfix({ lmtpPort: dovecot.lmtpPort!, authPort: dovecot.authPort!, domain: 'work.test' });
    const messages = realisticMessages(MESSAGES, new Date());
    mailboxBytes = messages.reduce((sum, m) => sum + m.raw.length, 0);
    await appendMessages(dovecot, user, messages);
    proxy = await startTcpProxy({ host: dovecot.host, port: dovecot.port });
    http = await startFeedServer();
    http.route(domainPath('work.test'), (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' }).end(configFile({ host: '127.0.0.1', port: proxy.port, socketType: 'plain' }, { host: postfix.host, port: postfix.port, socketType: 'plain', username: '%EMAILLOCALPART%' }));
    });
    http.route(domainPath('oauthmail.test'), (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' }).end(configFile({ host: 'imap.oauthmail.test', port: 993, socketType: 'SSL', username: '%EMAILADDRESS%', authentication: ['OAuth2', 'password-cleartext'] }));
    });
    dns = await startDnsmasq({ domains: ['work.test', 'oauthmail.test'] });
    const world: AutoconfigWorld = { origin: http.origin, dns: dns.address, imapPorts: { tls: await closedPort(), starttls: await closedPort() }, smtpPorts: { tls: await closedPort(), starttls: await closedPort() } };
    serve = await startServe(profile.dir, 30_000, ['tests/support/serve-with-autoconfig.ts', profile.dir, JSON.stringify(world)]);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1360, height: 860 }, colorScheme: 'light' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    proxy?.resume();
    await removeAllAccounts(profile.dir);
    await serve?.stop();
    await dns?.stop();
    await http?.stop();
    await proxy?.close();
    await postfix?.stop();
    await dovecot?.stop();
    profile.remove();
  });

  it('opens on the first run: one sentence, the three sources, the address field focused', async () => {
    await page.goto(serve.url);
    const welcome = page.getByRole('main', { name: 'Welcome to Groundswell' });
    await welcome.waitFor();
    expect(await welcome.innerText()).toContain('Groundswell gathers your team chat, your mail and your feed alerts into one inbox');
    for (const source of ['Mail', 'Matrix chat', 'Feeds']) await welcome.getByRole('region', { name: source }).waitFor();
    const feeds = welcome.getByRole('region', { name: 'Feeds' });
    await feeds.getByRole('textbox', { name: 'Feed address' }).waitFor();
    expect(await feeds.innerText()).toContain('Import OPML file…');
    await welcome.getByRole('region', { name: 'Matrix chat' }).getByRole('textbox', { name: 'Matrix ID' }).waitFor();
    await expect.poll(focusedName).toBe('Email address');
    await axe('the first run');
    await shotThemesAndNarrow('60-first-run');
  });

  it('finds the settings from the address and shows what was found and where, before anything is saved', async () => {
    // A wrong address first: said beside the field, nothing looked up.
    await page.keyboard.type('erin at work');
    await page.keyboard.press('Tab');
    await page.keyboard.type(user.password);
    await page.keyboard.press('Enter');
    const mail = page.getByRole('region', { name: 'Mail' });
    await expect.poll(() => mail.innerText()).toContain('Enter an email address such as ann@example.com.');
    await expect.poll(focusedName).toBe('Email address');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('erin@work.test');
    await page.keyboard.press('Enter');
    const found = mail.getByRole('status', { name: 'Settings found' });
    await found.waitFor({ timeout: 30_000 });
    const text = await found.innerText();
    expect(text).toContain("Found in the domain's own autoconfig file (Stand-in Mail)");
    expect(text).toContain(`${http.origin}${domainPath('work.test')}?emailaddress=erin%40work.test`);
    expect(text).toContain(`Receiving (IMAP): 127.0.0.1:${proxy.port} unencrypted, user erin`);
    expect(text).toContain(`Sending (SMTP): 127.0.0.1:${postfix.port} unencrypted, user erin`);
    expect(text).toMatch(/without encryption; that is allowed only because 127\.0\.0\.1 is this computer/);
    // Every field can be corrected before adding.
    expect(await mail.getByRole('textbox', { name: 'Server' }).inputValue()).toBe('127.0.0.1');
    expect(await mail.getByRole('textbox', { name: 'User name', exact: true }).inputValue()).toBe('erin');
    // The sending side found, as editable as the receiving one.
    expect(await mail.getByRole('combobox', { name: 'Outgoing server (SMTP)' }).inputValue()).toBe('127.0.0.1');
    expect(await mail.getByRole('textbox', { name: 'SMTP port' }).inputValue()).toBe(String(postfix.port));
    expect(await mail.getByRole('combobox', { name: 'SMTP security' }).inputValue()).toBe('plain');
    expect(await mail.getByRole('textbox', { name: 'Your address' }).inputValue()).toBe('erin@work.test');
    expect(JSON.parse((await runCli(['account', 'list', '--json', '--profile', profile.dir])).stdout)).toEqual([]);
    await expect.poll(focusedName).toBe('Add account');
    // Shift+Tab back through the form to "What was looked up", Enter opens it; then back to Add account.
    const steps = mail.getByText('What was looked up');
    for (let i = 0; i < 30 && (await focusedName()) !== 'What was looked up'; i++) await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => mail.locator('details.autoconfig-steps').getAttribute('open')).toBe('');
    expect(await mail.locator('details.autoconfig-steps').innerText()).toContain('skipped');
    await axe('the settings found');
    await shotThemesAndNarrow('61-first-run-found');
    await page.keyboard.press('Enter');
    await expect.poll(() => steps.evaluate((el) => el.parentElement?.hasAttribute('open'))).toBe(false);
    for (let i = 0; i < 40 && (await focusedName()) !== 'Add account'; i++) await page.keyboard.press('Tab');
    await expect.poll(focusedName).toBe('Add account');
  });

  it('adds it with Enter and lands on the filling inbox with a progress line, then the full inbox', async () => {
    // The server's bytes are held partway through the first sync, so the window shows it under way.
    proxy.stallAfter(Math.round(mailboxBytes / 4));
    await page.keyboard.press('Enter');
    const inbox = page.getByRole('listbox', { name: 'Inbox' });
    await inbox.waitFor({ timeout: 30_000 });
    await expect.poll(() => proxy.stalled, { timeout: 30_000 }).toBe(true);
    const progress = page.getByRole('list', { name: 'Sync progress' });
    await expect.poll(() => progress.innerText(), { timeout: 30_000 }).toMatch(new RegExp(`^erin@work\\.test: \\d[\\d,]* of ${MESSAGES} messages$`));
    const done = Number(/: ([\d,]+) of/.exec(await progress.innerText())![1]!.replace(/,/g, ''));
    expect(done).toBeLessThan(MESSAGES);
    expect(await page.getByRole('main', { name: 'Welcome to Groundswell' }).count()).toBe(0);
    await axe('the filling inbox');
    await shotThemesAndNarrow('62-first-run-filling');

    proxy.resume();
    await expect.poll(async () => (await itemsFromHub()).length, { timeout: 60_000 }).toBe(MESSAGES);
    await progress.waitFor({ state: 'detached', timeout: 30_000 });
    await expect.poll(() => inbox.getByRole('option').count()).toBeGreaterThan(10);
    await shotThemesAndNarrow('63-first-run-full');

    // Still keyboard only: j picks the newest message, Enter opens it.
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    const newest = (await itemsFromHub())[0]!;
    await page.getByRole('region', { name: 'Reading pane' }).getByRole('heading', { name: newest.title }).waitFor();

    // The account added by address sends too: through the Postfix its file named, into the INBOX.
    const [account] = JSON.parse((await runCli(['account', 'list', '--json', '--profile', profile.dir])).stdout) as { account: { id: string } }[];
    const sent = await runCli(['compose', '--account', account!.account.id, '--to', 'erin@work.test', '--subject', 'Sent after the first run', '--text-stdin', '--profile', profile.dir], { stdin: 'It sends.\n' });
    expect(sent.code, sent.stderr).toBe(0);
    const messageId = /^Sent (<[^>]+>)\./m.exec(sent.stdout)?.[1];
    expect(messageId, sent.stdout).toBeDefined();
    const [copy] = await waitForDelivery(dovecot, user, 'INBOX', messageId!);
    expect(copy).toMatchObject({ subject: 'Sent after the first run', from: ['erin@work.test'] });
  });

  it('offers the same address path first in the Add account dialog', async () => {
    await page.keyboard.press('Escape');
    await page.getByRole('navigation', { name: 'Sources' }).getByRole('button', { name: 'Add account' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Add account' });
    await dialog.waitFor();
    expect(await dialog.getByRole('radio', { name: 'Mail by address' }).isChecked()).toBe(true);
    // The dialog starts on the account type; the next field is the address.
    await expect.poll(focusedName).toBe('Mail by address');
    await page.keyboard.press('Tab');
    await expect.poll(focusedName).toBe('Email address');
    await shotThemesAndNarrow('64-add-account-by-address');
    // A provider that offers OAuth2: its sign-in in the browser is offered beside the found settings.
    await page.keyboard.type('erin@oauthmail.test');
    await page.keyboard.press('Tab');
    await page.keyboard.type('an-app-password');
    await page.keyboard.press('Enter');
    const found = dialog.getByRole('status', { name: 'Settings found' });
    await found.waitFor({ timeout: 30_000 });
    expect(await found.innerText()).toMatch(/also signs in with OAuth2/);
    await dialog.getByRole('group', { name: 'Sign in with your mail provider' }).getByRole('button', { name: 'Sign in with Stand-in Mail' }).waitFor();
    await shotThemesAndNarrow('65-add-account-oauth-offered');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });
});

describe("the first run's feed path, keyboard only", () => {
  const profile = tempProfile();
  let feeds: FeedServer;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.serveFeed('/status.rss', { body: rssFeed(statusEntries(5), { title: 'Example Status' }), contentType: 'application/rss+xml' });
    serve = await startServe(profile.dir);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await removeAllAccounts(profile.dir);
    await serve?.stop();
    await feeds?.stop();
    profile.remove();
  });

  it("follows a feed from its address and lands on the inbox with the feed's entries", async () => {
    await page.goto(serve.url);
    const welcome = page.getByRole('main', { name: 'Welcome to Groundswell' });
    await welcome.waitFor();
    // From the address field, Tab moves through the mail and chat cards to the feed's address.
    const feedAddress = welcome.getByRole('region', { name: 'Feeds' }).getByRole('textbox', { name: 'Feed address' });
    for (let i = 0; i < 12 && !(await feedAddress.evaluate((el) => el === el.ownerDocument.activeElement)); i++) await page.keyboard.press('Tab');
    expect(await feedAddress.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.type(feeds.url('/status.rss'));
    await page.keyboard.press('Enter');
    const inbox = page.getByRole('listbox', { name: 'Inbox' });
    await inbox.waitFor({ timeout: 30_000 });
    await expect.poll(() => inbox.getByRole('option').count(), { timeout: 30_000 }).toBe(5);
    expect(await welcome.count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Sources' }).innerText()).toContain('Example Status');
  });
});

describe("the first run's Matrix path, keyboard only", () => {
  const profile = tempProfile();
  const password = `first-run-${randomBytes(6).toString('hex')}`;
  let hs: Homeserver;
  let userId = '';
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    hs = await startHomeserver({ serverName: 'address' });
    userId = (await hs.registerUser('hana', password)).userId;
    serve = await startServe(profile.dir);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await removeAllAccounts(profile.dir);
    await serve?.stop();
    await hs?.stop();
    profile.remove();
  });

  it('signs in with a Matrix ID alone (the homeserver found from it) and lands on the inbox', async () => {
    await page.goto(serve.url);
    const welcome = page.getByRole('main', { name: 'Welcome to Groundswell' });
    await welcome.waitFor();
    const matrixId = welcome.getByRole('region', { name: 'Matrix chat' }).getByRole('textbox', { name: 'Matrix ID' });
    for (let i = 0; i < 8 && !(await matrixId.evaluate((el) => el === el.ownerDocument.activeElement)); i++) await page.keyboard.press('Tab');
    expect(await matrixId.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.type(userId);
    await page.keyboard.press('Tab');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await page.getByRole('listbox', { name: 'Inbox' }).waitFor({ timeout: 30_000 });
    expect(await welcome.count()).toBe(0);
    await expect.poll(() => page.getByRole('navigation', { name: 'Sources' }).innerText()).toContain(userId);
  });
});
