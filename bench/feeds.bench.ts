/**
 * Feeds: what 200 followed feeds cost the hub in memory after each has been polled once from a local
 * HTTP server, and how fast a 5,000-entry feed is read beside htmlparser2 (the library we read XML and
 * HTML with) building its DOM of the same text.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { hasChildren, isTag, isText } from 'domhandler';
import type { ChildNode } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import { entriesToItems } from '../src-main/connectors/feeds/feed-items.ts';
import { feedKind } from '../src-main/connectors/feeds/kind.ts';
import { serializeOpml } from '../src-main/connectors/feeds/opml.ts';
import { parseFeed } from '../src-main/connectors/feeds/parse-feed.ts';
import { Hub } from '../src-main/hub/hub.ts';
import type { SecretStore } from '../src-main/secrets/secret-store.ts';
import { atomFeed, rssFeed, statusEntries } from '../tests/support/feed-fixtures.ts';
import { startFeedServer } from '../tests/support/feed-server.ts';
import { report } from './report.ts';

const BENCH = 'feeds';
const ENTRIES = 5_000;
const ROUNDS = 7;
const FEEDS = 200;
const ENTRIES_PER_FEED = 25;
const MiB = 1024 * 1024;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timeRounds(run: () => void): number {
  run(); // warm-up: JIT and lazily built tables are not what a poll pays for
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  return median(times);
}

function parseThroughput(format: 'RSS 2.0' | 'Atom', text: string): void {
  const url = 'https://status.example.com/history.rss';
  const ours = timeRounds(() => {
    const feed = parseFeed(text, url);
    if (feed.entries.length !== ENTRIES) throw new Error(`read ${feed.entries.length} entries`);
  });
  const library = timeRounds(() => {
    parseDocument(text, { xmlMode: true });
  });
  // Like for like: the library also reads every entry's HTML body, as we must to sanitize it.
  const libraryWithHtml = timeRounds(() => {
    for (const body of entryBodies(parseDocument(text, { xmlMode: true }).children)) parseDocument(body);
  });
  const toItems = timeRounds(() => {
    const feed = parseFeed(text, url);
    entriesToItems(feed, { feedName: 'Status', conversationKey: 'acct', known: new Map(), firstPoll: false, now: Date.now() });
  });
  const perSecond = (ms: number) => Math.round(ENTRIES / (ms / 1000));
  const size = `${(Buffer.byteLength(text) / MiB).toFixed(1)} MiB`;
  report({ bench: BENCH, metric: `parse ${ENTRIES} entries, ${format} (${size}), median of ${ROUNDS}`, value: perSecond(ours), unit: 'entries/s' });
  report({ bench: BENCH, metric: `  htmlparser2 parseDocument alone, same text`, value: perSecond(library), unit: 'entries/s' });
  report({ bench: BENCH, metric: `  ours / library alone`, value: ours / library, unit: '×' });
  report({ bench: BENCH, metric: `  htmlparser2 on the XML and then each entry's HTML body`, value: perSecond(libraryWithHtml), unit: 'entries/s' });
  report({ bench: BENCH, metric: `  ours / library on XML + HTML (like for like)`, value: ours / libraryWithHtml, unit: '×' });
  report({ bench: BENCH, metric: `  parse + dedupe + items (what a poll does), ${format}`, value: perSecond(toItems), unit: 'entries/s' });
}

/** Text and CDATA, as the feed's HTML arrives in either. */
function textOf(nodes: ChildNode[]): string {
  return nodes.map((node) => (isText(node) ? node.data : hasChildren(node) ? textOf(node.children) : '')).join('');
}

/** The text of every <description> and <content>: where feeds carry their HTML. */
function* entryBodies(nodes: ChildNode[]): Generator<string> {
  for (const node of nodes) {
    if (!isTag(node)) continue;
    if (node.name === 'description' || node.name === 'content') {
      yield textOf(node.children);
    } else {
      yield* entryBodies(node.children);
    }
  }
}

/** Feeds without sign-in never reach the keychain; the bench must not need one. */
const noSecrets: SecretStore = {
  getPassword: async () => null,
  setPassword: async () => {
    throw new Error('the bench stores no secrets');
  },
  deletePassword: async () => false,
  findCredentials: async () => [],
};

const server = await startFeedServer();
const profileDir = mkdtempSync(join(tmpdir(), 'gs-bench-feeds-'));
try {
  for (let n = 0; n < FEEDS; n++) {
    const feedEntries = statusEntries(ENTRIES_PER_FEED, Date.UTC(2026, 10, 20) - n * 60_000).map((e) => ({ ...e, id: `${n}-${e.id}` }));
    server.serveFeed(`/feeds/${n}.rss`, { body: rssFeed(feedEntries, { title: `Feed ${n}` }), contentType: 'application/rss+xml', etag: `"${n}"` });
  }
  const opml = serializeOpml(
    Array.from({ length: FEEDS }, (_, n) => ({ url: server.url(`/feeds/${n}.rss`), title: `Feed ${n}`, folder: `Group ${n % 8}` })),
    'bench',
  );

  const settle = () => {
    globalThis.gc?.();
    globalThis.gc?.();
    return process.memoryUsage();
  };
  const before = settle();
  const hub = Hub.open({ profileDir, secrets: noSecrets, kinds: [feedKind()] });
  try {
    const imported = await hub.call('feeds.importOpml', { opml });
    if (!imported.ok || imported.value.added !== FEEDS) throw new Error(`import failed: ${JSON.stringify(imported)}`);
    hub.startConnectors();
    const started = performance.now();
    const synced = await hub.call('sync.once', {});
    if (!synced.ok) throw new Error(`sync failed: ${synced.error.message}`);
    const pollMs = performance.now() - started;
    const listed = await hub.call('inbox.list', { limit: 1 });
    const counted = await hub.call('inbox.counts', {});
    if (!listed.ok || !counted.ok) throw new Error('the inbox could not be read after the poll');
    const after = settle();
    report({ bench: BENCH, metric: `one poll of ${FEEDS} feeds × ${ENTRIES_PER_FEED} entries (live hub)`, value: pollMs, unit: 'ms' });
    report({ bench: BENCH, metric: `hub heap with ${FEEDS} feeds after one poll (growth)`, value: (after.heapUsed - before.heapUsed) / MiB, unit: 'MiB' });
    report({ bench: BENCH, metric: `process RSS with ${FEEDS} feeds after one poll`, value: after.rss / MiB, unit: 'MiB' });
    report({ bench: BENCH, metric: `  RSS growth from an empty process with the feed server`, value: (after.rss - before.rss) / MiB, unit: 'MiB' });
  } finally {
    await hub.dispose();
  }
} finally {
  await server.stop();
  rmSync(profileDir, { recursive: true, force: true });
}

// After the memory figures, so the parse rounds' garbage does not sit in the RSS measured above.
const entries = statusEntries(ENTRIES);
parseThroughput('RSS 2.0', rssFeed(entries));
parseThroughput('Atom', atomFeed(entries));
