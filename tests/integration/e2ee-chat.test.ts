/**
 * Encrypted rooms between alice's Groundswell (a real hub, its crypto in the durable store) and bob
 * on a plain matrix-js-sdk client with Rust crypto, through the spec homeserver. Beyond reading and
 * writing: cross-signing at sign-in, emoji verification with alice's other device (an SDK client
 * logged in as her), key backup restored on a new device, encrypted images, and removing the account.
 *
 * Each test gets its own homeserver, so alice starts without a cross-signing identity or a backup.
 */
import { existsSync } from 'node:fs';
import { isAccountOf } from '../../src-shared/domain.ts';
import { join } from 'node:path';
import { createClient, MsgType } from 'matrix-js-sdk';
import { CryptoEvent, VerificationPhase, VerificationRequestEvent, VerifierEvent } from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { ShowSasCallbacks, VerificationRequest } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { RustBackupManager } from 'matrix-js-sdk/lib/rust-crypto/backup.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage, EncryptionStatus, VerificationAction, VerificationView } from '../../src-shared/api.ts';
import type { AccountView } from '../../src-shared/domain.ts';
import { encryptAttachment } from '../../src-main/connectors/matrix/attachments.ts';
import { profilePaths } from '../../src-main/hub/profile.ts';
import { ALICE_PASSWORD, AliceHub, eventually, startMatrixWorld, value, type MatrixWorld } from '../support/matrix-world.ts';
import { createRawClient } from '../support/homeserver/index.ts';
import { startSdkPeer, waitUntil, type SdkPeer } from '../support/sdk-peer.ts';
import type { RaisedNotification } from '../../src-shared/attention.ts';

let world: MatrixWorld;
let alice: AliceHub;
let aliceAccount: AccountView;
let bob: SdkPeer;
/** Hubs and clients a test started besides alice's and bob's, stopped after it whatever happened. */
const extraHubs: AliceHub[] = [];
const extraPeers: SdkPeer[] = [];
/** The Matrix account each hub signed in. */
const accountIds = new Map<AliceHub, string>();

beforeEach(async () => {
  world = await startMatrixWorld();
  alice = new AliceHub(world);
  aliceAccount = await alice.signIn();
  accountIds.set(alice, aliceAccount.account.id);
  alice.hub.startConnectors();
  bob = await startSdkPeer(world.hs, 'bob', 'bob-pass');
});
afterEach(async () => {
  for (const peer of [...extraPeers.splice(0), bob]) peer.stop();
  await Promise.allSettled([...extraHubs.splice(0), alice].map((hub) => hub.dispose()));
  accountIds.clear();
  await world.stop();
});

// ---- helpers ----------------------------------------------------------------------------------

function accountIdOf(hub: AliceHub): string {
  const accountId = accountIds.get(hub);
  if (accountId === undefined) throw new Error('that hub signed in no account');
  return accountId;
}

/** Another Groundswell on a new profile, signed in as alice: a new device of hers. */
async function anotherGroundswell(): Promise<AliceHub> {
  const hub = new AliceHub(world);
  extraHubs.push(hub);
  accountIds.set(hub, (await hub.signIn()).account.id);
  hub.hub.startConnectors();
  return hub;
}

/** Alice's other device: a plain SDK client logged in as her. */
async function aliceSdkDevice(): Promise<SdkPeer> {
  const peer = await startSdkPeer(world.hs, 'alice', ALICE_PASSWORD);
  extraPeers.push(peer);
  return peer;
}

function status(hub: AliceHub = alice): Promise<EncryptionStatus> {
  return value(hub.hub.call('security.status', { accountId: accountIdOf(hub) }));
}

function statusWhere(what: string, check: (s: EncryptionStatus) => boolean, hub: AliceHub = alice, timeoutMs?: number): Promise<EncryptionStatus> {
  return eventually(
    what,
    async () => {
      const s = await status(hub);
      return check(s) ? s : undefined;
    },
    timeoutMs,
  );
}

function respond(requestId: string, action: VerificationAction, hub: AliceHub = alice): Promise<VerificationView> {
  return value(hub.hub.call('security.respondToVerification', { accountId: accountIdOf(hub), requestId, action }));
}

function verificationWhere(what: string, check: (v: VerificationView) => boolean, hub: AliceHub = alice): Promise<VerificationView> {
  return eventually(what, async () => (await status(hub)).verifications.find(check));
}

/** Bob's encrypted room with alice in it (she accepted in Groundswell); its inbox row. */
async function encryptedRoomWithBob(name = 'Private'): Promise<{ roomId: string; itemId: string }> {
  const roomId = await bob.createEncryptedRoom([world.aliceId()], name);
  const invite = await alice.room(roomId, 'the invitation');
  await value(alice.hub.call('chat.respondToInvite', { itemId: invite.id, accept: true }));
  await eventually('alice joined, as bob sees it', () => bob.client.getRoom(roomId)?.getMember(world.aliceId())?.membership === 'join');
  return { roomId, itemId: invite.id };
}

async function messagesOf(hub: AliceHub, roomId: string): Promise<ChatMessage[]> {
  const item = await hub.room(roomId);
  return (await hub.timeline(item.id)).messages;
}

/** The peer's side of a SAS verification: the emoji it shows, and what it answers. */
interface PeerSas {
  request: VerificationRequest;
  sas: Promise<ShowSasCallbacks>;
  done: Promise<void>;
}

