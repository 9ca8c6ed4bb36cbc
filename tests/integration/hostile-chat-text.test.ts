/**
 * Hostile names in chat through the real hub against the spec homeserver: a room name and a
 * display name carrying bidi overrides and 50 kB of text, and a 60 kB message. The inbox row and
 * the room's timeline come out within the limits, in their real order, the same as mail and feeds.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TEXT_LIMITS } from '../../src-main/hub/text-limits.ts';
import { AliceHub, eventually, startMatrixWorld, type MatrixWorld } from '../support/matrix-world.ts';

const RLO = '\u202E';
const PDF = '\u202C';
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;

let world: MatrixWorld;
let alice: AliceHub;

beforeAll(async () => {
  world = await startMatrixWorld();
});
afterAll(async () => {
  await world.stop();
});
beforeEach(() => {
  alice = new AliceHub(world);
});
afterEach(async () => {
  await alice.dispose();
  await world.bob.request('PUT', `/_matrix/client/v3/profile/${encodeURIComponent(world.bobId)}/displayname`, { displayname: 'Bob Builder' });
});

describe('hostile names in chat', () => {
  it('cuts and cleans the room name, the sender name and a long message, in the row and the timeline', async () => {
    await alice.signIn();
    alice.hub.startConnectors();
    await world.bob.request('PUT', `/_matrix/client/v3/profile/${encodeURIComponent(world.bobId)}/displayname`, { displayname: `${RLO}boB${PDF} ${'b'.repeat(50_000)}` });
    const { roomId, item } = await alice.sharedRoom({ name: `Team ${RLO}gpj.exe${PDF} ${'r'.repeat(50_000)}`, topic: `${RLO}${'t'.repeat(50_000)}` });
    await world.bob.sendText(roomId, 'x'.repeat(60_000));

    const row = await alice.roomWhere(roomId, 'the row with the long message', (i) => i.snippet.startsWith('x'));
    expect(row.title.startsWith('Team gpj.exe rrr')).toBe(true);
    expect(row.title.length).toBeLessThanOrEqual(TEXT_LIMITS.title);
    expect(row.sender.length).toBeLessThanOrEqual(TEXT_LIMITS.sender);
    expect(row.snippet.length).toBeLessThanOrEqual(TEXT_LIMITS.snippet);
    expect(BIDI.test(row.title + row.sender + row.snippet)).toBe(false);

    const timeline = await eventually('the long message in the timeline', async () => {
      const t = await alice.timeline(item.id);
      return t.messages.some((m) => m.body.startsWith('xxx')) ? t : undefined;
    });
    expect(timeline.roomName.startsWith('Team gpj.exe rrr')).toBe(true);
    expect(timeline.roomName.length).toBeLessThanOrEqual(TEXT_LIMITS.title);
    expect(timeline.topic!.length).toBeLessThanOrEqual(TEXT_LIMITS.topic);
    const long = timeline.messages.find((m) => m.body.startsWith('xxx'))!;
    expect(long.body.length).toBeLessThanOrEqual(TEXT_LIMITS.chatBody);
    expect(long.senderName.startsWith('boB bbb')).toBe(true);
    expect(long.senderName.length).toBeLessThanOrEqual(TEXT_LIMITS.sender);
    expect(BIDI.test(timeline.roomName + (timeline.topic ?? '') + timeline.messages.map((m) => m.senderName).join(''))).toBe(false);
  });
});
