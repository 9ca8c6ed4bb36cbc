/**
 * Single sign-on in Debian's chromium against `groundswell serve`: typing a Matrix ID on a server
 * with identity providers shows them by name and icon in the Add account dialog; choosing one opens
 * the sign-in in a new tab (never inside the app), the homeserver's identity provider sends that tab
 * back to the hub's loopback address, and the dialog closes on a signed-in account.
 */
import { mkdirSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeAllAccounts } from '../support/cli.ts';
import { startHomeserver, type Homeserver } from '../support/homeserver/index.ts';
import { tempProfile } from '../support/profile.ts';
import { startServe, type ServeProcess } from '../support/serve-process.ts';

const SHOTS = 'test-results/e2e';
/** A 16×16 PNG of one colour, as an identity provider's icon. */
function squarePng(rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(16, 0);
  header.writeUInt32BE(16, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: 16 }, () => rgb).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: 16 }, () => row)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}
const ICON = squarePng([37, 99, 235]);

describe('Matrix single sign-on in a browser', () => {
  const profile = tempProfile();
  let hs: Homeserver;
  let serve: ServeProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    hs = await startHomeserver({ serverName: 'address' });
    hs.enableSso([{ id: 'oidc-acme', name: 'Acme Corp SSO', icon: { bytes: ICON, contentType: 'image/png' } }, { id: 'oidc-github', name: 'GitHub' }], 'alice');
    serve = await startServe(profile.dir);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    context = await browser.newContext({ viewport: { width: 1200, height: 860 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    if (serve !== undefined) await removeAllAccounts(profile.dir);
    await serve?.stop();
    await hs?.stop();
    profile.remove();
  });

  it('offers the identity providers by name and icon, signs in through a new tab, and closes the dialog', async () => {
    await page.goto(serve.url);
    await page.getByRole('button', { name: 'Add account' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add account' });
    await dialog.waitFor();
    await dialog.getByRole('radio', { name: /Matrix chat/ }).check();
    await dialog.getByLabel('User ID').fill(`@alice:${hs.serverName}`);
    const sso = dialog.getByRole('group', { name: 'Single sign-on' });
    const acme = sso.getByRole('button', { name: 'Sign in with Acme Corp SSO' });
    await acme.waitFor({ timeout: 20_000 });
    await expect.poll(() => sso.locator('img').evaluate((img) => ((img as unknown as { complete: boolean }).complete ? (img as unknown as { naturalWidth: number }).naturalWidth : 0))).toBe(16);
    expect(await sso.getByRole('button', { name: 'Sign in with GitHub' }).count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/60-sso-providers-light.png` });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: `${SHOTS}/61-sso-providers-dark.png` });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 600, height: 860 });
    await page.screenshot({ path: `${SHOTS}/62-sso-providers-narrow.png` });
    await page.setViewportSize({ width: 1200, height: 860 });

    const opened = context.waitForEvent('page');
    await acme.click();
    const tab = await opened;
    // The tab ends on the hub's loopback page, having been to the homeserver's identity provider.
    await expect.poll(() => tab.url(), { timeout: 20_000 }).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/groundswell\//);
    await tab.getByRole('heading', { name: 'Signed in' }).waitFor({ timeout: 20_000 });
    await tab.screenshot({ path: `${SHOTS}/63-sso-signed-in-tab.png` });
    await tab.close();
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
    await page.getByRole('navigation', { name: 'Sources' }).getByRole('button', { name: /^Chat\b/ }).waitFor({ timeout: 20_000 });
    expect([...hs.state.sessions.values()].some((s) => s.userId === `@alice:${hs.serverName}`)).toBe(true);
  });
});
