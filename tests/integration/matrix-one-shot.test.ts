/**
 * One-shot commands leave a Matrix account as a running hub would: `account add` and `sync --once`
 * run as real CLI processes (the keychain is the session's gnome-keyring), with no hub running at any
 * point, and a plain matrix-js-sdk peer must then be able to encrypt to the new device.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { removeAllAccounts, runCli } from '../support/cli.ts';
import { createRawClient, startHomeserver, type Homeserver } from '../support/homeserver/index.ts';
import { tempProfile } from '../support/profile.ts';
import { startSdkPeer, waitUntil, type SdkPeer } from '../support/sdk-peer.ts';

const ALICE_PASSWORD = 'alice-one-shot-Kq3';

let hs: Homeserver;
let bob: SdkPeer;

beforeAll(async () => {
  hs = await startHomeserver({ serverName: 'address' });
  await hs.registerUser('alice', ALICE_PASSWORD);
  await hs.registerUser('bob', 'bob-pass');
  bob = await startSdkPeer(hs, 'bob', 'bob-pass');
});
afterAll(async () => {
  bob.stop();
  await hs.stop();
});

interface ListedAccount {
  account: { id: string; settings: { deviceId?: string } };
}
interface ListedItem {
  id: string;
  snippet: string;
  origin: { roomId?: string };
}

describe('one-shot commands', () => {
  it('upload the device keys at add and sync, so a peer encrypts to the device and the next sync decrypts into the row', async () => {
    const profile = tempProfile('gs-matrix-one-shot-');
    const env = { ...process.env, GROUNDSWELL_PROFILE: profile.dir };
    onTestFinished(async () => {
      await removeAllAccounts(profile.dir);
      profile.remove();
    });
    const aliceId = `@alice:${hs.serverName}`;

    const added = await runCli(['account', 'add', 'matrix', '--user', aliceId, '--password-stdin'], { stdin: `${ALICE_PASSWORD}\n`, env });
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const [view] = JSON.parse((await runCli(['account', 'list', '--json'], { env })).stdout) as ListedAccount[];
    const deviceId = view?.account.settings.deviceId;
    expect(deviceId).toBeTruthy();
    // The password lived only in the add's process: cross-signing had to be set up before it exited.
    expect(hs.state.e2ee.crossSigning.get(aliceId)?.has('master')).toBe(true);

    const synced = await runCli(['sync', '--once'], { env });
    expect(synced.stderr).toBe('');
    expect(synced.code).toBe(0);
    expect(hs.state.e2ee.deviceKeys.get(aliceId)?.has(deviceId!)).toBe(true);
    expect(hs.state.e2ee.oneTimeKeyCounts(aliceId, deviceId!)['signed_curve25519']).toBeGreaterThan(0);
    const signatures = hs.state.e2ee.deviceKeys.get(aliceId)?.get(deviceId!)?.['signatures'] as Record<string, Record<string, string>> | undefined;
    // Signed by the device itself and by the self-signing key: the device is cross-signed.
    expect(Object.keys(signatures?.[aliceId] ?? {}).length).toBe(2);

    // Bob's app encrypts to every device of alice's it knows; she joins from her phone.
    const roomId = await bob.createEncryptedRoom([aliceId], 'Secret plans');
    const phone = await hs.login('alice', ALICE_PASSWORD);
    await createRawClient(hs.baseUrl, phone.accessToken).join(roomId);
    await waitUntil('alice joined in bob’s view', () => bob.client.getRoom(roomId)?.getMember(aliceId)?.membership === 'join');
    await bob.sendText(roomId, 'the first secret');
    const inbox = hs.state.e2ee.inboxes.get(`${aliceId}|${deviceId}`) ?? [];
    expect(inbox.some((message) => message.event['type'] === 'm.room.encrypted')).toBe(true);
    // And a room whose newest message no key will ever open: its row must be there all the same.
    const lockedRoomId = await bob.createEncryptedRoom([aliceId], 'Locked');
    await createRawClient(hs.baseUrl, phone.accessToken).join(lockedRoomId);
    const bobRaw = createRawClient(hs.baseUrl, (await hs.login('bob', 'bob-pass')).accessToken);
    await bobRaw.send(lockedRoomId, 'm.room.encrypted', {
      algorithm: 'm.megolm.v1.aes-sha2',
      ciphertext: 'AwgAEhAHBwcHBwcHBwcHBwcHBwcHAQEBAQEBAQECAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIC',
      sender_key: 'BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU',
      session_id: 'CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk',
      device_id: 'BOBDEVICE',
    });

    const again = await runCli(['sync', '--once'], { env });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    const items = JSON.parse((await runCli(['inbox', '--json', '--source', 'chat'], { env })).stdout) as ListedItem[];
    const row = items.find((item) => item.origin.roomId === roomId);
    expect(row?.snippet).toBe('the first secret');
    const locked = items.find((item) => item.origin.roomId === lockedRoomId);
    expect(locked?.snippet).toMatch(/^Waiting for the keys from/);

    // Read from the terminal: the read marker is on the server before the command exits.
    const read = await runCli(['read', row!.id], { env });
    expect(read.stderr).toBe('');
    expect(read.code).toBe(0);
    const newest = hs.state.rooms.get(roomId)!.events.at(-1)!.event['event_id'];
    expect(hs.state.rooms.get(roomId)!.roomAccountData(aliceId).get('m.fully_read')?.content).toEqual({ event_id: newest });
  });
});
