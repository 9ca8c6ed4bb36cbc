/**
 * Search that finds what was meant, in Debian's chromium against `groundswell serve`: two IMAP
 * accounts (Work, Personal) on a real Dovecot and a Matrix room on the spec homeserver. A half-typed
 * word finds by prefix, operators narrow (and a wrong one is explained), the scope shows in the box
 * and widens from one account to all sources in one click, and a chat hit opens its room at the
 * message that matched. Screenshots in light, dark and at 600 px go to test-results/e2e.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxItem } from '../../src-shared/domain.ts';
import { removeAllAccounts, runCli } from '../support/cli.ts';
import { startDovecot, type Dovecot, type DovecotUser } from '../support/dovecot.ts';
import { createRawClient, startHomeserver, type Homeserver, type RawClient } from '../support/homeserver/index.ts';
import { appendMessages, realisticMessages, rfc822, type FixtureMessage } from '../support/mail-fixtures.ts';
import { tempProfile } from '../support/profile.ts';
import { startServe, type ServeProcess } from '../support/serve-process.ts';

const SHOTS = 'test-results/e2e';
const ALICE_PASSWORD = 'alice-search-Zq81';
const ROOM_NAME = 'Travel desk';
const DAY = 24 * 3600 * 1000;

function mail(n: number, from: string, subject: string, body: string, date: Date, attachment = false): FixtureMessage {
  const content = attachment
    ? [
        `Content-Type: multipart/mixed; boundary="mix${n}"`,
        '',
        `--mix${n}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        body,
        `--mix${n}`,
        'Content-Type: application/pdf; name="itinerary.pdf"',
        'Content-Disposition: attachment; filename="itinerary.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('%PDF-1.4 not really a pdf').toString('base64'),
        `--mix${n}--`,
        '',
      ].join('\n')
    : `Content-Type: text/plain; charset=utf-8\n\n${body}\n`;
  const messageId = `<search${n}.${date.getTime()}@fixtures.test>`;
  return {
    kind: 'search',
    raw: rfc822({ from, subject, date, messageId, content }),
    date,
    flags: [],
    messageId,
    expect: { title: subject, sender: from },
  };
}

describe('search in a browser', () => {
  const work: DovecotUser = { user: 'erin', password: `w-${randomBytes(6).toString('hex')}` };
  const personal: DovecotUser = { user: 'finn', password: `p-${randomBytes(6).toString('hex')}` };
  const profile = tempProfile();
  let dovecot: Dovecot;
  let hs: Homeserver;
  let bob: RawClient;
  let roomId: string;
  let lisbonEventId: string;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const box = () => page.getByRole('searchbox', { name: 'Search' });
  const scope = () => page.getByRole('group', { name: 'Search in' });
  const inbox = () => page.getByRole('listbox', { name: 'Inbox' });
  const count = () => page.locator('.search-summary').getByRole('status');
  const pane = () => page.getByRole('region', { name: 'Reading pane' });
  const sources = () => page.getByRole('navigation', { name: 'Sources' });
  const items = async () => JSON.parse((await runCli(['inbox', '--json', '--limit', '500', '--view', 'all', '--profile', profile.dir])).stdout) as InboxItem[];
  const search = async (text: string) => {
    await box().fill(text);
    await expect.poll(() => count().innerText(), { timeout: 20_000 }).not.toBe('Searching…');
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const now = new Date();
    dovecot = await startDovecot({ users: [work, personal] });
    await appendMessages(dovecot, work, [
      ...realisticMessages(20, now),
      mail(1, 'Paula Ortega <paula@example.test>', 'Upload to the archive', 'The nightly upload failed again; we retry tonight at two.', new Date(now.getTime() - 3 * DAY)),
      mail(2, 'Quentin Blake <quentin@example.test>', 'Trip to Lisbon', 'Flights for the Lisbon workshop are booked.', new Date(now.getTime() - 2 * DAY), true),
      mail(3, 'Paula Ortega <paula@example.test>', 'Lisbon hotel', 'Which hotel in Lisbon did we pick?', new Date(now.getTime() - DAY)),
    ].sort((a, b) => a.date.getTime() - b.date.getTime()));
    await appendMessages(dovecot, personal, realisticMessages(12, now, 25, 'home.test'));

    hs = await startHomeserver({ serverName: 'address' });
    const alice = await hs.registerUser('alice', ALICE_PASSWORD);
    const registered = await hs.registerUser('bob', 'bob-search-pass');
    bob = createRawClient(hs.baseUrl, registered.accessToken);
    roomId = await bob.createRoom({ name: ROOM_NAME, preset: 'private_chat', invite: [alice.userId] });
    await createRawClient(hs.baseUrl, alice.accessToken).join(roomId);
    lisbonEventId = await bob.sendText(roomId, 'Good news: the Lisbon offsite is confirmed for May.');

    serve = await startServe(profile.dir);
    const imap = (name: string, user: DovecotUser) =>
      runCli(['account', 'add', 'imap', '--name', name, '--host', '127.0.0.1', '--port', String(dovecot.port), '--security', 'plain', '--user', user.user, '--password-stdin', '--profile', profile.dir], { stdin: `${user.password}\n` });
    expect((await imap('Work', work)).code).toBe(0);
    expect((await imap('Personal', personal)).code).toBe(0);
    const matrix = await runCli(['account', 'add', 'matrix', '--user', alice.userId, '--homeserver', hs.baseUrl, '--password-stdin', '--profile', profile.dir], { stdin: `${ALICE_PASSWORD}\n` });
    expect(matrix.code, matrix.stderr).toBe(0);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (serve !== undefined) await removeAllAccounts(profile.dir);
    await serve?.stop();
    await hs?.stop();
    await dovecot?.stop();
    profile.remove();
  });

  it('syncs both mailboxes and the room, whose matching message then scrolls far back', async () => {
    await expect.poll(async () => (await items()).filter((i) => i.source === 'mail').length, { timeout: 60_000 }).toBe(35);
    await expect.poll(async () => (await items()).find((i) => i.title === ROOM_NAME)?.snippet, { timeout: 30_000 }).toContain('Lisbon offsite');
    // The room moves on: the message that will match scrolls far out of the latest view.
    for (let n = 1; n <= 40; n++) await bob.sendText(roomId, `Filler message number ${n} about seat numbers.`);
    await expect.poll(async () => (await items()).find((i) => i.title === ROOM_NAME)?.snippet, { timeout: 30_000 }).toContain('number 40');

    await page.goto(serve.url);
    await expect.poll(() => inbox().getByRole('option').count(), { timeout: 30_000 }).toBeGreaterThan(10);
  }, 120_000);

  it('finds a word by the first letters typed, marks them, and counts the results', async () => {
    await expect.poll(() => box().getAttribute('placeholder')).toBe('Search all sources');
    expect(await scope().getByRole('button', { name: 'All sources' }).getAttribute('aria-pressed')).toBe('true');
    await search('retr');
    expect(await count().innerText()).toMatch(/^1 result\b/);
    const row = inbox().getByRole('option');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.innerText()).toContain('Upload to the archive');
    // The snippet shows the passage with the match, the typed letters marked.
    expect(await row.locator('mark').allInnerTexts()).toEqual(['retr']);
    await row.click();
    await expect.poll(() => pane().locator('pre.body mark, .plain-mail mark').allInnerTexts(), { timeout: 20_000 }).toEqual(['retr']);
    await shot('search-01-prefix');
  });

  it('narrows by operators, and explains one it does not know', async () => {
    await search('lisbon from:paula');
    await expect.poll(() => inbox().getByRole('option').allInnerTexts()).toHaveLength(1);
    expect(await inbox().getByRole('option').innerText()).toContain('Lisbon hotel');

    await search('has:attachment');
    await expect.poll(() => inbox().getByRole('option').allInnerTexts()).toHaveLength(1);
    expect(await inbox().getByRole('option').innerText()).toContain('Trip to Lisbon');

    await search('lisbon source:chat');
    await expect.poll(() => inbox().getByRole('option').allInnerTexts()).toHaveLength(1);
    expect(await inbox().getByRole('option').innerText()).toContain(ROOM_NAME);

    await box().fill('lisbon is:important');
    await expect.poll(() => page.locator('.list-message').innerText(), { timeout: 20_000 }).toMatch(/is: is unread, read, starred or unstarred/);
    expect(await page.locator('.list-message').innerText()).not.toMatch(/fts5|syntax error/i);
    // An explanation of the query, not a failure of the app.
    expect(await page.locator('.list-message').innerText()).not.toMatch(/^Search failed/);
    expect(await count().innerText()).toBe('No results');
    await shot('search-02-operator-explained');
  });

  it('searches the selected account when asked, and every source again in one click', async () => {
    await box().fill('');
    await sources().getByRole('button', { name: /^Personal\b/ }).click();
    await scope().getByRole('button', { name: 'Personal' }).click();
    expect(await box().getAttribute('placeholder')).toBe('Search Personal');
    await search('lisbon');
    expect(await count().innerText()).toMatch(/^0 results/);
    await shot('search-03-narrowed');

    await scope().getByRole('button', { name: 'All sources' }).click();
    await expect.poll(() => count().innerText(), { timeout: 20_000 }).toMatch(/^3 results/);
    const rows = await inbox().getByRole('option').allInnerTexts();
    expect(rows.some((r) => r.includes('Trip to Lisbon'))).toBe(true);
    expect(rows.some((r) => r.includes(ROOM_NAME))).toBe(true);
    // Grouped by source: every mail together, the chat hit apart.
    expect(await count().innerText()).toMatch(/Mail 2 · Chat 1|Chat 1 · Mail 2/);
    await page.getByRole('group', { name: 'Order of results' }).getByRole('button', { name: 'Newest first' }).click();
    // By date alone: the chat message of today, then yesterday's mail, then the one of the day before.
    const titles = async () => (await inbox().getByRole('option').allInnerTexts()).map((r) => [ROOM_NAME, 'Lisbon hotel', 'Trip to Lisbon'].find((t) => r.includes(t)));
    await expect.poll(titles, { timeout: 20_000 }).toEqual([ROOM_NAME, 'Lisbon hotel', 'Trip to Lisbon']);
    await shot('search-04-widened');
  });

  it('opens a chat hit at the message that matched, marked, not at the latest', async () => {
    await search('offsite');
    const room = inbox().getByRole('option').filter({ hasText: ROOM_NAME });
    await expect.poll(() => room.count()).toBe(1);
    // The row shows the message that matched, not the room's latest.
    expect(await room.innerText()).toContain('Lisbon offsite');
    await room.click();
    const log = pane().getByRole('log', { name: 'Messages' });
    const found = log.locator('[aria-current="true"]');
    await found.waitFor({ timeout: 20_000 });
    expect(await found.getAttribute('data-message-id')).toBe(lisbonEventId);
    expect(await found.innerText()).toContain('Search match');
    expect(await found.locator('mark').allInnerTexts()).toEqual(['offsite']);
    await expect.poll(() => found.isVisible()).toBe(true);
    const inView = await found.evaluate((el) => {
      const box = el.getBoundingClientRect();
      const frame = el.closest('[role="log"]')!.getBoundingClientRect();
      return box.top >= frame.top && box.bottom <= frame.bottom;
    });
    expect(inView).toBe(true);
    // The latest message is far below, out of view.
    const latestInView = await log.getByText('Filler message number 40').evaluate((el) => {
      const frame = el.closest('[role="log"]')!.getBoundingClientRect();
      return el.getBoundingClientRect().top < frame.bottom;
    });
    expect(latestInView).toBe(false);
    await shot('search-05-chat-hit');

    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('search-06-chat-hit-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 600, height: 860 });
    await shot('search-07-narrow-chat-hit');
    await pane().getByRole('button', { name: /Back/ }).click();
    await search('lisbon');
    await shot('search-08-narrow-results');
    await page.setViewportSize({ width: 1360, height: 860 });
  });

  it('takes the same syntax on the command line and prints the count', async () => {
    const run = await runCli(['search', 'lisbon', 'from:paula', '--profile', profile.dir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^1 match:/);
    expect(run.stdout).toContain('Lisbon hotel');
    const bad = await runCli(['search', 'before:someday', '--profile', profile.dir]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/before: needs a date/);
  });
});
