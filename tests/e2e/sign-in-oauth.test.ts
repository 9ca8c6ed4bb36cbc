/**
 * OAuth2 mail sign-in in Debian's chromium against `groundswell serve`: "Sign in with Test IdP" in
 * the Add account dialog opens the provider's page in a new tab, which comes back to the hub's
 * loopback address; the real Dovecot (oauth2 passdb, introspection at the test authorization
 * server) accepts the token and the inbox fills. Then the grant is revoked: the account says
 * "Sign in again" with the provider's reason, and signing in again in the browser brings it back.
 */
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hub } from '../../src-main/hub/hub.ts';
import { removeAllAccounts } from '../support/cli.ts';
import { startDovecot, type Dovecot } from '../support/dovecot.ts';
import { appendMessages, realisticMessages } from '../support/mail-fixtures.ts';
import { memorySecrets } from '../support/memory-secrets.ts';
import { startOAuthServer, type OAuthTestServer } from '../support/oauth-server.ts';
import { tempProfile } from '../support/profile.ts';
import { startServe, type ServeProcess } from '../support/serve-process.ts';

const SHOTS = 'test-results/e2e';
const CLIENT = { clientId: 'groundswell-e2e', clientSecret: 'e2e-desktop-secret' };

describe('mail sign-in with OAuth2 in a browser', () => {
  const profile = tempProfile();
  let idp: OAuthTestServer;
  let dovecot: Dovecot;
  let serve: ServeProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  /** The provider's tab: it must end on the hub's loopback page saying the sign-in worked. */
  const finishInTab = async (click: () => Promise<void>, shot?: string) => {
    const opened = context.waitForEvent('page');
    await click();
    const tab = await opened;
    await expect.poll(() => tab.url(), { timeout: 20_000 }).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/groundswell\/callback\?/);
    await tab.getByRole('heading', { name: 'Signed in' }).waitFor({ timeout: 20_000 });
    if (shot) await tab.screenshot({ path: `${SHOTS}/${shot}.png` });
    await tab.close();
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    idp = await startOAuthServer({ clients: [CLIENT] });
    const introspection = new URL(idp.introspectionEndpoint);
    introspection.username = idp.resourceServer.user;
    introspection.password = idp.resourceServer.password;
    dovecot = await startDovecot({ users: [{ user: 'frank', password: 'unused-pass-3' }], oauth2: { introspectionUrl: introspection.href, mechanisms: ['xoauth2', 'oauthbearer'] } });
    await appendMessages(dovecot, dovecot.users[0]!, realisticMessages(12, new Date()));
    // The provider entry, as a distribution or the user would put it in the preferences.
    const setup = Hub.open({ profileDir: profile.dir, secrets: memorySecrets() });
    await setup.call('preferences.set', {
      changes: {
        // One row per mail: the test counts that all twelve arrived (the corpus has replies that would group).
        groupConversations: false,
        oauthProviders: [
          {
            id: 'testidp', name: 'Test IdP', ...CLIENT, authorizationEndpoint: idp.authorizationEndpoint, tokenEndpoint: idp.tokenEndpoint,
            revocationEndpoint: idp.revocationEndpoint, scopes: ['mail'], imapHost: '127.0.0.1', imapPort: dovecot.port, imapSecurity: 'plain',
          },
        ],
      },
    });
    await setup.dispose();
    serve = await startServe(profile.dir);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    context = await browser.newContext({ viewport: { width: 1200, height: 860 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    if (serve !== undefined) await removeAllAccounts(profile.dir);
    await serve?.stop();
    await dovecot?.stop();
    await idp?.close();
    profile.remove();
  });

  it('adds the account with "Sign in with Test IdP" and no server typed, and the inbox fills', async () => {
    await page.goto(serve.url);
    await page.getByRole('button', { name: 'Add account' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add account' });
    await dialog.waitFor();
    // Mail by address is the dialog's first choice; this test signs in from the IMAP form with no server typed.
    await dialog.getByRole('radio', { name: 'IMAP mail' }).check();
    const button = dialog.getByRole('group', { name: 'Sign in with your mail provider' }).getByRole('button', { name: 'Sign in with Test IdP' });
    await button.waitFor({ timeout: 20_000 });
    // Google and Microsoft have no client id in this run: they are not offered.
    expect(await dialog.getByRole('button', { name: 'Sign in with Google' }).count()).toBe(0);
    await button.click();
    await expect.poll(() => dialog.getByLabel('User name', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.innerText()).toContain('Enter your email address first');
    await dialog.getByLabel('Display name').fill('Frank at work');
    await dialog.getByLabel('User name', { exact: true }).fill('frank');
    await page.screenshot({ path: `${SHOTS}/64-oauth-add-account.png` });
    await finishInTab(() => button.click(), '65-oauth-signed-in-tab');
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
    const inbox = page.getByRole('listbox', { name: 'Inbox' });
    await expect.poll(() => inbox.getByRole('option').count(), { timeout: 30_000 }).toBe(12);
    await page.screenshot({ path: `${SHOTS}/66-oauth-inbox.png` });
  });

  it('says "Sign in again" with the provider\'s reason once the grant is revoked, and signs in again through the browser', async () => {
    idp.revokeUser('frank', 'Access was removed by your administrator.');
    idp.expireAccessTokens();
    // The live connection is cut; reconnecting meets the revoked grant.
    await dovecot.restart();
    const account = page.getByRole('navigation', { name: 'Sources' }).locator('[data-state="auth-failed"]');
    await account.waitFor({ timeout: 60_000 });
    expect(await account.getAttribute('title')).toBe("Sign in again: Test IdP no longer accepts this account's sign-in (Access was removed by your administrator).");
    await account.getByRole('button', { name: 'Sign in again' }).click();
    const settings = page.getByRole('dialog', { name: 'Account settings' });
    await settings.waitFor();
    expect(await settings.getByLabel('Password', { exact: true }).count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/67-oauth-sign-in-again.png` });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: `${SHOTS}/68-oauth-sign-in-again-dark.png` });
    await page.emulateMedia({ colorScheme: 'light' });
    await finishInTab(() => settings.getByRole('button', { name: 'Sign in again' }).click());
    await settings.waitFor({ state: 'hidden', timeout: 30_000 });
    await page.getByRole('navigation', { name: 'Sources' }).locator('[data-state="online"]').waitFor({ timeout: 30_000 });
  });
});
