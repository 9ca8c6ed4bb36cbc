/**
 * Triage at keyboard speed in Debian's chromium against `groundswell serve`, over 50 mixed items (40
 * mails in a Dovecot with Archive, Trash and Junk, four rooms on the spec homeserver, six feed
 * entries), accounts added with the CLI. Keys only: done, star, delete and undo on mail, star and
 * done on a room, snooze on a feed entry, three items picked with x and marked read, read back from
 * the servers with a plain IMAP client and the homeserver's API. Then the shortcuts dialog, the
 * narrow windows, and axe-core on every main screen in light and dark.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxItem, TriageView } from '../../src-shared/domain.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { removeAllAccounts, runCli } from '../support/cli.ts';
import { startDovecot, type Dovecot, type DovecotUser } from '../support/dovecot.ts';
import { rssFeed, statusEntries } from '../support/feed-fixtures.ts';
import { startFeedServer, type FeedServer } from '../support/feed-server.ts';
import { createRawClient, startHomeserver, type Homeserver, type RawClient } from '../support/homeserver/index.ts';
import { axeViolations } from '../support/axe.ts';
import { appendMessages, realisticMessages, withClient } from '../support/mail-fixtures.ts';
import { flagsOf, mailboxHas as mailboxHasMessage } from '../support/mail-readback.ts';
import { tempProfile } from '../support/profile.ts';
import { startServe, type ServeProcess } from '../support/serve-process.ts';

const SHOTS = 'test-results/e2e';
const ROOMS = ['Release planning', 'Design review', 'Ops', 'Lunch'];

describe('triage in a browser, keyboard only', () => {
  const user: DovecotUser = { user: 'tess', password: `e2e-${randomBytes(8).toString('hex')}` };
  const profile = tempProfile();
  let dovecot: Dovecot;
  let hs: Homeserver;
  let feeds: FeedServer;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let aliceId: string;
  let aliceRaw: RawClient;
  const roomIds = new Map<string, string>();

  const cli = (args: string[], stdin?: string) => runCli([...args, '--profile', profile.dir], stdin === undefined ? {} : { stdin });
  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png` });
  const inbox = () => page.getByRole('listbox', { name: 'Inbox' });
  const pane = () => page.getByRole('region', { name: 'Reading pane' });
  const key = (k: string) => page.keyboard.press(k);
  const view = async (v: TriageView): Promise<InboxItem[]> => JSON.parse((await cli(['inbox', '--json', '--limit', '500', '--view', v])).stdout) as InboxItem[];
  const byId = async (id: string): Promise<InboxItem | undefined> => (await view('all')).find((i) => i.id === id);

  /** The item the list's active descendant names. */
  const currentId = async (): Promise<string | null> => {
    const active = await inbox().getAttribute('aria-activedescendant');
    return active === null ? null : page.locator(`#${active}`).getAttribute('data-item-id');
  };
  /** The role of what has the focus (the node typecheck has no DOM globals, so the page is asked by locator). */
  const focusedRole = () => page.locator(':focus').getAttribute('role');

  /**
   * Moves the keyboard, with j and k only, to the first Inbox item after the current one that `wanted`
   * accepts (else the first one anywhere). The CLI lists the Inbox in the window's order.
   */
  const moveTo = async (wanted: (item: InboxItem) => boolean): Promise<InboxItem> => {
    const items = await view('inbox');
    const current = await currentId();
    const from = current === null ? -1 : items.findIndex((i) => i.id === current);
    let target = items.findIndex((i, n) => n > from && wanted(i));
    if (target === -1) target = items.findIndex(wanted);
    expect(target, 'an item to move to').toBeGreaterThan(-1);
    for (let n = from; n < target; n++) await key('j');
    for (let n = from; n > target; n--) await key('k');
    await expect.poll(currentId).toBe(items[target]!.id);
    return items[target]!;
  };

  const mailboxHas = (mailbox: string, messageId: string) => mailboxHasMessage(dovecot, user, mailbox, messageId);
  const inboxFlags = (messageId: string) => flagsOf(dovecot, user, 'INBOX', messageId);
  const roomTags = async (roomId: string) =>
    (await aliceRaw.request('GET', `/_matrix/client/v3/user/${encodeURIComponent(aliceId)}/rooms/${encodeURIComponent(roomId)}/tags`)).body as { tags: Record<string, unknown> };
  const roomDone = async (roomId: string) =>
    (await aliceRaw.request('GET', `/_matrix/client/v3/user/${encodeURIComponent(aliceId)}/rooms/${encodeURIComponent(roomId)}/account_data/org.groundswell.done`)).body as Record<string, unknown>;

  const messageIdOf = (item: InboxItem): string => (item.origin.kind === 'mail' ? (item.origin.messageId ?? '') : '');
  const roomOf = (item: InboxItem): string => (item.origin.kind === 'chat' ? item.origin.roomId : '');

  /** axe-core over the whole page: no violation of WCAG 2 A/AA or best practice. */
  const axe = async (screen: string): Promise<void> => expect(await axeViolations(page), `axe on ${screen}`).toEqual([]);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dovecot = await startDovecot({ users: [user], specialUse: true });
    await appendMessages(dovecot, user, realisticMessages(40, new Date()));

    hs = await startHomeserver({ serverName: 'triage' });
    const alice = await hs.registerUser('alice', 'alice-e2e-Tr1age');
    aliceId = alice.userId;
    aliceRaw = createRawClient(hs.baseUrl, alice.accessToken);
    const bobUser = await hs.registerUser('bob', 'bob-e2e-pass');
    const bob = createRawClient(hs.baseUrl, bobUser.accessToken);
    for (const name of ROOMS) {
      const roomId = await bob.createRoom({ preset: 'private_chat', name, invite: [aliceId] });
      await aliceRaw.join(roomId);
      await bob.sendText(roomId, `Latest in ${name}`);
      roomIds.set(name, roomId);
    }

    feeds = await startFeedServer();
    feeds.serveFeed('/status.rss', { body: rssFeed(statusEntries(6), { site: feeds.origin, title: 'Example Cloud Status' }), contentType: 'application/rss+xml' });

    const imap = await cli(['account', 'add', 'imap', '--name', 'Tess at work', '--host', '127.0.0.1', '--port', String(dovecot.port), '--security', 'plain', '--user', user.user, '--password-stdin'], `${user.password}\n`);
    expect(imap.stderr).toBe('');
    const matrix = await cli(['account', 'add', 'matrix', '--homeserver', hs.baseUrl, '--user', 'alice', '--password-stdin'], 'alice-e2e-Tr1age\n');
    expect(matrix.stderr).toBe('');
    expect((await cli(['account', 'add', 'feed', '--url', feeds.url('/status.rss')])).code).toBe(0);
    expect((await cli(['sync', '--once'])).code).toBe(0);
    // This suite triages single messages: each mail is its own row, not grouped into its conversation.
    const hub = Hub.open({ profileDir: profile.dir });
    await hub.call('preferences.set', { changes: { groupConversations: false } });
    await hub.dispose();

    serve = await startServe(profile.dir);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    if (serve !== undefined) await removeAllAccounts(profile.dir);
    await serve?.stop();
    await dovecot?.stop();
    await hs?.stop();
    await feeds?.stop();
    profile.remove();
  });

  it('shows the 50 items in the Inbox, named as a listbox under a level-one heading', async () => {
    await page.goto(serve.url);
    await expect.poll(async () => (await view('inbox')).length, { timeout: 30_000 }).toBe(50);
    await expect.poll(() => inbox().getByRole('option').first().getAttribute('aria-setsize'), { timeout: 30_000 }).toBe('50');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Inbox');
    expect(await inbox().getAttribute('aria-multiselectable')).toBe('true');
    const kinds = new Set((await view('inbox')).map((i) => i.source));
    expect([...kinds].sort()).toEqual(['chat', 'feed', 'mail']);
    await shot('30-triage-inbox-light');
    await axe('the inbox (light)');
  });

  it('marks a mail done (e), which moves it to Archive on the server', async () => {
    await key('j');
    await expect.poll(currentId).not.toBeNull();
    const mail = await moveTo((i) => i.source === 'mail');
    await key('e');
    await expect.poll(() => mailboxHas('Archive', messageIdOf(mail)), { timeout: 20_000 }).toBe(true);
    expect(await mailboxHas('INBOX', messageIdOf(mail))).toBe(false);
    await expect.poll(async () => (await byId(mail.id))?.done).toBe(true);
    await page.getByRole('status').filter({ hasText: 'Done.' }).getByRole('button', { name: 'Undo' }).waitFor();
  });

  it('stars a mail (s): \\Flagged on the server and a star in its row', async () => {
    const mail = await moveTo((i) => i.source === 'mail' && !i.starred);
    await key('s');
    await expect.poll(async () => (await inboxFlags(messageIdOf(mail)))?.includes('\\Flagged'), { timeout: 20_000 }).toBe(true);
    await inbox().getByRole('option', { selected: false }).filter({ has: page.locator(`[aria-label="Starred"]`) }).first().waitFor();
  });

  it('deletes a mail (#) to Trash, and z brings it back to INBOX', async () => {
    const mail = await moveTo((i) => i.source === 'mail');
    await key('#');
    await expect.poll(() => mailboxHas('Trash', messageIdOf(mail)), { timeout: 20_000 }).toBe(true);
    await key('z');
    await expect.poll(() => mailboxHas('INBOX', messageIdOf(mail)), { timeout: 20_000 }).toBe(true);
    expect(await mailboxHas('Trash', messageIdOf(mail))).toBe(false);
    await expect.poll(async () => (await view('inbox')).some((i) => i.id === mail.id)).toBe(true);
  });

  it('stars a room (s) as m.favourite and marks another done (e) in its account data', async () => {
    await key('g');
    await key('i');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Inbox');
    const starred = await moveTo((i) => i.source === 'chat');
    await key('s');
    await expect.poll(async () => Object.keys((await roomTags(roomOf(starred))).tags), { timeout: 20_000 }).toContain('m.favourite');
    const done = await moveTo((i) => i.source === 'chat');
    await key('e');
    await expect.poll(async () => (await roomDone(roomOf(done)))['event_id'], { timeout: 20_000 }).toBe(done.origin.kind === 'chat' ? done.origin.eventId : '');
  });

  it('asks before deleting a room (#), with the hub’s reason, and Escape keeps it', async () => {
    const room = await moveTo((i) => i.source === 'chat');
    await key('#');
    const ask = page.getByRole('alertdialog', { name: 'Delete?' });
    await ask.waitFor();
    expect(await ask.innerText()).toMatch(/leaves the room/);
    await axe('the delete confirmation');
    await shot('42-triage-delete-confirmation');
    await key('Escape');
    await ask.waitFor({ state: 'hidden' });
    await expect.poll(() => focusedRole()).toBe('listbox');
    expect((await view('inbox')).some((i) => i.id === room.id)).toBe(true);
  });

  it('opens the row’s menu of actions with Shift+F10, and Escape gives the focus back', async () => {
    await key('Shift+F10');
    const menu = page.getByRole('menu', { name: 'Actions' });
    await menu.waitFor();
    for (const name of ['Snooze', 'Delete', 'Undo']) await menu.getByRole('menuitem', { name, exact: true }).waitFor();
    for (const name of ['Done', 'Star']) await menu.getByRole('menuitemcheckbox', { name }).waitFor();
    await axe('the row menu');
    await shot('43-triage-row-menu');
    await key('Escape');
    await menu.waitFor({ state: 'hidden' });
    await expect.poll(() => focusedRole()).toBe('listbox');
  });

  it('snoozes a feed entry from the Snooze menu (b, Enter on Later today)', async () => {
    const entry = await moveTo((i) => i.source === 'feed');
    await key('b');
    const menu = page.getByRole('menu', { name: /Snooze/ });
    await menu.waitFor();
    await expect.poll(() => page.locator(':focus').innerText()).toMatch(/^Later today/);
    await axe('the Snooze menu');
    await shot('41-triage-snooze-menu');
    await key('Enter');
    await menu.waitFor({ state: 'hidden' });
    // --json writes the time as ISO-8601.
    const until = async () => Date.parse(String((await view('snoozed')).find((i) => i.id === entry.id)?.snoozedUntil ?? ''));
    await expect.poll(until).toBeGreaterThan(Date.now());
    // Focus is back on the list for the next key.
    await expect.poll(() => focusedRole()).toBe('listbox');
    await key('g');
    await key('s');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Snoozed');
    await inbox().getByRole('option').filter({ hasText: entry.title }).waitFor();
    await key('g');
    await key('i');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Inbox');
  });

  it('snoozes to a picked time, and an item whose snooze ends comes back marked "snoozed until"', async () => {
    const entry = await moveTo((i) => i.source === 'feed');
    await key('b');
    const menu = page.getByRole('menu', { name: /Snooze/ });
    await menu.waitFor();
    await key('End');
    await key('Enter');
    const field = page.locator('input[type="datetime-local"]');
    await expect.poll(() => page.locator(':focus').getAttribute('type')).toBe('datetime-local');
    await field.fill('2031-01-15T09:30');
    await key('Enter');
    await menu.waitFor({ state: 'hidden' });
    const picked = async () => String((await view('snoozed')).find((i) => i.id === entry.id)?.snoozedUntil ?? '');
    await expect.poll(async () => Date.parse(await picked())).toBe(new Date(2031, 0, 15, 9, 30).getTime());

    // The hub's own timer wakes it; the CLI sets a wake-up a moment away.
    const wake = new Date(Date.now() + 2000);
    expect((await cli(['snooze', entry.id, '--until', wake.toISOString()])).code).toBe(0);
    await inbox().getByRole('option').filter({ hasText: entry.title }).filter({ hasText: /snoozed until \d\d:\d\d/ }).waitFor({ timeout: 30_000 });
    expect((await byId(entry.id))?.snoozeEnded).not.toBeNull();
    await shot('44-triage-snooze-ended');
  });

  it('picks three unread mails with x and marks them read with Shift+I in one action (\\Seen on the server)', async () => {
    const picked: InboxItem[] = [];
    for (let n = 0; n < 3; n++) {
      picked.push(await moveTo((i) => i.source === 'mail' && i.unread && !picked.some((p) => p.id === i.id)));
      await key('x');
    }
    await expect.poll(() => inbox().getByRole('option', { selected: true }).count()).toBe(3);
    await page.getByText('3 selected').waitFor();
    await shot('31-triage-bulk-light');
    await key('Shift+I');
    for (const mail of picked) await expect.poll(async () => (await inboxFlags(messageIdOf(mail)))?.includes('\\Seen'), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => inbox().getByRole('option', { selected: true }).count()).toBe(0);
    await page.getByRole('status').filter({ hasText: 'Marked 3 items as read.' }).waitFor();
  });

  it('ends with the server state the run asked for', async () => {
    const all = await view('all');
    expect(all.filter((i) => i.done).length).toBe(2);
    expect(all.filter((i) => i.starred).length).toBe(2);
    expect((await view('snoozed')).length).toBe(1);
    expect((await view('inbox')).length).toBe(47);
  });

  it('offers the actions over the row under the pointer, picks a range with Shift+click and all with Ctrl+A', async () => {
    const rows = inbox().getByRole('option');
    await rows.nth(1).hover();
    const actions = page.getByRole('toolbar', { name: 'Row actions' });
    await actions.waitFor();
    for (const name of ['Done', 'Snooze', 'Star', 'Delete']) await actions.getByRole('button', { name, exact: true }).waitFor();
    await axe('the row actions');
    await shot('39-triage-row-hover-light');
    await rows.nth(1).click({ modifiers: ['Shift'] });
    await rows.nth(3).click({ modifiers: ['Shift'] });
    await expect.poll(() => inbox().getByRole('option', { selected: true }).count()).toBeGreaterThanOrEqual(3);
    // Picking items selects items, not the page's text.
    const selectedText = await page.evaluate(() => (globalThis as unknown as { getSelection: () => { toString(): string } | null }).getSelection()?.toString() ?? '');
    expect(selectedText).toBe('');
    await key('Escape');
    await expect.poll(() => inbox().getByRole('option', { selected: true }).count()).toBe(0);
    await key('Control+a');
    await expect.poll(async () => (await inbox().getByRole('option', { selected: true }).count()) === (await rows.count())).toBe(true);
    await page.getByText(/^47 selected$/).waitFor();
    await key('Escape');
    await expect.poll(() => inbox().getByRole('option', { selected: true }).count()).toBe(0);
  });

  it('lists every shortcut in the Keyboard shortcuts dialog (?) and gives the focus back to the list', async () => {
    await key('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    for (const action of ['Done (in Done: back to the Inbox)', 'Snooze…', 'Star or unstar', 'Delete', 'Undo the last action', 'Go to Starred', 'Mark everything in this view read']) {
      await dialog.getByRole('cell', { name: action, exact: true }).waitFor();
    }
    await shot('32-triage-shortcuts-light');
    await axe('the Keyboard shortcuts dialog');
    await key('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => focusedRole()).toBe('listbox');
  });

  it('opens a mail, a room and a feed entry with Enter, each passing axe, and Escape goes back to the list', async () => {
    for (const [source, name] of [['mail', 'a mail'], ['chat', 'a room'], ['feed', 'a feed entry']] as const) {
      const item = await moveTo((i) => i.source === source);
      await key('Enter');
      await pane().getByRole('toolbar', { name: 'Item actions' }).getByRole('button', { name: 'Done' }).waitFor({ timeout: 20_000 });
      await expect.poll(() => pane().innerText(), { timeout: 20_000 }).not.toContain('Loading');
      await shot(`33-triage-${source}-light`);
      await axe(`${name} (light)`);
      expect(item.source).toBe(source);
      if (source === 'chat') {
        // r replies: the composer takes the keys, so Escape there stays the composer's.
        await key('r');
        await expect.poll(() => page.locator(':focus').getAttribute('aria-label')).toBe('Message');
        await page.locator(':focus').blur();
      }
      await key('Escape');
    }
  });

  it('shows the item a key or a click opened in an 800×600 and a 600×800 window, with Back to the list', async () => {
    await page.setViewportSize({ width: 800, height: 600 });
    await key('Enter');
    await pane().getByRole('button', { name: 'Back' }).waitFor({ timeout: 20_000 });
    await pane().getByRole('heading', { level: 2 }).first().waitFor();
    expect(await inbox().isVisible()).toBe(false);
    await shot('34-triage-800x600-item');
    await key('Escape');
    await inbox().waitFor();
    expect(await page.getByRole('button', { name: 'Back' }).isVisible()).toBe(false);
    await shot('35-triage-800x600-list');

    await page.setViewportSize({ width: 600, height: 800 });
    const row = inbox().getByRole('option').nth(2);
    const title = (await row.innerText()).split('\n')[0] ?? '';
    await row.click();
    await pane().getByRole('button', { name: 'Back' }).waitFor({ timeout: 20_000 });
    expect(await pane().isVisible()).toBe(true);
    expect(title).not.toBe('');
    await shot('36-triage-600x800-item');
    await pane().getByRole('button', { name: 'Back' }).click();
    await inbox().waitFor();
    await expect.poll(() => focusedRole()).toBe('listbox');

    await page.setViewportSize({ width: 1024, height: 768 });
    await key('Enter');
    // Three panes again: the list stays beside the item.
    await pane().getByRole('toolbar', { name: 'Item actions' }).waitFor({ timeout: 20_000 });
    expect(await inbox().isVisible()).toBe(true);
    await key('Escape');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('passes axe in dark too: the inbox, an open item and the shortcuts dialog', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await key('g');
    await key('i');
    await axe('the inbox (dark)');
    await shot('37-triage-inbox-dark');
    await key('Enter');
    await pane().getByRole('toolbar', { name: 'Item actions' }).waitFor({ timeout: 20_000 });
    await expect.poll(() => pane().innerText(), { timeout: 20_000 }).not.toContain('Loading');
    await axe('an open item (dark)');
    await shot('38-triage-item-dark');
    await key('Escape');
    await key('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await axe('the Keyboard shortcuts dialog (dark)');
    await key('Escape');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('shows only unread items with Unread only, and Shift+Esc marks the whole Inbox read', async () => {
    const unread = (await view('inbox')).filter((i) => i.unread).length;
    expect(unread).toBeGreaterThan(0);
    await page.getByRole('checkbox', { name: 'Unread only' }).check();
    await expect.poll(() => inbox().getByRole('option').first().getAttribute('aria-setsize')).toBe(String(unread));
    await page.getByRole('checkbox', { name: 'Unread only' }).uncheck();
    await expect.poll(async () => Number(await inbox().getByRole('option').first().getAttribute('aria-setsize'))).toBeGreaterThan(unread);
    await inbox().focus();
    await key('Shift+Escape');
    await expect.poll(async () => (await view('inbox')).filter((i) => i.unread).length, { timeout: 20_000 }).toBe(0);
    await page.getByRole('status').filter({ hasText: `Marked ${unread} items as read.` }).waitFor();
    // The sidebar agrees: no account keeps an unread count (the hub leaves zeros out of its counts).
    const account = page.getByRole('navigation', { name: 'Sources' }).getByRole('button', { name: /^Tess at work/ });
    await expect.poll(() => account.innerText()).toBe('Tess at work');
  });

  it('stars a mail while Dovecot is away: the row says waiting to sync, and the star reaches the server once it is back', async () => {
    await dovecot.pause();
    let away = true;
    try {
      const mail = await moveTo((i) => i.source === 'mail' && !i.starred);
      await key('s');
      const row = inbox().getByRole('option').filter({ hasText: mail.title }).filter({ hasText: 'waiting to sync' });
      await row.first().waitFor({ timeout: 20_000 });
      await shot('40-triage-waiting-to-sync');
      await dovecot.resume();
      away = false;
      await expect.poll(async () => (await inboxFlags(messageIdOf(mail)))?.includes('\\Flagged'), { timeout: 45_000 }).toBe(true);
      await expect.poll(async () => (await byId(mail.id))?.pending, { timeout: 30_000 }).toBe(false);
      await row.first().waitFor({ state: 'detached', timeout: 30_000 });
    } finally {
      if (away) await dovecot.resume();
    }
  });

  it('moves a done mail back to the Inbox with e in Done, and passes on what the hub says about it (its Archive was deleted elsewhere)', async () => {
    await key('g');
    await key('d');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Done');
    const done = (await view('done')).find((i) => i.source === 'mail');
    expect(done).toBeDefined();
    // Another client deletes the mailbox, and the mail with it.
    await withClient(dovecot, user, (client) => client.mailboxDelete('Archive'));
    // A new view starts with nothing pointed at: j points at its first row.
    await key('j');
    await expect.poll(currentId).not.toBeNull();
    const doneList = await view('done');
    const current = await currentId();
    const at = doneList.findIndex((i) => i.id === done!.id);
    const from = doneList.findIndex((i) => i.id === current);
    for (let n = from; n < at; n++) await key('j');
    for (let n = from; n > at; n--) await key('k');
    await expect.poll(currentId).toBe(done!.id);
    await key('e');
    const note = page.getByRole('status').filter({ hasText: 'Moved back to the Inbox.' });
    await note.waitFor({ timeout: 30_000 });
    expect(await note.innerText()).toMatch(/no longer on the server.*changed here only/);
    await shot('45-triage-back-to-inbox');
    await expect.poll(async () => (await byId(done!.id))?.done).toBe(false);
    await expect.poll(() => inbox().getByRole('option').filter({ hasText: done!.title }).count()).toBe(0);
  });
});