function followOnPeer(request: VerificationRequest): PeerSas {
  let resolveSas: (sas: ShowSasCallbacks) => void = () => undefined;
  const sas = new Promise<ShowSasCallbacks>((resolve) => (resolveSas = resolve));
  let done: Promise<void> | undefined;
  let doneResolve: () => void = () => undefined;
  let doneReject: (error: unknown) => void = () => undefined;
  const settled = new Promise<void>((resolve, reject) => {
    doneResolve = resolve;
    doneReject = reject;
  });
  settled.catch(() => undefined);
  const attach = () => {
    const verifier = request.verifier;
    if (!verifier || done) return;
    verifier.on(VerifierEvent.ShowSas, resolveSas);
    done = verifier.verify();
    done.then(doneResolve, doneReject);
  };
  request.on(VerificationRequestEvent.Change, attach);
  attach();
  return { request, sas, done: settled };
}

function nextRequestOnPeer(peer: SdkPeer): Promise<VerificationRequest> {
  return new Promise((resolve) => peer.client.once(CryptoEvent.VerificationRequestReceived, resolve));
}

/**
 * What the status says right after each security.changed event since `since` (as a screen refetching
 * on the event sees it), until `check` finds what it looks for there.
 */
async function onSecurityChanged<T>(hub: AliceHub, since: number, check: (s: EncryptionStatus) => T | undefined): Promise<T> {
  let checked = since;
  return eventually('a security.changed event after which the status shows it', async () => {
    const events = hub.events.slice(checked);
    checked += events.length;
    if (!events.some((e) => e.name === 'security.changed' && (e.payload as { accountId: string }).accountId === accountIdOf(hub))) return undefined;
    return check(await status(hub));
  });
}

const symbols = (emoji: { symbol: string }[] | undefined) => (emoji ?? []).map((e) => e.symbol);

// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** Bob uploads `plaintext` encrypted and sends it as an m.image that carries only the `file` object. */
async function sendEncryptedImage(roomId: string, plaintext: Uint8Array, name: string) {
  const { ciphertext, file } = encryptAttachment(plaintext, 'mxc://placeholder/none');
  const { content_uri: url } = await bob.client.uploadContent(ciphertext, { type: 'application/octet-stream', includeFilename: false });
  const content = { msgtype: MsgType.Image, body: name, info: { mimetype: 'image/png', w: 1, h: 1, size: plaintext.byteLength }, file: { ...file, url } };
  const { event_id: eventId } = await bob.client.sendMessage(roomId, content as never);
  return { url, eventId };
}

/**
 * What another client of alice's that does not hold her identity may do: make new secret storage and
 * a new backup under a new recovery key, leaving the identity's keys behind in the old storage.
 */
async function newBackupFromAnotherClient(): Promise<{ recoveryKey: string; deviceId: string }> {
  const login = await world.hs.login('alice', ALICE_PASSWORD);
  let storageKey: Uint8Array<ArrayBuffer> | undefined;
  const client = createClient({
    baseUrl: world.hs.baseUrl,
    userId: login.userId,
    accessToken: login.accessToken,
    deviceId: login.deviceId,
    cryptoCallbacks: { getSecretStorageKey: async ({ keys }) => (storageKey ? [Object.keys(keys)[0]!, storageKey] : null) },
  });
  try {
    await client.initRustCrypto({ useIndexedDB: false });
    await client.startClient({ initialSyncLimit: 1 });
    await waitUntil('the other client’s keys on the server', () => world.hs.state.e2ee.deviceKeys.get(login.userId)?.has(login.deviceId));
    const crypto = client.getCrypto()!;
    const generated = await crypto.createRecoveryKeyFromPassphrase();
    storageKey = generated.privateKey;
    await crypto.bootstrapSecretStorage({ createSecretStorageKey: async () => generated, setupNewSecretStorage: true, setupNewKeyBackup: true });
    return { recoveryKey: generated.encodedPrivateKey!, deviceId: login.deviceId };
  } finally {
    client.stopClient();
  }
}

// ---- tests ------------------------------------------------------------------------------------

