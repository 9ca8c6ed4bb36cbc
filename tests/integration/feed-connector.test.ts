/**
 * The feed connector on its own, against a local HTTP server, with the hub replaced by an
 * in-memory context: politeness (Retry-After, one poll at a time), hostile XML, and size limits.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account, FeedSettings } from '../../src-shared/domain.ts';
import { createFeedConnector, type FeedFetchSettings } from '../../src-main/connectors/feeds/feed-connector.ts';
import { HostLimiter } from '../../src-main/connectors/feeds/host-limiter.ts';
import { FEED_USER_AGENT } from '../../src-main/connectors/feeds/kind.ts';
import { entityBombFeed, rssFeed, statusEntries, xxeFeed } from '../support/feed-fixtures.ts';
import { startFeedServer, type FeedServer } from '../support/feed-server.ts';
import { createMemoryContext } from '../support/memory-context.ts';

let server: FeedServer;
let secretDir: string;

beforeAll(async () => {
  server = await startFeedServer();
  secretDir = mkdtempSync(join(tmpdir(), 'gs-xxe-'));
});
afterAll(async () => {
  await server.stop();
  rmSync(secretDir, { recursive: true, force: true });
});

function feedAccount(path: string, intervalSeconds = 600): Account<FeedSettings> {
  return {
    id: `feed-${path.replace(/\W/g, '')}`,
    kind: 'feed',
    source: 'feed',
    displayName: 'Test feed',
    createdAt: 0,
    settings: { url: server.url(path), intervalSeconds, folder: '', alertLevel: 'badge', keywords: [], auth: 'none' },
  };
}

function fetching(overrides: Partial<FeedFetchSettings> = {}): FeedFetchSettings {
  return { limiter: new HostLimiter(2), userAgent: FEED_USER_AGENT, random: () => 0, totalTimeoutMs: 2_000, ...overrides };
}

describe('the feed connector', () => {
  it('names itself in the User-Agent and never runs two polls of one feed at once', async () => {
    let release: () => void = () => undefined;
    server.route('/slow.rss', (_req, res) => {
      release = () => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rssFeed(statusEntries(2)));
    });
    const ctx = createMemoryContext(feedAccount('/slow.rss'), '');
    const connector = createFeedConnector(ctx, fetching());
    const first = connector.syncOnce();
    const second = connector.syncOnce();
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    await Promise.all([first, second]);
    expect(server.requestsTo('/slow.rss')).toBe(1);
    expect(server.requests.at(-1)!.headers['user-agent']).toMatch(/^Groundswell\/\d+\.\d+\.\d+ /);
    expect(ctx.items.size).toBe(2);
    await connector.stop();
  });

  it('honours 429 with Retry-After: the next poll waits that long and the status says when', async () => {
    server.route('/busy.rss', (_req, res) => res.writeHead(429, { 'retry-after': '3600' }).end());
    const ctx = createMemoryContext(feedAccount('/busy.rss', 60), '');
    const connector = createFeedConnector(ctx, fetching());
    const before = Date.now();
    connector.start();
    for (let i = 0; i < 50 && ctx.statuses.at(-1)?.state !== 'offline'; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.requestsTo('/busy.rss')).toBe(1);
    const offline = ctx.statuses.at(-1);
    expect(offline?.state).toBe('offline');
    if (offline?.state === 'offline') expect(offline.nextRetryAt - before).toBeGreaterThanOrEqual(3_600_000);
    expect(ctx.activities.at(-1)?.nextPollAt).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(ctx.activities.at(-1)?.lastError).toBeTruthy();
    await connector.stop();
  });

  it('never reads a file or fetches a URL named by an external entity', async () => {
    const secretFile = join(secretDir, 'passwd');
    writeFileSync(secretFile, 'root:x:0:0:TOP-SECRET-CANARY');
    server.route('/entity-target', (_req, res) => res.writeHead(200).end('REMOTE-CANARY'));
    server.serveFeed('/xxe.rss', { body: xxeFeed(secretFile, server.url('/entity-target')), contentType: 'application/rss+xml' });
    const ctx = createMemoryContext(feedAccount('/xxe.rss'), '');
    const connector = createFeedConnector(ctx, fetching());
    await connector.syncOnce().catch(() => undefined);
    const stored = JSON.stringify([...ctx.items.values()]);
    expect(stored).not.toContain('TOP-SECRET-CANARY');
    expect(stored).not.toContain('REMOTE-CANARY');
    expect(server.requestsTo('/entity-target')).toBe(0);
    await connector.stop();
  });

  it('neutralises an entity-expansion bomb: nothing is expanded and memory stays flat', async () => {
    server.serveFeed('/bomb.rss', { body: entityBombFeed(), contentType: 'application/rss+xml' });
    const ctx = createMemoryContext(feedAccount('/bomb.rss'), '');
    const connector = createFeedConnector(ctx, fetching());
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    await connector.syncOnce().catch(() => undefined);
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    // A billion laughs expanded would be gigabytes; the parsed feed is a few hundred bytes.
    expect(JSON.stringify([...ctx.items.values()]).length).toBeLessThan(10_000);
    expect(heapGrowth).toBeLessThan(64 * 1024 * 1024);
    await connector.stop();
  });

  it('refuses a 60 MB feed with a clear error and keeps what it had', async () => {
    server.route('/huge.rss', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 60 && res.write(chunk)) sent++;
        if (sent < 60 && !res.destroyed) res.once('drain', pump);
        else res.end();
      };
      res.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title><item><title>');
      pump();
    });
    const ctx = createMemoryContext(feedAccount('/huge.rss'), '');
    const connector = createFeedConnector(ctx, fetching({ totalTimeoutMs: 20_000 }));
    await expect(connector.syncOnce()).rejects.toThrow(/larger than 10 MB/);
    expect(ctx.items.size).toBe(0);
    expect(ctx.activities.at(-1)?.lastError).toMatch(/larger than 10 MB/);
    await connector.stop();
  });

  it('polls on its own once started, and stops cleanly mid-request', async () => {
    server.serveFeed('/live.rss', { body: rssFeed(statusEntries(3)), contentType: 'application/rss+xml' });
    const ctx = createMemoryContext(feedAccount('/live.rss'), '');
    const connector = createFeedConnector(ctx, fetching());
    connector.start();
    for (let i = 0; i < 50 && ctx.items.size === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ctx.items.size).toBe(3);
    expect(ctx.statuses.at(-1)?.state).toBe('online');
    expect(ctx.activities.at(-1)?.nextPollAt).toBeGreaterThan(Date.now() + 500_000);

    server.route('/live.rss', () => {
      // Hangs: stop() must abort it rather than wait for the timeout.
    });
    await connector.syncOnce().catch(() => undefined).then(() => undefined);
    await connector.stop();
    expect(ctx.statuses.at(-1)?.state).toBe('stopped');
  });
});
