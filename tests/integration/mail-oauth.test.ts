/**
 * OAuth2 for mail end to end: the test authorization server (RFC 6749, 7636, 7009, 7662) plays
 * the provider, Dovecot's oauth2 passdb checks every token by introspection, so the real IMAP
 * server decides whether XOAUTH2 and OAUTHBEARER logins pass. A plain HTTP client following the
 * redirects plays the browser; the test server's page approves at once.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountStatus, AccountView, ConnectionState, ImapSettings } from '../../src-shared/domain.ts';
import { nodemailerProvisioner, OAuthTokenSource } from '../../src-main/connectors/oauth-tokens.ts';
import type { OAuthProviderSetting } from '../../src-shared/preferences.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { runCli } from '../support/cli.ts';
import { startDovecot, type Dovecot } from '../support/dovecot.ts';
import { appendMessages, realisticMessages } from '../support/mail-fixtures.ts';
import { memorySecrets } from '../support/memory-secrets.ts';
import { startOAuthServer, type OAuthTestServer } from '../support/oauth-server.ts';
import { tempProfile, type TempProfile } from '../support/profile.ts';

const CLIENT = { clientId: 'groundswell-test-client', clientSecret: 'desktop-client-secret' };
/** A public client, as Microsoft registers desktop apps: no secret at all. */
const PUBLIC_CLIENT = { clientId: 'groundswell-public-client' };

