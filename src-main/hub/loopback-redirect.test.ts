import { describe, expect, it } from 'vitest';
import { openLoopbackRedirect } from './loopback-redirect.ts';

describe('the loopback redirect of a browser sign-in', () => {
  it('listens on 127.0.0.1 on a path of its own, answers the first redirect with the outcome, and nothing after', async () => {
    const loopback = await openLoopbackRedirect();
    const uri = new URL(loopback.redirectUri);
    expect(uri.hostname).toBe('127.0.0.1');
    expect(Number(uri.port)).toBeGreaterThan(0);
    expect(uri.pathname).toBe('/groundswell/callback');
    const seen: string[] = [];
    loopback.receive(async (callback) => {
      seen.push(callback.searchParams.get('code') ?? '');
      return { ok: true };
    });
    const elsewhere = await fetch(`${uri.origin}/callback?code=stolen`);
    expect(elsewhere.status).toBe(404);
    const page = await fetch(`${loopback.redirectUri}?code=abc&state=xyz`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('You can close this tab');
    expect(seen).toEqual(['abc']);
    await expect(fetch(`${loopback.redirectUri}?code=again`).then((r) => r.status)).rejects.toThrow();
    loopback.close();
  });

  it('shows why a sign-in did not finish', async () => {
    const loopback = await openLoopbackRedirect();
    loopback.receive(async () => ({ ok: false, reason: 'Test IdP did not grant access <script>.' }));
    const page = await fetch(`${loopback.redirectUri}?error=access_denied`);
    expect(page.status).toBe(400);
    const text = await page.text();
    expect(text).toContain('Test IdP did not grant access &#60;script&#62;.');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});

describe('two sign-ins at once', () => {
  it('get a port each, on the same path', async () => {
    const [one, two] = await Promise.all([openLoopbackRedirect(), openLoopbackRedirect()]);
    expect(new URL(one.redirectUri).port).not.toBe(new URL(two.redirectUri).port);
    one.close();
    two.close();
  });
});
