/**
 * A Matrix account against a homeserver that fails the way real ones do (a proxy's 504 on the
 * initial sync, a restart while a sync is under way, a storm of 429s on every endpoint) and against
 * hostile content (an event at the size limit, markup nested 10,000 deep, names of 100 kB full of
 * bidi controls). The account must come online, lose and duplicate nothing, never spin, and keep
 * what it stores and shows bounded.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src-shared/api.ts';
import type { RichNode } from '../../src-shared/rich-text.ts';
import type { ConnectionState } from '../../src-shared/domain.ts';
import { createRawClient } from '../support/homeserver/index.ts';
import { ALICE_PASSWORD, AliceHub, eventually, startMatrixWorld, value, type MatrixWorld } from '../support/matrix-world.ts';

let world: MatrixWorld;
let alice: AliceHub;

beforeAll(async () => {
  world = await startMatrixWorld();
});
afterAll(async () => {
  await world.stop();
});
// As the app does: connectors run from the start, so an account added starts live.
beforeEach(() => {
  alice = new AliceHub(world);
  alice.hub.startConnectors();
});
afterEach(async () => {
  world.hs.clearRateLimits();
  world.hs.clearFaults();
  await alice.dispose();
});

function statuses(): ConnectionState[] {
  return alice.events.filter((e) => e.name === 'account.status').map((e) => (e.payload as { connection: ConnectionState }).connection);
}

const syncRequests = (from: number) => world.hs.requests.slice(from).filter((r) => r.path.startsWith('/_matrix/client/v3/sync'));

/** A room bob made, joined by alice from her phone, with three messages in it: before Groundswell starts. */
async function roomWithHistory(name: string): Promise<string> {
  const roomId = await world.bob.createRoom({ name, preset: 'private_chat', invite: [world.aliceId()] });
  const phone = await world.hs.login('alice', ALICE_PASSWORD);
  await createRawClient(world.hs.baseUrl, phone.accessToken).join(roomId);
  for (const body of ['one', 'two', 'three']) await world.bob.sendText(roomId, body);
  return roomId;
}

/** Each message once, in order, and the room once in the inbox. */
async function expectEachOnce(roomId: string): Promise<void> {
  const rows = (await alice.chats()).filter((i) => i.origin.kind === 'chat' && i.origin.roomId === roomId);
  expect(rows).toHaveLength(1);
  const timeline = await alice.timeline(rows[0]!.id);
  expect(timeline.messages.filter((m) => m.kind === 'text').map((m) => m.body)).toEqual(['one', 'two', 'three']);
}