/** The browser's part: follow the provider's redirect to the loopback address and read the page shown. */
async function actAsBrowser(url: string): Promise<{ status: number; page: string }> {
  const authorization = await fetch(url, { redirect: 'manual' });
  const location = authorization.headers.get('location');
  if (authorization.status !== 302 || !location) throw new Error(`the authorization page answered ${authorization.status}: ${await authorization.text()}`);
  expect(new URL(location).hostname).toBe('127.0.0.1');
  const back = await fetch(location);
  return { status: back.status, page: await back.text() };
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('mail sign-in with OAuth2 against Dovecot and a test authorization server', () => {
  let idp: OAuthTestServer;
  let xoauth2: Dovecot;
  let oauthbearer: Dovecot;
  const profiles: TempProfile[] = [];
  const hubs: Hub[] = [];

  beforeAll(async () => {
    idp = await startOAuthServer({ clients: [CLIENT, PUBLIC_CLIENT] });
    const introspection = new URL(idp.introspectionEndpoint);
    introspection.username = idp.resourceServer.user;
    introspection.password = idp.resourceServer.password;
    const users = [{ user: 'alice', password: 'unused-password-1' }, { user: 'bob', password: 'unused-password-2' }];
    [xoauth2, oauthbearer] = await Promise.all([
      startDovecot({ users, oauth2: { introspectionUrl: introspection.href, mechanisms: ['xoauth2'] } }),
      startDovecot({ users: users.map((u) => ({ ...u })), oauth2: { introspectionUrl: introspection.href, mechanisms: ['oauthbearer'] } }),
    ]);
    await appendMessages(xoauth2, users[0]!, realisticMessages(5, new Date()));
    await appendMessages(oauthbearer, users[1]!, realisticMessages(3, new Date()));
  }, 60_000);

  afterAll(async () => {
    for (const hub of hubs) await hub.dispose();
    await Promise.all([xoauth2?.stop(), oauthbearer?.stop(), idp?.close()]);
    for (const profile of profiles) profile.remove();
  });

  const provider = (dovecot: Dovecot): OAuthProviderSetting => ({
    id: 'testidp',
    name: 'Test IdP',
    ...CLIENT,
    authorizationEndpoint: idp.authorizationEndpoint,
    tokenEndpoint: idp.tokenEndpoint,
    revocationEndpoint: idp.revocationEndpoint,
    scopes: ['mail', 'offline_access'],
    imapHost: '127.0.0.1',
    imapPort: dovecot.port,
    imapSecurity: 'plain',
  });

  async function openHub(dovecot: Dovecot, secrets = memorySecrets()): Promise<{ hub: Hub; profile: TempProfile }> {
    const profile = tempProfile();
    profiles.push(profile);
    const hub = Hub.open({ profileDir: profile.dir, secrets });
    hubs.push(hub);
    unwrap(await hub.call('preferences.set', { changes: { oauthProviders: [provider(dovecot)] } }));
    return { hub, profile };
  }

  async function addWithBrowser(hub: Hub, user: string, providerId = 'testidp'): Promise<AccountView> {
    const { signInId, url } = unwrap(await hub.call('signIn.start', { kind: 'imap', input: { oauthProvider: providerId, user } }));
    const query = new URL(url).searchParams;
    expect(query.get('code_challenge_method')).toBe('S256');
    expect(query.get('login_hint')).toBe(user);
    const waiting = hub.call('signIn.wait', { signInId });
    const browser = await actAsBrowser(url);
    expect(browser.status).toBe(200);
    expect(browser.page).toContain('Signed in');
    unwrap(await waiting);
    return unwrap(await hub.call('accounts.add', { kind: 'imap', input: { oauthProvider: providerId, user, signInId } }));
  }

  const loginsOf = (dovecot: Dovecot, method: string) => dovecot.log().split('\n').filter((line) => line.includes('Login: user=<') && line.includes(`method=${method}`)).length;

  it('adds a Gmail-style (XOAUTH2) account without a host typed, keeps no password, and syncs it', async () => {
    const { hub } = await openHub(xoauth2);
    const view = await addWithBrowser(hub, 'alice');
    expect(view.account.settings).toMatchObject({ host: '127.0.0.1', port: xoauth2.port, security: 'plain', user: 'alice', oauth: { provider: 'testidp', clientId: CLIENT.clientId } });
    expect(JSON.stringify(view)).not.toContain(CLIENT.clientSecret);
    expect(view.signsInWithBrowser).toBe(true);
    unwrap(await hub.call('sync.once', {}));
    const page = unwrap(await hub.call('inbox.list', { accountId: view.account.id }));
    expect(page.items).toHaveLength(5);
    expect(loginsOf(xoauth2, 'XOAUTH2')).toBeGreaterThanOrEqual(2);
    expect(idp.introspections).toBeGreaterThanOrEqual(2);
  });

  it('signs in with OAUTHBEARER where the server offers that mechanism', async () => {
    const { hub } = await openHub(oauthbearer);
    const before = loginsOf(oauthbearer, 'OAUTHBEARER');
    const view = await addWithBrowser(hub, 'bob');
    unwrap(await hub.call('sync.once', { accountId: view.account.id }));
    expect(unwrap(await hub.call('inbox.list', { accountId: view.account.id })).items).toHaveLength(3);
    expect(loginsOf(oauthbearer, 'OAUTHBEARER')).toBeGreaterThan(before);
  });

  it('refreshes an access token that is about to expire before logging in, without a refused login', async () => {
    const { hub } = await openHub(xoauth2);
    idp.accessTokenLifetimeS = 60;
    try {
      const requests = idp.tokenRequests.length;
      const failures = xoauth2.log().match(/auth failed|Authentication failure|Disconnected \(auth failed/gi)?.length ?? 0;
      const view = await addWithBrowser(hub, 'alice');
      // The code's token had a minute left, under the two-minute margin: refreshed before the first login.
      expect(idp.tokenRequests.slice(requests)).toEqual(['authorization_code', 'refresh_token']);
      unwrap(await hub.call('sync.once', { accountId: view.account.id }));
      expect(idp.tokenRequests.slice(requests).filter((g) => g === 'refresh_token').length).toBeGreaterThanOrEqual(2);
      expect(xoauth2.log().match(/auth failed|Authentication failure|Disconnected \(auth failed/gi)?.length ?? 0).toBe(failures);
    } finally {
      idp.accessTokenLifetimeS = 3600;
    }
  });

  it('refreshes and logs in again, once, when the server turns a token down early; a rotated refresh token is kept', async () => {
    const secrets = memorySecrets();
    const { hub } = await openHub(xoauth2, secrets);
    const view = await addWithBrowser(hub, 'alice');
    const kept = JSON.parse((await secrets.getPassword(view.account.id))!) as { refreshToken: string };
    idp.rotateRefreshTokens = true;
    try {
      idp.expireAccessTokens();
      const requests = idp.tokenRequests.length;
      unwrap(await hub.call('sync.once', { accountId: view.account.id }));
      expect(idp.tokenRequests.slice(requests)).toEqual(['refresh_token']);
      const now = JSON.parse((await secrets.getPassword(view.account.id))!) as { refreshToken: string; accessToken: string };
      expect(now.refreshToken).not.toBe(kept.refreshToken);
      expect(idp.activeUserOf(now.accessToken)).toBe('alice');
    } finally {
      idp.rotateRefreshTokens = false;
    }
  });

  it('shows "Sign in again" with the provider\'s reason when the grant is revoked, and signs in again through the browser', async () => {
    const { hub } = await openHub(oauthbearer);
    const view = await addWithBrowser(hub, 'bob');
    const states: ConnectionState[] = [];
    hub.on((name, payload) => {
      const status = payload as AccountStatus;
      if (name === 'account.status' && status.accountId === view.account.id) states.push(status.connection);
    });
    idp.revokeUser('bob', 'Access was removed in the account settings.');
    idp.expireAccessTokens();
    const sync = await hub.call('sync.once', { accountId: view.account.id });
    expect(sync.ok).toBe(false);
    if (!sync.ok) {
      expect(sync.error.code).toBe('auth-failed');
      expect(sync.error.message).toBe("Sign in again: Test IdP no longer accepts this account's sign-in (Access was removed in the account settings).");
    }
    hub.startConnectors();
    await expect.poll(() => states.at(-1)?.state, { timeout: 20_000 }).toBe('auth-failed');
    const failed = states.at(-1) as Extract<ConnectionState, { state: 'auth-failed' }>;
    expect(failed.reason).toContain('(Access was removed in the account settings).');

    const typed = await hub.call('accounts.updatePassword', { accountId: view.account.id, password: 'a-password' });
    expect(typed.ok).toBe(false);
    if (!typed.ok) expect(typed.error.message).toContain('signs in through the browser, not with a password');
    const { signInId, url } = unwrap(await hub.call('signIn.start', { accountId: view.account.id }));
    expect(new URL(url).searchParams.get('login_hint')).toBe('bob');
    const waiting = hub.call('signIn.wait', { signInId });
    expect((await actAsBrowser(url)).status).toBe(200);
    unwrap(await waiting);
    unwrap(await hub.call('accounts.signInAgain', { accountId: view.account.id, signInId }));
    await expect.poll(() => states.at(-1)?.state, { timeout: 20_000 }).toBe('online');
  });

  it('signs in and refreshes as a public client, which has no secret to send', async () => {
    const { hub } = await openHub(oauthbearer);
    const publicProvider: OAuthProviderSetting = { ...provider(oauthbearer), id: 'publicidp', name: 'Public IdP', clientId: PUBLIC_CLIENT.clientId };
    delete publicProvider.clientSecret;
    unwrap(await hub.call('preferences.set', { changes: { oauthProviders: [provider(oauthbearer), publicProvider] } }));
    const view = await addWithBrowser(hub, 'bob', 'publicidp');
    expect(view.account.settings).toMatchObject({ oauth: { provider: 'publicidp', clientId: PUBLIC_CLIENT.clientId } });
    idp.expireAccessTokens();
    const requests = idp.tokenRequests.length;
    unwrap(await hub.call('sync.once', { accountId: view.account.id }));
    expect(idp.tokenRequests.slice(requests)).toEqual(['refresh_token']);
  });

  it("hands SMTP (nodemailer's provision callback) the account's token, and a fresh one when SMTP turned it down", async () => {
    const secrets = memorySecrets();
    const { hub } = await openHub(xoauth2, secrets);
    const view = await addWithBrowser(hub, 'alice');
    const settings = view.account.settings as ImapSettings;
    const tokens = new OAuthTokenSource({
      client: settings.oauth!,
      readSecret: async () => (await secrets.getPassword(view.account.id))!,
      writeSecret: (secret) => secrets.setPassword(view.account.id, secret),
    });
    const provision = nodemailerProvisioner(tokens);
    const ask = (renew: boolean) => new Promise<{ accessToken?: string; expires?: number }>((resolve, reject) => provision('alice', renew, (error, accessToken, expires) => (error ? reject(error) : resolve({ accessToken, expires }))));
    const requests = idp.tokenRequests.length;
    const first = await ask(false);
    expect(idp.activeUserOf(first.accessToken!)).toBe('alice');
    expect(first.expires).toBeGreaterThan(Date.now());
    expect(idp.tokenRequests.length).toBe(requests);
    const renewed = await ask(true);
    expect(renewed.accessToken).not.toBe(first.accessToken);
    expect(idp.tokenRequests.slice(requests)).toEqual(['refresh_token']);
    expect(JSON.parse((await secrets.getPassword(view.account.id))!).accessToken).toBe(renewed.accessToken);
  });

  it('says the provider declined when the user does not allow access, and adds nothing', async () => {
    const { hub } = await openHub(xoauth2);
    const { signInId, url } = unwrap(await hub.call('signIn.start', { kind: 'imap', input: { oauthProvider: 'testidp', user: 'alice' } }));
    const waiting = hub.call('signIn.wait', { signInId });
    idp.denyNext = true;
    const browser = await actAsBrowser(url);
    expect(browser.status).toBe(400);
    expect(browser.page).toContain('did not grant access');
    const result = await waiting;
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toBe('Test IdP did not grant access (The user declined access). Sign in again and allow Groundswell to read your mail.');
    const add = await hub.call('accounts.add', { kind: 'imap', input: { oauthProvider: 'testidp', user: 'alice', signInId } });
    expect(add.ok).toBe(false);
    expect(unwrap(await hub.call('accounts.list', {}))).toEqual([]);
  });

  it('finds the provider from the mail server when none is named, as mail autoconfig starts it', async () => {
    const { hub } = await openHub(xoauth2);
    const unknown = await hub.call('signIn.start', { kind: 'imap', input: { user: 'alice', host: 'imap.example.org' } });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error.message).toMatch(/^No OAuth2 provider is known for imap.example.org/);
    const { signInId, url } = unwrap(await hub.call('signIn.start', { kind: 'imap', input: { user: 'alice', host: '127.0.0.1' } }));
    expect(url.startsWith(idp.authorizationEndpoint)).toBe(true);
    const waiting = hub.call('signIn.wait', { signInId });
    await actAsBrowser(url);
    unwrap(await waiting);
    // What autoconfig found, plus the sign-in: no provider named, no password.
    const view = unwrap(await hub.call('accounts.add', { kind: 'imap', input: { host: '127.0.0.1', port: xoauth2.port, security: 'plain', user: 'alice', signInId } }));
    expect(view.account.settings).toMatchObject({ oauth: { provider: 'testidp' } });
    unwrap(await hub.call('sync.once', { accountId: view.account.id }));
  });

  it('refuses a provider without a client id, saying which variable or preference gives one', async () => {
    const { hub } = await openHub(xoauth2);
    const result = await hub.call('signIn.start', { kind: 'imap', input: { oauthProvider: 'google', user: 'someone@gmail.com' } });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid-input');
      expect(result.error.message).toContain('GROUNDSWELL_OAUTH_GOOGLE_CLIENT_ID');
    }
    const options = unwrap(await hub.call('signIn.options', { kind: 'imap', input: {} }));
    expect(options.browser.map((o) => o.id)).toEqual(['google', 'microsoft', 'testidp']);
    expect(options.browser.find((o) => o.id === 'testidp')?.problem).toBeUndefined();
    expect(options.browser.find((o) => o.id === 'google')?.problem).toContain('client id');
  });

  it('CLI: account add imap --oauth prints the address where no browser can be opened, and adds the account once signed in', async () => {
    const profile = tempProfile();
    profiles.push(profile);
    // The provider entry through the CLI, as a user or a distribution's setup script would give it.
    const set = await runCli(['preferences', 'set', 'oauthProviders', JSON.stringify([provider(xoauth2)]), '--profile', profile.dir]);
    expect(set.code, set.stderr).toBe(0);
    const refused = await runCli(['preferences', 'set', 'oauthProviders', '[{"id":"corp"}]', '--profile', profile.dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('needs authorizationEndpoint, tokenEndpoint and scopes');

    const env = { ...process.env };
    delete env['DISPLAY'];
    delete env['WAYLAND_DISPLAY'];
    const child = spawn(process.execPath, ['bin/groundswell.js', 'account', 'add', 'imap', '--oauth', 'testidp', '--user', 'alice', '--json', '--profile', profile.dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const found = /^(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)$/m.exec(stderr);
        if (found) resolve(found[1]!);
      });
      child.once('exit', (code) => reject(new Error(`the CLI exited (${code}) before printing an address: ${stderr}`)));
    });
    expect(stderr).toContain('Open this address in a browser to sign in');
    expect((await actAsBrowser(url)).status).toBe(200);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(0);
    const view = JSON.parse(stdout) as AccountView;
    expect(view.summary).toBe(`alice@127.0.0.1:${xoauth2.port} (signs in with Test IdP)`);
    const removed = spawn(process.execPath, ['bin/groundswell.js', 'account', 'remove', view.account.id, '--profile', profile.dir], { stdio: 'ignore' });
    expect(await new Promise((resolve) => removed.once('exit', resolve))).toBe(0);
  });
});
