/**
 * The test homeserver, driven over plain HTTP by two users: each assertion is about what a
 * Matrix client would see, so the server can stand in for Synapse in client tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRawClient, startHomeserver, type Homeserver, type RawClient } from '../support/homeserver/index.ts';

type Json = Record<string, unknown>;

let hs: Homeserver;
let userCount = 0;

beforeAll(async () => {
  hs = await startHomeserver();
});
afterAll(async () => {
  await hs.stop();
});

interface TestUser {
  userId: string;
  client: RawClient;
}

async function newUser(name: string): Promise<TestUser> {
  const localpart = `${name}${++userCount}`;
  const registered = await hs.registerUser(localpart, 'correct horse');
  return { userId: registered.userId, client: createRawClient(hs.baseUrl, registered.accessToken) };
}

/** Alice creates a private room, invites Bob and Bob joins. */
async function sharedRoom(): Promise<{ alice: TestUser; bob: TestUser; roomId: string }> {
  const [alice, bob] = await Promise.all([newUser('alice'), newUser('bob')]);
  const roomId = await alice.client.createRoom({ preset: 'private_chat', name: 'Team', invite: [bob.userId] });
  await bob.client.join(roomId);
  return { alice, bob, roomId };
}

const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((current, key) => (current && typeof current === 'object' ? (current as Json)[key] : undefined), value);

function joinedRoom(sync: Json, roomId: string): Json {
  const room = at(sync, 'rooms', 'join', roomId);
  if (!room || typeof room !== 'object') throw new Error(`room ${roomId} is not in rooms.join`);
  return room as Json;
}

const timelineOf = (sync: Json, roomId: string) => at(joinedRoom(sync, roomId), 'timeline', 'events') as Json[];
const bodies = (events: Json[]) => events.filter((event) => event.type === 'm.room.message').map((event) => at(event, 'content', 'body'));

describe('discovery, as matrix-js-sdk starts up', () => {
  it('answers /versions, well-known, capabilities, push rules and filters', async () => {
    const { client, userId } = await newUser('sdk');
    const versions = await client.request('GET', '/_matrix/client/versions');
    expect(versions.body.versions).toContain('v1.11');
    expect(at(versions.body, 'unstable_features', 'org.matrix.msc3916.stable')).toBe(true);

    const wellKnown = await client.request('GET', '/.well-known/matrix/client');
    expect(wellKnown.body).toEqual({ 'm.homeserver': { base_url: hs.baseUrl } });

    const capabilities = await client.request('GET', '/_matrix/client/v3/capabilities');
    expect(at(capabilities.body, 'capabilities', 'm.room_versions', 'default')).toBe('10');

    const pushRules = await client.request('GET', '/_matrix/client/v3/pushrules/');
    const override = at(pushRules.body, 'global', 'override') as Json[];
    const underride = at(pushRules.body, 'global', 'underride') as Json[];
    expect(override.map((rule) => rule.rule_id)).toEqual(expect.arrayContaining(['.m.rule.master', '.m.rule.is_user_mention', '.m.rule.contains_display_name']));
    expect(underride.map((rule) => rule.rule_id)).toEqual(expect.arrayContaining(['.m.rule.room_one_to_one', '.m.rule.message', '.m.rule.encrypted']));
    expect(at(pushRules.body, 'global', 'content', '0', 'pattern')).toBe(userId.slice(1).split(':')[0]);

    const filter = { room: { timeline: { limit: 20 }, state: { lazy_load_members: true } } };
    const created = await client.request('POST', `/_matrix/client/v3/user/${encodeURIComponent(userId)}/filter`, filter);
    expect(created.status).toBe(200);
    const fetched = await client.request('GET', `/_matrix/client/v3/user/${encodeURIComponent(userId)}/filter/${String(created.body.filter_id)}`);
    expect(fetched.body).toEqual(filter);

    const first = await client.sync({ filter: String(created.body.filter_id), timeout: 0 });
    expect(first.next_batch).toMatch(/^s\d+$/);
    expect((at(first, 'account_data', 'events') as Json[]).map((event) => event.type)).toContain('m.push_rules');

    expect((await client.request('GET', '/_matrix/client/v3/voip/turnServer')).status).toBe(200);
    const mediaConfig = await client.request('GET', '/_matrix/client/v1/media/config');
    expect(mediaConfig.body['m.upload.size']).toBeGreaterThan(0);
  });
});

