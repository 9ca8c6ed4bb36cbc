/**
 * Two `groundswell serve` on two profiles, opened in one chromium profile: each keeps its own
 * cookie, so the first still works after the second was opened (one shared cookie name used to
 * overwrite it), and a page on another 127.0.0.1 port cannot use either.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempProfile } from '../support/profile.ts';
import { startServe } from '../support/serve-process.ts';
import type { ServeProcess } from '../support/serve-process.ts';

/** Loads a page of the UI and waits until its WebSocket to the hub carries an answer. */
async function openAndAnswered(page: Page, load: () => Promise<unknown>): Promise<number> {
  const socket = page.waitForEvent('websocket');
  const response = (await load()) as { status(): number } | null;
  await (await socket).waitForEvent('framereceived');
  return response?.status() ?? 0;
}

describe('two servers in one browser', () => {
  const profiles = [tempProfile(), tempProfile()];
  let serves: ServeProcess[] = [];
  let browser: Browser;
  let context: BrowserContext;
  let other: Server;
  /** What the page on the other port saw come back from each server. */
  let probed: Record<string, string> = {};

  beforeAll(async () => {
    serves = await Promise.all(profiles.map((p) => startServe(p.dir)));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    context = await browser.newContext();
    // Another local web server, as any program may run: its page tries the hubs with the browser's cookies.
    other = createServer((req, res) => {
      if (req.url?.startsWith('/report')) {
        probed = JSON.parse(decodeURIComponent(req.url.slice('/report?'.length))) as Record<string, string>;
        res.end();
        return;
      }
      const ports = JSON.stringify(serves.map((s) => s.port));
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<!doctype html><script>
        const seen = {};
        const tries = ${ports}.map((port) => new Promise((resolve) => {
          const ws = new WebSocket('ws://127.0.0.1:' + port + '/api');
          ws.onopen = () => { seen[port] = 'open'; resolve(); };
          ws.onerror = () => { seen[port] = 'refused'; resolve(); };
        }));
        Promise.all(tries).then(() => fetch('/report?' + encodeURIComponent(JSON.stringify(seen))));
      </script>`);
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => other?.close(resolve));
    await Promise.all(serves.map((s) => s.stop()));
    for (const p of profiles) p.remove();
  });

  it('keeps a cookie per server, so opening the second does not sign the first out', async () => {
    const [a, b] = [await context.newPage(), await context.newPage()];
    expect(await openAndAnswered(a, () => a.goto(serves[0]!.url))).toBe(200);
    expect(await openAndAnswered(b, () => b.goto(serves[1]!.url))).toBe(200);
    expect(await openAndAnswered(a, () => a.reload())).toBe(200);
    const names = (await context.cookies()).map((c) => c.name).sort();
    expect(names).toEqual(serves.map((s) => `groundswell_token_${s.port}`).sort());
  });

  it('keeps the hubs closed to a page on another 127.0.0.1 port, though the browser sends it their cookies', async () => {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
    await expect.poll(() => Object.keys(probed).length, { timeout: 20_000 }).toBe(2);
    expect(probed).toEqual(Object.fromEntries(serves.map((s) => [String(s.port), 'refused'])));
  });
});
