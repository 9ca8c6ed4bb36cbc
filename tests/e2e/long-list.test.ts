/**
 * A list far longer than anyone scrolls through, in chromium against `serve`: End reaches the
 * oldest item (not the end of what happens to be loaded), the scrollbar spans the whole list,
 * scrolling up from the bottom loads the rows above, and Home comes back to the newest.
 */
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rssFeed } from '../support/feed-fixtures.ts';
import { startFeedServer, type FeedServer } from '../support/feed-server.ts';
import { tempProfile } from '../support/profile.ts';
import { seededTitle, seedFeedProfile } from '../support/seed-profile.ts';
import { startServe, type ServeProcess } from '../support/serve-process.ts';

const SHOTS = 'test-results/e2e';
const ITEMS = 20_000;
const ROW_HEIGHT = 58;

describe('a long list in a browser', () => {
  const profile = tempProfile();
  let feeds: FeedServer;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;

  const list = () => page.getByRole('listbox', { name: 'Inbox' });
  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png` });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    feeds = await startFeedServer();
    // The feed itself is empty: every item was there before this session started.
    feeds.serveFeed('/notes.rss', { body: rssFeed([], { site: feeds.origin, title: 'Release notes' }), contentType: 'application/rss+xml' });
    seedFeedProfile(profile.dir, feeds.url('/notes.rss'), ITEMS);
    serve = await startServe(profile.dir);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await feeds?.stop();
    profile.remove();
  });

  it('sizes the scrollbar for every item, not for the pages loaded', async () => {
    await page.goto(serve.url);
    await list().getByRole('option', { name: new RegExp(`${seededTitle(ITEMS)}(?![\\d,])`) }).waitFor();
    // Each row names its place in the whole list, and the list is as tall as all its rows.
    // The count comes a moment after the first rows (inbox.total), and the rows say it once it has.
    await expect.poll(() => list().getByRole('option').first().getAttribute('aria-setsize')).toBe(String(ITEMS));
    await expect.poll(() => list().evaluate((el) => el.scrollHeight)).toBeGreaterThanOrEqual(ITEMS * ROW_HEIGHT);
  });

  it('End shows the oldest item', async () => {
    await list().focus();
    await page.keyboard.press('End');
    const oldest = list().getByRole('option', { name: new RegExp(`${seededTitle(1)}(?![\\d,])`) });
    await oldest.waitFor({ timeout: 10_000 });
    expect(await oldest.getAttribute('aria-posinset')).toBe(String(ITEMS));
    expect(await oldest.isVisible()).toBe(true);
    await shot('40-long-list-end');
  });

  it('scrolling up from the bottom loads the rows above, in order', async () => {
    // A few screens up: well past the one page End loaded.
    for (let i = 0; i < 8; i++) await list().evaluate((el) => el.scrollBy(0, -el.clientHeight));
    const above = list().getByRole('option', { name: new RegExp(`${seededTitle(120)}(?![\\d,])`) });
    await above.waitFor({ timeout: 10_000 });
    expect(await above.getAttribute('aria-posinset')).toBe(String(ITEMS - 119));
  });

  it('a drag of the scrollbar to the middle shows the rows there', async () => {
    await list().evaluate((el) => el.scrollTo(0, Math.round(el.scrollHeight / 2)));
    const posinsets = async () =>
      list()
        .getByRole('option')
        .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('aria-posinset'))));
    await expect.poll(async () => (await posinsets()).some((p) => Math.abs(p - ITEMS / 2) < 50), { timeout: 10_000 }).toBe(true);
    // The rows there are the items at those places: place p holds the (ITEMS - p + 1)th oldest.
    const row = list().getByRole('option').nth(3);
    const place = Number(await row.getAttribute('aria-posinset'));
    expect(await row.innerText()).toContain(seededTitle(ITEMS - place + 1));
    await shot('41-long-list-middle');
  });

  it('Home comes back to the newest item', async () => {
    await list().focus();
    await page.keyboard.press('Home');
    await list().getByRole('option', { name: new RegExp(`${seededTitle(ITEMS)}(?![\\d,])`) }).waitFor({ timeout: 10_000 });
  });
});
