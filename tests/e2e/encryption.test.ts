/**
 * Matrix end-to-end encryption in Debian's chromium against `groundswell serve`: alice signs in, bob
 * (a plain matrix-js-sdk client with Rust crypto) invites her to an encrypted room, she reads his
 * message decrypted and answers with ciphertext only on the server; the Security dialog shows this
 * device cross-signed; alice's second device asks to verify this session and the emoji match; key
 * backup hands out a recovery key once; a message whose keys never came says what it waits for.
 */
import { mkdirSync } from 'node:fs';
import { VerificationPhase, VerificationRequestEvent, VerifierEvent } from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { ShowSasCallbacks, VerificationRequest } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeAllAccounts } from '../support/cli.ts';
import { createRawClient, startHomeserver, type Homeserver, type RawClient } from '../support/homeserver/index.ts';
import type { RoomEvent } from '../support/homeserver/room.ts';
import { tempProfile } from '../support/profile.ts';
import { startSdkPeer, waitUntil, type SdkPeer } from '../support/sdk-peer.ts';
import { startServe, type ServeProcess } from '../support/serve-process.ts';

const SHOTS = 'test-results/e2e';
const ALICE_PASSWORD = 'alice-e2e-Kp42';
const BOB_PASSWORD = 'bob-e2e-pass';
const ROOM_NAME = 'Operation Dawn';
/** A base58 recovery key: 48 characters shown in groups of four. */
const RECOVERY_KEY = /^[1-9A-HJ-NP-Za-km-z]{4}( [1-9A-HJ-NP-Za-km-z]{4}){11}$/;

