/**
 * Triage of rooms through the hub against the spec homeserver, read back with alice's own raw
 * client (a second device, as another Groundswell or Element would see it): the m.favourite tag
 * both ways, done and snooze as room account data both ways, a done room coming back on a new
 * message, and delete leaving the room only once confirmed.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { InboxItem, TriageView } from '../../src-shared/domain.ts';
import { createRawClient, type RawClient } from '../support/homeserver/index.ts';
import { AliceHub, eventually, startMatrixWorld, value, type MatrixWorld } from '../support/matrix-world.ts';

let world: MatrixWorld;
let alice: AliceHub;
let aliceRaw: RawClient;

beforeAll(async () => {
  world = await startMatrixWorld();
});
afterAll(async () => {
  await world.stop();
});
beforeEach(async () => {
  alice = new AliceHub(world);
  const view = await alice.signIn();
  const secret = await world.keychain.secrets.getPassword(view.account.id);
  aliceRaw = createRawClient(world.hs.baseUrl, (JSON.parse(secret ?? '{}') as { accessToken: string }).accessToken);
  alice.hub.startConnectors();
});
afterEach(async () => {
  await alice.dispose();
});

const path = (roomId: string, rest: string) => `/_matrix/client/v3/user/${encodeURIComponent(world.aliceId())}/rooms/${encodeURIComponent(roomId)}/${rest}`;

async function inView(view: TriageView, roomId: string): Promise<InboxItem | undefined> {
  const { items } = await value(alice.hub.call('inbox.list', { view, source: 'chat', limit: 200 }));
  return items.find((i) => i.origin.kind === 'chat' && i.origin.roomId === roomId);
}

const triage = (itemIds: string[], action: 'done' | 'undone' | 'star' | 'unstar' | 'snooze' | 'delete', extra: { until?: number; confirm?: boolean } = {}) =>
  value(alice.hub.call('items.triage', { itemIds, action, ...extra }));

describe('room triage on the homeserver', () => {
  it('stars as the m.favourite tag, and shows a tag set on another device as a star', async () => {
    const { roomId, item } = await alice.sharedRoom({ name: 'Design' });
    await triage([item.id], 'star');
    expect((await aliceRaw.request('GET', path(roomId, 'tags'))).body).toEqual({ tags: { 'm.favourite': {} } });
    await triage([item.id], 'unstar');
    expect((await aliceRaw.request('GET', path(roomId, 'tags'))).body).toEqual({ tags: {} });

    const other = await alice.sharedRoom({ name: 'Ops' });
    await aliceRaw.request('PUT', path(other.roomId, 'tags/m.favourite'), {});
    await eventually('the tag from another device', async () => (await inView('starred', other.roomId))?.starred);
  });

  it('marks a room done in account data, and brings it back when a new message arrives', async () => {
    const { roomId, item } = await alice.sharedRoom({ name: 'Release' });
    await world.bob.sendText(roomId, 'first');
    const latest = await alice.roomWhere(roomId, 'the message', (i) => i.snippet === 'first');
    await triage([latest.id], 'done');
    const stored = await aliceRaw.request('GET', path(roomId, 'account_data/org.groundswell.done'));
    expect(stored.body).toEqual({ event_id: latest.origin.kind === 'chat' ? latest.origin.eventId : '', ts: latest.timestamp });
    expect(await inView('inbox', roomId)).toBeUndefined();
    expect((await inView('done', roomId))?.id).toBe(item.id);

    await world.bob.sendText(roomId, 'something new');
    const back = await eventually('the room back in the Inbox', () => inView('inbox', roomId));
    expect(back).toMatchObject({ id: item.id, done: false, snippet: 'something new' });
  });

  it('agrees with another Groundswell that marked the room done, and follows it taking that back', async () => {
    const { roomId, item } = await alice.sharedRoom({ name: 'Elsewhere' });
    await world.bob.sendText(roomId, 'hello');
    const latest = await alice.roomWhere(roomId, 'the message', (i) => i.snippet === 'hello');
    const eventId = latest.origin.kind === 'chat' ? latest.origin.eventId : '';
    await aliceRaw.setRoomAccountData(world.aliceId(), roomId, 'org.groundswell.done', { event_id: eventId, ts: latest.timestamp });
    await eventually('done from another device', async () => (await inView('done', roomId))?.id === item.id);
    await aliceRaw.setRoomAccountData(world.aliceId(), roomId, 'org.groundswell.done', {});
    await eventually('back from another device', async () => (await inView('inbox', roomId))?.id === item.id);
  });

  it('keeps a snooze as account data with the wake time', async () => {
    const { roomId, item } = await alice.sharedRoom({ name: 'Later' });
    const until = Date.now() + 3_600_000;
    await triage([item.id], 'snooze', { until });
    expect((await aliceRaw.request('GET', path(roomId, 'account_data/org.groundswell.snooze'))).body).toEqual({ until });
    expect((await inView('snoozed', roomId))?.snoozedUntil).toBe(until);
  });

  it('leaves the room on delete only once confirmed', async () => {
    const { roomId, item } = await alice.sharedRoom({ name: 'Old project' });
    const refused = await alice.hub.call('items.triage', { itemIds: [item.id], action: 'delete' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatchObject({ code: 'invalid-input', field: 'confirm' });
    expect(world.hs.state.rooms.get(roomId)?.membership(world.aliceId())).toBe('join');
    await triage([item.id], 'delete', { confirm: true });
    expect(world.hs.state.rooms.get(roomId)?.membership(world.aliceId())).toBe('leave');
    expect(await inView('all', roomId)).toBeUndefined();
  });
});
