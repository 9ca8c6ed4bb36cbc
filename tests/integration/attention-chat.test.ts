/**
 * Attention for chat through the whole hub against the spec homeserver: a mention (by the server's
 * push rules) and a DM raise notifications naming who wrote what, other room messages only count,
 * "Mute this room" (a rule made from one of its items) silences even mentions there, and quiet
 * hours hold chat notifications with a mention (priority) breaking through only when chosen.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RaisedNotification } from '../../src-shared/attention.ts';
import { AliceHub, eventually, startMatrixWorld, value, type MatrixWorld } from '../support/matrix-world.ts';

let world: MatrixWorld;
let alice: AliceHub;

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
});
afterEach(async () => {
  await alice.dispose();
});

const raised = () => alice.events.filter((e) => e.name === 'attention.notification').map((e) => e.payload as RaisedNotification);
const raisedFor = (itemId: string) => raised().filter((n) => n.itemId === itemId);

/** "HH:MM" of local time `minutes` from now. */
function clockIn(minutes: number): string {
  const at = new Date(Date.now() + minutes * 60_000);
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
}

/** Bob opens a DM with alice, she accepts it in Groundswell. */
async function directChat(): Promise<string> {
  const roomId = await world.bob.createRoom({ preset: 'trusted_private_chat', is_direct: true, invite: [world.aliceId()] });
  const invite = await alice.room(roomId, 'the DM invitation');
  await value(alice.hub.call('chat.respondToInvite', { itemId: invite.id, accept: true }));
  await alice.roomWhere(roomId, 'the joined DM', (i) => i.origin.kind === 'chat' && i.origin.membership === undefined);
  return roomId;
}

