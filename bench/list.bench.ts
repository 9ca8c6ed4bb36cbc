/**
 * The list as a user meets it, in chromium (playwright-core) against `groundswell serve` on
 * profiles seeded with 100, 100,000 and 1,000,000 items (tests/support/seed-profile.ts):
 *
 * - first rows: navigation to the first rows painted, at 100k beside the same at 100 items;
 * - renderer JS heap (after a forced GC) at 100k beside 100;
 * - wheel-scrolling 10,000 rows: frames longer than 50 ms;
 * - End at 100k: key press to the oldest item painted;
 * - cold start at 1M: `serve` process start to the first rows painted (the browser already open),
 *   beside the same at 100 items.
 *
 * Needs the renderer built (`npx vite build`). LIST_BENCH_COLD_ITEMS sets the cold-start size.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { chromium, type Browser, type Page } from 'playwright-core';
import { rssFeed } from '../tests/support/feed-fixtures.ts';
import { startFeedServer } from '../tests/support/feed-server.ts';
import { tempProfile, type TempProfile } from '../tests/support/profile.ts';
import { seededTitle, seedFeedProfile } from '../tests/support/seed-profile.ts';
import { startServe, type ServeProcess } from '../tests/support/serve-process.ts';
import { report } from './report.ts';

const BENCH = 'list';
const RUNS = Number(process.env['LIST_BENCH_RUNS'] ?? 5);
const LARGE = 100_000;
const SMALL = 100;
const COLD = Number(process.env['LIST_BENCH_COLD_ITEMS'] ?? 1_000_000);
const SCROLL_ROWS = 10_000;
const ROW_HEIGHT = 58;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

if (!existsSync('dist/renderer/index.html')) {
  process.stderr.write('list: building the renderer first (npx vite build)\n');
  const built = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

/** Runs in the page before its scripts: stamps the frame in which the first row (or a given title) was painted. */
const PAINT_PROBE = `
  window.__gs = { firstRows: undefined, seen: {} };
  const afterPaint = (record) => requestAnimationFrame(() => setTimeout(() => record(performance.now()), 0));
  new MutationObserver((_, observer) => {
    if (document.querySelector('[role=option]')) { observer.disconnect(); afterPaint((t) => (window.__gs.firstRows = t)); }
  }).observe(document, { childList: true, subtree: true });
  window.__gsWatchTitle = (title) => new Promise((resolve) => {
    const has = () => [...document.querySelectorAll('[role=option] .title')].some((el) => el.textContent === title);
    if (has()) return afterPaint(resolve);
    const observer = new MutationObserver(() => { if (has()) { observer.disconnect(); afterPaint(resolve); } });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  });
`;

/** What the probe and the functions below find in the page (this Node file has no DOM types). */
interface PageGlobals {
  __gs: { firstRows?: number };
  __gsWatchTitle(title: string): Promise<number>;
  __frames: number[];
  __stopFrames?: boolean;
  __end?: Promise<number>;
  requestAnimationFrame(callback: (now: number) => void): number;
  addEventListener(type: 'keydown', listener: (e: { key: string; timeStamp: number }) => void, options: object): void;
  document: { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> };
  performance: { now(): number; timeOrigin: number };
}

