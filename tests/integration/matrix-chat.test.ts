/**
 * A room's timeline as the reading pane gets it, and the faults a chat client lives with: edits,
 * deletions, reactions, hostile formatting, encrypted rooms, media, typing, history, a restart that
 * resumes, a homeserver that vanishes, rate limits and a revoked session.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { isAccountOf } from '../../src-shared/domain.ts';
import type { ChatMessage } from '../../src-shared/api.ts';
import type { ConnectionState } from '../../src-shared/domain.ts';
import { runCli } from '../support/cli.ts';
import { createRawClient } from '../support/homeserver/index.ts';
import { tempProfile } from '../support/profile.ts';
import { ALICE_PASSWORD, AliceHub, eventually, startMatrixWorld, value, type MatrixWorld } from '../support/matrix-world.ts';

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
  world.hs.clearRateLimits();
  await alice.dispose();
});

const byBody = (messages: ChatMessage[], body: string) => messages.find((m) => m.body === body);

function statuses(): ConnectionState[] {
  return alice.events.filter((e) => e.name === 'account.status').map((e) => (e.payload as { connection: ConnectionState }).connection);
}

describe('the timeline', () => {
  it('applies edits, shows deletions, counts reactions and renders hostile markup inert', async () => {
    const { roomId, item } = await alice.sharedRoom({ name: '<img src=x onerror=alert(1)>Design' });
    const bob = world.bob;
    const original = await bob.sendText(roomId, 'teh plan');
    await bob.send(roomId, 'm.room.message', {
      msgtype: 'm.text',
      body: '* the plan',
      'm.new_content': { msgtype: 'm.text', body: 'the plan' },
      'm.relates_to': { rel_type: 'm.replace', event_id: original },
    });
    const doomed = await bob.sendText(roomId, 'oops, wrong room');
    await bob.redact(roomId, doomed, 'mistake');
    await bob.send(roomId, 'm.reaction', { 'm.relates_to': { rel_type: 'm.annotation', event_id: original, key: '👍' } });
    await bob.send(roomId, 'm.room.message', {
      msgtype: 'm.text',
      body: 'hostile',
      format: 'org.matrix.custom.html',
      formatted_body:
        '<img src="https://tracker.example/p.gif" onerror="alert(1)"><a href="javascript:alert(2)">click</a><script>alert(3)</script>' +
        '<b>bold</b><img src="mxc://localhost/abc123" alt="pic">' + '<div>'.repeat(300) + 'deep' + '</div>'.repeat(300),
    });
    const timeline = await eventually('every event in the timeline', async () => {
      const shown = await alice.timeline(item.id);
      return byBody(shown.messages, 'hostile') ? shown : undefined;
    });
    expect(timeline.roomName).toBe('<img src=x onerror=alert(1)>Design');
    expect((await alice.room(roomId)).title).toBe('<img src=x onerror=alert(1)>Design');

    const edited = timeline.messages.find((m) => m.id === original)!;
    expect(edited.body).toBe('the plan');
    expect(edited.edited).toBe(true);
    expect(edited.reactions).toEqual([{ key: '👍', count: 1, mine: false }]);
    // The edit itself is not a message of its own.
    expect(byBody(timeline.messages, '* the plan')).toBeUndefined();
    expect(timeline.messages.find((m) => m.id === doomed)).toMatchObject({ kind: 'redacted', body: 'Message deleted' });

    const hostile = byBody(timeline.messages, 'hostile')!;
    const tree = JSON.stringify(hostile.content);
    expect(tree).not.toMatch(/script|onerror|javascript|tracker\.example/);
    expect(tree).toContain('{"tag":"strong","children":["bold"]}');
    expect(tree).toContain('"src":"mxc://localhost/abc123"');
    expect(tree).toContain('deep');
  });

  it('says an encrypted room is encrypted, says why a message cannot be read, and sends there encrypted', async () => {
    const { roomId, item } = await alice.sharedRoom({ name: 'Secret', initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }] });
    // Well-formed megolm from a session nobody shared with this device: the keys may still come, so it waits.
    await world.bob.send(roomId, 'm.room.encrypted', { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'AwgAEhAHBwcHBwcHBwcHBwcHBwcHAQEBAQEBAQECAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIC', sender_key: 'BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU', session_id: 'CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk', device_id: 'BOBDEVICE' });
    const row = await alice.roomWhere(roomId, 'undecryptable message row', (i) => i.snippet.startsWith('Waiting for the keys'));
    expect(row.origin.kind === 'chat' && row.origin.encrypted).toBe(true);
    const timeline = await alice.timeline(item.id);
    expect(timeline.encrypted).toBe(true);
    const [undecryptable] = timeline.messages.filter((m) => m.kind === 'undecryptable');
    expect(undecryptable?.decryption).toEqual({ problem: 'waiting-for-keys', senderDevice: 'BOBDEVICE' });
    expect(undecryptable?.body).toBe('Waiting for the keys from Bob Builder’s device BOBDEVICE. The message opens by itself when they arrive.');

    const sent = await alice.hub.call('chat.send', { itemId: item.id, text: 'hello?', waitForDelivery: true });
    expect(sent.ok).toBe(true);
    const onServer = world.hs.state.rooms.get(roomId)!.events.map((stored) => stored.event).filter((e) => e.sender === world.aliceId());
    const mine = onServer.at(-1)!;
    expect(mine.type).toBe('m.room.encrypted');
    expect(JSON.stringify(mine.content)).not.toContain('hello?');
  });

  it('serves images through the authenticated media API and shows who is typing', async () => {
    const { roomId, item } = await alice.sharedRoom({ name: 'Pictures' });
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const uploaded = await fetch(`${world.hs.baseUrl}/_matrix/media/v3/upload?filename=dot.png`, {
      method: 'POST',
      headers: { authorization: `Bearer ${world.bob.accessToken}`, 'content-type': 'image/png' },
      body: png,
    }).then((r) => r.json() as Promise<{ content_uri: string }>);
    await world.bob.send(roomId, 'm.room.message', { msgtype: 'm.image', body: 'dot.png', url: uploaded.content_uri, info: { w: 1, h: 1, mimetype: 'image/png' } });
    const image = await eventually('the image message', async () => (await alice.timeline(item.id)).messages.find((m) => m.kind === 'image'));
    expect(image.image).toMatchObject({ mxc: uploaded.content_uri, width: 1, height: 1, name: 'dot.png' });
    const media = await value(alice.hub.call('chat.media', { itemId: item.id, mxc: uploaded.content_uri, thumbnail: true }));
    expect(media.dataUrl).toBe(`data:image/png;base64,${png.toString('base64')}`);
    expect(world.hs.requests.some((r) => r.path.startsWith('/_matrix/client/v1/media/thumbnail/'))).toBe(true);

    const refused = await alice.hub.call('chat.media', { itemId: item.id, mxc: 'https://evil.example/x.png', thumbnail: true });
    expect(refused.ok).toBe(false);

    await world.bob.setTyping(roomId, world.bobId, true);
    await eventually('typing shown', async () => (await alice.timeline(item.id)).typing.includes('Bob Builder'));
    expect(alice.events.some((e) => e.name === 'chat.changed' && (e.payload as { itemIds: string[] }).itemIds.includes(item.id))).toBe(true);
  });

  it('loads older history page by page until there is none', async () => {
    const { roomId, item } = await alice.sharedRoom({ name: 'History' });
    for (let n = 1; n <= 70; n++) await world.bob.sendText(roomId, `message ${n}`);
    await alice.roomWhere(roomId, 'latest message', (i) => i.snippet === 'message 70');
    await alice.restart();
    const restartedItem = await alice.roomWhere(roomId, 'room after restart', (i) => i.snippet === 'message 70');
    let timeline = await alice.timeline(restartedItem.id);
    for (let page = 0; page < 10 && timeline.hasOlder; page++) timeline = await alice.timeline(item.id, true);
    expect(timeline.hasOlder).toBe(false);
    const numbers = timeline.messages.filter((m) => m.body.startsWith('message ')).map((m) => Number(m.body.slice(8)));
    expect(numbers).toEqual(Array.from({ length: 70 }, (_, i) => i + 1));
  });
});

describe('staying in step', () => {
  it('resumes from the saved sync state after a restart, and fills the gap of a limited sync', async () => {
    const { roomId, item } = await alice.sharedRoom({ name: 'Gap' });
    await world.bob.sendText(roomId, 'before the restart');
    await alice.roomWhere(roomId, 'first message', (i) => i.snippet === 'before the restart');
    await alice.hub.dispose();
    for (let n = 1; n <= 45; n++) await world.bob.sendText(roomId, `while away ${n}`);

    const syncsBefore = world.hs.requests.filter((r) => r.path.startsWith('/_matrix/client/v3/sync')).length;
    alice.open();
    alice.hub.startConnectors();
    await alice.roomWhere(roomId, 'caught up', (i) => i.snippet === 'while away 45');
    const firstSync = world.hs.requests.filter((r) => r.path.startsWith('/_matrix/client/v3/sync'))[syncsBefore]!;
    expect(new URL(firstSync.path, 'http://x').searchParams.get('since')).toBeTruthy();

    const timeline = await eventually('the gap filled', async () => {
      const shown = await alice.timeline(item.id);
      return byBody(shown.messages, 'while away 1') && byBody(shown.messages, 'before the restart') ? shown : undefined;
    });
    const away = timeline.messages.filter((m) => m.body.startsWith('while away '));
    expect(away.map((m) => m.body)).toEqual(Array.from({ length: 45 }, (_, i) => `while away ${i + 1}`));
  });

  it('reconnects when the homeserver vanishes mid-sync and receives what was sent after', async () => {
    const { roomId } = await alice.sharedRoom({ name: 'Flaky' });
    await world.hs.pause();
    await eventually('offline status', () => statuses().some((s) => s.state === 'offline'), 30_000);
    await world.hs.resume();
    await world.bob.sendText(roomId, 'are you back?');
    await alice.roomWhere(roomId, 'message after the outage', (i) => i.snippet === 'are you back?');
    expect(statuses().at(-1)?.state).toBe('online');
  });

  it('waits out a 429 with retry_after_ms and still sends', async () => {
    const { roomId, item } = await alice.sharedRoom({ name: 'Busy' });
    world.hs.setRateLimit({ path: '/send/', method: 'PUT', times: 1, retryAfterMs: 300 });
    await value(alice.hub.call('chat.send', { itemId: item.id, text: 'through the limit', waitForDelivery: true }));
    const chunk = (await world.bob.messages(roomId, { dir: 'b', limit: 5 }))['chunk'] as { content: { body?: string } }[];
    expect(chunk.some((m) => m.content.body === 'through the limit')).toBe(true);
    expect(world.hs.requests.filter((r) => r.path.includes('/send/') && r.status === 429)).toHaveLength(1);
  });

  it('asks to sign in again when the token is revoked, keeps the rooms, and signing in keeps the device', async () => {
    const { roomId } = await alice.sharedRoom({ name: 'Kept' });
    const [view] = await value(alice.hub.call('accounts.list', {}));
    if ((view === undefined || !isAccountOf(view.account, 'matrix'))) throw new Error('no Matrix account');
    const deviceId = view.account.settings.deviceId;
    world.hs.revokeTokens(world.aliceId(), { softLogout: true });
    await world.bob.sendText(roomId, 'poke');
    const failed = await eventually('auth-failed status', () => statuses().find((s) => s.state === 'auth-failed'));
    expect(failed.state === 'auth-failed' && failed.reason).toMatch(/Sign in again/);
    expect((await alice.chats()).some((i) => i.origin.kind === 'chat' && i.origin.roomId === roomId)).toBe(true);

    const again = await value(alice.hub.call('accounts.updatePassword', { accountId: view.account.id, password: ALICE_PASSWORD }));
    expect(isAccountOf(again.account, 'matrix') && again.account.settings.deviceId).toBe(deviceId);
    await alice.roomWhere(roomId, 'poke after signing in again', (i) => i.snippet === 'poke');
  });
});

describe('the command line', () => {
  it('adds a Matrix account, sends to a room and replies to an item', async () => {
    const cliProfile = tempProfile('gs-matrix-cli-');
    onTestFinished(() => cliProfile.remove());
    const profile = cliProfile.dir;
    const env = { ...process.env, GROUNDSWELL_PROFILE: profile };
    const added = await runCli(['account', 'add', 'matrix', '--user', world.aliceId(), '--password-stdin'], { stdin: `${ALICE_PASSWORD}\n`, env });
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`Added ${world.aliceId()}`);

    const roomId = await world.bob.createRoom({ name: 'CLI room', preset: 'public_chat' });
    const joined = await runCli(['sync', '--once'], { env });
    expect(joined.code).toBe(0);
    // Alice is not in the room yet: sending must say so.
    const notIn = await runCli(['send', roomId, '--text-stdin'], { stdin: 'hi', env });
    expect(notIn.code).toBe(1);
    expect(notIn.stderr).toMatch(/No chat account here is in/);

    await world.bob.invite(roomId, world.aliceId());
    await runCli(['sync', '--once'], { env });
    const list = JSON.parse((await runCli(['inbox', '--json', '--source', 'chat'], { env })).stdout) as { id: string; origin: { roomId: string } }[];
    const item = list.find((i) => i.origin.roomId === roomId)!;
    expect(item).toBeDefined();
    // Accepted on her phone; the CLI hears of it on the next sync.
    const phone = await world.hs.login('alice', ALICE_PASSWORD);
    await createRawClient(world.hs.baseUrl, phone.accessToken).join(roomId);

    const question = await world.bob.sendText(roomId, 'who is on call?');
    const sent = await runCli(['send', roomId, '--text-stdin'], { stdin: 'hello from the **terminal**\n', env });
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    await runCli(['sync', '--once'], { env });
    const replied = await runCli(['reply', item.id, '--text-stdin'], { stdin: 'me', env });
    expect(replied.stderr).toBe('');
    expect(replied.code).toBe(0);

    const chunk = (await world.bob.messages(roomId, { dir: 'b', limit: 10 }))['chunk'] as { sender: string; content: Record<string, unknown> }[];
    const fromAlice = chunk.filter((m) => m.sender === world.aliceId() && m.content['msgtype'] === 'm.text');
    expect(fromAlice.map((m) => m.content['body'])).toEqual(['me', 'hello from the **terminal**']);
    expect(fromAlice[1]!.content['formatted_body']).toBe('<p>hello from the <strong>terminal</strong></p>');
    expect(fromAlice[0]!.content['m.relates_to']).toEqual({ 'm.in_reply_to': { event_id: question } });
  });
});
