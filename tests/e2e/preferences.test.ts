/**
 * Preferences and account settings in Debian's chromium against `groundswell serve`: the theme
 * chosen in Preferences repaints the page at once, wins over the desktop's setting and is still in
 * force after a reload; an IMAP account renamed in its settings shows its new name in the sidebar
 * and in the hub; a port no server answers on is refused beside the Port field and nothing is saved.
 * Screenshots of each dialog, light, dark and in an 800×600 window, go to test-results/e2e.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView, ImapSettings } from '../../src-shared/domain.ts';
import { removeAllAccounts, runCli } from '../support/cli.ts';
import { startDovecot, type Dovecot, type DovecotUser } from '../support/dovecot.ts';
import { appendMessages, mailboxFixture } from '../support/mail-fixtures.ts';
import { tempProfile } from '../support/profile.ts';
import { startServe, type ServeProcess } from '../support/serve-process.ts';

const SHOTS = 'test-results/e2e';
const LIGHT_BG = 'rgb(255, 255, 255)';
const DARK_BG = 'rgb(23, 25, 29)';

/** A port nothing listens on: taken from the system, then let go. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('preferences and account settings in a browser', () => {
  const user: DovecotUser = { user: 'pat', password: `e2e-${randomBytes(8).toString('hex')}` };
  const profile = tempProfile();
  let dovecot: Dovecot;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const background = () => page.locator('html').evaluate((root) => root.ownerDocument.defaultView!.getComputedStyle(root).backgroundColor);
  const sources = () => page.getByRole('navigation', { name: 'Sources' });
  const preferences = () => page.getByRole('dialog', { name: 'Preferences' });
  const settings = () => page.getByRole('dialog', { name: 'Account settings' });
  const accountsFromHub = async () => JSON.parse((await runCli(['account', 'list', '--json', '--profile', profile.dir])).stdout) as AccountView[];
  const imapFromHub = async () => (await accountsFromHub()).find((a) => a.account.kind === 'imap')!.account as AccountView['account'] & { settings: ImapSettings };

  /** The same screen in the other theme and in a small window, then back as it was. */
  const shotThemesAndSmall = async (name: string): Promise<void> => {
    await page.emulateMedia({ colorScheme: 'light' });
    await shot(`${name}-light`);
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(`${name}-dark`);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 800, height: 600 });
    await shot(`${name}-800x600`);
    await page.setViewportSize({ width: 1360, height: 860 });
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dovecot = await startDovecot({ users: [user] });
    await appendMessages(dovecot, user, mailboxFixture(6));
    serve = await startServe(profile.dir);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1360, height: 860 }, colorScheme: 'light' });
  });

  afterAll(async () => {
    await browser?.close();
    // Through the running hub, so the password leaves the keychain too.
    await removeAllAccounts(profile.dir);
    await serve?.stop();
    await dovecot?.stop();
    profile.remove();
  });

  it('switches to Dark from Preferences at once, and keeps it after a reload', async () => {
    await page.goto(serve.url);
    await sources().waitFor();
    expect(await background()).toBe(LIGHT_BG);

    const opener = sources().getByRole('button', { name: 'Preferences' });
    await opener.click();
    await preferences().waitFor();
    const theme = preferences().getByRole('group', { name: 'Theme' });
    expect(await theme.getByRole('radio', { name: 'System' }).isChecked()).toBe(true);
    await shotThemesAndSmall('40-preferences');

    await theme.getByRole('radio', { name: 'Dark' }).check();
    await expect.poll(background).toBe(DARK_BG);
    await shot('41-preferences-dark-chosen');

    await preferences().getByRole('button', { name: 'Close' }).click();
    await preferences().waitFor({ state: 'hidden' });
    expect(await opener.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);

    await page.reload();
    await sources().waitFor();
    await expect.poll(background, { timeout: 10_000 }).toBe(DARK_BG);
    // A new window remembers nothing of its own: the theme it opens in comes from the hub.
    const fresh = await browser.newPage({ viewport: { width: 800, height: 600 }, colorScheme: 'light' });
    await fresh.goto(serve.url);
    await fresh.getByRole('navigation', { name: 'Sources' }).waitFor();
    await expect
      .poll(() => fresh.locator('html').evaluate((root) => root.ownerDocument.defaultView!.getComputedStyle(root).backgroundColor), { timeout: 10_000 })
      .toBe(DARK_BG);
    await fresh.close();
    await opener.click();
    expect(await preferences().getByRole('radio', { name: 'Dark' }).isChecked()).toBe(true);
  });

  it('lets a chosen Light win over a dark desktop, and System follow it again', async () => {
    const theme = preferences().getByRole('group', { name: 'Theme' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await theme.getByRole('radio', { name: 'Light' }).check();
    await expect.poll(background).toBe(LIGHT_BG);
    await theme.getByRole('radio', { name: 'System' }).check();
    await expect.poll(background).toBe(DARK_BG);
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(background).toBe(LIGHT_BG);
  });

  it('saves each switch at once: notifications off greys out their previews, and a reload still shows it off', async () => {
    const notifications = preferences().getByRole('checkbox', { name: 'Desktop notifications' });
    const previews = preferences().getByRole('checkbox', { name: 'Show message previews in notifications' });
    expect(await notifications.isChecked()).toBe(true);
    await notifications.uncheck();
    await expect.poll(() => previews.isDisabled()).toBe(true);
    await preferences().getByRole('checkbox', { name: 'Close to tray instead of quitting' }).check();
    await page.reload();
    await sources().getByRole('button', { name: 'Preferences' }).click();
    await expect.poll(() => preferences().getByRole('checkbox', { name: 'Close to tray instead of quitting' }).isChecked(), { timeout: 10_000 }).toBe(true);
    expect(await preferences().getByRole('checkbox', { name: 'Desktop notifications' }).isChecked()).toBe(false);
    await page.keyboard.press('Escape');
    await preferences().waitFor({ state: 'hidden' });
  });

  it('renames an IMAP account in its settings; the sidebar and the hub show the new name', async () => {
    await sources().getByRole('button', { name: 'Add account' }).click();
    const add = page.getByRole('dialog', { name: 'Add account' });
    // Mail by address is the dialog's first choice; this test types the server itself.
    await add.getByRole('radio', { name: 'IMAP mail' }).check();
    await add.getByLabel('Display name').waitFor();
    await shotThemesAndSmall('42-add-account');
    await add.getByLabel('Display name').fill('Pat at work');
    await add.getByLabel('Server', { exact: true }).fill('127.0.0.1');
    await add.getByLabel('Security', { exact: true }).selectOption('plain');
    await add.getByLabel('Port', { exact: true }).fill(String(dovecot.port));
    await add.getByLabel('User name', { exact: true }).fill(user.user);
    await add.getByLabel('Password', { exact: true }).fill(user.password);
    await add.getByRole('button', { name: 'Add account' }).click();
    await add.waitFor({ state: 'hidden', timeout: 30_000 });

    await sources().getByRole('button', { name: 'Account settings for Pat at work' }).click();
    await settings().waitFor();
    await shotThemesAndSmall('43-account-settings-imap');
    const name = settings().getByRole('textbox', { name: 'Name', exact: true });
    expect(await name.inputValue()).toBe('Pat at work');
    await name.fill('Pat’s mail');
    await settings().getByRole('button', { name: 'Rename' }).click();
    await sources().getByRole('button', { name: 'Account settings for Pat’s mail' }).waitFor({ timeout: 10_000 });
    expect(await settings().getByRole('heading', { level: 2 }).innerText()).toBe('Pat’s mail');
    expect((await imapFromHub()).displayName).toBe('Pat’s mail');
  });

  it('refuses a port no IMAP server answers on beside the Port field, and saves nothing', async () => {
    const before = await imapFromHub();
    const wrong = await closedPort();
    const server = settings().getByRole('region', { name: 'Server' });
    const port = server.getByRole('textbox', { name: 'Port' });
    expect(await port.inputValue()).toBe(String(dovecot.port));

    // Caught before the hub is asked.
    await port.fill('0');
    await server.getByRole('button', { name: 'Save server settings' }).click();
    await expect.poll(() => port.getAttribute('aria-invalid')).toBe('true');
    expect(await server.innerText()).toContain('Enter a port from 1 to 65535.');

    await port.fill(String(wrong));
    expect(await port.getAttribute('aria-invalid')).toBe('false');
    await server.getByRole('button', { name: 'Save server settings' }).click();
    await expect.poll(() => port.getAttribute('aria-invalid'), { timeout: 30_000 }).toBe('true');
    const described = (await port.getAttribute('aria-describedby'))!.split(' ');
    const error = await page.locator(`[id="${described.at(-1)}"]`).innerText();
    expect(error).not.toBe('');
    expect(error).not.toContain(user.password);
    expect(await server.getByRole('button', { name: 'Save server settings' }).isEnabled()).toBe(true);
    await shot('44-account-settings-port-refused');

    const after = await imapFromHub();
    expect(after.settings).toEqual(before.settings);
    // The account kept its working connection.
    const view = (await accountsFromHub()).find((a) => a.account.id === before.id)!;
    expect(view.status.state).not.toBe('auth-failed');
    await page.keyboard.press('Escape');
    await settings().waitFor({ state: 'hidden' });
  });
});