describe('Matrix encryption in a browser', () => {
  const profile = tempProfile();
  let hs: Homeserver;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let bobRaw: RawClient;
  let bob: SdkPeer;
  let aliceSecond: SdkPeer | undefined;
  let aliceId: string;
  let roomId: string;
  let deviceId: string;

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const inbox = () => page.getByRole('listbox', { name: 'Inbox' });
  const roomRow = () => inbox().getByRole('option').filter({ hasText: ROOM_NAME });
  const pane = () => page.getByRole('region', { name: 'Reading pane' });
  const log = () => pane().getByRole('log', { name: 'Messages' });
  const security = () => page.getByRole('dialog', { name: /^Security of / });
  const backupSection = () => security().getByRole('region', { name: 'Key backup' });
  /** alice's events in the room as the homeserver stores them, oldest first. */
  const eventsOnServer = (): RoomEvent[] => (hs.state.rooms.get(roomId)?.events ?? []).map((stored) => stored.event);
  const aliceEventsOnServer = (): RoomEvent[] => eventsOnServer().filter((e) => e.sender === aliceId);

  const openSecurityDialog = async (): Promise<void> => {
    await page.getByRole('button', { name: /^Account settings for / }).first().click();
    const settings = page.getByRole('dialog', { name: 'Account settings' });
    await settings.getByRole('button', { name: 'Security and encryption…' }).click();
    await security().waitFor({ timeout: 10_000 });
    await security().getByText('Device ID').waitFor({ timeout: 20_000 });
  };
  const closeDialogs = async (): Promise<void> => {
    await security().getByRole('button', { name: 'Close' }).click();
    await security().waitFor({ state: 'hidden', timeout: 10_000 });
    const settings = page.getByRole('dialog', { name: 'Account settings' });
    if (await settings.isVisible()) {
      await page.keyboard.press('Escape');
      await settings.waitFor({ state: 'hidden', timeout: 10_000 });
    }
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    hs = await startHomeserver({ serverName: 'address' });
    aliceId = (await hs.registerUser('alice', ALICE_PASSWORD)).userId;
    const registered = await hs.registerUser('bob', BOB_PASSWORD);
    bobRaw = createRawClient(hs.baseUrl, registered.accessToken);
    const named = await bobRaw.request('PUT', `/_matrix/client/v3/profile/${encodeURIComponent(registered.userId)}/displayname`, { displayname: 'Bob Builder' });
    expect(named.status).toBe(200);
    [serve, bob] = await Promise.all([startServe(profile.dir), startSdkPeer(hs, 'bob', BOB_PASSWORD)]);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  });

  afterAll(async () => {
    aliceSecond?.stop();
    bob?.stop();
    await browser?.close();
    // Remove the account through the running hub so its access token leaves the keychain too.
    if (serve !== undefined) {
      await removeAllAccounts(profile.dir);
    }
    await serve?.stop();
    await hs?.stop();
    profile.remove();
  });

  it('signs alice in to Matrix through the Add account dialog', async () => {
    await page.goto(serve.url);
    await page.getByRole('button', { name: 'Add account' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add account' });
    await dialog.waitFor();
    await dialog.getByRole('radio', { name: /Matrix chat/ }).check();
    await dialog.getByLabel('User ID').fill(aliceId);
    await dialog.getByLabel('Password').fill(ALICE_PASSWORD);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
    await page.getByRole('navigation', { name: 'Sources' }).getByRole('button', { name: /^Chat\b/ }).waitFor({ timeout: 20_000 });
    // The hub's device published its keys, and its cross-signing identity (made with the sign-in password).
    const devices = await waitUntil('alice’s Groundswell device keys', () => {
      const keys = hs.state.e2ee.deviceKeys.get(aliceId);
      return keys !== undefined && keys.size > 0 ? [...keys.keys()] : undefined;
    });
    expect(devices).toHaveLength(1);
    deviceId = devices[0]!;
  });

  it('reads bob’s encrypted message decrypted, and answers him with only ciphertext on the server', async () => {
    roomId = await bob.createEncryptedRoom([aliceId], ROOM_NAME);
    const row = roomRow();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    const invitation = pane().getByRole('group', { name: 'Invitation' });
    await invitation.waitFor({ timeout: 20_000 });
    await invitation.getByRole('button', { name: 'Accept' }).click();
    await waitUntil('alice joined, as bob sees it', () => bob.client.getRoom(roomId)?.getMember(aliceId)?.membership === 'join', 30_000);

    const secretId = await bob.sendText(roomId, 'the eagle lands at dawn');
    const secret = eventsOnServer().find((e) => e.event_id === secretId)!;
    expect(secret.type).toBe('m.room.encrypted');
    expect(JSON.stringify(secret.content)).not.toContain('eagle');
    await log().waitFor({ timeout: 30_000 });
    const shown = log().locator(`[data-message-id="${secretId}"]`);
    await shown.waitFor({ timeout: 30_000 });
    await expect.poll(() => shown.innerText(), { timeout: 30_000 }).toContain('the eagle lands at dawn');
    expect(await shown.innerText()).toContain('Bob Builder');
    const badge = pane().locator('.chat-header .encrypted-badge');
    await badge.waitFor({ timeout: 10_000 });
    expect(await badge.textContent()).toBe('Encrypted end to end');

    const before = aliceEventsOnServer().length;
    const composer = pane().getByRole('textbox', { name: 'Message' });
    await composer.fill('copy that, see you at the bridge');
    await composer.press('Enter');
    const reply = await waitUntil('alice’s reply on the server', () => {
      const mine = aliceEventsOnServer();
      const last = mine.at(-1);
      return mine.length > before && last?.type !== 'm.room.member' ? last : undefined;
    });
    expect(reply.type).toBe('m.room.encrypted');
    expect(JSON.stringify(reply.content)).not.toMatch(/copy that|bridge/);
    expect(await bob.decryptedBody(roomId, reply.event_id)).toBe('copy that, see you at the bridge');
    const mine = log().locator(`[data-message-id="${reply.event_id}"]`);
    await mine.waitFor({ timeout: 20_000 });
    await expect.poll(() => mine.locator('.chat-status').count(), { timeout: 20_000 }).toBe(0);
    await shot('30-encrypted-room');
  });

  it('shows this device cross-signed and verified, with its fingerprint, in the Security dialog', async () => {
    await openSecurityDialog();
    const dialog = security();
    await expect.poll(() => dialog.innerText(), { timeout: 20_000 }).toContain('Cross-signing is ready');
    const text = await dialog.innerText();
    expect(text).toContain(deviceId);
    const keys = hs.state.e2ee.deviceKeys.get(aliceId)!.get(deviceId)!.keys as Record<string, string>;
    const ed25519 = keys[`ed25519:${deviceId}`]!;
    const fingerprint = await dialog.locator('.fingerprint').innerText();
    expect(fingerprint.replace(/\s+/g, '')).toBe(ed25519);
    expect(fingerprint).toMatch(/^(\S{4} )+\S{1,4}$/);
    const thisDevice = dialog.getByRole('region', { name: 'This device' });
    await expect.poll(() => thisDevice.locator('.trust-badge').innerText(), { timeout: 20_000 }).toBe('Verified');
    expect(await dialog.getByRole('region', { name: 'Your other devices' }).innerText()).toContain('No other device');
    await shot('31-security');
    await closeDialogs();
  });

  it('verifies the session with alice’s second device by comparing emoji', async () => {
    const second = (aliceSecond = await startSdkPeer(hs, 'alice', ALICE_PASSWORD));
    const crypto = second.client.getCrypto()!;
    // The hub must know the new device before its request comes in: the SDK drops requests from devices it has no keys for.
    await openSecurityDialog();
    const listed = security().getByRole('region', { name: 'Your other devices' }).locator('.device').filter({ hasText: second.deviceId });
    await listed.waitFor({ timeout: 30_000 });
    expect(await listed.locator('.trust-badge').innerText()).toBe('Not verified');
    await listed.getByRole('button', { name: `Verify ${second.deviceId}` }).waitFor();
    await closeDialogs();
    await waitUntil('the Groundswell device in the second device’s list', async () => (await crypto.getUserDeviceInfo([aliceId], true)).get(aliceId)?.has(deviceId));
    const request: VerificationRequest = await crypto.requestDeviceVerification(aliceId, deviceId);
    let sas: ShowSasCallbacks | undefined;
    let verified: Promise<void> | undefined;
    const onChange = () => {
      const verifier = request.verifier;
      if (verifier === undefined || verified !== undefined) return;
      verifier.on(VerifierEvent.ShowSas, (shown) => (sas = shown));
      verified = verifier.verify();
      verified.catch(() => undefined);
    };
    request.on(VerificationRequestEvent.Change, onChange);

    const prompt = page.locator('.toast-verify');
    await prompt.waitFor({ timeout: 30_000 });
    expect(await prompt.innerText()).toMatch(new RegExp(`${second.deviceId}.* wants to verify this session`));
    await prompt.getByRole('button', { name: 'Open' }).click();
    await security().waitFor({ timeout: 10_000 });
    await prompt.waitFor({ state: 'hidden', timeout: 10_000 });
    const row = security().locator('.verification').filter({ hasText: second.deviceId });
    await row.getByRole('button', { name: 'Accept' }).click();
    await waitUntil('the request ready on the second device', () => request.phase === VerificationPhase.Ready);
    await row.getByRole('button', { name: 'Start emoji comparison' }).click();

    await waitUntil('the emoji on the second device', () => sas, 30_000);
    const peerEmoji = sas!.sas.emoji!.map(([symbol]) => symbol);
    expect(peerEmoji).toHaveLength(7);
    const symbols = row.getByRole('list', { name: 'Emoji to compare' }).locator('.sas-symbol');
    await expect.poll(() => symbols.count(), { timeout: 30_000 }).toBe(7);
    expect(await symbols.allInnerTexts()).toEqual(peerEmoji);
    await shot('32-verify-emoji');

    await row.getByRole('button', { name: 'They match' }).click();
    await expect.poll(() => row.innerText(), { timeout: 10_000 }).toMatch(/Waiting for .* to confirm the emoji/);
    await sas!.confirm();
    await verified;
    await expect.poll(() => row.locator('.verification-text').innerText(), { timeout: 30_000 }).toBe('Verified');
    const peerRow = security().getByRole('region', { name: 'Your other devices' }).locator('.device').filter({ hasText: second.deviceId });
    await expect.poll(() => peerRow.locator('.trust-badge').innerText(), { timeout: 30_000 }).toBe('Verified');
    expect(await peerRow.getByRole('button', { name: /^Verify/ }).count()).toBe(0);
    expect((await crypto.getDeviceVerificationStatus(aliceId, deviceId))?.isVerified()).toBe(true);
    await shot('33-verified');
  });

  it('sets up key backup, showing the recovery key once', async () => {
    const section = backupSection();
    await section.getByRole('button', { name: 'Set up backup' }).click();
    const box = section.getByRole('group', { name: 'Your recovery key' });
    await box.waitFor({ timeout: 30_000 });
    const key = (await box.locator('.recovery-key-value').innerText()).trim();
    expect(key).toMatch(RECOVERY_KEY);
    expect(key.replace(/ /g, '')).toHaveLength(48);
    await box.scrollIntoViewIfNeeded();
    await shot('34-recovery-key');
    await box.getByRole('button', { name: 'I have saved it' }).click();
    await box.waitFor({ state: 'hidden', timeout: 10_000 });
    await expect.poll(() => section.innerText(), { timeout: 30_000 }).toMatch(/Backing up \(version \S+\)/);
    expect(await section.innerText()).not.toContain(key);
    expect(await security().innerText()).not.toContain(key);
    await closeDialogs();
  });

  it('says which device a message waits for when its keys never came', async () => {
    const lockedId = await bobRaw.send(roomId, 'm.room.encrypted', {
      algorithm: 'm.megolm.v1.aes-sha2',
      ciphertext:
        'AwgAEhAHBwcHBwcHBwcHBwcHBwcHAQEBAQEBAQECAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIC',
      sender_key: 'BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU',
      session_id: 'CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk',
      device_id: 'BOBDEVICE',
    });
    const locked = log().locator(`[data-message-id="${lockedId}"]`);
    await locked.waitFor({ timeout: 30_000 });
    const body = locked.locator('.chat-locked');
    await expect.poll(() => body.innerText(), { timeout: 30_000 }).toBe(
      'Waiting for the keys from Bob Builder’s device BOBDEVICE. The message opens by itself when they arrive.',
    );
    expect(await body.getAttribute('data-problem')).toBe('waiting-for-keys');
    expect(await body.evaluate((el) => el.classList.contains('chat-muted'))).toBe(true);
    expect(await log().innerText()).toContain('the eagle lands at dawn');
    await shot('35-undecryptable');
  });
});
