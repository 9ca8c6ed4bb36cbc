/**
 * End-to-end encryption on the test homeserver: each key endpoint over plain HTTP, then two
 * matrix-js-sdk clients with Rust crypto exchanging an encrypted message through it.
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createClient, MsgType, type MatrixClient, type MatrixEvent } from 'matrix-js-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silenceSdkConsoleLogging } from '../../src-main/connectors/matrix/sdk-logging.ts';
import { canonicalJson, signedPart } from '../support/homeserver/e2ee.ts';
import { createRawClient, startHomeserver, type Homeserver, type RawClient } from '../support/homeserver/index.ts';

type Json = Record<string, unknown>;

silenceSdkConsoleLogging();

const PASSWORD = 'correct horse';
const V3 = '/_matrix/client/v3';

let hs: Homeserver;
let userCount = 0;
const sdkClients: MatrixClient[] = [];

beforeAll(async () => {
  hs = await startHomeserver();
});
afterAll(async () => {
  for (const client of sdkClients) client.stopClient();
  await hs.stop();
});

interface TestUser {
  userId: string;
  deviceId: string;
  accessToken: string;
  client: RawClient;
}

async function newUser(name: string): Promise<TestUser> {
  const registered = await hs.registerUser(`${name}${++userCount}`, PASSWORD);
  return { ...registered, client: createRawClient(hs.baseUrl, registered.accessToken) };
}

async function sharedRoom(): Promise<{ alice: TestUser; bob: TestUser; roomId: string }> {
  const [alice, bob] = await Promise.all([newUser('alice'), newUser('bob')]);
  const roomId = await alice.client.createRoom({ preset: 'private_chat', invite: [bob.userId] });
  await bob.client.join(roomId);
  return { alice, bob, roomId };
}

const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((current, key) => (current && typeof current === 'object' ? (current as Json)[key] : undefined), value);

// ---- Signed JSON, as a client makes it --------------------------------------------------------

interface Ed25519 {
  publicKey: string;
  privateKey: KeyObject;
}

function ed25519(): Ed25519 {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  return { publicKey: raw.toString('base64').replace(/=+$/, ''), privateKey };
}

function signJson<T extends Json>(object: T, userId: string, keyName: string, key: Ed25519): T {
  const signature = sign(null, Buffer.from(canonicalJson(signedPart(object))), key.privateKey).toString('base64').replace(/=+$/, '');
  const signatures = (object.signatures ?? {}) as Record<string, Record<string, string>>;
  signatures[userId] = { ...signatures[userId], [keyName]: signature };
  return { ...object, signatures };
}

function deviceKeys(user: TestUser, key: Ed25519): Json {
  const keys = {
    user_id: user.userId,
    device_id: user.deviceId,
    algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
    keys: { [`curve25519:${user.deviceId}`]: 'Y3VydmUyNTUxOWtleQ', [`ed25519:${user.deviceId}`]: key.publicKey },
  };
  return signJson(keys, user.userId, `ed25519:${user.deviceId}`, key);
}

function crossSigningKeys(userId: string) {
  const [masterKey, selfKey, userKey] = [ed25519(), ed25519(), ed25519()];
  const make = (usage: string, key: Ed25519) => ({ user_id: userId, usage: [usage], keys: { [`ed25519:${key.publicKey}`]: key.publicKey } });
  const signedByMaster = (object: Json) => signJson(object, userId, `ed25519:${masterKey.publicKey}`, masterKey);
  return {
    keys: { master: masterKey, self: selfKey, user: userKey },
    body: {
      master_key: make('master', masterKey),
      self_signing_key: signedByMaster(make('self_signing', selfKey)),
      user_signing_key: signedByMaster(make('user_signing', userKey)),
    },
  };
}

const passwordAuth = (user: TestUser, session?: string, password = PASSWORD) => ({
  type: 'm.login.password',
  identifier: { type: 'm.id.user', user: user.userId },
  password,
  ...(session === undefined ? {} : { session }),
});

async function uploadCrossSigning(user: TestUser, body: Json): Promise<void> {
  const response = await user.client.request('POST', `${V3}/keys/device_signing/upload`, { ...body, auth: passwordAuth(user) });
  expect(response.status).toBe(200);
}

// ---- Raw HTTP ---------------------------------------------------------------------------------

describe('device and one-time keys', () => {
  it('stores uploaded keys, counts them, and refuses a changed one-time key like Synapse', async () => {
    const alice = await newUser('alice');
    const key = ed25519();
    const otk = (id: string, value: string) => ({ [`signed_curve25519:${id}`]: { key: value, signatures: {} } });
    const upload = await alice.client.request('POST', `${V3}/keys/upload`, {
      device_keys: deviceKeys(alice, key),
      one_time_keys: { ...otk('AAAAAQ', 'one'), ...otk('AAAAAg', 'two') },
      fallback_keys: { 'signed_curve25519:AAAAAw': { key: 'fallback', fallback: true, signatures: {} } },
    });
    expect(upload.status).toBe(200);
    expect(upload.body).toEqual({ one_time_key_counts: { signed_curve25519: 2 } });

    const identical = await alice.client.request('POST', `${V3}/keys/upload`, { one_time_keys: otk('AAAAAQ', 'one') });
    expect(identical.body).toEqual({ one_time_key_counts: { signed_curve25519: 2 } });
    const changed = await alice.client.request('POST', `${V3}/keys/upload`, { one_time_keys: { ...otk('AAAABA', 'four'), ...otk('AAAAAQ', 'other') } });
    expect(changed.status).toBe(400);
    expect(changed.body).toMatchObject({ errcode: 'M_UNKNOWN', error: expect.stringMatching(/^One time key signed_curve25519:AAAAAQ already exists\. Old key: /) });
    // Nothing of the refused upload was kept.
    expect((await alice.client.request('POST', `${V3}/keys/upload`, {})).body).toEqual({ one_time_key_counts: { signed_curve25519: 2 } });

    const wrongDevice = await alice.client.request('POST', `${V3}/keys/upload`, { device_keys: { ...deviceKeys(alice, key), device_id: 'OTHER' } });
    expect(wrongDevice.status).toBe(400);

    const sync = await alice.client.sync();
    expect(sync.device_one_time_keys_count).toEqual({ signed_curve25519: 2 });
    expect(sync.device_unused_fallback_key_types).toEqual(['signed_curve25519']);
  });

  it('answers /keys/query with the device keys and their display names', async () => {
    const { alice, bob } = await sharedRoom();
    const uploaded = deviceKeys(bob, ed25519());
    await bob.client.request('POST', `${V3}/keys/upload`, { device_keys: uploaded });
    await bob.client.request('PUT', `${V3}/devices/${bob.deviceId}`, { display_name: 'Bob’s laptop' });

    const all = await alice.client.request('POST', `${V3}/keys/query`, { device_keys: { [bob.userId]: [], [alice.userId]: [] }, timeout: 10_000 });
    expect(all.body).toEqual({
      device_keys: { [bob.userId]: { [bob.deviceId]: { ...uploaded, unsigned: { device_display_name: 'Bob’s laptop' } } }, [alice.userId]: {} },
      failures: {},
      master_keys: {},
      self_signing_keys: {},
      user_signing_keys: {},
    });
    const none = await alice.client.request('POST', `${V3}/keys/query`, { device_keys: { [bob.userId]: ['NOPE'] } });
    expect(at(none.body, 'device_keys', bob.userId)).toEqual({});
  });

  it('hands out each one-time key once, then the fallback key', async () => {
    const { alice, bob } = await sharedRoom();
    await bob.client.request('POST', `${V3}/keys/upload`, {
      device_keys: deviceKeys(bob, ed25519()),
      one_time_keys: { 'signed_curve25519:AAAAAQ': { key: 'one' } },
      fallback_keys: { 'signed_curve25519:AAAAAg': { key: 'fallback', fallback: true } },
    });
    const claim = () => alice.client.request('POST', `${V3}/keys/claim`, { one_time_keys: { [bob.userId]: { [bob.deviceId]: 'signed_curve25519' } } });

    expect((await claim()).body).toEqual({ one_time_keys: { [bob.userId]: { [bob.deviceId]: { 'signed_curve25519:AAAAAQ': { key: 'one' } } } }, failures: {} });
    const bobSync = await bob.client.sync();
    expect(bobSync.device_one_time_keys_count).toEqual({ signed_curve25519: 0 });
    expect(bobSync.device_unused_fallback_key_types).toEqual(['signed_curve25519']);

    const fallback = { [bob.userId]: { [bob.deviceId]: { 'signed_curve25519:AAAAAg': { key: 'fallback', fallback: true } } } };
    expect((await claim()).body.one_time_keys).toEqual(fallback);
    expect((await claim()).body.one_time_keys).toEqual(fallback);
    expect((await bob.client.sync()).device_unused_fallback_key_types).toEqual([]);

    const unknown = await alice.client.request('POST', `${V3}/keys/claim`, { one_time_keys: { [bob.userId]: { NOPE: 'signed_curve25519' } } });
    expect(unknown.body).toEqual({ one_time_keys: {}, failures: {} });
  });
});

describe('cross-signing', () => {
  it('takes user-interactive auth before storing cross-signing keys', async () => {
    const { alice, bob } = await sharedRoom();
    const { body } = crossSigningKeys(alice.userId);
    const path = `${V3}/keys/device_signing/upload`;

    const first = await alice.client.request('POST', path, body);
    expect(first.status).toBe(401);
    expect(first.body).toEqual({ flows: [{ stages: ['m.login.password'] }], params: {}, session: expect.any(String) });
    const session = String(first.body.session);

    const wrong = await alice.client.request('POST', path, { ...body, auth: passwordAuth(alice, session, 'battery staple') });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ errcode: 'M_FORBIDDEN', flows: [{ stages: ['m.login.password'] }], params: {}, session });
    expect(hs.state.e2ee.crossSigning.get(alice.userId)?.size ?? 0).toBe(0);

    const ok = await alice.client.request('POST', path, { ...body, auth: passwordAuth(alice, session) });
    expect([ok.status, ok.body]).toEqual([200, {}]);

    const own = await alice.client.request('POST', `${V3}/keys/query`, { device_keys: { [alice.userId]: [] } });
    expect(own.body).toMatchObject({
      master_keys: { [alice.userId]: body.master_key },
      self_signing_keys: { [alice.userId]: body.self_signing_key },
      user_signing_keys: { [alice.userId]: body.user_signing_key },
    });
    // The user-signing key is for its owner only.
    const theirs = await bob.client.request('POST', `${V3}/keys/query`, { device_keys: { [alice.userId]: [] } });
    expect(theirs.body.master_keys).toEqual({ [alice.userId]: body.master_key });
    expect(theirs.body.self_signing_keys).toEqual({ [alice.userId]: body.self_signing_key });
    expect(theirs.body.user_signing_keys).toEqual({});

    // Again, keys existing now: UIA once more, and a session is bound to its request.
    const again = await alice.client.request('POST', path, body);
    expect(again.status).toBe(401);
    const elsewhere = await alice.client.request('DELETE', `${V3}/devices/NOPE`, { auth: passwordAuth(alice, String(again.body.session)) });
    expect([elsewhere.status, elsewhere.body.errcode]).toEqual([403, 'M_FORBIDDEN']);
  });

  it('refuses a self-signing key the master key did not sign', async () => {
    const alice = await newUser('alice');
    const { body } = crossSigningKeys(alice.userId);
    const forged = signJson({ user_id: alice.userId, usage: ['self_signing'], keys: { 'ed25519:abc': 'abc' } }, alice.userId, 'ed25519:nope', ed25519());
    const response = await alice.client.request('POST', `${V3}/keys/device_signing/upload`, { ...body, self_signing_key: forged, auth: passwordAuth(alice) });
    expect([response.status, response.body.errcode]).toEqual([400, 'M_INVALID_SIGNATURE']);
  });

  it('merges uploaded signatures into the keys /keys/query returns', async () => {
    const { alice, bob } = await sharedRoom();
    const aliceDevice = ed25519();
    const aliceKeys = deviceKeys(alice, aliceDevice);
    await alice.client.request('POST', `${V3}/keys/upload`, { device_keys: aliceKeys });
    const aliceCross = crossSigningKeys(alice.userId);
    await uploadCrossSigning(alice, aliceCross.body);
    const bobCross = crossSigningKeys(bob.userId);
    await uploadCrossSigning(bob, bobCross.body);

    // Alice's self-signing key signs her device; her device signs her master key; her user-signing key signs Bob.
    const sskName = `ed25519:${aliceCross.keys.self.publicKey}`;
    const uskName = `ed25519:${aliceCross.keys.user.publicKey}`;
    const signedDevice = signJson(structuredClone(aliceKeys), alice.userId, sskName, aliceCross.keys.self);
    const signedMaster = signJson(structuredClone(aliceCross.body.master_key), alice.userId, `ed25519:${alice.deviceId}`, aliceDevice);
    const signedBob = signJson(structuredClone(bobCross.body.master_key), alice.userId, uskName, aliceCross.keys.user);
    const badSignature = signJson(structuredClone(bobCross.body.master_key), alice.userId, uskName, ed25519());
    const upload = await alice.client.request('POST', `${V3}/keys/signatures/upload`, {
      [alice.userId]: { [alice.deviceId]: signedDevice, [aliceCross.keys.master.publicKey]: signedMaster },
      [bob.userId]: { [bobCross.keys.master.publicKey]: signedBob },
    });
    expect(upload.body).toEqual({ failures: {} });
    const refused = await alice.client.request('POST', `${V3}/keys/signatures/upload`, { [bob.userId]: { [bobCross.keys.master.publicKey]: badSignature } });
    expect(at(refused.body, 'failures', bob.userId, bobCross.keys.master.publicKey)).toMatchObject({ errcode: 'M_INVALID_SIGNATURE' });

    const query = { device_keys: { [alice.userId]: [], [bob.userId]: [] } };
    const seenByBob = await bob.client.request('POST', `${V3}/keys/query`, query);
    expect(at(seenByBob.body, 'device_keys', alice.userId, alice.deviceId, 'signatures', alice.userId, sskName)).toEqual(expect.any(String));
    expect(at(seenByBob.body, 'master_keys', alice.userId, 'signatures', alice.userId, `ed25519:${alice.deviceId}`)).toEqual(expect.any(String));
    // Alice's signature on Bob's master key is hers to see.
    expect(at(seenByBob.body, 'master_keys', bob.userId, 'signatures', alice.userId)).toBeUndefined();
    const seenByAlice = await alice.client.request('POST', `${V3}/keys/query`, query);
    expect(at(seenByAlice.body, 'master_keys', bob.userId, 'signatures', alice.userId, uskName)).toEqual(expect.any(String));
  });
});

describe('send-to-device', () => {
  it('delivers to the named device or every device, once per transaction, until acknowledged', async () => {
    const { alice, bob } = await sharedRoom();
    const bobLaptop = await hs.login(bob.userId.slice(1).split(':')[0] ?? '', PASSWORD);
    const laptop = createRawClient(hs.baseUrl, bobLaptop.accessToken);
    const first = await bob.client.sync();
    const laptopFirst = await laptop.sync();

    const send = (txnId: string, messages: Json) => alice.client.request('PUT', `${V3}/sendToDevice/m.test.ping/${txnId}`, { messages });
    expect((await send('t1', { [bob.userId]: { [bob.deviceId]: { n: 1 } } })).status).toBe(200);
    expect((await send('t1', { [bob.userId]: { [bob.deviceId]: { n: 1 } } })).status).toBe(200);
    await send('t2', { [bob.userId]: { '*': { n: 2 } } });

    const delivered = await bob.client.sync({ since: String(first.next_batch) });
    expect(at(delivered, 'to_device', 'events')).toEqual([
      { type: 'm.test.ping', sender: alice.userId, content: { n: 1 } },
      { type: 'm.test.ping', sender: alice.userId, content: { n: 2 } },
    ]);
    expect(at(await laptop.sync({ since: String(laptopFirst.next_batch) }), 'to_device', 'events')).toEqual([{ type: 'm.test.ping', sender: alice.userId, content: { n: 2 } }]);
    // The same since again (a retry): delivered again. The next token acknowledges them.
    expect((at(await bob.client.sync({ since: String(first.next_batch) }), 'to_device', 'events') as Json[]).length).toBe(2);
    const after = await bob.client.sync({ since: String(delivered.next_batch) });
    expect(at(after, 'to_device', 'events')).toEqual([]);
    expect((at(await bob.client.sync(), 'to_device', 'events') as Json[]).length).toBe(0);
  });

  it('wakes a long-polling /sync when a to-device message arrives', async () => {
    const { alice, bob } = await sharedRoom();
    const first = await bob.client.sync();
    const started = Date.now();
    const polling = bob.client.sync({ since: String(first.next_batch), timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await alice.client.request('PUT', `${V3}/sendToDevice/m.test.ping/${randomUUID()}`, { messages: { [bob.userId]: { [bob.deviceId]: { hello: true } } } });
    const woken = await polling;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(at(woken, 'to_device', 'events')).toEqual([{ type: 'm.test.ping', sender: alice.userId, content: { hello: true } }]);
  });
});

describe('device lists', () => {
  it('tells a long-polling sync whose keys changed, and /keys/changes agrees', async () => {
    const { alice, bob, roomId } = await sharedRoom();
    const stranger = await newUser('stranger');
    const first = await alice.client.sync();
    const polling = alice.client.sync({ since: String(first.next_batch), timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await bob.client.request('POST', `${V3}/keys/upload`, { device_keys: deviceKeys(bob, ed25519()) });
    await stranger.client.request('POST', `${V3}/keys/upload`, { device_keys: deviceKeys(stranger, ed25519()) });
    const woken = await polling;
    expect(at(woken, 'device_lists', 'changed')).toEqual([bob.userId]);

    const changes = await alice.client.request('GET', `${V3}/keys/changes`, undefined, { query: { from: String(first.next_batch), to: String(woken.next_batch) } });
    expect(changes.body).toEqual({ changed: [bob.userId], left: [] });

    // Bob leaves: he shows up in `left`.
    await bob.client.leave(roomId);
    const afterLeave = await alice.client.sync({ since: String(woken.next_batch) });
    expect(afterLeave.device_lists).toEqual({ changed: [], left: [bob.userId] });
  });

  it('lists everyone in a room the user just joined, and a newcomer to everyone', async () => {
    const [alice, bob, carol] = await Promise.all([newUser('alice'), newUser('bob'), newUser('carol')]);
    const roomId = await alice.client.createRoom({ preset: 'private_chat', invite: [bob.userId, carol.userId] });
    await carol.client.join(roomId);
    const [aliceFirst, bobFirst] = await Promise.all([alice.client.sync(), bob.client.sync()]);
    await bob.client.join(roomId);
    expect(at(await bob.client.sync({ since: String(bobFirst.next_batch) }), 'device_lists', 'changed')).toEqual([alice.userId, carol.userId].sort());
    expect(at(await alice.client.sync({ since: String(aliceFirst.next_batch) }), 'device_lists', 'changed')).toEqual([bob.userId]);
  });

  it('deletes a device with user-interactive auth, its keys with it', async () => {
    const { alice, bob } = await sharedRoom();
    const phone = await hs.login(bob.userId.slice(1).split(':')[0] ?? '', PASSWORD);
    const phoneClient = createRawClient(hs.baseUrl, phone.accessToken);
    await phoneClient.request('POST', `${V3}/keys/upload`, { device_keys: deviceKeys({ ...bob, deviceId: phone.deviceId }, ed25519()) });
    const first = await alice.client.sync();

    const path = `${V3}/devices/${phone.deviceId}`;
    const challenge = await bob.client.request('DELETE', path);
    expect(challenge.status).toBe(401);
    expect(challenge.body).toMatchObject({ flows: [{ stages: ['m.login.password'] }] });
    const deleted = await bob.client.request('DELETE', path, { auth: passwordAuth(bob, String(challenge.body.session)) });
    expect(deleted.status).toBe(200);

    expect((await phoneClient.request('GET', `${V3}/account/whoami`)).status).toBe(401);
    const query = await alice.client.request('POST', `${V3}/keys/query`, { device_keys: { [bob.userId]: [] } });
    expect(at(query.body, 'device_keys', bob.userId)).toEqual({});
    expect(at(await alice.client.sync({ since: String(first.next_batch) }), 'device_lists', 'changed')).toEqual([bob.userId]);
  });
});

describe('key backup', () => {
  it('keeps versions, keys, etag and count as Synapse does', async () => {
    const alice = await newUser('alice');
    const roomKeys = `${V3}/room_keys/keys`;
    expect((await alice.client.request('GET', `${V3}/room_keys/version`)).body.errcode).toBe('M_NOT_FOUND');

    const authData = { public_key: 'cHVibGlj', signatures: {} };
    const created = await alice.client.request('POST', `${V3}/room_keys/version`, { algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2', auth_data: authData });
    const version = String(created.body.version);
    expect((await alice.client.request('GET', `${V3}/room_keys/version`)).body).toEqual({
      algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2',
      auth_data: authData,
      version,
      etag: '0',
      count: 0,
    });

    const backupKey = (firstMessageIndex: number, data: string) => ({ first_message_index: firstMessageIndex, forwarded_count: 0, is_verified: false, session_data: { ciphertext: data } });
    const put = await alice.client.request('PUT', roomKeys, { rooms: { '!r:x': { sessions: { s1: backupKey(5, 'a'), s2: backupKey(0, 'b') } } } }, { query: { version } });
    expect(put.body).toEqual({ etag: '1', count: 2 });
    // A later first index loses; an earlier one wins.
    const worse = await alice.client.request('PUT', `${roomKeys}/!r:x/s1`, backupKey(9, 'worse'), { query: { version } });
    expect(worse.body).toEqual({ etag: '1', count: 2 });
    const better = await alice.client.request('PUT', `${roomKeys}/!r:x`, { sessions: { s1: backupKey(1, 'better') } }, { query: { version } });
    expect(better.body).toEqual({ etag: '2', count: 2 });
    expect((await alice.client.request('GET', `${roomKeys}/!r:x/s1`, undefined, { query: { version } })).body).toEqual(backupKey(1, 'better'));
    expect((await alice.client.request('GET', `${roomKeys}/!r:x`, undefined, { query: { version } })).body).toEqual({ sessions: { s1: backupKey(1, 'better'), s2: backupKey(0, 'b') } });
    expect((await alice.client.request('GET', `${roomKeys}/!r:x/nope`, undefined, { query: { version } })).body.errcode).toBe('M_NOT_FOUND');
    expect((await alice.client.request('GET', roomKeys)).body.errcode).toBe('M_MISSING_PARAM');

    const next = await alice.client.request('POST', `${V3}/room_keys/version`, { algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2', auth_data: authData });
    const stale = await alice.client.request('PUT', `${roomKeys}/!r:x/s3`, backupKey(0, 'c'), { query: { version } });
    expect(stale.status).toBe(403);
    expect(stale.body).toMatchObject({ errcode: 'M_WRONG_ROOM_KEYS_VERSION', current_version: next.body.version });
    expect((await alice.client.request('GET', roomKeys, undefined, { query: { version } })).body).toMatchObject({ rooms: { '!r:x': { sessions: { s1: expect.any(Object) } } } });

    const removed = await alice.client.request('DELETE', `${roomKeys}/!r:x/s1`, undefined, { query: { version } });
    expect(removed.body).toEqual({ etag: '3', count: 1 });
    const updated = await alice.client.request('PUT', `${V3}/room_keys/version/${version}`, { algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2', auth_data: { public_key: 'bmV3' } });
    expect(updated.status).toBe(200);
    const mismatch = await alice.client.request('PUT', `${V3}/room_keys/version/${version}`, { algorithm: 'm.megolm_backup.v1.curve25519-aes-sha2', auth_data: {}, version: '99' });
    expect(mismatch.body.errcode).toBe('M_INVALID_PARAM');
    expect((await alice.client.request('DELETE', `${V3}/room_keys/version/${String(next.body.version)}`)).status).toBe(200);
    expect((await alice.client.request('GET', `${V3}/room_keys/version`)).body).toMatchObject({ version, auth_data: { public_key: 'bmV3' }, count: 1 });
    expect((await alice.client.request('GET', `${V3}/room_keys/version/${String(next.body.version)}`)).body.errcode).toBe('M_NOT_FOUND');
  });
});

// ---- matrix-js-sdk with Rust crypto -----------------------------------------------------------

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function sdkClient(user: TestUser): Promise<MatrixClient> {
  const client = createClient({ baseUrl: hs.baseUrl, userId: user.userId, accessToken: user.accessToken, deviceId: user.deviceId });
  sdkClients.push(client);
  await client.initRustCrypto({ useIndexedDB: false });
  await client.startClient({ initialSyncLimit: 20 });
  return client;
}

describe('two matrix-js-sdk clients with Rust crypto', () => {
  it('exchange an encrypted message, and bootstrap cross-signing through UIA', async () => {
    const [alice, bob] = await Promise.all([newUser('alice'), newUser('bob')]);
    const [aliceClient, bobClient] = await Promise.all([sdkClient(alice), sdkClient(bob)]);
    // Both devices publish their keys once they have synced.
    await waitFor('device keys on the server', () => hs.state.e2ee.deviceKeys.get(alice.userId)?.has(alice.deviceId) && hs.state.e2ee.deviceKeys.get(bob.userId)?.has(bob.deviceId));
    await waitFor("alice's one-time keys", () => (hs.state.e2ee.oneTimeKeyCounts(alice.userId, alice.deviceId).signed_curve25519 ?? 0) > 0);

    const { room_id: roomId } = await bobClient.createRoom({
      invite: [alice.userId],
      initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
    });
    await waitFor('the invite', () => aliceClient.getRoom(roomId)?.getMyMembership() === 'invite');
    await aliceClient.joinRoom(roomId);
    await waitFor('alice joined, as bob sees it', () => bobClient.getRoom(roomId)?.getMember(alice.userId)?.membership === 'join');
    expect(await bobClient.getCrypto()?.isEncryptionEnabledInRoom(roomId)).toBe(true);

    const { event_id: eventId } = await bobClient.sendMessage(roomId, { msgtype: MsgType.Text, body: 'the eagle lands at dawn' });
    // What went over the wire was ciphertext.
    const stored = hs.state.rooms.get(roomId)?.findEvent(eventId);
    expect(stored?.event.type).toBe('m.room.encrypted');
    expect(JSON.stringify(stored?.event.content)).not.toContain('eagle');
    expect(stored?.event.content.algorithm).toBe('m.megolm.v1.aes-sha2');

    const decrypted = await waitFor('alice to decrypt', () => {
      const event: MatrixEvent | undefined = aliceClient.getRoom(roomId)?.findEventById(eventId);
      return event && !event.isDecryptionFailure() && event.getClearContent()?.body === 'the eagle lands at dawn' ? event : undefined;
    });
    expect(decrypted.getType()).toBe('m.room.message');
    expect(decrypted.getSender()).toBe(bob.userId);
    // The room key travelled as an olm-encrypted to-device message, and alice's device took it off the server.
    expect(hs.requests.some((request) => request.method === 'PUT' && request.path.includes('/sendToDevice/m.room.encrypted/'))).toBe(true);
    await waitFor('alice to acknowledge the to-device message', () => (hs.state.e2ee.inboxes.get(`${alice.userId}|${alice.deviceId}`)?.length ?? 0) === 0);

    const crypto = aliceClient.getCrypto();
    if (!crypto) throw new Error('alice has no crypto');
    let uiaCalls = 0;
    await crypto.bootstrapCrossSigning({
      authUploadDeviceSigningKeys: async (makeRequest) => {
        uiaCalls += 1;
        await makeRequest({ type: 'm.login.password', identifier: { type: 'm.id.user', user: alice.userId }, password: PASSWORD });
      },
    });
    expect(uiaCalls).toBe(1);
    const serverKeys = hs.state.e2ee.crossSigning.get(alice.userId);
    expect([...(serverKeys?.keys() ?? [])].sort()).toEqual(['master', 'self_signing', 'user_signing']);
    const status = await crypto.getCrossSigningStatus();
    expect(status).toMatchObject({ publicKeysOnDevice: true, privateKeysCachedLocally: { masterKey: true, selfSigningKey: true, userSigningKey: true } });
    expect(await crypto.isCrossSigningReady()).toBe(true);
    // The new self-signing key signed alice's device, and the server holds that signature.
    const selfSigningPublic = Object.values((serverKeys?.get('self_signing')?.keys ?? {}) as Record<string, string>)[0];
    await waitFor('the device signature', () => at(hs.state.e2ee.deviceKeys.get(alice.userId)?.get(alice.deviceId), 'signatures', alice.userId, `ed25519:${selfSigningPublic}`));

    // Bob tracks alice (they share an encrypted room): device_lists.changed tells him to fetch her new keys.
    await waitFor("bob to learn alice's cross-signing keys", async () => ((await bobClient.getCrypto()?.userHasCrossSigningKeys(alice.userId)) ? true : undefined));
  });
});
