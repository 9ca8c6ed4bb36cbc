/**
 * Encrypted rooms between alice's Groundswell (a real hub, its crypto in the durable store) and bob
 * on a plain matrix-js-sdk client with Rust crypto, through the spec homeserver.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AliceHub, eventually, startMatrixWorld, value, type MatrixWorld } from '../support/matrix-world.ts';
import { startSdkPeer, type SdkPeer } from '../support/sdk-peer.ts';

let world: MatrixWorld;
let alice: AliceHub;
let bob: SdkPeer;

beforeAll(async () => {
  world = await startMatrixWorld();
});
afterAll(async () => {
  await world.stop();
});
beforeEach(async () => {
  alice = new AliceHub(world);
  await alice.signIn();
  alice.hub.startConnectors();
  bob = await startSdkPeer(world.hs, 'bob', 'bob-pass');
});
afterEach(async () => {
  bob.stop();
  await alice.dispose();
});

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
});