const feeds = await startFeedServer();
feeds.serveFeed('/notes.rss', { body: rssFeed([], { site: feeds.origin, title: 'Release notes' }), contentType: 'application/rss+xml' });
const profiles: TempProfile[] = [];
const seeded = (count: number): TempProfile => {
  const profile = tempProfile('gs-bench-list-');
  profiles.push(profile);
  const started = performance.now();
  seedFeedProfile(profile.dir, feeds.url('/notes.rss'), count);
  process.stderr.write(`list: seeded ${count.toLocaleString('en-US')} items in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return profile;
};
const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const load: number[] = [];

async function openList(serve: ServeProcess): Promise<{ page: Page; firstRowsMs: number }> {
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  await page.addInitScript(PAINT_PROBE);
  await page.goto(serve.url);
  // Functions, not strings: the page's CSP forbids eval, which a string predicate needs.
  const firstRowsMs = (await (await page.waitForFunction(() => (globalThis as unknown as PageGlobals).__gs.firstRows, undefined, { timeout: 30_000 })).jsonValue()) as number;
  return { page, firstRowsMs };
}

async function heapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize / 2 ** 20;
}

/** Wheel-scrolls `rows` rows, 20 rows a notch at the display's pace, and counts the frames over 50 ms. */
async function scrollFrames(page: Page, rows: number): Promise<{ over50: number; worst: number }> {
  const list = page.getByRole('listbox', { name: 'Inbox' });
  const box = (await list.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  // In the page (no DOM types in this Node file): every frame's length, until told to stop.
  await page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals;
    const frames: number[] = (w.__frames = []);
    let last = w.performance.now();
    const tick = (now: number) => {
      frames.push(now - last);
      last = now;
      if (!w.__stopFrames) w.requestAnimationFrame(tick);
    };
    w.requestAnimationFrame(tick);
  });
  const notch = 20 * ROW_HEIGHT;
  for (let scrolled = 0; scrolled < rows * ROW_HEIGHT; scrolled += notch) {
    await page.mouse.wheel(0, notch);
    await page.evaluate(() => new Promise((resolve) => (globalThis as unknown as PageGlobals).requestAnimationFrame(() => resolve(0))));
  }
  const frames = await page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals;
    w.__stopFrames = true;
    return w.__frames.slice(1);
  });
  return { over50: frames.filter((f) => f > 50).length, worst: Math.max(...frames) };
}

/** End pressed in the list: key press to the oldest item painted. Home brings the list back to the top between runs. */
async function endToOldest(page: Page, total: number): Promise<number> {
  const list = page.getByRole('listbox', { name: 'Inbox' });
  await list.focus();
  await page.keyboard.press('Home');
  await page.waitForFunction((title) => Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('[role=option] .title')).some((el) => el.textContent === title), seededTitle(total));
  await page.waitForTimeout(300);
  await page.evaluate((title) => {
    const w = globalThis as unknown as PageGlobals;
    const pressed = new Promise<number>((resolve) => w.addEventListener('keydown', (e) => e.key === 'End' && resolve(e.timeStamp), { once: true, capture: true }));
    w.__end = Promise.all([pressed, w.__gsWatchTitle(title)]).then(([at, shown]) => shown - at);
  }, seededTitle(1));
  await page.keyboard.press('End');
  const elapsed = await page.evaluate(() => (globalThis as unknown as PageGlobals).__end!);
  return elapsed;
}

try {
  const small = seeded(SMALL);
  const large = seeded(LARGE);

  // ---- first rows and heap, 100 vs 100k, alternating ------------------------------------------
  const first = { small: [] as number[], large: [] as number[] };
  const heap = { small: [] as number[], large: [] as number[] };
  let scroll: { over50: number; worst: number } | undefined;
  const ends: number[] = [];
  const serves = { small: await startServe(small.dir), large: await startServe(large.dir) };
  try {
    for (let run = 0; run < RUNS; run++) {
      load.push(loadavg()[0] ?? 0);
      for (const size of ['small', 'large'] as const) {
        const { page, firstRowsMs } = await openList(serves[size]);
        first[size].push(firstRowsMs);
        await page.waitForTimeout(500);
        heap[size].push(await heapMb(page));
        if (size === 'large' && run === 0) {
          scroll = await scrollFrames(page, SCROLL_ROWS);
          for (let i = 0; i < RUNS; i++) ends.push(await endToOldest(page, LARGE));
        }
        await page.close();
      }
    }
  } finally {
    await serves.small.stop();
    await serves.large.stop();
  }
  const firstSmall = median(first.small);
  const firstLarge = median(first.large);
  report({ bench: BENCH, metric: `reference: navigation to first rows painted, ${SMALL} items (median of ${RUNS})`, value: firstSmall, unit: 'ms' });
  report({ bench: BENCH, metric: `navigation to first rows painted, ${LARGE.toLocaleString('en-US')} items (median of ${RUNS})`, value: firstLarge, unit: 'ms' });
  report({ bench: BENCH, metric: `first rows, ${LARGE.toLocaleString('en-US')} ÷ ${SMALL} items`, value: firstLarge / firstSmall, unit: '×', floor: '≤ 1.2×', pass: firstLarge / firstSmall <= 1.2 });
  report({ bench: BENCH, metric: `reference: renderer JS heap after GC, ${SMALL} items`, value: median(heap.small), unit: 'MB' });
  report({ bench: BENCH, metric: `renderer JS heap after GC, ${LARGE.toLocaleString('en-US')} items, growth over ${SMALL}`, value: median(heap.large) - median(heap.small), unit: 'MB', floor: '≤ +30 MB', pass: median(heap.large) - median(heap.small) <= 30 });
  report({ bench: BENCH, metric: `wheel-scrolling ${SCROLL_ROWS.toLocaleString('en-US')} rows: frames over 50 ms`, value: scroll!.over50, unit: 'frames', floor: '0', pass: scroll!.over50 === 0 });
  report({ bench: BENCH, metric: '  same, longest frame', value: scroll!.worst, unit: 'ms' });
  report({ bench: BENCH, metric: `End to the oldest of ${LARGE.toLocaleString('en-US')} items painted (median of ${RUNS})`, value: median(ends), unit: 'ms', floor: '≤ 100 ms', pass: median(ends) <= 100 });

  // ---- cold start at 1M --------------------------------------------------------------------
  const cold = seeded(COLD);
  const coldStart = async (profile: TempProfile): Promise<number> => {
    const spawned = Date.now();
    const serve = await startServe(profile.dir);
    try {
      const { page, firstRowsMs } = await openList(serve);
      const origin = await page.evaluate(() => (globalThis as unknown as PageGlobals).performance.timeOrigin);
      await page.close();
      return origin + firstRowsMs - spawned;
    } finally {
      await serve.stop();
    }
  };
  const coldSmall: number[] = [];
  const coldLarge: number[] = [];
  await coldStart(cold); // the compile cache and the OS file cache, as on any second start of the day
  for (let run = 0; run < Math.min(RUNS, 3); run++) {
    coldSmall.push(await coldStart(small));
    coldLarge.push(await coldStart(cold));
  }
  report({ bench: BENCH, metric: `reference: serve start to first rows painted, ${SMALL} items (median of ${coldSmall.length})`, value: median(coldSmall), unit: 'ms' });
  report({ bench: BENCH, metric: `serve start to first rows painted, ${COLD.toLocaleString('en-US')} items (median of ${coldLarge.length})`, value: median(coldLarge), unit: 'ms', floor: '≤ 600 ms', pass: median(coldLarge) <= 600 });
  report({ bench: BENCH, metric: 'load average (1 min) during the runs, median', value: median(load), unit: '' });
} finally {
  await browser.close();
  await feeds.stop();
  for (const profile of profiles) profile.remove();
}
