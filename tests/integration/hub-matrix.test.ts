/**
 * Matrix accounts and rooms through the whole hub against the spec homeserver: signing in, the
 * keychain, rooms and DMs in the inbox, invitations, sending and replying, read state both ways.
 * Alice uses Groundswell; bob talks raw HTTP; each test checks what both of them see.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAccountOf } from '../../src-shared/domain.ts';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRawClient } from '../support/homeserver/index.ts';
import { ALICE_PASSWORD, AliceHub, eventually, startMatrixWorld, value, type MatrixWorld } from '../support/matrix-world.ts';
import type { RaisedNotification } from '../../src-shared/attention.ts';

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
});

/** Alice's own raw view of the server, as a second device would have it. */
async function aliceToken(accountId: string): Promise<string> {
  const secret = await world.keychain.secrets.getPassword(accountId);
  return (JSON.parse(secret ?? '{}') as { accessToken: string }).accessToken;
}

describe('signing in', () => {
  it('finds the homeserver through .well-known, keeps only the token, and names the device', async () => {
    const view = await alice.signIn();
    if (!isAccountOf(view.account, 'matrix')) throw new Error('not a Matrix account');
    expect(view.account.settings.homeserverUrl).toBe(world.hs.baseUrl);
    expect(view.account.settings.userId).toBe(world.aliceId());
    const deviceId = view.account.settings.deviceId;
    const device = world.hs.state.users.get(world.aliceId())?.devices.get(deviceId ?? '');
    expect(device?.displayName).toBe(`Groundswell on ${hostname()}`);
    const token = await aliceToken(view.account.id);
    expect(token).toBeTruthy();
    expect(await world.keychain.secrets.getPassword(view.account.id)).not.toContain(ALICE_PASSWORD);
    // Neither the password nor the token is anywhere in the profile, the log included.
    for (const file of walk(alice.profile.dir)) {
      const text = readFileSync(file).toString('latin1');
      expect(text.includes(ALICE_PASSWORD), file).toBe(false);
      expect(text.includes(token), file).toBe(false);
    }
  });

  it('refuses a wrong password beside the password field and saves nothing', async () => {
    const result = await alice.hub.call('accounts.add', { kind: 'matrix', input: { userId: world.aliceId(), password: 'wrong' } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('auth-failed');
    expect(result.error.field).toBe('password');
    expect(await value(alice.hub.call('accounts.list', {}))).toEqual([]);
  });

  it('says when the user id leads to no homeserver, beside the user id', async () => {
    const result = await alice.hub.call('accounts.add', { kind: 'matrix', input: { userId: '@alice:127.0.0.1:9', password: 'x' } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.field).toBe('userId');
    expect(result.error.message).toMatch(/could not be reached|not a Matrix homeserver/);
  });

  it('logs out on removal, so the token stops working', async () => {
    const view = await alice.signIn();
    const token = await aliceToken(view.account.id);
    await value(alice.hub.call('accounts.remove', { accountId: view.account.id }));
    const whoami = await createRawClient(world.hs.baseUrl, token).request('GET', '/_matrix/client/v3/account/whoami');
    expect(whoami.status).toBe(401);
    expect(await world.keychain.secrets.getPassword(view.account.id)).toBeNull();
  });
});

describe('rooms in the inbox', () => {
  beforeEach(async () => {
    await alice.signIn();
    alice.hub.startConnectors();
  });

  it('shows an invitation, joins on Accept, and shows the room with its latest message and unread count', async () => {
    const roomId = await world.bob.createRoom({ name: 'Release planning', preset: 'private_chat', invite: [world.aliceId()] });
    const invite = await alice.room(roomId);
    expect(invite.title).toBe('Release planning');
    expect(invite.origin.kind === 'chat' && invite.origin.membership).toBe('invite');
    expect(invite.snippet).toBe('Bob Builder invited you');
    expect(invite.unread).toBe(true);
    const shownInvite = await alice.timeline(invite.id);
    expect(shownInvite.membership).toBe('invite');
    expect(shownInvite.inviter).toBe('Bob Builder');

    await value(alice.hub.call('chat.respondToInvite', { itemId: invite.id, accept: true }));
    await world.bob.sendText(roomId, 'Ship on Friday?');
    const item = await alice.roomWhere(roomId, 'bob message', (i) => i.snippet === 'Ship on Friday?');
    expect(item.sender).toBe('Bob Builder');
    expect(item.unread).toBe(true);
    expect(item.origin.kind === 'chat' && item.origin.unreadCount).toBe(1);
    expect(item.origin.kind === 'chat' && item.origin.membership).toBeUndefined();
  });

  it('removes a declined invitation', async () => {
    const roomId = await world.bob.createRoom({ name: 'Not for me', invite: [world.aliceId()] });
    const invite = await alice.room(roomId);
    await value(alice.hub.call('chat.respondToInvite', { itemId: invite.id, accept: false }));
    await eventually('invite gone', async () => !(await alice.chats()).some((i) => i.id === invite.id));
  });

  it('names a direct chat after the other person', async () => {
    const roomId = await world.bob.createRoom({ preset: 'trusted_private_chat', is_direct: true, invite: [world.aliceId()] });
    const dm = await alice.room(roomId);
    await value(alice.hub.call('chat.respondToInvite', { itemId: dm.id, accept: true }));
    await world.bob.sendText(roomId, 'psst');
    const named = await alice.roomWhere(roomId, 'the DM with a message', (i) => i.snippet === 'psst');
    expect(named.title).toBe('Bob Builder');
    expect(named.origin.kind === 'chat' && named.origin.direct).toBe(true);
  });

  it('sends markdown and replies that bob receives as formatted_body with the reply relation', async () => {
    const { roomId, item } = await alice.sharedRoom({ name: 'Replies' });
    const first = await world.bob.sendText(roomId, 'Ship on Friday?');
    await alice.roomWhere(roomId, 'bob message', (i) => i.snippet === 'Ship on Friday?');
    await value(alice.hub.call('chat.send', { itemId: item.id, text: 'Yes, *Friday* it is', replyToId: first }));
    const received = await eventually('bob sees the reply', async () => {
      const chunk = (await world.bob.messages(roomId, { dir: 'b', limit: 5 }))['chunk'] as { sender: string; content: Record<string, unknown> }[];
      return chunk.find((m) => m.sender === world.aliceId() && m.content['msgtype'] === 'm.text');
    });
    expect(received.content['body']).toBe('Yes, *Friday* it is');
    expect(received.content['formatted_body']).toBe('<p>Yes, <em>Friday</em> it is</p>');
    expect(received.content['m.relates_to']).toEqual({ 'm.in_reply_to': { event_id: first } });

    const shown = await eventually('the reply confirmed in the timeline', async () => {
      const timeline = await alice.timeline(item.id);
      const mine = timeline.messages.find((m) => m.mine && m.body === 'Yes, *Friday* it is');
      return mine && mine.sendState === undefined ? mine : undefined;
    });
    expect(shown.replyTo).toEqual({ id: first, senderName: 'Bob Builder', body: 'Ship on Friday?' });
    expect(shown.content).toEqual([{ tag: 'p', children: ['Yes, ', { tag: 'em', children: ['Friday'] }, ' it is'] }]);
  });

  it('marks a mention as priority, by the push rules, and raises a notification about it alone, naming the sender', async () => {
    const { roomId } = await alice.sharedRoom({ name: 'Mentions' });
    const notices = () => alice.events.filter((e) => e.name === 'attention.notification').map((e) => e.payload as RaisedNotification);
    await world.bob.sendText(roomId, 'general chatter');
    const plain = await alice.roomWhere(roomId, 'plain message', (i) => i.snippet === 'general chatter');
    expect(plain.priority).toBe(false);
    await world.bob.sendText(roomId, 'alice: can you review?');
    const mention = await alice.roomWhere(roomId, 'mention', (i) => i.snippet === 'alice: can you review?');
    expect(mention.priority).toBe(true);
    const counts = await value(alice.hub.call('inbox.counts', {}));
    expect(counts.priorityByAccount[mention.accountId]).toBeGreaterThan(0);
    await eventually('a notification', () => notices().length > 0);
    // The plain message counts without a banner (rule 'Chat: room messages'); the mention notifies, naming who wrote it.
    expect(notices()).toEqual([
      expect.objectContaining({
        itemId: mention.id,
        source: 'chat',
        level: 'notify',
        priority: true,
        title: 'Bob Builder in Mentions',
        body: 'alice: can you review?',
        conversation: 'Mentions',
        reason: "you were mentioned in Mentions — rule 'Chat: mentions'",
      }),
    ]);
  });
});

describe('read state both ways', () => {
  beforeEach(async () => {
    await alice.signIn();
    alice.hub.startConnectors();
  });

  it('opening the room sends a read receipt and read marker for the latest event; Mark as unread sets m.marked_unread', async () => {
    const { roomId } = await alice.sharedRoom({ name: 'Receipts' });
    const latest = await world.bob.sendText(roomId, 'read me');
    const item = await alice.roomWhere(roomId, 'unread message', (i) => i.unread && i.snippet === 'read me');
    await value(alice.hub.call('item.markRead', { itemIds: [item.id] }));

    const serverRoom = world.hs.state.rooms.get(roomId)!;
    await eventually('receipt on the server', () => serverRoom.receipts.some((r) => r.userId === world.aliceId() && r.eventId === latest));
    expect(serverRoom.roomAccountData(world.aliceId()).get('m.fully_read')?.content).toEqual({ event_id: latest });
    // The next sync confirms: no unread count, still read.
    await alice.roomWhere(roomId, 'read after the next sync', (i) => !i.unread && (i.origin.kind !== 'chat' || i.origin.unreadCount === undefined));

    await value(alice.hub.call('item.markUnread', { itemIds: [item.id] }));
    await eventually('marked unread on the server', () => serverRoom.roomAccountData(world.aliceId()).get('m.marked_unread')?.content['unread'] === true);
    await alice.roomWhere(roomId, 'unread again after the sync', (i) => i.unread);

    await value(alice.hub.call('item.markRead', { itemIds: [item.id] }));
    await eventually('unmarked on the server', () => serverRoom.roomAccountData(world.aliceId()).get('m.marked_unread')?.content['unread'] === false);
  });

  it('a room read on another device stops being unread here', async () => {
    const { roomId } = await alice.sharedRoom({ name: 'Other device' });
    const latest = await world.bob.sendText(roomId, 'seen on the phone');
    await alice.roomWhere(roomId, 'unread here', (i) => i.unread && i.snippet === 'seen on the phone');
    const phone = await world.hs.login('alice', ALICE_PASSWORD);
    await createRawClient(world.hs.baseUrl, phone.accessToken).sendReceipt(roomId, latest);
    await alice.roomWhere(roomId, 'read here too', (i) => !i.unread);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