describe('accounts and access tokens', () => {
  it('logs in with a password, knows who you are, and logs out', async () => {
    const { userId } = await newUser('login');
    const client = createRawClient(hs.baseUrl);
    const login = await client.login(userId.slice(1).split(':')[0] ?? '', 'correct horse');
    expect(login).toMatchObject({ user_id: userId, device_id: expect.any(String), access_token: expect.any(String) });
    expect(await client.whoami()).toEqual({ user_id: userId, device_id: login.device_id, is_guest: false });

    expect((await client.request('POST', '/_matrix/client/v3/logout', {})).status).toBe(200);
    const after = await client.request('GET', '/_matrix/client/v3/account/whoami');
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ errcode: 'M_UNKNOWN_TOKEN' });
  });

  it('accepts the legacy `user` field and hands out refresh tokens on request', async () => {
    const { userId } = await newUser('refresh');
    const client = createRawClient(hs.baseUrl);
    const login = await client.request('POST', '/_matrix/client/v3/login', { type: 'm.login.password', user: userId, password: 'correct horse', refresh_token: true });
    expect(login.body).toMatchObject({ refresh_token: expect.any(String), expires_in_ms: expect.any(Number) });
    const refreshed = await client.request('POST', '/_matrix/client/v3/refresh', { refresh_token: login.body.refresh_token });
    expect(refreshed.body.access_token).not.toBe(login.body.access_token);
    client.accessToken = String(login.body.access_token);
    expect((await client.request('GET', '/_matrix/client/v3/account/whoami')).status).toBe(401);
    client.accessToken = String(refreshed.body.access_token);
    expect((await client.whoami()).user_id).toBe(userId);
  });

  it('refuses a wrong password with 403 M_FORBIDDEN', async () => {
    const { userId } = await newUser('wrong');
    const response = await createRawClient(hs.baseUrl).request('POST', '/_matrix/client/v3/login', {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: userId },
      password: 'battery staple',
    });
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ errcode: 'M_FORBIDDEN', error: expect.any(String) });
  });

  it('tells a missing token from an unknown one, and honours soft logout', async () => {
    const missing = await createRawClient(hs.baseUrl).request('GET', '/_matrix/client/v3/account/whoami');
    expect([missing.status, missing.body.errcode]).toEqual([401, 'M_MISSING_TOKEN']);

    const unknown = await createRawClient(hs.baseUrl, 'syt_not_a_token').request('GET', '/_matrix/client/v3/account/whoami');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ errcode: 'M_UNKNOWN_TOKEN', soft_logout: false });

    const { userId, client } = await newUser('revoked');
    hs.revokeTokens(userId, { softLogout: true });
    const revoked = await client.request('GET', '/_matrix/client/v3/sync');
    expect(revoked.status).toBe(401);
    expect(revoked.body).toMatchObject({ errcode: 'M_UNKNOWN_TOKEN', soft_logout: true });
  });

  it('takes the access token from the query string too', async () => {
    const { userId, client } = await newUser('query');
    const token = client.accessToken ?? '';
    const anonymous = createRawClient(hs.baseUrl);
    const response = await anonymous.request('GET', '/_matrix/client/v3/account/whoami', undefined, { query: { access_token: token } });
    expect(response.body.user_id).toBe(userId);
  });

  it('registers through the m.login.dummy stage after a 401 with the flows', async () => {
    const client = createRawClient(hs.baseUrl);
    const first = await client.request('POST', '/_matrix/client/v3/register', { username: 'carol', password: 'pw' });
    expect(first.status).toBe(401);
    expect(first.body).toMatchObject({ flows: [{ stages: ['m.login.dummy'] }], session: expect.any(String) });
    const second = await client.request('POST', '/_matrix/client/v3/register', {
      username: 'carol',
      password: 'pw',
      auth: { type: 'm.login.dummy', session: first.body.session },
    });
    expect(second.body).toMatchObject({ user_id: `@carol:${hs.serverName}`, access_token: expect.any(String) });
    const again = await client.request('POST', '/_matrix/client/v3/register', { username: 'carol', password: 'pw', auth: { type: 'm.login.dummy' } });
    expect(again.body.errcode).toBe('M_USER_IN_USE');
  });
});