describe('an encrypted room', () => {
  it('reads what bob sends and writes what bob can read, with only ciphertext on the server', async () => {
    const roomId = await bob.createEncryptedRoom([world.aliceId()], 'Private');
    const invite = await alice.room(roomId, 'the invitation');
    await value(alice.hub.call('chat.respondToInvite', { itemId: invite.id, accept: true }));
    await eventually('alice joined, as bob sees it', () => bob.client.getRoom(roomId)?.getMember(world.aliceId())?.membership === 'join');

    await bob.sendText(roomId, 'the eagle lands at dawn');
    const row = await alice.roomWhere(roomId, 'the decrypted message in the row', (i) => i.snippet === 'the eagle lands at dawn');
    const timeline = await alice.timeline(row.id);
    expect(timeline.encrypted).toBe(true);
    expect(timeline.messages.at(-1)).toMatchObject({ kind: 'text', body: 'the eagle lands at dawn', senderId: bob.userId });

    await value(alice.hub.call('chat.send', { itemId: row.id, text: 'copy that', waitForDelivery: true }));
    const mine = world.hs.state.rooms.get(roomId)!.events.map((s) => s.event).filter((e) => e.sender === world.aliceId()).at(-1)!;
    expect(mine.type).toBe('m.room.encrypted');
    expect(JSON.stringify(mine.content)).not.toContain('copy that');
    expect(await bob.decryptedBody(roomId, mine.event_id as string)).toBe('copy that');
  });

  it('marks a mention priority and notifies with the decrypted text, never with a placeholder', async () => {
    const { roomId } = await encryptedRoomWithBob('Mentions');
    const notices = () => alice.events.filter((e) => e.name === 'attention.notification').map((e) => e.payload as RaisedNotification);
    await bob.sendText(roomId, 'general chatter');
    const plain = await alice.roomWhere(roomId, 'plain message', (i) => i.snippet === 'general chatter');
    expect(plain.priority).toBe(false);
    // The homeserver cannot read encrypted messages, so only Groundswell's push-rule check after decryption finds the mention.
    await bob.sendText(roomId, 'alice: can you review?');
    const mention = await alice.roomWhere(roomId, 'mention', (i) => i.snippet === 'alice: can you review?' && i.priority);
    await eventually('a notification', () => notices().length > 0);
    // The plain message counts without a banner (rule 'Chat: room messages'); the mention notifies, naming who wrote it.
    expect(notices()).toEqual([
      expect.objectContaining({
        itemId: mention.id,
        source: 'chat',
        level: 'notify',
        priority: true,
        title: expect.stringMatching(/^\S.* in Mentions$/),
        body: 'alice: can you review?',
        conversation: 'Mentions',
        reason: "you were mentioned in Mentions — rule 'Chat: mentions'",
      }),
    ]);
  });

  it('shows an encrypted image decrypted, and refuses one whose ciphertext was changed on the server', async () => {
    const { roomId, itemId } = await encryptedRoomWithBob();
    const { url } = await sendEncryptedImage(roomId, PNG, 'pixel.png');
    // The server holds only ciphertext.
    const mediaId = url.split('/').at(-1)!;
    expect(world.hs.state.media.get(mediaId)!.bytes.subarray(0, 8).equals(PNG.subarray(0, 8))).toBe(false);

    const message = await eventually('the image in the timeline', async () => (await messagesOf(alice, roomId)).find((m) => m.kind === 'image'));
    expect(message).toMatchObject({ kind: 'image', body: 'pixel.png', senderId: bob.userId, image: { mxc: url, name: 'pixel.png', width: 1, height: 1 } });
    expect(message.image?.thumbnailMxc).toBeUndefined();

    const { dataUrl } = await value(alice.hub.call('chat.media', { itemId, mxc: url, thumbnail: false }));
    expect(dataUrl.startsWith('data:image/png;base64,')).toBe(true);
    expect(Buffer.from(dataUrl.slice('data:image/png;base64,'.length), 'base64').equals(PNG)).toBe(true);
    // The thumbnail of an image without its own encrypted thumbnail is the image itself, decrypted.
    const thumbnail = await value(alice.hub.call('chat.media', { itemId, mxc: url, thumbnail: true }));
    expect(thumbnail.dataUrl).toBe(dataUrl);

    // Someone changes the stored ciphertext: the checksum in the event no longer matches.
    const stored = world.hs.state.media.get(mediaId)!;
    const tampered = Buffer.from(stored.bytes);
    tampered[tampered.length - 1]! ^= 0x01;
    world.hs.state.media.set(mediaId, { ...stored, bytes: tampered });
    const refused = await alice.hub.call('chat.media', { itemId, mxc: url, thumbnail: false });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/does not match its checksum/) } });
  });
});

