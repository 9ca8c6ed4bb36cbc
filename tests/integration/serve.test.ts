import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Hub } from '../../src-main/hub/hub.ts';
import { ProfileLockedError } from '../../src-main/hub/profile.ts';
import { startServer, tokenCookieName } from '../../src-main/server/serve.ts';
import type { RunningServer } from '../../src-main/server/serve.ts';
import { testKeychain } from '../support/keychain.ts';
import { tempProfile } from '../support/profile.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openSocket(port: number, headers: Record<string, string>): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once('error', () => resolve({ status: -1 }));
  });
}

function callOver(ws: WebSocket, frame: unknown): Promise<{ id: number; result: { ok: boolean; value?: unknown; error?: { code: string } } }> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(data.toString())));
    ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  });
}

describe('serve: token, Host and Origin checks; the contract over WebSocket', () => {
  const profile = tempProfile();
  const keychain = testKeychain();
  const uiDir = join(profile.dir, 'ui');
  let hub: Hub;
  let server: RunningServer;

  beforeAll(async () => {
    mkdirSync(uiDir);
    writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>Groundswell</title>');
    hub = Hub.open({ profileDir: profile.dir, secrets: keychain.secrets });
    server = await startServer({ hub, uiDir });
    hub.lockHandle.advertise({ port: server.port, token: server.token });
  });

  const cookie = () => `${tokenCookieName(server.port)}=${server.token}`;

  afterAll(async () => {
    await server.close();
    await hub.dispose();
    await keychain.clear();
    profile.remove();
  });

  it('prints a URL on 127.0.0.1 carrying a long random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it('refuses pages without the token', async () => {
    const reply = await get(server.port, '/');
    expect(reply.status).toBe(401);
    expect(reply.body).toContain('access token');
    expect((await get(server.port, '/?token=wrong')).status).toBe(401);
  });

  it('trades the token for an HttpOnly cookie and strips it from the address', async () => {
    const reply = await get(server.port, `/?token=${server.token}`);
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/');
    expect(String(reply.headers['set-cookie'])).toMatch(new RegExp(`^groundswell_token_${server.port}=.+; HttpOnly; SameSite=Strict`));
    const page = await get(server.port, '/', { cookie: cookie(), 'sec-fetch-site': 'none' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Groundswell</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    const reply = await get(server.port, '/', { host: 'evil.example:80', cookie: cookie() });
    expect(reply.status).toBe(421);
  });

  it('does not serve files outside the UI folder', async () => {
    const reply = await get(server.port, '/..%2f..%2fpackage.json', { cookie: cookie() });
    expect(reply.status).toBe(404);
  });

  it('takes the cookie only under this server\'s own name and only from its own pages', async () => {
    // Browsers send a 127.0.0.1 cookie to every port; another server's name is not ours.
    expect((await get(server.port, '/', { cookie: `groundswell_token_1=${server.token}` })).status).toBe(401);
    expect((await get(server.port, '/', { cookie: `groundswell_token=${server.token}` })).status).toBe(401);
    // A page on another port is "same-site" for the browser, so SameSite=Strict still sends the cookie.
    expect((await get(server.port, '/', { cookie: cookie(), 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await get(server.port, '/', { cookie: cookie(), 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await get(server.port, '/', { cookie: cookie(), origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect((await get(server.port, '/index.html', { cookie: cookie(), 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    // The token itself (the CLI's Bearer header) needs no Origin.
    expect((await get(server.port, '/', { authorization: `Bearer ${server.token}` })).status).toBe(200);
  });

  it('opens a WebSocket by cookie only with this server as its Origin', async () => {
    expect((await openSocket(server.port, { cookie: cookie() })).status).toBe(403);
    expect((await openSocket(server.port, { cookie: cookie(), origin: 'http://127.0.0.1:1' })).status).toBe(403);
    const own = await openSocket(server.port, { cookie: cookie(), origin: `http://localhost:${server.port}` });
    expect(own.ws).toBeDefined();
    own.ws!.close();
    const cli = await openSocket(server.port, { authorization: `Bearer ${server.token}` });
    expect(cli.ws).toBeDefined();
    cli.ws!.close();
  });

  it('refuses WebSockets without the token or from another origin', async () => {
    const origin = `http://127.0.0.1:${server.port}`;
    expect((await openSocket(server.port, { origin })).status).toBe(401);
    const foreign = await openSocket(server.port, { origin: 'http://evil.example', cookie: cookie() });
    expect(foreign.status).toBe(403);
  });

  it('answers contract calls and returns errors as values', async () => {
    const { ws } = await openSocket(server.port, { origin: `http://127.0.0.1:${server.port}`, cookie: cookie() });
    expect(ws).toBeDefined();
    const list = await callOver(ws!, { id: 1, call: 'accounts.list', params: {} });
    expect(list).toEqual({ id: 1, result: { ok: true, value: [] } });
    const unknown = await callOver(ws!, { id: 2, call: 'shell.exec', params: {} });
    expect(unknown.result.ok).toBe(false);
    expect(unknown.result.error?.code).toBe('invalid-input');
    const bad = await callOver(ws!, { id: 3, call: 'accounts.addImap', params: { host: 'mail.example.com', port: 993, security: 'plain', user: 'u', password: 'p' } });
    expect(bad.result.error?.code).toBe('invalid-input');
    const missing = await callOver(ws!, { id: 4, call: 'item.get', params: { itemId: 'nope' } });
    expect(missing.result.error?.code).toBe('not-found');
    ws!.close();
  });

  it('lets only one hub hold a profile, and says which process does', () => {
    expect(() => Hub.open({ profileDir: profile.dir, secrets: keychain.secrets })).toThrowError(ProfileLockedError);
    expect(() => Hub.open({ profileDir: profile.dir, secrets: keychain.secrets })).toThrowError(new RegExp(`process ${process.pid}`));
  });

  it('lets the CLI talk to the running hub instead of opening the profile', async () => {
    const cli = spawn(process.execPath, ['bin/groundswell.js', 'account', 'list', '--json', '--profile', profile.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => cli.on('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([]);
  });
});
