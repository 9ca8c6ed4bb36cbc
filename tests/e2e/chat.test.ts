/**
 * Matrix chat in Debian's chromium against `groundswell serve`: sign alice in through the Add account
 * dialog (a wrong password first), answer bob's invitation, see his mention arrive unread and marked
 * priority, reply to it from the composer (bob gets the reply over plain HTTP, the homeserver gets
 * alice's read receipt), and see a hostile formatted message drawn inert.
 */
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeAllAccounts, runCli } from '../support/cli.ts';
import { createRawClient, startHomeserver, type Homeserver, type RawClient } from '../support/homeserver/index.ts';
import { tempProfile } from '../support/profile.ts';
import { startServe, type ServeProcess } from '../support/serve-process.ts';

const SHOTS = 'test-results/e2e';
const ALICE_PASSWORD = 'alice-e2e-Kp42';
const ROOM_NAME = 'Release planning';

type Json = Record<string, unknown>;

describe('Matrix chat in a browser', () => {
  const profile = tempProfile();
  let hs: Homeserver;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let bob: RawClient;
  let bobId: string;
  let aliceId: string;
  let roomId: string;
  let mentionId: string;
  const dialogs: string[] = [];

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const inbox = () => page.getByRole('listbox', { name: 'Inbox' });
  const roomRow = () => inbox().getByRole('option').filter({ hasText: ROOM_NAME });
  const pane = () => page.getByRole('region', { name: 'Reading pane' });
  const log = () => pane().getByRole('log', { name: 'Messages' });
  const chatView = () => page.getByRole('navigation', { name: 'Sources' }).getByRole('button', { name: /^Chat\b/ });
  /** Alice's newest read receipt in the room, as the homeserver holds it. */
  const aliceReadUpTo = (): number => {
    const room = hs.state.rooms.get(roomId);
    if (room === undefined) return -1;
    const own = room.latestReceipts().filter((r) => r.userId === aliceId && (r.receiptType === 'm.read' || r.receiptType === 'm.read.private'));
    return Math.max(-1, ...own.map((r) => room.indexOf(r.eventId)));
  };
  /** Alice's reply to `eventId`, as bob reads it from the room's history over plain HTTP. */
  const bobSeesReplyTo = async (eventId: string): Promise<Json | undefined> => {
    const history = await bob.messages(roomId, { dir: 'b', limit: 10 });
    return (history.chunk as Json[]).find((e) => {
      const relates = (e.content as Json | undefined)?.['m.relates_to'] as Json | undefined;
      const inReplyTo = relates?.['m.in_reply_to'] as Json | undefined;
      return e.sender === aliceId && e.type === 'm.room.message' && inReplyTo?.event_id === eventId;
    });
  };
  /** The events bob's /sync says alice has read (public m.read receipts), newest position in the room. */
  const bobSeesAliceReadUpTo = async (): Promise<number> => {
    const sync = await bob.sync();
    const joined = ((sync.rooms as Json | undefined)?.join as Json | undefined)?.[roomId] as Json | undefined;
    const ephemeral = ((joined?.ephemeral as Json | undefined)?.events ?? []) as Json[];
    const read = ephemeral
      .filter((e) => e.type === 'm.receipt')
      .flatMap((e) => Object.entries(e.content as Record<string, Json>))
      .filter(([, byType]) => (byType['m.read'] as Json | undefined)?.[aliceId] !== undefined)
      .map(([eventId]) => indexOfEvent(eventId));
    return Math.max(-1, ...read);
  };
  const indexOfEvent = (eventId: string): number => hs.state.rooms.get(roomId)?.indexOf(eventId) ?? -2;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    hs = await startHomeserver({ serverName: 'address' });
    aliceId = (await hs.registerUser('alice', ALICE_PASSWORD)).userId;
    const registered = await hs.registerUser('bob', 'bob-e2e-pass');
    bobId = registered.userId;
    bob = createRawClient(hs.baseUrl, registered.accessToken);
    const named = await bob.request('PUT', `/_matrix/client/v3/profile/${encodeURIComponent(bobId)}/displayname`, { displayname: 'Bob Builder' });
    expect(named.status).toBe(200);
    serve = await startServe(profile.dir);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  afterAll(async () => {
    await browser?.close();
    // Remove the account through the running hub so its access token leaves the keychain too.
    if (serve !== undefined) {
      await removeAllAccounts(profile.dir);
    }
    await serve?.stop();
    await hs?.stop();
    profile.remove();
  });

  it('signs in to Matrix through the Add account dialog, showing the server’s error for a wrong password first', async () => {
    expect(aliceId).toBe(`@alice:${new URL(hs.baseUrl).host}`);
    await page.goto(serve.url);
    await page.getByRole('button', { name: 'Add account' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add account' });
    await dialog.waitFor();
    await dialog.getByRole('radio', { name: /Matrix chat/ }).check();
    await dialog.getByLabel('User ID').fill(aliceId);
    await dialog.getByLabel('Password').fill('not-alices-password');
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => dialog.innerText(), { timeout: 20_000 }).toMatch(/authentication failed/i);
    expect(await dialog.innerText()).not.toContain('not-alices-password');
    await shot('20-add-matrix-error');

    await dialog.getByLabel('Password').fill(ALICE_PASSWORD);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
    await page.getByRole('navigation', { name: 'Sources' }).getByRole('button', { name: /^Chat\b/ }).waitFor({ timeout: 20_000 });
  });

  it('shows bob’s invitation in the inbox; accepting it shows the messages sent before', async () => {
    roomId = await bob.createRoom({ preset: 'private_chat', name: ROOM_NAME, invite: [aliceId] });
    await bob.sendText(roomId, 'Morning! Shall we fix the date for 2.4?');
    await bob.sendText(roomId, 'I was thinking Thursday, after the freeze.');

    const row = roomRow();
    await row.waitFor({ timeout: 30_000 });
    await expect.poll(() => row.innerText(), { timeout: 20_000 }).toMatch(/Invitation/i);
    await row.click();
    const invitation = pane().getByRole('group', { name: 'Invitation' });
    await invitation.waitFor({ timeout: 20_000 });
    expect(await invitation.innerText()).toContain(ROOM_NAME);
    await invitation.getByRole('button', { name: 'Accept' }).click();

    await log().waitFor({ timeout: 30_000 });
    await expect.poll(() => log().innerText(), { timeout: 30_000 }).toContain('I was thinking Thursday, after the freeze.');
    expect(await log().innerText()).toContain('Morning! Shall we fix the date for 2.4?');
    expect(await log().innerText()).toContain('Bob Builder');
    await expect.poll(() => row.innerText(), { timeout: 20_000 }).not.toMatch(/Invitation/i);
    expect(hs.state.rooms.get(roomId)?.currentState.get(`m.room.member\u0000${aliceId}`)?.event.content.membership).toBe('join');
  });

  it('brings bob’s mention of alice in unread, with a count and the priority mark, while she looks elsewhere', async () => {
    // While the window is attended, new messages in the open room are read at once; alice switches to
    // another application. Headless chromium keeps every page focused, so the page is told so directly.
    await page.evaluate(() => {
      (globalThis as unknown as { document: { hasFocus: () => boolean } }).document.hasFocus = () => false;
    });
    mentionId = await bob.sendText(roomId, 'alice: can you review?');
    const row = roomRow();
    await expect.poll(() => row.innerText(), { timeout: 30_000 }).toContain('can you review?');
    await row.getByRole('img', { name: 'Unread' }).waitFor({ timeout: 20_000 });
    await row.getByRole('img', { name: 'Priority' }).waitFor({ timeout: 20_000 });
    await expect.poll(() => row.locator('.room-count').innerText(), { timeout: 20_000 }).toMatch(/^1\s*unread messages$/);
    await expect.poll(async () => (await chatView().textContent()) ?? '', { timeout: 20_000 }).toMatch(/^Chat\s*1\s*unread$/);
    await shot('21-chat-inbox');
    await page.evaluate(() => {
      delete (globalThis as unknown as { document: { hasFocus?: unknown } }).document.hasFocus;
    });
  });

  it('opens the room (marking it read on the homeserver) and replies to bob from the composer', async () => {
    const row = roomRow();
    await row.click();
    await expect.poll(() => log().innerText(), { timeout: 30_000 }).toContain('alice: can you review?');
    await expect.poll(() => row.getByRole('img', { name: 'Unread' }).count(), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => row.locator('.room-count').count(), { timeout: 20_000 }).toBe(0);
    await expect.poll(async () => (await chatView().textContent()) ?? '', { timeout: 20_000 }).toBe('Chat');
    await expect.poll(() => aliceReadUpTo(), { timeout: 20_000 }).toBeGreaterThanOrEqual(indexOfEvent(mentionId));
    expect(indexOfEvent(mentionId)).toBeGreaterThan(0);
    await expect.poll(() => bobSeesAliceReadUpTo(), { timeout: 20_000 }).toBeGreaterThanOrEqual(indexOfEvent(mentionId));
    await shot('22-chat-room');

    const mention = log().locator(`[data-message-id="${mentionId}"]`);
    await mention.hover();
    await mention.getByRole('button', { name: 'Reply' }).click();
    await pane().locator('.chat-replying').filter({ hasText: 'Bob Builder' }).waitFor({ timeout: 10_000 });
    const composer = pane().getByRole('textbox', { name: 'Message' });
    await expect.poll(() => composer.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await composer.fill('Sure, looking at it now.');
    await shot('23-chat-replying');
    await composer.press('Enter');

    await expect.poll(() => bobSeesReplyTo(mentionId), { timeout: 30_000 }).toBeDefined();
    const reply = (await bobSeesReplyTo(mentionId))!;
    expect(String((reply.content as Json).body)).toContain('Sure, looking at it now.');

    await expect.poll(() => composer.inputValue()).toBe('');
    await expect.poll(() => pane().locator('.chat-replying').count()).toBe(0);
    const mine = log().locator(`[data-message-id="${String(reply.event_id)}"]`);
    await mine.waitFor({ timeout: 20_000 });
    await expect.poll(() => mine.innerText()).toContain('Sure, looking at it now.');
    await expect.poll(() => mine.locator('.chat-quote').innerText()).toContain('Bob Builder');
    await expect.poll(() => mine.locator('.chat-status').count()).toBe(0);
    await expect.poll(() => row.locator('.room-count').count()).toBe(0);
    expect(await row.getByRole('img', { name: 'Unread' }).count()).toBe(0);
    await shot('23-chat-reply');
  });

  it('draws a hostile formatted message inert, keeping its bold text', async () => {
    const hostileId = await bob.send(roomId, 'm.room.message', {
      msgtype: 'm.text',
      body: 'x bold',
      format: 'org.matrix.custom.html',
      formatted_body: '<img src=x onerror=alert(1)><a href="javascript:alert(2)">x</a><script>alert(3)</script><b>bold</b>',
    });
    const hostile = log().locator(`[data-message-id="${hostileId}"]`);
    await hostile.waitFor({ timeout: 30_000 });
    await hostile.locator('b, strong', { hasText: 'bold' }).waitFor({ timeout: 10_000 });
    expect(await pane().locator('script, [onerror], a[href^="javascript"], img[src="x"]').count()).toBe(0);
    expect(await pane().innerHTML()).not.toMatch(/alert\(|javascript:/i);
    expect(dialogs).toEqual([]);
    await shot('24-chat-hostile');
  });

  it('renames the Matrix account in its settings: the sidebar and the hub show the new name', async () => {
    const sources = page.getByRole('navigation', { name: 'Sources' });
    await sources.getByRole('button', { name: /^Account settings for / }).click();
    const settings = page.getByRole('dialog', { name: 'Account settings' });
    const name = settings.getByRole('textbox', { name: 'Name', exact: true });
    await name.fill('Alice on Matrix');
    await settings.getByRole('button', { name: 'Rename' }).click();
    await sources.getByRole('button', { name: 'Account settings for Alice on Matrix' }).waitFor({ timeout: 10_000 });
    const listed = JSON.parse((await runCli(['account', 'list', '--json', '--profile', profile.dir])).stdout) as { account: { displayName: string } }[];
    expect(listed.map((v) => v.account.displayName)).toEqual(['Alice on Matrix']);
    await page.emulateMedia({ colorScheme: 'light' });
    await shot('25-matrix-settings-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('25-matrix-settings-dark');
    await page.emulateMedia({ colorScheme: null });
    await page.keyboard.press('Escape');
    await settings.waitFor({ state: 'hidden' });
  });
});