describe('cross-signing', () => {
  it('is set up at first sign-in, and a second Groundswell sees the identity as elsewhere', async () => {
    const ready = await statusWhere('cross-signing ready', (s) => s.crossSigning === 'ready' && s.thisDeviceVerified);
    expect(ready.deviceId).toBe(isAccountOf(aliceAccount.account, 'matrix') ? aliceAccount.account.settings.deviceId : '');
    const uploaded = world.hs.state.e2ee.deviceKeys.get(world.aliceId())!.get(ready.deviceId)!;
    expect(ready.fingerprint).toBe((uploaded['keys'] as Record<string, string>)[`ed25519:${ready.deviceId}`]);
    const serverKeys = world.hs.state.e2ee.crossSigning.get(world.aliceId());
    expect([...(serverKeys?.keys() ?? [])].sort()).toEqual(['master', 'self_signing', 'user_signing']);
    // The self-signing key signed this device, on the server too.
    const selfSigning = Object.values(serverKeys!.get('self_signing')!['keys'] as Record<string, string>)[0]!;
    expect((uploaded['signatures'] as Record<string, Record<string, string>>)[world.aliceId()]![`ed25519:${selfSigning}`]).toEqual(expect.any(String));
    expect(ready.devices).toEqual([{ deviceId: ready.deviceId, displayName: expect.any(String), verified: true, current: true }]);

    const second = await anotherGroundswell();
    const elsewhere = await statusWhere('the identity seen from the second Groundswell', (s) => s.crossSigning !== 'not-set-up', second);
    expect(elsewhere.crossSigning).toBe('elsewhere');
    expect(elsewhere.thisDeviceVerified).toBe(false);
    expect(elsewhere.deviceId).not.toBe(ready.deviceId);
    // It made no identity of its own: the server still has the first one.
    expect(world.hs.state.e2ee.crossSigning.get(world.aliceId())!.get('master')).toEqual(serverKeys!.get('master'));
    // Signed by the identity, but this device does not trust that identity yet, so it vouches for nothing.
    expect(elsewhere.devices).toContainEqual({ deviceId: ready.deviceId, displayName: expect.any(String), verified: false, current: false });
    // Setting up cross-signing there would replace the identity the first device trusts: refused.
    const replacing = await second.hub.call('security.setUpCrossSigning', { accountId: accountIdOf(second), password: ALICE_PASSWORD });
    expect(replacing).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/already has a cross-signing identity/) } });
    expect(world.hs.state.e2ee.crossSigning.get(world.aliceId())!.get('master')).toEqual(serverKeys!.get('master'));
  });

  it('counts only an identity the server holds: a refused upload leaves the set-up to do, with the password asked again', async () => {
    const carolPassword = 'carol-secret-7Hq';
    await world.hs.registerUser('carol', carolPassword);
    // The upload at sign-in is refused: the device made its keys, but nothing is on the server.
    world.hs.setRateLimit({ path: '/keys/device_signing/upload', retryAfterMs: 10 });
    const carol = new AliceHub(world);
    extraHubs.push(carol);
    carol.hub.startConnectors();
    const carolId = `@carol:${world.hs.serverName}`;
    const view = await value(carol.hub.call('accounts.add', { kind: 'matrix', input: { userId: carolId, password: carolPassword } }));
    accountIds.set(carol, view.account.id);
    await eventually('the refused upload', () => world.hs.requests.some((r) => r.path.endsWith('/keys/device_signing/upload') && r.status === 429));
    await new Promise((resolve) => setTimeout(resolve, 500));
    world.hs.clearRateLimits();
    expect(world.hs.state.e2ee.crossSigning.get(carolId)?.size ?? 0).toBe(0);
    const refused = await status(carol);
    expect(refused.crossSigning).toBe('not-set-up');
    expect(refused.thisDeviceVerified).toBe(false);

    const wrong = await carol.hub.call('security.setUpCrossSigning', { accountId: view.account.id, password: 'not-carols' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
    expect((await status(carol)).crossSigning).toBe('not-set-up');

    await value(carol.hub.call('security.setUpCrossSigning', { accountId: view.account.id, password: carolPassword }));
    const ready = await statusWhere('cross-signing ready for carol', (s) => s.crossSigning === 'ready' && s.thisDeviceVerified, carol);
    expect(ready.crossSigning).toBe('ready');
    expect([...(world.hs.state.e2ee.crossSigning.get(carolId)?.keys() ?? [])].sort()).toEqual(['master', 'self_signing', 'user_signing']);
  });

  it('lists alice’s other device, not verified', async () => {
    await statusWhere('cross-signing ready', (s) => s.crossSigning === 'ready');
    const phone = await aliceSdkDevice();
    const seen = await statusWhere('the other device in the list', (s) => s.devices.some((d) => d.deviceId === phone.deviceId));
    expect(seen.devices.find((d) => d.deviceId === phone.deviceId)).toEqual({ deviceId: phone.deviceId, displayName: expect.any(String), verified: false, current: false });
    expect(seen.devices.find((d) => d.current)).toMatchObject({ deviceId: seen.deviceId, verified: true });
  });
});