describe('a homeserver that fails', () => {
  it('comes online after a proxy answers the initial sync with 504, and duplicates nothing', async () => {
    const roomId = await roomWithHistory('Behind a proxy');
    const from = world.hs.requests.length;
    world.hs.injectFault({ path: '/sync', times: 2, fault: 'gateway-timeout' });
    await alice.signIn();
    await alice.roomWhere(roomId, 'the room after the 504s', (i) => i.snippet === 'three');
    await eventually('online', () => statuses().at(-1)?.state === 'online');
    expect(syncRequests(from).slice(0, 3).map((r) => r.status)).toEqual([504, 504, 200]);
    expect(new URL(syncRequests(from)[2]!.path, world.hs.baseUrl).searchParams.get('since')).toBeNull();
    // The proxy's page is not the homeserver's word: the status says what happened, without its HTML.
    const offline = statuses().filter((s) => s.state === 'offline');
    expect(offline.length).toBeGreaterThan(0);
    for (const status of offline) expect(status.state === 'offline' && status.reason).not.toMatch(/<|nginx/);
    await expectEachOnce(roomId);
  });

  it('comes online when the homeserver restarts while the initial sync is under way', async () => {
    const roomId = await roomWithHistory('Restarted');
    const from = world.hs.requests.length;
    world.hs.injectFault({ path: '/sync', times: 1, fault: 'stall' });
    await alice.signIn();
    await eventually('the initial sync under way', () => syncRequests(from).length === 1);
    await world.hs.pause();
    await world.hs.resume();
    await alice.roomWhere(roomId, 'the room after the restart', (i) => i.snippet === 'three');
    await eventually('online', () => statuses().at(-1)?.state === 'online');
    await expectEachOnce(roomId);
  });

  it('waits out a storm of 429s on every endpoint, obeying retry_after_ms, then receives what came after', async () => {
    await alice.signIn();
    const { roomId, item } = await alice.sharedRoom({ name: 'Stormy' });
    const before = world.hs.requests.length;
    const stormMs = 5_000;
    const retryAfterMs = 1_000;
    world.hs.setRateLimit({ path: /^\//, userId: world.aliceId(), retryAfterMs });
    // Bob talks on, so alice's client has every reason to ask: a sync answer, a message to send, a read.
    for (let n = 1; n <= 5; n++) {
      await world.bob.sendText(roomId, `storm ${n}`);
      await new Promise((resolve) => setTimeout(resolve, stormMs / 5));
      if (n === 1) void alice.hub.call('chat.send', { itemId: item.id, text: 'sent in the storm' });
      if (n === 2) void alice.hub.call('item.markRead', { itemIds: [item.id] });
    }
    world.hs.clearRateLimits();
    const during = world.hs.requests.slice(before);
    // Only alice is limited: what was refused is hers, and so is every /versions (bob never asks).
    const refused = during.filter((r) => r.status === 429);
    const versions = during.filter((r) => r.path.startsWith('/_matrix/client/versions'));
    expect(refused.length).toBeGreaterThan(0);
    // No tight loop: a client that ignored the limit would make hundreds of requests in these seconds.
    expect(refused.length + versions.length).toBeLessThanOrEqual(8 * (stormMs / 1_000));
    // A refused send is tried again no sooner than the server asked.
    const attempts = new Map<string, number[]>();
    for (const r of refused) if (r.method === 'PUT') attempts.set(r.path, [...(attempts.get(r.path) ?? []), r.at]);
    expect(attempts.size).toBeGreaterThan(0);
    for (const times of attempts.values()) for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(retryAfterMs * 0.9);

    await world.bob.sendText(roomId, 'after the storm');
    // The SDK looks again after its keep-alive pause (up to 7 s), then catches up.
    const texts = await eventually(
      'the messages after the storm',
      async () => {
        const shown = (await alice.timeline(item.id)).messages.filter((m) => m.kind === 'text' && m.sendState === undefined).map((m) => m.body);
        return shown.includes('after the storm') && shown.includes('sent in the storm') ? shown : undefined;
      },
      30_000,
    );
    await eventually('online', () => statuses().at(-1)?.state === 'online');
    expect(texts.filter((t) => t.startsWith('storm ') || t === 'after the storm' || t === 'sent in the storm').sort()).toEqual(
      ['after the storm', 'sent in the storm', 'storm 1', 'storm 2', 'storm 3', 'storm 4', 'storm 5'],
    );
    const onServer = world.hs.state.rooms.get(roomId)!.events.filter((stored) => stored.event['content'] && (stored.event['content'] as { body?: string }).body === 'sent in the storm');
    expect(onServer).toHaveLength(1);
  });
});

function depthOf(nodes: readonly RichNode[]): number {
  let deepest = 0;
  const stack: { nodes: readonly RichNode[]; depth: number }[] = [{ nodes, depth: 1 }];
  while (stack.length > 0) {
    const { nodes: level, depth } = stack.pop()!;
    for (const node of level) {
      if (typeof node === 'string') continue;
      deepest = Math.max(deepest, depth);
      stack.push({ nodes: node.children, depth: depth + 1 });
    }
  }
  return deepest;
}

function textOf(nodes: readonly RichNode[]): string {
  return nodes.map((node) => (typeof node === 'string' ? node : textOf(node.children))).join('');
}

describe('hostile content', () => {
  beforeEach(async () => {
    await alice.signIn();
  });

  it('takes an event at the 65 kB limit: the row’s snippet bounded, the message whole in the timeline', async () => {
    const { roomId, item } = await alice.sharedRoom({ name: 'Big' });
    const words = 'lorem ipsum dolor sit amet '.repeat(2_400);
    await world.bob.sendText(roomId, words);
    const row = await alice.roomWhere(roomId, 'the big message', (i) => i.snippet.startsWith('lorem ipsum'));
    expect(row.snippet.length).toBeLessThanOrEqual(200);
    const timeline = await alice.timeline(item.id);
    const big = timeline.messages.find((m) => m.body.startsWith('lorem ipsum'))!;
    expect(big.body).toBe(words);
  });

  it('reads formatted_body nested 10,000 deep with its text kept and its depth bounded', async () => {
    const { roomId, item } = await alice.sharedRoom({ name: 'Deep' });
    await world.bob.send(roomId, 'm.room.message', {
      msgtype: 'm.text',
      body: 'deep',
      format: 'org.matrix.custom.html',
      formatted_body: '<b>'.repeat(10_000) + '<blockquote>'.repeat(2_000) + 'deep inside' + '</blockquote>'.repeat(2_000),
    });
    const row = await alice.roomWhere(roomId, 'the deep message', (i) => i.snippet === 'deep');
    expect(row.snippet).toBe('deep');
    const timeline = await alice.timeline(item.id);
    const deep = timeline.messages.find((m) => m.body === 'deep')!;
    expect(textOf(deep.content ?? [])).toContain('deep inside');
    expect(depthOf(deep.content ?? [])).toBeLessThanOrEqual(64);
  });

  it('keeps room and display names of 100 kB with bidi controls bounded in the row and the timeline', async () => {
    const carol = await world.hs.registerUser(`carol${Date.now()}`, 'carol-pass');
    const carolClient = createRawClient(world.hs.baseUrl, carol.accessToken);
    const hostileName = (seed: string) => `\u202e${seed}\u202c\u2067`.padEnd(100_000, `${seed}\u200f\u202d `);
    await carolClient.request('PUT', `/_matrix/client/v3/profile/${encodeURIComponent(carol.userId)}/displayname`, { displayname: hostileName('carol') });
    const roomId = await carolClient.createRoom({ name: hostileName('room'), preset: 'private_chat', invite: [world.aliceId()] });
    const invite = await alice.room(roomId, 'the invitation');
    await value(alice.hub.call('chat.respondToInvite', { itemId: invite.id, accept: true }));
    await carolClient.sendText(roomId, 'hello from carol');
    const row = await alice.roomWhere(roomId, 'carol’s message', (i) => i.snippet === 'hello from carol');
    const timeline = await alice.timeline(row.id);
    const fromCarol: ChatMessage = timeline.messages.find((m) => m.body === 'hello from carol')!;
    const lengths = { title: row.title.length, sender: row.sender.length, roomName: timeline.roomName.length, senderName: fromCarol.senderName.length };
    expect(lengths.title).toBeLessThanOrEqual(200);
    expect(lengths.sender).toBeLessThanOrEqual(200);
    expect(lengths.roomName).toBeLessThanOrEqual(200);
    expect(lengths.senderName).toBeLessThanOrEqual(200);
    // The hub's boundary removes the bidi controls from one-line fields (hub/item-text.ts); the letters stay.
    expect(row.title.startsWith('room')).toBe(true);
    expect(/[\u202a-\u202e\u2066-\u2069\u200e\u200f]/.test(row.title + row.sender + timeline.roomName + fromCarol.senderName)).toBe(false);
  });
});