describe('attention for chat', () => {
  it('notifies for a mention and a DM, naming the sender, and only counts other room messages', async () => {
    const { roomId } = await alice.sharedRoom({ name: 'Engineering' });
    await world.bob.sendText(roomId, 'deploy finished');
    const plain = await alice.roomWhere(roomId, 'the plain message', (i) => i.snippet === 'deploy finished' && i.unread);
    expect(raisedFor(plain.id)).toEqual([]);
    expect((await value(alice.hub.call('item.why', { itemId: plain.id }))).reason).toMatchObject({ level: 'badge', ruleId: 'chat-rooms', notified: false });

    await world.bob.sendText(roomId, 'alice: can you confirm the rollout?');
    const mention = await alice.roomWhere(roomId, 'the mention', (i) => i.snippet === 'alice: can you confirm the rollout?');
    expect(mention.priority).toBe(true);
    expect(raisedFor(mention.id)).toEqual([
      expect.objectContaining({
        source: 'chat',
        level: 'notify',
        priority: true,
        title: 'Bob Builder in Engineering',
        body: 'alice: can you confirm the rollout?',
        conversation: 'Engineering',
        reason: "you were mentioned in Engineering — rule 'Chat: mentions'",
        group: `${mention.accountId}:${roomId}`,
      }),
    ]);
    const why = await value(alice.hub.call('item.why', { itemId: mention.id }));
    expect(why).toMatchObject({ reason: { notified: true, ruleName: 'Chat: mentions' }, sender: expect.stringMatching(/^@bob:/), conversationName: 'Engineering', counted: true });

    const dmRoom = await directChat();
    await world.bob.sendText(dmRoom, 'psst, got a minute?');
    const dm = await alice.roomWhere(dmRoom, 'the DM message', (i) => i.snippet === 'psst, got a minute?');
    // The invitation to the DM notified too; then the message, replacing it (the same group).
    expect(raisedFor(dm.id)).toEqual([
      expect.objectContaining({ title: 'Bob Builder', body: 'Bob Builder invited you to a direct chat', group: `${dm.accountId}:${dmRoom}` }),
      expect.objectContaining({ priority: false, title: 'Bob Builder', body: 'psst, got a minute?', reason: "it is a direct message — rule 'Chat: direct messages'", group: `${dm.accountId}:${dmRoom}` }),
    ]);
    // Alice's own message in the DM is not news to her.
    await value(alice.hub.call('chat.send', { itemId: dm.id, text: 'sure', waitForDelivery: true }));
    await alice.roomWhere(dmRoom, 'her own message as the newest', (i) => i.snippet === 'sure');
    expect(raisedFor(dm.id)).toHaveLength(2);
  });

  it('mutes a room by one of its items: nothing notifies there, mentions included, and nothing counts', async () => {
    const { roomId, item } = await alice.sharedRoom({ name: 'Incidents' });
    const rule = await value(alice.hub.call('rules.add', { match: {}, conversationOfItem: item.id, level: 'silent' }));
    expect(rule).toMatchObject({ name: 'Mute Incidents', match: { conversation: { accountId: item.accountId, key: roomId, name: 'Incidents' } } });
    expect((await value(alice.hub.call('rules.list', {})))[0]!.id).toBe(rule.id);
    const before = await value(alice.hub.call('inbox.counts', {}));
    await world.bob.sendText(roomId, 'alice: pager went off again');
    const muted = await alice.roomWhere(roomId, 'the muted mention', (i) => i.snippet === 'alice: pager went off again');
    expect(muted.unread).toBe(false);
    expect(raisedFor(muted.id)).toEqual([]);
    expect((await value(alice.hub.call('inbox.counts', {}))).all).toBe(before.all);
    const why = await value(alice.hub.call('item.why', { itemId: muted.id }));
    expect(why.reason).toMatchObject({ level: 'silent', ruleId: rule.id, text: "it is in Incidents — rule 'Mute Incidents'" });
    // Another message there: still read, though the server counts it unread.
    await world.bob.sendText(roomId, 'and again');
    await alice.roomWhere(roomId, 'the next muted message', (i) => i.snippet === 'and again' && !i.unread);
    expect(raisedFor(muted.id)).toEqual([]);
  });

  it('holds chat notifications in quiet hours; a mention breaks through when priority may', async () => {
    const { roomId } = await alice.sharedRoom({ name: 'Standup' });
    const dmRoom = await directChat();
    await value(alice.hub.call('attention.setQuietHours', { quietHours: { start: clockIn(-30), end: clockIn(30), priorityBreaksThrough: false } }));
    await world.bob.sendText(roomId, 'alice: standup moved to 10');
    const heldMention = await alice.roomWhere(roomId, 'the held mention', (i) => i.snippet === 'alice: standup moved to 10');
    await world.bob.sendText(dmRoom, 'lunch?');
    const heldDm = await alice.roomWhere(dmRoom, 'the held DM', (i) => i.snippet === 'lunch?');
    const bodies = () => raised().map((n) => n.body);
    expect(bodies()).not.toContain('alice: standup moved to 10');
    expect(bodies()).not.toContain('lunch?');
    expect(heldMention.unread && heldDm.unread).toBe(true);
    expect((await value(alice.hub.call('item.why', { itemId: heldDm.id }))).reason.notNotifiedBecause).toMatch(/held by quiet hours/);

    await value(alice.hub.call('attention.setQuietHours', { quietHours: { start: clockIn(-30), end: clockIn(30), priorityBreaksThrough: true } }));
    await world.bob.sendText(roomId, 'alice: and bring the numbers');
    const through = await alice.roomWhere(roomId, 'the mention that breaks through', (i) => i.snippet === 'alice: and bring the numbers');
    await world.bob.sendText(dmRoom, 'lunch at 12?');
    const stillHeld = await alice.roomWhere(dmRoom, 'the DM still held', (i) => i.snippet === 'lunch at 12?');
    expect(raisedFor(through.id)).toEqual([expect.objectContaining({ priority: true, title: 'Bob Builder in Standup', body: 'alice: and bring the numbers' })]);
    expect(bodies()).not.toContain('lunch at 12?');
    expect(stillHeld.unread).toBe(true);
    await eventually('the settings say they hold', async () => (await value(alice.hub.call('attention.get', {}))).holding);
  });
});
