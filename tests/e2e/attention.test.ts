/**
 * Attention in Debian's chromium against `groundswell serve`, with alice's Matrix account on the spec
 * homeserver: "Turn on desktop notifications" asks the browser on a click; bob's mentions raise one
 * browser notification per room, the next one replacing it (same tag, the earlier one closed), and a
 * click on it opens the room; the reading pane's Why panel says why it notified; "Mute this room"
 * creates the rule (read back with rules.list over serve's socket); the sidebar's pause control
 * pauses and resumes; the Preferences dialog lists the rules with quiet hours and the pause.
 * Screenshots (light, dark, narrow) of the Why panel, the notifications preferences and the pause
 * control go to test-results/e2e; axe finds nothing on them.
 */
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttentionRule } from '../../src-shared/attention.ts';
import { connectRemote, type RemoteClient } from '../../src-main/cli/hub-clients.ts';
import { axeViolations } from '../support/axe.ts';
import { removeAllAccounts, runCli } from '../support/cli.ts';
import { createRawClient, startHomeserver, type Homeserver, type RawClient } from '../support/homeserver/index.ts';
import { tempProfile } from '../support/profile.ts';
import { startServe, type ServeProcess } from '../support/serve-process.ts';

const SHOTS = 'test-results/e2e';
const ALICE_PASSWORD = 'alice-e2e-Att3ntion';

/** Wraps the page's Notification so the test sees every one constructed, its tag, and whether it was closed. */
const RECORD_NOTIFICATIONS = `(() => {
  const Real = window.Notification;
  if (typeof Real !== 'function') return;
  const log = [];
  const shown = [];
  class Recorded extends Real {
    constructor(title, options = {}) {
      super(title, options);
      const entry = { title, body: options.body ?? '', tag: options.tag ?? '', closed: false };
      log.push(entry);
      shown.push(this);
      const close = this.close.bind(this);
      this.close = () => { entry.closed = true; close(); };
    }
    static get permission() { return Real.permission; }
    static requestPermission(...args) { return Real.requestPermission(...args); }
  }
  Object.defineProperty(window, 'Notification', { value: Recorded, configurable: true, writable: true });
  Object.defineProperty(window, '__notifications', { value: log });
  Object.defineProperty(window, '__shownNotifications', { value: shown });
})();`;

interface Recorded {
  title: string;
  body: string;
  tag: string;
  closed: boolean;
}