describe('errors in the spec shape', () => {
  it('answers unknown endpoints with M_UNRECOGNIZED, 404 or 405', async () => {
    const { client } = await newUser('errors');
    const unknown = await client.request('GET', '/_matrix/client/v3/no/such/endpoint');
    expect([unknown.status, unknown.body.errcode]).toEqual([404, 'M_UNRECOGNIZED']);
    const wrongMethod = await client.request('DELETE', '/_matrix/client/v3/account/whoami');
    expect([wrongMethod.status, wrongMethod.body.errcode]).toEqual([405, 'M_UNRECOGNIZED']);
  });

  it('tells bad bodies and missing parameters apart', async () => {
    const { client } = await newUser('body');
    const notJson = await fetch(`${hs.baseUrl}/_matrix/client/v3/createRoom`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.accessToken}`, 'content-type': 'application/json' },
      body: '{nope',
    });
    expect((await notJson.json()) as Json).toMatchObject({ errcode: 'M_NOT_JSON' });
    expect((await client.request('POST', '/_matrix/client/v3/createRoom', [1, 2])).body.errcode).toBe('M_BAD_JSON');
    const roomId = await client.createRoom();
    expect((await client.request('POST', `/_matrix/client/v3/rooms/${roomId}/invite`, {})).body).toMatchObject({ errcode: 'M_MISSING_PARAM' });
  });

  it('forbids sending to a room the user has not joined', async () => {
    const [alice, mallory] = await Promise.all([newUser('alice'), newUser('mallory')]);
    const roomId = await alice.client.createRoom({ preset: 'private_chat' });
    const response = await mallory.client.request('PUT', `/_matrix/client/v3/rooms/${roomId}/send/m.room.message/t1`, { msgtype: 'm.text', body: 'hi' });
    expect([response.status, response.body.errcode]).toEqual([403, 'M_FORBIDDEN']);
    const join = await mallory.client.request('POST', `/_matrix/client/v3/rooms/${roomId}/join`, {});
    expect([join.status, join.body.errcode]).toEqual([403, 'M_FORBIDDEN']);
  });

  it('rate limits with 429 M_LIMIT_EXCEEDED, retry_after_ms and Retry-After', async () => {
    const { alice, roomId } = await sharedRoom();
    hs.setRateLimit({ path: '/send/', times: 2, retryAfterMs: 1500 });
    for (let attempt = 0; attempt < 2; attempt++) {
      const limited = await alice.client.request('PUT', `/_matrix/client/v3/rooms/${roomId}/send/m.room.message/limited${attempt}`, { msgtype: 'm.text', body: 'x' });
      expect(limited.status).toBe(429);
      expect(limited.body).toEqual({ errcode: 'M_LIMIT_EXCEEDED', error: expect.any(String), retry_after_ms: 1500 });
      expect(limited.headers.get('retry-after')).toBe('2');
    }
    expect(await alice.client.sendText(roomId, 'through at last')).toMatch(/^\$/);
  });

  it('limits one user, as Synapse limits each on its own, and leaves the others through', async () => {
    const { alice, bob, roomId } = await sharedRoom();
    hs.setRateLimit({ path: /^\//, userId: alice.userId, retryAfterMs: 500 });
    try {
      expect((await alice.client.request('GET', '/_matrix/client/v3/account/whoami')).status).toBe(429);
      expect(await bob.client.sendText(roomId, 'bob is not limited')).toMatch(/^\$/);
    } finally {
      hs.clearRateLimits();
    }
  });

  it('answers with a proxy’s 504 page, or holds a request until the client leaves, as asked', async () => {
    const alice = await newUser('alice');
    hs.injectFault({ path: '/whoami', times: 1, fault: 'gateway-timeout' });
    const proxied = await fetch(`${hs.baseUrl}/_matrix/client/v3/account/whoami`, { headers: { authorization: `Bearer ${alice.client.accessToken}` } });
    expect(proxied.status).toBe(504);
    expect(proxied.headers.get('content-type')).toBe('text/html');
    expect(await proxied.text()).toContain('504 Gateway Time-out');
    expect((await alice.client.request('GET', '/_matrix/client/v3/account/whoami')).status).toBe(200);

    hs.injectFault({ path: '/whoami', times: 1, fault: 'stall' });
    const before = hs.requests.length;
    const leaving = new AbortController();
    const held = alice.client.request('GET', '/_matrix/client/v3/account/whoami', undefined, { signal: leaving.signal });
    for (let tries = 0; hs.requests.length === before && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hs.requests.slice(before).map((r) => r.status)).toEqual([undefined]);
    leaving.abort();
    await expect(held).rejects.toThrow();
    expect((await alice.client.request('GET', '/_matrix/client/v3/account/whoami')).status).toBe(200);
  });
});

describe('rooms and membership', () => {
  it('shows an invite with its invite_state, then the room once joined', async () => {
    const [alice, bob] = await Promise.all([newUser('alice'), newUser('bob')]);
    const roomId = await alice.client.createRoom({
      preset: 'private_chat',
      name: 'Plans',
      topic: 'Secret',
      invite: [bob.userId],
      is_direct: true,
      initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
    });
    const before = await bob.client.sync();
    const inviteState = at(before, 'rooms', 'invite', roomId, 'invite_state', 'events') as Json[];
    expect(inviteState).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'm.room.name', content: { name: 'Plans' } }),
        expect.objectContaining({ type: 'm.room.encryption' }),
        expect.objectContaining({ type: 'm.room.member', state_key: bob.userId, sender: alice.userId, content: expect.objectContaining({ membership: 'invite', is_direct: true }) }),
      ]),
    );
    expect(at(before, 'rooms', 'join', roomId)).toBeUndefined();

    expect(await bob.client.join(roomId)).toBe(roomId);
    const after = await bob.client.sync({ since: String(before.next_batch) });
    const room = joinedRoom(after, roomId);
    expect(at(room, 'summary')).toEqual({ 'm.heroes': [alice.userId], 'm.joined_member_count': 2, 'm.invited_member_count': 0 });
    expect(at(after, 'rooms', 'invite', roomId)).toBeUndefined();
    // The default timeline limit is 10, so the earliest events arrive as state.
    const types = [...(at(room, 'state', 'events') as Json[]), ...timelineOf(after, roomId)].map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['m.room.create', 'm.room.power_levels', 'm.room.join_rules', 'm.room.history_visibility', 'm.room.topic']));
    expect(timelineOf(after, roomId).every((event) => !('room_id' in event))).toBe(true);

    const members = await bob.client.request('GET', `/_matrix/client/v3/rooms/${roomId}/joined_members`);
    expect(Object.keys(members.body.joined as Json).sort()).toEqual([alice.userId, bob.userId].sort());
    const name = await bob.client.request('GET', `/_matrix/client/v3/rooms/${roomId}/state/m.room.name/`);
    expect(name.body).toEqual({ name: 'Plans' });
  });

  it('moves a room to rooms.leave when the user leaves', async () => {
    const { alice, bob, roomId } = await sharedRoom();
    const before = await bob.client.sync();
    await alice.client.sendText(roomId, 'goodbye');
    await bob.client.leave(roomId);
    const after = await bob.client.sync({ since: String(before.next_batch) });
    const left = at(after, 'rooms', 'leave', roomId, 'timeline', 'events') as Json[];
    expect(bodies(left)).toEqual(['goodbye']);
    expect(left.at(-1)).toMatchObject({ type: 'm.room.member', state_key: bob.userId, content: { membership: 'leave' } });
    expect(at(after, 'rooms', 'join', roomId)).toBeUndefined();
  });
});

describe('sending and syncing', () => {
  it('keeps a transaction id idempotent: one event, the same event id', async () => {
    const { alice, bob, roomId } = await sharedRoom();
    const first = await alice.client.sendText(roomId, 'only once', 'txn-1');
    const retry = await alice.client.sendText(roomId, 'only once', 'txn-1');
    expect(retry).toBe(first);

    const seenByAlice = timelineOf(await alice.client.sync(), roomId);
    expect(bodies(seenByAlice)).toEqual(['only once']);
    expect(seenByAlice.find((event) => event.event_id === first)).toMatchObject({ unsigned: { transaction_id: 'txn-1' } });
    const seenByBob = timelineOf(await bob.client.sync(), roomId).find((event) => event.event_id === first);
    expect(at(seenByBob, 'unsigned', 'transaction_id')).toBeUndefined();
    expect(seenByBob).toMatchObject({ sender: alice.userId, origin_server_ts: expect.any(Number), unsigned: { age: expect.any(Number) } });
  });

  it('returns only what is new after a since token', async () => {
    const { alice, bob, roomId } = await sharedRoom();
    await alice.client.sendText(roomId, 'old');
    const initial = await bob.client.sync();
    expect(bodies(timelineOf(initial, roomId))).toEqual(['old']);

    const quiet = await bob.client.sync({ since: String(initial.next_batch) });
    expect(at(quiet, 'rooms', 'join', roomId)).toBeUndefined();

    await alice.client.sendText(roomId, 'new');
    const incremental = await bob.client.sync({ since: String(quiet.next_batch) });
    expect(bodies(timelineOf(incremental, roomId))).toEqual(['new']);
    expect(at(joinedRoom(incremental, roomId), 'timeline', 'limited')).toBe(false);
    expect(at(joinedRoom(incremental, roomId), 'state', 'events')).toEqual([]);
  });

  it('long-polls until a message arrives', async () => {
    const { alice, bob, roomId } = await sharedRoom();
    const initial = await bob.client.sync();
    const started = Date.now();
    const pending = bob.client.sync({ since: String(initial.next_batch), timeout: 10_000 });
    setTimeout(() => void alice.client.sendText(roomId, 'ping'), 200);
    const response = await pending;
    expect(bodies(timelineOf(response, roomId))).toEqual(['ping']);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('marks a timeline limited and lets /messages fill the gap from prev_batch', async () => {
    const { alice, bob, roomId } = await sharedRoom();
    const filter = { room: { timeline: { limit: 3 } } };
    const initial = await bob.client.sync({ filter });
    for (let index = 1; index <= 8; index++) await alice.client.sendText(roomId, `message ${index}`);

    const incremental = await bob.client.sync({ since: String(initial.next_batch), filter });
    const room = joinedRoom(incremental, roomId);
    expect(bodies(timelineOf(incremental, roomId))).toEqual(['message 6', 'message 7', 'message 8']);
    expect(at(room, 'timeline', 'limited')).toBe(true);

    const page = await bob.client.messages(roomId, { from: String(at(room, 'timeline', 'prev_batch')), to: String(initial.next_batch), dir: 'b', limit: 50 });
    expect(bodies(page.chunk as Json[])).toEqual(['message 5', 'message 4', 'message 3', 'message 2', 'message 1']);
    expect(page.end).toBeUndefined();
    expect((page.chunk as Json[])[0]).toMatchObject({ room_id: roomId });

    const firstPage = await bob.client.messages(roomId, { from: String(at(room, 'timeline', 'prev_batch')), dir: 'b', limit: 2 });
    expect(bodies(firstPage.chunk as Json[])).toEqual(['message 5', 'message 4']);
    const nextPage = await bob.client.messages(roomId, { from: String(firstPage.end), dir: 'b', limit: 2 });
    expect(bodies(nextPage.chunk as Json[])).toEqual(['message 3', 'message 2']);
    const forwards = await bob.client.messages(roomId, { from: String(nextPage.end), dir: 'f', limit: 3 });
    expect(bodies(forwards.chunk as Json[])).toEqual(['message 2', 'message 3', 'message 4']);

    const middle = (page.chunk as Json[])[2];
    const context = await bob.client.request('GET', `/_matrix/client/v3/rooms/${roomId}/context/${encodeURIComponent(String(middle?.event_id))}`, undefined, {
      query: { limit: '4' },
    });
    expect(at(context.body, 'event', 'content', 'body')).toBe('message 3');
    expect(bodies(context.body.events_before as Json[])).toEqual(['message 2', 'message 1']);
    expect(bodies(context.body.events_after as Json[])).toEqual(['message 4', 'message 5']);
  });

  it('lazy-loads only the members whose events are in the timeline', async () => {
    const { alice, bob, roomId } = await sharedRoom();
    const carol = await newUser('carol');
    await alice.client.invite(roomId, carol.userId);
    await carol.client.join(roomId);
    for (let index = 0; index < 12; index++) await alice.client.sendText(roomId, `filler ${index}`);

    const sync = await bob.client.sync({ filter: { room: { timeline: { limit: 5 }, state: { lazy_load_members: true } } } });
    const members = (at(joinedRoom(sync, roomId), 'state', 'events') as Json[]).filter((event) => event.type === 'm.room.member').map((event) => event.state_key);
    expect(members.sort()).toEqual([alice.userId, bob.userId].sort());
    expect(at(joinedRoom(sync, roomId), 'summary', 'm.joined_member_count')).toBe(3);

    const page = await bob.client.messages(roomId, { dir: 'b', limit: 3, filter: { lazy_load_members: true } });
    expect((page.state as Json[]).map((event) => event.state_key)).toEqual([alice.userId]);
  });
});

describe('notifications, receipts and typing', () => {
  it('counts unread notifications and highlights a mention, until a read receipt', async () => {
    const { alice, bob, roomId } = await sharedRoom();
    await alice.client.sendText(roomId, 'lunch?');
    await alice.client.sendText(roomId, 'anyone around');
    const bobName = bob.userId.slice(1).split(':')[0] ?? '';
    await alice.client.sendText(roomId, `${bobName}, are you there?`);
    const lastId = await alice.client.send(roomId, 'm.room.message', { msgtype: 'm.text', body: 'hey', 'm.mentions': { user_ids: [bob.userId] } });
    await bob.client.sendText(roomId, 'my own message does not count');

    const unread = at(joinedRoom(await bob.client.sync(), roomId), 'unread_notifications');
    expect(unread).toEqual({ notification_count: 4, highlight_count: 2 });
    expect(at(joinedRoom(await alice.client.sync(), roomId), 'unread_notifications')).toEqual({ notification_count: 1, highlight_count: 0 });

    const before = await bob.client.sync();
    await bob.client.sendReceipt(roomId, lastId);
    const after = await bob.client.sync({ since: String(before.next_batch) });
    expect(at(joinedRoom(after, roomId), 'unread_notifications')).toEqual({ notification_count: 0, highlight_count: 0 });
  });

  it('highlights the display name, and private receipts also reset counts', async () => {
    const { alice, bob, roomId } = await sharedRoom();
    await bob.client.request('PUT', `/_matrix/client/v3/profile/${encodeURIComponent(bob.userId)}/displayname`, { displayname: 'Robert Tables' });
    const eventId = await alice.client.sendText(roomId, 'ask robert tables about it');
    expect(at(joinedRoom(await bob.client.sync(), roomId), 'unread_notifications')).toEqual({ notification_count: 1, highlight_count: 1 });
    await bob.client.sendReceipt(roomId, eventId, 'm.read.private');
    expect(at(joinedRoom(await bob.client.sync(), roomId), 'unread_notifications')).toEqual({ notification_count: 0, highlight_count: 0 });
    const profile = await alice.client.request('GET', `/_matrix/client/v3/profile/${encodeURIComponent(bob.userId)}`);
    expect(profile.body).toEqual({ displayname: 'Robert Tables' });
  });

  it('delivers typing and receipts as ephemeral events', async () => {
    const { alice, bob, roomId } = await sharedRoom();
    const eventId = await alice.client.sendText(roomId, 'read me');
    const initial = await alice.client.sync();

    await bob.client.setTyping(roomId, bob.userId, true, 10_000);
    const typing = await alice.client.sync({ since: String(initial.next_batch) });
    expect(at(joinedRoom(typing, roomId), 'ephemeral', 'events')).toEqual([{ type: 'm.typing', content: { user_ids: [bob.userId] } }]);

    await bob.client.setTyping(roomId, bob.userId, false);
    await bob.client.sendReceipt(roomId, eventId);
    const later = await alice.client.sync({ since: String(typing.next_batch) });
    const ephemeral = at(joinedRoom(later, roomId), 'ephemeral', 'events') as Json[];
    expect(ephemeral).toContainEqual({ type: 'm.typing', content: { user_ids: [] } });
    expect(ephemeral).toContainEqual({ type: 'm.receipt', content: { [eventId]: { 'm.read': { [bob.userId]: { ts: expect.any(Number) } } } } });
  });

  it('stores m.fully_read from read markers as room account data', async () => {
    const { alice, bob, roomId } = await sharedRoom();
    const eventId = await alice.client.sendText(roomId, 'marker');
    await bob.client.request('POST', `/_matrix/client/v3/rooms/${roomId}/read_markers`, { 'm.fully_read': eventId, 'm.read': eventId });
    const room = joinedRoom(await bob.client.sync(), roomId);
    expect(at(room, 'account_data', 'events')).toContainEqual({ type: 'm.fully_read', content: { event_id: eventId } });
    expect(at(room, 'unread_notifications', 'notification_count')).toBe(0);
  });
});

describe('account data, redaction and media', () => {
  it('syncs room and global account data such as m.marked_unread', async () => {
    const { bob, roomId } = await sharedRoom();
    const initial = await bob.client.sync();
    await bob.client.setRoomAccountData(bob.userId, roomId, 'm.marked_unread', { unread: true });
    await bob.client.setAccountData(bob.userId, 'm.direct', { [bob.userId]: [roomId] });
    const sync = await bob.client.sync({ since: String(initial.next_batch) });
    expect(at(joinedRoom(sync, roomId), 'account_data', 'events')).toEqual([{ type: 'm.marked_unread', content: { unread: true } }]);
    expect(at(sync, 'account_data', 'events')).toEqual([{ type: 'm.direct', content: { [bob.userId]: [roomId] } }]);
    const stored = await bob.client.request('GET', `/_matrix/client/v3/user/${encodeURIComponent(bob.userId)}/rooms/${roomId}/account_data/m.marked_unread`);
    expect(stored.body).toEqual({ unread: true });
    const missing = await bob.client.request('GET', `/_matrix/client/v3/user/${encodeURIComponent(bob.userId)}/account_data/m.nothing`);
    expect([missing.status, missing.body.errcode]).toEqual([404, 'M_NOT_FOUND']);
  });

  it('keeps room tags per user, delivered in /sync as m.tag, and removes them again', async () => {
    const { alice, bob, roomId } = await sharedRoom();
    const tags = (user: TestUser) => `/_matrix/client/v3/user/${encodeURIComponent(user.userId)}/rooms/${encodeURIComponent(roomId)}/tags`;
    const initial = await bob.client.sync();
    expect((await bob.client.request('PUT', `${tags(bob)}/m.favourite`, { order: 0.5 })).status).toBe(200);
    expect((await bob.client.request('PUT', `${tags(bob)}/u.work`, {})).status).toBe(200);
    expect((await bob.client.request('GET', tags(bob))).body).toEqual({ tags: { 'm.favourite': { order: 0.5 }, 'u.work': {} } });
    const tagged = await bob.client.sync({ since: String(initial.next_batch) });
    expect(at(joinedRoom(tagged, roomId), 'account_data', 'events')).toEqual([{ type: 'm.tag', content: { tags: { 'm.favourite': { order: 0.5 }, 'u.work': {} } } }]);
    // Tags are the user's own: the other member sees none, and may not set them for someone else.
    expect((await alice.client.request('GET', tags(alice))).body).toEqual({ tags: {} });
    expect((await alice.client.request('PUT', `${tags(bob)}/m.lowpriority`, {})).status).toBe(403);
    expect((await bob.client.request('PUT', `${tags(bob)}/m.favourite`, { order: 'first' })).body.errcode).toBe('M_BAD_JSON');

    expect((await bob.client.request('DELETE', `${tags(bob)}/m.favourite`)).status).toBe(200);
    const untagged = await bob.client.sync({ since: String(tagged.next_batch) });
    expect(at(joinedRoom(untagged, roomId), 'account_data', 'events')).toEqual([{ type: 'm.tag', content: { tags: { 'u.work': {} } } }]);
  });

  it('delivers room account data of any type again when it changes', async () => {
    const { bob, roomId } = await sharedRoom();
    const first = await bob.client.sync();
    await bob.client.setRoomAccountData(bob.userId, roomId, 'org.groundswell.done', { event_id: '$e', ts: 5 });
    const done = await bob.client.sync({ since: String(first.next_batch) });
    expect(at(joinedRoom(done, roomId), 'account_data', 'events')).toEqual([{ type: 'org.groundswell.done', content: { event_id: '$e', ts: 5 } }]);
    await bob.client.setRoomAccountData(bob.userId, roomId, 'org.groundswell.done', {});
    const cleared = await bob.client.sync({ since: String(done.next_batch) });
    expect(at(joinedRoom(cleared, roomId), 'account_data', 'events')).toEqual([{ type: 'org.groundswell.done', content: {} }]);
  });

  it('redacts an event: content stripped, redacted_because in unsigned', async () => {
    const { alice, bob, roomId } = await sharedRoom();
    const eventId = await alice.client.sendText(roomId, 'oops, a secret');
    const initial = await bob.client.sync();
    const redactionId = await alice.client.redact(roomId, eventId, 'posted by mistake');

    const incremental = await bob.client.sync({ since: String(initial.next_batch) });
    expect(timelineOf(incremental, roomId)).toContainEqual(expect.objectContaining({ type: 'm.room.redaction', event_id: redactionId, redacts: eventId }));
    const redacted = await bob.client.request('GET', `/_matrix/client/v3/rooms/${roomId}/event/${encodeURIComponent(eventId)}`);
    expect(redacted.body).toMatchObject({ type: 'm.room.message', content: {}, unsigned: { redacted_because: { event_id: redactionId, content: { reason: 'posted by mistake' } } } });
    expect(redacted.body.content).toEqual({});
  });

  it('uploads media and serves it, with authenticated media needing the token', async () => {
    const { client } = await newUser('media');
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const upload = await fetch(`${hs.baseUrl}/_matrix/media/v3/upload?filename=cat.png`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.accessToken}`, 'content-type': 'image/png' },
      body: bytes,
    });
    const { content_uri: contentUri } = (await upload.json()) as { content_uri: string };
    expect(contentUri).toMatch(new RegExp(`^mxc://${hs.serverName}/`));
    const mediaPath = contentUri.slice('mxc://'.length);

    const legacy = await fetch(`${hs.baseUrl}/_matrix/media/v3/download/${mediaPath}`);
    expect(legacy.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await legacy.arrayBuffer())).toEqual(bytes);

    const anonymous = await fetch(`${hs.baseUrl}/_matrix/client/v1/media/download/${mediaPath}`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as Json).errcode).toBe('M_MISSING_TOKEN');
    const authorised = await fetch(`${hs.baseUrl}/_matrix/client/v1/media/thumbnail/${mediaPath}?width=32&height=32`, {
      headers: { authorization: `Bearer ${client.accessToken}` },
    });
    expect(authorised.status).toBe(200);
    expect(Buffer.from(await authorised.arrayBuffer())).toEqual(bytes);

    const unknown = await fetch(`${hs.baseUrl}/_matrix/client/v1/media/download/${hs.serverName}/nothing`, { headers: { authorization: `Bearer ${client.accessToken}` } });
    expect([unknown.status, ((await unknown.json()) as Json).errcode]).toEqual([404, 'M_NOT_FOUND']);
  });
});

describe('the homeserver vanishing', () => {
  it('drops a long poll when it goes away, and comes back on the same port with its state', async () => {
    const { alice, bob, roomId } = await sharedRoom();
    await alice.client.sendText(roomId, 'before the outage');
    const initial = await bob.client.sync();

    const hangingSync = bob.client.sync({ since: String(initial.next_batch), timeout: 30_000 }).then(
      () => 'answered',
      () => 'dropped',
    );
    await until(() => hs.openConnections() > 0);
    await hs.pause();
    expect(await hangingSync).toBe('dropped');
    await expect(fetch(`${hs.baseUrl}/_matrix/client/versions`)).rejects.toThrow();

    await hs.resume();
    await alice.client.sendText(roomId, 'after the outage');
    const resumed = await bob.client.sync({ since: String(initial.next_batch) });
    expect(bodies(timelineOf(resumed, roomId))).toEqual(['after the outage']);
    expect((await bob.client.whoami()).user_id).toBe(bob.userId);
  });
});

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