describe('emoji verification with alice’s other device', () => {
  it('started in Groundswell: the same emoji on both screens, then the other device is cross-signed', async () => {
    await statusWhere('cross-signing ready', (s) => s.crossSigning === 'ready');
    const phone = await aliceSdkDevice();
    await statusWhere('the other device in the list', (s) => s.devices.some((d) => d.deviceId === phone.deviceId));

    const arriving = nextRequestOnPeer(phone);
    const started = await value(alice.hub.call('security.verifyDevice', { accountId: accountIdOf(alice), deviceId: phone.deviceId }));
    expect(started).toMatchObject({ incoming: false, otherUserId: world.aliceId(), otherDeviceId: phone.deviceId, phase: 'requested' });
    const onPhone = followOnPeer(await arriving);
    expect(onPhone.request.transactionId).toBe(started.requestId);
    await onPhone.request.accept();
    await verificationWhere('the request accepted', (v) => v.requestId === started.requestId && v.phase === 'ready');

    await respond(started.requestId, 'start');
    const shown = await verificationWhere('the emoji', (v) => v.requestId === started.requestId && v.phase === 'compare-emoji');
    const phoneSas = await onPhone.sas;
    expect(shown.emoji).toHaveLength(7);
    expect(symbols(shown.emoji)).toEqual(phoneSas.sas.emoji!.map(([symbol]) => symbol));
    expect(shown.emoji!.map((e) => e.name)).toEqual(phoneSas.sas.emoji!.map(([, name]) => name));

    // Confirmed here first: the view says so until the other device confirms too.
    await respond(started.requestId, 'confirm');
    const waiting = await verificationWhere('confirmed here', (v) => v.requestId === started.requestId && v.confirmedHere === true);
    expect(waiting.phase).toBe('compare-emoji');
    await phoneSas.confirm();
    await onPhone.done;
    const done = await verificationWhere('the verification done', (v) => v.requestId === started.requestId && v.phase === 'done');
    expect(done).toEqual({ requestId: started.requestId, incoming: false, otherUserId: world.aliceId(), otherDeviceId: phone.deviceId, phase: 'done' });
    const after = await statusWhere('the other device verified', (s) => s.devices.some((d) => d.deviceId === phone.deviceId && d.verified));
    expect(after.devices.find((d) => d.deviceId === phone.deviceId)).toMatchObject({ verified: true, current: false });
    // Groundswell holds the self-signing key, so it signed the other device, and the server has it.
    const selfSigning = Object.values(world.hs.state.e2ee.crossSigning.get(world.aliceId())!.get('self_signing')!['keys'] as Record<string, string>)[0]!;
    await eventually('the signature on the other device', () => {
      const keys = world.hs.state.e2ee.deviceKeys.get(world.aliceId())?.get(phone.deviceId);
      return (keys?.['signatures'] as Record<string, Record<string, string>> | undefined)?.[world.aliceId()]?.[`ed25519:${selfSigning}`];
    });
    // The other device, seeing its own master key verified through the emoji, trusts Groundswell's device.
    const fromPhone = await phone.client.getCrypto()!.getDeviceVerificationStatus(world.aliceId(), after.deviceId);
    expect(fromPhone?.isVerified()).toBe(true);
  });

  it('started on the other device: Groundswell hears of it, accepts, starts and confirms', async () => {
    await statusWhere('cross-signing ready', (s) => s.crossSigning === 'ready');
    const phone = await aliceSdkDevice();
    const own = await statusWhere('the other device in the list', (s) => s.devices.some((d) => d.deviceId === phone.deviceId));
    await eventually('the phone to know the Groundswell device', async () => (await phone.client.getCrypto()!.getUserDeviceInfo([world.aliceId()], true)).get(world.aliceId())?.has(own.deviceId));

    const eventsBefore = alice.events.length;
    const request = await phone.client.getCrypto()!.requestDeviceVerification(world.aliceId(), own.deviceId);
    const onPhone = followOnPeer(request);
    // A screen that refetches the status on each security.changed finds the request.
    const incoming = await onSecurityChanged(alice, eventsBefore, (s) => s.verifications.find((v) => v.requestId === request.transactionId));
    expect(incoming).toMatchObject({ incoming: true, phase: 'requested', otherUserId: world.aliceId(), otherDeviceId: phone.deviceId });

    expect(await respond(incoming.requestId, 'accept')).toMatchObject({ phase: 'ready' });
    await eventually('the phone to see the request accepted', () => request.phase === VerificationPhase.Ready);
    await respond(incoming.requestId, 'start');
    const shown = await verificationWhere('the emoji', (v) => v.requestId === incoming.requestId && v.phase === 'compare-emoji');
    const phoneSas = await onPhone.sas;
    expect(symbols(shown.emoji)).toEqual(phoneSas.sas.emoji!.map(([symbol]) => symbol));

    await respond(incoming.requestId, 'confirm');
    await phoneSas.confirm();
    await onPhone.done;
    const done = await verificationWhere('the verification done', (v) => v.requestId === incoming.requestId && v.phase === 'done');
    expect(done).toMatchObject({ incoming: true, otherDeviceId: phone.deviceId });
    expect(request.phase).toBe(VerificationPhase.Done);
    await statusWhere('the other device verified', (s) => s.devices.some((d) => d.deviceId === phone.deviceId && d.verified));
  });

  it('between two Groundswells: the new one, verified, receives the identity and can protect it', async () => {
    const first = await statusWhere('cross-signing ready', (s) => s.crossSigning === 'ready');
    const second = await anotherGroundswell();
    const secondId = accountIdOf(second);
    const before = await statusWhere('the identity seen from the second Groundswell', (s) => s.crossSigning === 'elsewhere', second);
    await statusWhere('the second device in the first one’s list', (s) => s.devices.some((d) => d.deviceId === before.deviceId));

    const eventsBefore = alice.events.length;
    const asked = await value(second.hub.call('security.verifyDevice', { accountId: secondId, deviceId: first.deviceId }));
    expect(asked).toMatchObject({ incoming: false, otherDeviceId: first.deviceId, phase: 'requested' });
    const incoming = await onSecurityChanged(alice, eventsBefore, (s) => s.verifications.find((v) => v.requestId === asked.requestId));
    expect(incoming).toMatchObject({ incoming: true, otherDeviceId: before.deviceId, phase: 'requested' });
    // Only the device asked can accept; the one asking cannot.
    expect(await second.hub.call('security.respondToVerification', { accountId: secondId, requestId: asked.requestId, action: 'accept' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-input' },
    });
    await respond(asked.requestId, 'accept');
    await verificationWhere('the request accepted', (v) => v.requestId === asked.requestId && v.phase === 'ready', second);
    await respond(asked.requestId, 'start');
    const [here, there] = await Promise.all([
      verificationWhere('the emoji on the first', (v) => v.requestId === asked.requestId && v.phase === 'compare-emoji'),
      verificationWhere('the emoji on the second', (v) => v.requestId === asked.requestId && v.phase === 'compare-emoji', second),
    ]);
    expect(here.emoji).toHaveLength(7);
    expect(here.emoji).toEqual(there.emoji);
    await respond(asked.requestId, 'confirm', second);
    await respond(asked.requestId, 'confirm');
    await verificationWhere('done on the second', (v) => v.requestId === asked.requestId && v.phase === 'done', second);

    // The first device sends the identity's private keys to its newly verified sibling.
    const after = await statusWhere('the second Groundswell ready', (s) => s.crossSigning === 'ready' && s.thisDeviceVerified, second);
    expect(after.devices.find((d) => d.deviceId === first.deviceId)).toMatchObject({ verified: true });
    await statusWhere('the second device verified on the first', (s) => s.devices.some((d) => d.deviceId === before.deviceId && d.verified));
    // Holding the identity now, it may make the backup (which stores the identity under the recovery key).
    const backup = await value(second.hub.call('security.setUpBackup', { accountId: secondId }));
    expect(backup.status.backup.state).toBe('on');
  });

  it('ends cancelled, with the reason in words, when the emoji do not match', async () => {
    await statusWhere('cross-signing ready', (s) => s.crossSigning === 'ready');
    const phone = await aliceSdkDevice();
    await statusWhere('the other device in the list', (s) => s.devices.some((d) => d.deviceId === phone.deviceId));

    const arriving = nextRequestOnPeer(phone);
    const started = await value(alice.hub.call('security.verifyDevice', { accountId: accountIdOf(alice), deviceId: phone.deviceId }));
    const onPhone = followOnPeer(await arriving);
    await onPhone.request.accept();
    await verificationWhere('the request accepted', (v) => v.requestId === started.requestId && v.phase === 'ready');
    // This time the phone starts the emoji step.
    await onPhone.request.startVerification('m.sas.v1');
    const shown = await verificationWhere('the emoji', (v) => v.requestId === started.requestId && v.phase === 'compare-emoji');
    expect(symbols(shown.emoji)).toEqual((await onPhone.sas).sas.emoji!.map(([symbol]) => symbol));

    const answer = await respond(started.requestId, 'mismatch');
    expect(answer.phase).toBe('cancelled');
    expect(answer.reason).toMatch(/emoji did not match/);
    await expect(onPhone.done).rejects.toThrow();
    await eventually('the phone to see it cancelled', () => onPhone.request.phase === VerificationPhase.Cancelled);
    expect(onPhone.request.cancellationCode).toBe('m.mismatched_sas');
    const after = await status();
    expect(after.verifications.find((v) => v.requestId === started.requestId)).toMatchObject({
      phase: 'cancelled',
      otherDeviceId: phone.deviceId,
      reason: expect.stringMatching(/emoji did not match/),
    });
    expect(after.verifications.find((v) => v.requestId === started.requestId)?.emoji).toBeUndefined();
    expect(after.devices.find((d) => d.deviceId === phone.deviceId)).toMatchObject({ verified: false });
  });
});

describe('key backup', () => {
  // The SDK waits up to 10 s (at random) before uploading room keys; its own tests shorten that.
  const uploadDelay = RustBackupManager.maxBackupLoopStartDelayMillis;
  const setUploadDelay = (ms: number) => {
    Object.assign(RustBackupManager, { maxBackupLoopStartDelayMillis: ms });
  };
  beforeAll(() => setUploadDelay(100));
  afterAll(() => setUploadDelay(uploadDelay));

  it('opens old messages on a new device with the recovery key, and a reset makes the old key useless', async () => {
    await statusWhere('cross-signing ready', (s) => s.crossSigning === 'ready');
    const { roomId } = await encryptedRoomWithBob();
    const sent = ['first secret', 'second secret', 'third secret'];
    for (const body of sent) await bob.sendText(roomId, body);
    await eventually('alice reads them', async () => (await messagesOf(alice, roomId)).filter((m) => m.kind === 'text').length === sent.length);

    const setUp = await value(alice.hub.call('security.setUpBackup', { accountId: accountIdOf(alice) }));
    expect(setUp.recoveryKey).toMatch(/^(\w{4} ){11}\w{4}$/);
    expect(setUp.status.backup).toEqual({ state: 'on', version: expect.any(String) });
    const version = setUp.status.backup.version!;
    const again = await alice.hub.call('security.setUpBackup', { accountId: accountIdOf(alice) });
    expect(again).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/already has a key backup/) } });
    const backup = () => world.hs.state.e2ee.backups.get(world.aliceId())?.find((b) => b.version === version);
    await eventually('the room key in the backup', () => (backup()?.rooms.get(roomId)?.size ?? 0) > 0, 20_000);

    // A new device: Groundswell on a new profile.
    const fresh = await anotherGroundswell();
    const locked = await statusWhere('the backup seen as locked', (s) => s.backup.state !== 'off', fresh);
    expect(locked.backup).toEqual({ state: 'locked', version });
    expect(locked.crossSigning).toBe('elsewhere');
    expect(locked.thisDeviceVerified).toBe(false);
    const unreadable = await eventually('the old messages, unreadable', async () => {
      const found = (await messagesOf(fresh, roomId)).filter((m) => m.senderId === bob.userId && m.kind === 'undecryptable' && m.decryption?.problem === 'needs-backup');
      return found.length === sent.length ? found : undefined;
    });
    for (const message of unreadable) expect(message.body).toBe('Sent before this device existed — restore from backup to read it.');

    const freshId = accountIdOf(fresh);
    // Without the identity here, a new recovery key could not protect it: refused, nothing changed.
    expect(await fresh.hub.call('security.resetBackup', { accountId: freshId, confirm: true })).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', message: expect.stringMatching(/does not hold your cross-signing identity/) },
    });
    expect(world.hs.state.e2ee.backups.get(world.aliceId())!.map((b) => [b.version, b.deleted])).toEqual([[version, false]]);
    const typo = `${setUp.recoveryKey.slice(0, -1)}${setUp.recoveryKey.endsWith('a') ? 'b' : 'a'}`;
    expect(await fresh.hub.call('security.restoreBackup', { accountId: freshId, recoveryKey: typo })).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', message: expect.stringMatching(/typo/) },
    });

    const restored = await value(fresh.hub.call('security.restoreBackup', { accountId: freshId, recoveryKey: setUp.recoveryKey }));
    expect(restored.imported).toBeGreaterThan(0);
    expect(restored.total).toBeGreaterThanOrEqual(restored.imported);
    await eventually('the old messages decrypted by themselves', async () => {
      const texts = (await messagesOf(fresh, roomId)).filter((m) => m.kind === 'text').map((m) => m.body);
      return sent.every((body) => texts.includes(body));
    });
    // The identity came from secret storage: this device is cross-signed now, and backs up too.
    const opened = await statusWhere('the new device cross-signed', (s) => s.thisDeviceVerified, fresh);
    expect(opened.crossSigning).toBe('ready');
    expect(opened.backup).toEqual({ state: 'on', version });

    // Reset: only when confirmed.
    const unconfirmed = await fresh.hub.call('security.resetBackup', { accountId: freshId, confirm: false });
    expect(unconfirmed).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(world.hs.state.e2ee.backups.get(world.aliceId())!.filter((b) => !b.deleted).map((b) => b.version)).toEqual([version]);
    const reset = await value(fresh.hub.call('security.resetBackup', { accountId: freshId, confirm: true }));
    expect(reset.recoveryKey).toMatch(/^(\w{4} ){11}\w{4}$/);
    expect(reset.recoveryKey).not.toBe(setUp.recoveryKey);
    expect(reset.status.backup.state).toBe('on');
    expect(reset.status.backup.version).not.toBe(version);
    const versions = world.hs.state.e2ee.backups.get(world.aliceId())!;
    expect(versions.filter((b) => !b.deleted).map((b) => b.version)).toEqual([reset.status.backup.version]);
    expect(versions.find((b) => b.version === version)?.deleted).toBe(true);
    // This device holds the room keys (restored), so they go into the new backup.
    await eventually('the room key in the new backup', () => (versions.find((b) => b.version === reset.status.backup.version)?.rooms.get(roomId)?.size ?? 0) > 0);

    // The first device was backing up into the version just deleted. The new one is signed by the
    // identity it trusts, so it backs up there now (reading from it would take the new key).
    expect((await status()).backup).toEqual({ state: 'on', version: reset.status.backup.version });

    // A third device: the old key opens nothing now, the new one does.
    const third = await anotherGroundswell();
    const thirdId = accountIdOf(third);
    await statusWhere('the new backup seen as locked', (s) => s.backup.state === 'locked' && s.backup.version === reset.status.backup.version, third);
    expect(await third.hub.call('security.restoreBackup', { accountId: thirdId, recoveryKey: setUp.recoveryKey })).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', message: expect.stringMatching(/does not open this account’s backup/) },
    });
    const withNewKey = await value(third.hub.call('security.restoreBackup', { accountId: thirdId, recoveryKey: reset.recoveryKey }));
    expect(withNewKey.imported).toBeGreaterThan(0);
    expect(withNewKey.status).toMatchObject({ crossSigning: 'ready', thisDeviceVerified: true, backup: { state: 'on', version: reset.status.backup.version } });
    await eventually('the old messages decrypted on the third device', async () => {
      const texts = (await messagesOf(third, roomId)).filter((m) => m.kind === 'text').map((m) => m.body);
      return sent.every((body) => texts.includes(body));
    });
  });

  it('restores a backup whose recovery key does not open the identity, leaving this device unverified', async () => {
    await statusWhere('cross-signing ready', (s) => s.crossSigning === 'ready');
    const first = await value(alice.hub.call('security.setUpBackup', { accountId: accountIdOf(alice) }));
    const other = await newBackupFromAnotherClient();
    const versions = world.hs.state.e2ee.backups.get(world.aliceId())!;
    const newVersion = versions.find((b) => !b.deleted)!.version;
    expect(newVersion).not.toBe(first.status.backup.version);

    const fresh = await anotherGroundswell();
    const freshId = accountIdOf(fresh);
    await statusWhere('the new backup seen as locked', (s) => s.backup.state === 'locked', fresh);
    // Groundswell's own recovery key opens nothing now; the other client's opens the backup, not the identity.
    expect(await fresh.hub.call('security.restoreBackup', { accountId: freshId, recoveryKey: first.recoveryKey })).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', message: expect.stringMatching(/does not open this account’s backup/) },
    });
    const restored = await value(fresh.hub.call('security.restoreBackup', { accountId: freshId, recoveryKey: other.recoveryKey }));
    expect(restored.status).toMatchObject({ crossSigning: 'elsewhere', thisDeviceVerified: false, backup: { state: 'on', version: newVersion } });
    // Nothing was reset on the way: the identity is the one made at sign-in.
    expect([...world.hs.state.e2ee.crossSigning.get(world.aliceId())!.keys()].sort()).toEqual(['master', 'self_signing', 'user_signing']);
    expect((await status()).crossSigning).toBe('ready');
  });
});

