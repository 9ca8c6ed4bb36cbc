/**
 * Matrix single sign-on against the project's homeserver, which follows the spec: the login flows
 * list m.login.sso with identity providers and m.login.token, /login/sso/redirect sends the browser
 * to the identity provider and back to the client's loopback address with a login token, and
 * m.login.token turns it into a session, once. A plain HTTP client plays the browser.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView } from '../../src-shared/domain.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { startHomeserver, type Homeserver } from '../support/homeserver/index.ts';
import { memorySecrets } from '../support/memory-secrets.ts';
import { tempProfile, type TempProfile } from '../support/profile.ts';

// A 1×1 PNG, as an identity provider's icon.
const ICON = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** The browser: follows every redirect (homeserver → identity provider → loopback) and reads the last page. */
async function actAsBrowser(url: string): Promise<{ status: number; page: string; visited: string[] }> {
  const visited: string[] = [];
  let next = url;
  for (let hop = 0; hop < 10; hop++) {
    visited.push(next);
    const response = await fetch(next, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status === 302 && location) {
      next = new URL(location, next).href;
      continue;
    }
    return { status: response.status, page: await response.text(), visited };
  }
  throw new Error('too many redirects');
}

describe('Matrix single sign-on', () => {
  let hs: Homeserver;
  const profiles: TempProfile[] = [];
  const hubs: Hub[] = [];

  beforeAll(async () => {
    hs = await startHomeserver({ serverName: 'address' });
    await hs.registerUser('carol', 'carol-password-x1');
    hs.enableSso([{ id: 'oidc-acme', name: 'Acme Corp SSO', brand: 'acme', icon: { bytes: ICON, contentType: 'image/png' } }, { id: 'oidc-github', name: 'GitHub' }], 'alice');
  });

  afterAll(async () => {
    for (const hub of hubs) await hub.dispose();
    await hs?.stop();
    for (const profile of profiles) profile.remove();
  });

  const openHub = () => {
    const profile = tempProfile();
    profiles.push(profile);
    const hub = Hub.open({ profileDir: profile.dir, secrets: memorySecrets() });
    hubs.push(hub);
    return hub;
  };

  it('the homeserver lists m.login.sso with its identity providers and m.login.token, and refuses a redirect without redirectUrl', async () => {
    const flows = (await (await fetch(`${hs.baseUrl}/_matrix/client/v3/login`)).json()) as { flows: { type: string; identity_providers?: unknown[] }[] };
    expect(flows.flows.map((f) => f.type)).toEqual(['m.login.password', 'm.login.sso', 'm.login.token']);
    expect(flows.flows[1]!.identity_providers).toEqual([
      { id: 'oidc-acme', name: 'Acme Corp SSO', icon: `mxc://${hs.serverName}/idp-oidc-acme`, brand: 'acme' },
      { id: 'oidc-github', name: 'GitHub' },
    ]);
    const missing = await fetch(`${hs.baseUrl}/_matrix/client/v3/login/sso/redirect/oidc-acme`, { redirect: 'manual' });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { errcode: string }).errcode).toBe('M_MISSING_PARAM');
    const unknown = await fetch(`${hs.baseUrl}/_matrix/client/v3/login/sso/redirect/nobody?redirectUrl=${encodeURIComponent('http://127.0.0.1:1/cb')}`, { redirect: 'manual' });
    expect(unknown.status).toBe(404);
  });

  it('offers the identity providers by name and icon once the Matrix ID names the server', async () => {
    const hub = openHub();
    const options = unwrap(await hub.call('signIn.options', { kind: 'matrix', input: { userId: `@alice:${hs.serverName}` } }));
    expect(options.password).toBe(true);
    expect(options.browser.map((o) => [o.id, o.name])).toEqual([['oidc-acme', 'Acme Corp SSO'], ['oidc-github', 'GitHub']]);
    expect(options.browser[0]!.icon).toBe(`data:image/png;base64,${ICON.toString('base64')}`);
    expect(options.browser[1]!.icon).toBeUndefined();
  });

  it('signs in through the chosen identity provider with m.login.token, once, and the account syncs', async () => {
    const hub = openHub();
    const userId = `@alice:${hs.serverName}`;
    const { signInId, url } = unwrap(await hub.call('signIn.start', { kind: 'matrix', input: { userId, identityProvider: 'oidc-acme' } }));
    const target = new URL(url);
    expect(`${target.origin}${target.pathname}`).toBe(`${hs.baseUrl}/_matrix/client/v3/login/sso/redirect/oidc-acme`);
    expect(new URL(target.searchParams.get('redirectUrl')!).hostname).toBe('127.0.0.1');
    const waiting = hub.call('signIn.wait', { signInId });
    const browser = await actAsBrowser(url);
    expect(browser.status).toBe(200);
    expect(browser.page).toContain('Signed in');
    const loginToken = new URL(browser.visited.at(-1)!).searchParams.get('loginToken');
    expect(loginToken).toBeTruthy();
    unwrap(await waiting);
    const view = unwrap(await hub.call('accounts.add', { kind: 'matrix', input: { userId, sso: true, signInId } }));
    expect(view.account.settings).toMatchObject({ userId, homeserverUrl: hs.baseUrl, sso: { identityProvider: 'oidc-acme' } });
    expect(view.signsInWithBrowser).toBe(true);
    // The login token was good for that one sign-in.
    const again = await fetch(`${hs.baseUrl}/_matrix/client/v3/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'm.login.token', token: loginToken }) });
    expect(again.status).toBe(403);
    unwrap(await hub.call('sync.once', { accountId: view.account.id }));
    unwrap(await hub.call('accounts.remove', { accountId: view.account.id }));
  });

  it('refuses an identity provider that signed in someone else than the Matrix ID typed, and adds nothing', async () => {
    const hub = openHub();
    const { signInId, url } = unwrap(await hub.call('signIn.start', { kind: 'matrix', input: { userId: `@carol:${hs.serverName}`, identityProvider: 'oidc-github' } }));
    const waiting = hub.call('signIn.wait', { signInId });
    await actAsBrowser(url);
    unwrap(await waiting);
    const added = await hub.call('accounts.add', { kind: 'matrix', input: { userId: `@carol:${hs.serverName}`, sso: true, signInId } });
    expect(added.ok).toBe(false);
    if (!added.ok) expect(added.error.message).toBe(`The single sign-on signed in @alice:${hs.serverName}, not @carol:${hs.serverName}. Sign in at the identity provider as @carol:${hs.serverName}, or add @alice:${hs.serverName} as a separate account.`);
    expect(unwrap(await hub.call('accounts.list', {}))).toEqual([]);
  });

  it('refuses a login token that another page sends to the loopback address (login CSRF)', async () => {
    const hub = openHub();
    const { signInId, url } = unwrap(await hub.call('signIn.start', { kind: 'matrix', input: { userId: `@alice:${hs.serverName}`, identityProvider: 'oidc-acme' } }));
    const waiting = hub.call('signIn.wait', { signInId });
    const loopback = new URL(new URL(url).searchParams.get('redirectUrl')!);
    expect(loopback.searchParams.get('gs_state')).toBeTruthy();
    // The attacker knows the address but not the sign-in's state.
    const forged = await fetch(`${loopback.origin}${loopback.pathname}?loginToken=attackers-token`);
    expect(forged.status).toBe(400);
    const result = await waiting;
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toBe('The browser came back from a sign-in Groundswell did not start. Start the single sign-on again.');
  });

  it('CLI: account add matrix --user @u:server --sso prints the address and adds the account once the browser is back', async () => {
    const profile = tempProfile();
    profiles.push(profile);
    const env = { ...process.env };
    delete env['DISPLAY'];
    delete env['WAYLAND_DISPLAY'];
    const userId = `@alice:${hs.serverName}`;
    const child = spawn(process.execPath, ['bin/groundswell.js', 'account', 'add', 'matrix', '--user', userId, '--sso', '--json', '--profile', profile.dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const found = /^(http:\/\/127\.0\.0\.1:\d+\/_matrix\/\S+)$/m.exec(stderr);
        if (found) resolve(found[1]!);
      });
      child.once('exit', (code) => reject(new Error(`the CLI exited (${code}) before printing an address: ${stderr}`)));
    });
    // Several identity providers and none chosen: the homeserver's own picker page comes first.
    const picker = await fetch(url);
    expect(await picker.text()).toContain('Acme Corp SSO');
    const browser = await actAsBrowser(url.replace('/login/sso/redirect?', '/login/sso/redirect/oidc-acme?'));
    expect(browser.status).toBe(200);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(0);
    const view = JSON.parse(stdout) as AccountView;
    expect(view.account.settings).toMatchObject({ userId, sso: {} });
    const removed = spawn(process.execPath, ['bin/groundswell.js', 'account', 'remove', view.account.id, '--profile', profile.dir], { stdio: 'ignore' });
    expect(await new Promise((resolve) => removed.once('exit', resolve))).toBe(0);
  });
});
