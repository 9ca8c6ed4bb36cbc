/**
 * Feeds in Debian's chromium against `groundswell serve`: add one through the Add account dialog
 * by its page address, see its entries arrive read, get a new priority entry unread after a poll,
 * open it (formatted, hostile markup inert), and follow its link button to the web page.
 */
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { rssFeed, statusEntries, type FixtureEntry } from '../support/feed-fixtures.ts';
import { startFeedServer, type FeedServer } from '../support/feed-server.ts';
import { tempProfile } from '../support/profile.ts';
import { startServe, type ServeProcess } from '../support/serve-process.ts';

const SHOTS = 'test-results/e2e';

describe('feeds in a browser', () => {
  const profile = tempProfile();
  let feeds: FeedServer;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let entries: FixtureEntry[];

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const publish = () => feeds.serveFeed('/status/history.rss', { body: rssFeed(entries, { site: feeds.origin, title: 'Example Cloud Status' }), contentType: 'application/rss+xml', etag: `"${entries.length}"` });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    feeds = await startFeedServer();
    entries = statusEntries(8);
    publish();
    feeds.route('/status', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><head><title>Example Cloud Status</title><link rel="alternate" type="application/rss+xml" title="History" href="/status/history.rss"></head><body>All systems operational</body></html>');
    });
    serve = await startServe(profile.dir);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await feeds?.stop();
    profile.remove();
  });

  it('adds a feed by its page address through the Add account dialog', async () => {
    await page.goto(serve.url);
    await page.getByRole('button', { name: 'Add account' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add account' });
    await dialog.getByRole('radio', { name: /Feed/ }).check();
    await dialog.getByLabel('Feed address').fill(feeds.url('/nothing-here'));
    await dialog.getByLabel('Folder').fill('Status pages');
    await dialog.getByLabel('Priority keywords').fill('outage');
    await dialog.getByRole('button', { name: 'Add feed' }).click();
    await expect.poll(() => dialog.innerText(), { timeout: 20_000 }).toMatch(/Nothing was found|not found/i);
    await shot('10-add-feed-error');

    await dialog.getByLabel('Feed address').fill(feeds.url('/status'));
    await shot('11-add-feed');
    await dialog.getByRole('button', { name: 'Add feed' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
  });

  it('shows the feed under its folder and its entries, imported as read', async () => {
    const sources = page.getByRole('navigation', { name: 'Sources' });
    await sources.getByRole('list', { name: 'Status pages' }).getByRole('button', { name: /^Example Cloud Status/ }).waitFor({ timeout: 20_000 });
    const inbox = page.getByRole('listbox', { name: 'Inbox' });
    await expect.poll(() => inbox.getByRole('option').count(), { timeout: 30_000 }).toBe(8);
    expect(await inbox.getByRole('img', { name: 'Unread' }).count()).toBe(0);
  });

  it('changes the feed’s priority keywords in its settings, saved through the hub', async () => {
    const sources = page.getByRole('navigation', { name: 'Sources' });
    await sources.getByRole('button', { name: /^Account settings for Example Cloud Status/ }).click();
    const settings = page.getByRole('dialog', { name: 'Account settings' });
    const feed = settings.getByRole('region', { name: 'Feed' });
    expect(await feed.getByLabel('Priority keywords').inputValue()).toBe('outage');
    await feed.getByLabel('Priority keywords').fill('outage, degraded');
    await feed.getByRole('button', { name: 'Save feed settings' }).click();
    const keywordsInHub = async () =>
      (JSON.parse((await runCli(['account', 'list', '--json', '--profile', profile.dir])).stdout) as { account: { settings: { keywords: string[] } } }[])[0]!.account.settings.keywords;
    await expect.poll(keywordsInHub, { timeout: 10_000 }).toEqual(['outage', 'degraded']);
    await page.emulateMedia({ colorScheme: 'light' });
    await shot('14-feed-settings-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('14-feed-settings-dark');
    await page.setViewportSize({ width: 800, height: 600 });
    await shot('14-feed-settings-800x600');
    await page.setViewportSize({ width: 1360, height: 860 });
    await page.emulateMedia({ colorScheme: null });
    await page.keyboard.press('Escape');
    await settings.waitFor({ state: 'hidden' });
  });

  it('brings a new entry unread and marked priority after the next poll', async () => {
    entries = [
      {
        id: 'incident-99',
        title: 'Major outage: EU region',
        at: new Date().toISOString(),
        html: '<p>Engineers are <em>working on it</em>.</p><img src="x" onerror="alert(1)"><a href="javascript:alert(2)">click</a><script>alert(3)</script>',
        categories: ['Compute'],
      },
      ...entries,
    ];
    publish();
    const sync = await runCli(['sync', '--once', '--profile', profile.dir]);
    expect(sync.stderr).toBe('');
    const inbox = page.getByRole('listbox', { name: 'Inbox' });
    const row = inbox.getByRole('option').filter({ hasText: 'Major outage: EU region' });
    await row.waitFor({ timeout: 20_000 });
    await row.getByRole('img', { name: 'Unread' }).waitFor();
    await row.getByRole('img', { name: 'Priority' }).waitFor();
    const sources = page.getByRole('navigation', { name: 'Sources' });
    await expect.poll(() => sources.innerText()).toMatch(/1\s*priority/);
    await shot('12-feed-inbox');
  });

  it('opens the entry with its formatting, hostile markup inert, and follows its link', async () => {
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const inbox = page.getByRole('listbox', { name: 'Inbox' });
    await inbox.getByRole('option').filter({ hasText: 'Major outage: EU region' }).click();
    const pane = page.getByRole('region', { name: 'Reading pane' });
    await pane.getByRole('button', { name: 'Mark as unread' }).waitFor({ timeout: 20_000 });
    await pane.locator('em', { hasText: 'working on it' }).waitFor();
    expect(await pane.locator('script, [onerror], a[href^="javascript"]').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await shot('13-feed-reading');

    feeds.route('/incidents/incident-99', (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Incident 99</title><h1>Incident 99</h1>'));
    const link = pane.getByRole('link', { name: 'Open link' });
    expect(await link.getAttribute('href')).toBe(feeds.url('/incidents/incident-99'));
    const [popup] = await Promise.all([page.waitForEvent('popup'), link.click()]);
    await popup.waitForLoadState();
    expect(popup.url()).toBe(feeds.url('/incidents/incident-99'));
    expect(await popup.title()).toBe('Incident 99');
    await popup.close();
  });
});