describe('a device signed out from elsewhere', () => {
  it('loses its crypto store, and signing in again makes a new device that reads and writes encrypted rooms', async () => {
    const { roomId, itemId } = await encryptedRoomWithBob('After sign-out');
    await bob.sendText(roomId, 'before');
    await alice.roomWhere(roomId, 'the first message decrypted', (i) => i.snippet === 'before');
    const accountId = accountIdOf(alice);
    const oldDevice = (await status()).deviceId;
    const oldFingerprint = (await status()).fingerprint;
    const cryptoDir = join(profilePaths(alice.profile.dir).accounts, accountId, 'crypto');
    expect(existsSync(join(cryptoDir, 'journal'))).toBe(true);

    // Alice removes the Groundswell session from another client ("sign out this device").
    const phone = await world.hs.login('alice', ALICE_PASSWORD);
    const path = `/_matrix/client/v3/devices/${oldDevice}`;
    const other = createRawClient(world.hs.baseUrl, phone.accessToken);
    const challenge = await other.request('DELETE', path);
    const deleted = await other.request('DELETE', path, {
      auth: { type: 'm.login.password', identifier: { type: 'm.id.user', user: world.aliceId() }, password: ALICE_PASSWORD, session: String(challenge.body['session']) },
    });
    expect(deleted.status).toBe(200);

    const statuses = () => alice.events.filter((e) => e.name === 'account.status').map((e) => (e.payload as { connection: { state: string; reason?: string } }).connection);
    const ended = await eventually('auth-failed for the ended device', () => statuses().find((c) => c.state === 'auth-failed'));
    expect(ended.reason).toMatch(/This device was signed out.*Sign in again to start a new device/);
    await eventually('the crypto store deleted', () => !existsSync(join(cryptoDir, 'journal')) && !existsSync(join(cryptoDir, 'snapshot')));
    const [afterEnd] = await value(alice.hub.call('accounts.list', {}));
    expect((afterEnd !== undefined && isAccountOf(afterEnd.account, 'matrix')) && afterEnd.account.settings.deviceId).toBeUndefined();

    const requestsBefore = world.hs.requests.length;
    const again = await value(alice.hub.call('accounts.updatePassword', { accountId, password: ALICE_PASSWORD }));
    const newDevice = isAccountOf(again.account, 'matrix') ? again.account.settings.deviceId : undefined;
    expect(newDevice).toEqual(expect.any(String));
    expect(newDevice).not.toBe(oldDevice);
    const fresh = await statusWhere('the new device’s crypto', (s) => s.deviceId === newDevice);
    expect(fresh.fingerprint).not.toBe(oldFingerprint);
    // Every key upload of the new device was accepted: nothing of the old identity was reused.
    const uploads = world.hs.requests.slice(requestsBefore).filter((r) => r.path.endsWith('/keys/upload'));
    expect(uploads.length).toBeGreaterThan(0);
    expect(uploads.filter((r) => r.status !== 200)).toEqual([]);

    await eventually('bob sees the new device', async () => (await bob.client.getCrypto()!.getUserDeviceInfo([world.aliceId()], true)).get(world.aliceId())?.has(newDevice!));
    await bob.sendText(roomId, 'after');
    await alice.roomWhere(roomId, 'the new device decrypts', (i) => i.snippet === 'after');
    await value(alice.hub.call('chat.send', { itemId, text: 'back again', waitForDelivery: true }));
    const mine = world.hs.state.rooms.get(roomId)!.events.map((e) => e.event).filter((e) => e.sender === world.aliceId()).at(-1)!;
    expect(await bob.decryptedBody(roomId, mine.event_id as string)).toBe('back again');
  });
});