describe('notifications, the Why panel and muting in a browser', () => {
  const profile = tempProfile();
  let hs: Homeserver;
  let serve: ServeProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let bob: RawClient;
  let engineering: string;
  let releases: string;
  /** The contract over serve's socket, as the CLI reaches a running hub: rules.list reads the rules back. */
  let hub: RemoteClient;

  const cli = (args: string[], stdin?: string) => runCli([...args, '--profile', profile.dir], stdin === undefined ? {} : { stdin });
  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const axe = async (screen: string): Promise<void> => expect(await axeViolations(page), `axe on ${screen}`).toEqual([]);
  const shotThemesAndNarrow = async (name: string): Promise<void> => {
    await page.emulateMedia({ colorScheme: 'light' });
    await shot(`${name}-light`);
    await axe(`${name} (light)`);
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(`${name}-dark`);
    await axe(`${name} (dark)`);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 600, height: 800 });
    await shot(`${name}-narrow`);
    await page.setViewportSize({ width: 1280, height: 800 });
  };
  // Evaluated as text: this file has Node's types, not the page's.
  const recorded = async (): Promise<Recorded[]> => (await page.evaluate('window.__notifications.map((n) => ({ ...n }))')) as Recorded[];
  const permission = async (): Promise<string> => (await page.evaluate('Notification.permission')) as string;
  const sources = () => page.getByRole('navigation', { name: 'Sources' });
  const pane = () => page.getByRole('region', { name: 'Reading pane' });
  const rules = async (): Promise<AttentionRule[]> => {
    const listed = await hub.call('rules.list', {});
    if (!listed.ok) throw new Error(listed.error.message);
    return listed.value;
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    hs = await startHomeserver({ serverName: 'attention' });
    const alice = await hs.registerUser('alice', ALICE_PASSWORD);
    const aliceRaw = createRawClient(hs.baseUrl, alice.accessToken);
    const bobUser = await hs.registerUser('bob', 'bob-e2e-pass');
    bob = createRawClient(hs.baseUrl, bobUser.accessToken);
    expect((await bob.request('PUT', `/_matrix/client/v3/profile/${encodeURIComponent(bobUser.userId)}/displayname`, { displayname: 'Bob Builder' })).status).toBe(200);
    engineering = await bob.createRoom({ preset: 'private_chat', name: 'Engineering', invite: [alice.userId] });
    releases = await bob.createRoom({ preset: 'private_chat', name: 'Releases', invite: [alice.userId] });
    for (const room of [engineering, releases]) {
      await aliceRaw.join(room);
      await bob.sendText(room, 'Morning all');
    }
    serve = await startServe(profile.dir);
    const added = await cli(['account', 'add', 'matrix', '--homeserver', hs.baseUrl, '--user', 'alice', '--password-stdin'], `${ALICE_PASSWORD}\n`);
    expect(added.stderr).toBe('');
    hub = await connectRemote(serve.port, new URL(serve.url).searchParams.get('token')!);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    await context.addInitScript(RECORD_NOTIFICATIONS);
    page = await context.newPage();
  });

  afterAll(async () => {
    hub?.close();
    await browser?.close();
    if (serve !== undefined) await removeAllAccounts(profile.dir);
    await serve?.stop();
    await hs?.stop();
    profile.remove();
  });

  it('asks for desktop notifications only when the user clicks "Turn on desktop notifications"', async () => {
    await page.goto(serve.url);
    await sources().getByRole('button', { name: /^Chat\b/ }).waitFor({ timeout: 30_000 });
    const turnOn = sources().getByRole('button', { name: 'Turn on desktop notifications' });
    await turnOn.waitFor();
    expect(await permission()).toBe('default');
    await context.grantPermissions(['notifications'], { origin: new URL(serve.url).origin });
    await turnOn.click();
    await turnOn.waitFor({ state: 'hidden' });
    expect(await permission()).toBe('granted');
  });

  it('raises one notification per room, replacing it when the room has news, and a click opens the room', async () => {
    await bob.sendText(engineering, 'alice: can you confirm the rollout?');
    await expect.poll(async () => (await recorded()).length, { timeout: 30_000 }).toBe(1);
    const [first] = await recorded();
    expect(first!.title).toMatch(/Bob Builder/);
    expect(first!.title).toMatch(/Engineering/);
    expect(first!.body).toContain('can you confirm the rollout');

    await bob.sendText(engineering, 'alice: the canary looks fine, shall we go?');
    await expect.poll(async () => (await recorded()).length, { timeout: 30_000 }).toBe(2);
    const [replaced, latest] = await recorded();
    expect(latest!.tag).toBe(first!.tag);
    expect(replaced!.closed).toBe(true);
    expect(latest!.closed).toBe(false);
    expect(latest!.body).toContain('the canary looks fine');

    await bob.sendText(releases, 'alice: 2.4 is tagged');
    await expect.poll(async () => (await recorded()).length, { timeout: 30_000 }).toBe(3);
    const other = (await recorded())[2]!;
    expect(other.tag).not.toBe(first!.tag);
    expect(other.title).toMatch(/Releases/);
    // Nothing raised twice: one construction per message, each room's latest still shown.
    expect((await recorded()).filter((n) => !n.closed).map((n) => n.tag).sort()).toEqual([first!.tag, other.tag].sort());

    // The user clicks the Engineering notification: the room opens in the reading pane.
    await page.evaluate("window.__shownNotifications[1].onclick(new Event('click'))");
    await pane().getByRole('article', { name: 'Engineering' }).waitFor({ timeout: 20_000 });
    expect((await recorded())[1]!.closed).toBe(true);
  });

  it('tells why the room notified, and "Mute this room" makes the rule in one step', async () => {
    const why = pane().getByRole('button', { name: 'Why', exact: true });
    await why.click();
    const panel = pane().getByRole('region', { name: 'Why this item' });
    await panel.waitFor();
    await expect.poll(() => panel.innerText(), { timeout: 10_000 }).toMatch(/Notified because: .*mention/i);
    expect(await why.getAttribute('aria-expanded')).toBe('true');
    await shotThemesAndNarrow('80-why-panel');

    const before = await rules();
    await panel.getByRole('button', { name: 'Mute this room' }).click();
    await expect.poll(() => panel.getByRole('status').innerText(), { timeout: 10_000 }).toMatch(/Rule “.+” added/);
    const after = await rules();
    const added = after.filter((r) => !before.some((b) => b.id === r.id));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ level: 'silent', builtIn: false, match: { conversation: { name: 'Engineering' } } });
    await shot('81-why-panel-muted');
    // The w key closes and opens the panel again.
    await page.keyboard.press('w');
    await panel.waitFor({ state: 'hidden' });
    await page.keyboard.press('w');
    await panel.waitFor();

    // A mention in the muted room no longer notifies; the other room still does.
    const raised = (await recorded()).length;
    await bob.sendText(engineering, 'alice: muted now?');
    await bob.sendText(releases, 'alice: release notes are up');
    await expect.poll(async () => (await recorded()).length, { timeout: 30_000 }).toBe(raised + 1);
    expect((await recorded()).at(-1)!.body).toContain('release notes are up');
    await expect.poll(() => panel.innerText(), { timeout: 10_000 }).toMatch(/Kept as read, not counted, because: .*Mute Engineering/);
    expect(await panel.getByRole('button', { name: 'Unmute this room' }).isVisible()).toBe(true);
  });

  it('pauses notifications from the sidebar and resumes them', async () => {
    // Back to the list, so a narrow window shows the sidebar too.
    await page.getByRole('listbox', { name: 'Inbox' }).focus();
    await page.keyboard.press('Escape');
    await pane().getByRole('article').waitFor({ state: 'hidden' });
    const control = sources().getByRole('button', { name: 'Pause notifications' });
    await control.click();
    await sources().getByRole('group', { name: 'Pause notifications' }).getByRole('button', { name: 'For 1 hour' }).click();
    await expect.poll(() => sources().innerText(), { timeout: 10_000 }).toMatch(/Paused until \d\d:\d\d/);
    await shotThemesAndNarrow('82-pause-control');
    const raised = (await recorded()).length;
    await bob.sendText(releases, 'alice: paused?');
    // The count moves while the banner waits.
    await expect.poll(() => page.title(), { timeout: 30_000 }).toMatch(/^\(\d+\) Groundswell$/);
    await sources().getByRole('button', { name: 'Resume notifications' }).click();
    await control.waitFor();
    expect((await recorded()).length).toBe(raised);
  });

  it('lists the rules in order with quiet hours and the pause in Preferences', async () => {
    await sources().getByRole('button', { name: 'Preferences' }).click();
    const dialog = page.getByRole('dialog', { name: 'Preferences' });
    await dialog.waitFor();
    const list = dialog.getByRole('list', { name: 'Rules, in the order they are tried' });
    await list.waitFor();
    const names = (await rules()).map((r) => r.name);
    await expect.poll(async () => (await list.getByRole('listitem').allInnerTexts()).length).toBe(names.length);
    const muted = (await rules()).find((r) => r.match.conversation?.name === 'Engineering')!;
    const at = names.indexOf(muted.name);
    expect(at).toBeGreaterThanOrEqual(0);
    await dialog.getByRole('group', { name: 'Quiet hours' }).getByRole('checkbox', { name: 'Hold notifications every day' }).check();
    await shotThemesAndNarrow('83-notification-preferences');
    // The dialog scrolls inside itself: the rules are further down.
    await list.scrollIntoViewIfNeeded();
    await shotThemesAndNarrow('84-notification-rules');

    // Move the mute rule down one place, then remove it.
    if (at < names.length - 1) {
      await dialog.getByRole('button', { name: `Move ${muted.name} down` }).click();
      await expect.poll(async () => (await rules()).findIndex((r) => r.id === muted.id), { timeout: 10_000 }).toBe(at + 1);
    }
    await dialog.getByRole('button', { name: `Remove ${muted.name}` }).click();
    await expect.poll(async () => (await rules()).some((r) => r.id === muted.id), { timeout: 10_000 }).toBe(false);
    await dialog.getByRole('group', { name: 'Quiet hours' }).getByRole('checkbox', { name: 'Hold notifications every day' }).uncheck();
    await dialog.getByRole('button', { name: 'Close' }).click();
  });
});