describe('removing the account', () => {
  it('deletes its folder with the crypto store and logs the device out', async () => {
    await statusWhere('cross-signing ready', (s) => s.crossSigning === 'ready');
    const accountId = accountIdOf(alice);
    const deviceId = (await status()).deviceId;
    const folder = join(profilePaths(alice.profile.dir).accounts, accountId);
    expect(existsSync(join(folder, 'crypto'))).toBe(true);
    const session = JSON.parse((await world.keychain.secrets.getPassword(accountId))!) as { accessToken: string };
    expect(world.hs.state.users.get(world.aliceId())!.devices.has(deviceId)).toBe(true);

    await value(alice.hub.call('accounts.remove', { accountId }));
    expect(existsSync(folder)).toBe(false);
    expect(world.hs.state.users.get(world.aliceId())!.devices.has(deviceId)).toBe(false);
    expect(world.hs.state.e2ee.deviceKeys.get(world.aliceId())?.has(deviceId) ?? false).toBe(false);
    const whoami = await fetch(`${world.hs.baseUrl}/_matrix/client/v3/account/whoami`, { headers: { authorization: `Bearer ${session.accessToken}` } });
    expect(whoami.status).toBe(401);
    expect(await world.keychain.secrets.getPassword(accountId)).toBeNull();
    expect(await alice.hub.call('security.status', { accountId })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});
