/**
 * Matrix through the whole hub against the spec homeserver in tests/support/homeserver: alice uses
 * Groundswell, bob talks raw HTTP, and each test checks what both of them see.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatTimeline, HubEvents } from '../../src-shared/api.ts';
import type { AccountView, InboxItem } from '../../src-shared/domain.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { matrixConnectorKind } from '../../src-main/hub/connector-registry.ts';
import { createRawClient, startHomeserver, type Homeserver, type RawClient } from '../support/homeserver/index.ts';
import { testKeychain } from '../support/keychain.ts';
import { tempProfile, type TempProfile } from '../support/profile.ts';

const ALICE_PASSWORD = 'alice-secret-Zq81';
const keychain = testKeychain();
let hs: Homeserver;
let bob: RawClient;
let profile: TempProfile;
let hub: Hub;
let events: { name: string; payload: unknown }[];

beforeAll(async () => {
  hs = await startHomeserver({ serverName: 'address' });
  await hs.registerUser('alice', ALICE_PASSWORD);
  const b = await hs.registerUser('bob', 'bob-pass');
  bob = createRawClient(hs.baseUrl, b.accessToken);
  await bob.request('PUT', `/_matrix/client/v3/profile/${encodeURIComponent(b.userId)}/displayname`, { displayname: 'Bob Builder' });
});

afterAll(async () => {
  await hs.stop();
  await keychain.clear();
});

beforeEach(() => {
  profile = tempProfile('gs-matrix-');
  events = [];
  openHub();
});

afterEach(async () => {
  await hub?.dispose();
  profile?.remove();
});

function openHub(): Hub {
  hub = Hub.open({ profileDir: profile.dir, secrets: keychain.secrets, connectors: { matrix: matrixConnectorKind() } });
  hub.on((name, payload) => events.push({ name, payload }));
  return hub;
}

async function value<T>(promise: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const result = await promise;
  if (!result.ok) throw new Error(`call failed: ${result.error.message}`);
  return result.value;
}

const alice = () => `@alice:${hs.serverName}`;

async function addAlice(): Promise<AccountView> {
  return value(hub.call('accounts.addMatrix', { userId: alice(), password: ALICE_PASSWORD }));
}

async function chats(): Promise<InboxItem[]> {
  return (await value(hub.call('inbox.list', { source: 'chat', limit: 100 }))).items;
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const room = (title: string) => waitFor(`room ${title}`, async () => (await chats()).find((i) => i.title === title));

async function timeline(itemId: string): Promise<ChatTimeline> {
  return value(hub.call('chat.timeline', { itemId }));
}

describe('a Matrix account in the hub', () => {
  it('finds the homeserver through .well-known, keeps only the token, and names the device', async () => {
    const view = await addAlice();
    expect(view.account.kind).toBe('matrix');
    if (view.account.kind !== 'matrix') return;
    expect(view.account.settings.homeserverUrl).toBe(hs.baseUrl);
    expect(view.account.settings.userId).toBe(alice());
    const device = [...hs.state.sessions.values()].find((s) => s.deviceId === (view.account.kind === 'matrix' ? view.account.settings.deviceId : ''));
    expect(device).toBeDefined();
    const secret = await keychain.secrets.getPassword(view.account.id);
    expect(secret).not.toContain(ALICE_PASSWORD);
    expect(JSON.parse(secret!).accessToken).toBeTruthy();
    // Neither the password nor the token is anywhere in the profile.
    const token = JSON.parse(secret!).accessToken as string;
    for (const file of walk(profile.dir)) {
      const text = readFileSync(file).toString('latin1');
      expect(text.includes(ALICE_PASSWORD), file).toBe(false);
      expect(text.includes(token), file).toBe(false);
    }
  });

  it('refuses a wrong password with the password field and saves nothing', async () => {
    const result = await hub.call('accounts.addMatrix', { userId: alice(), password: 'wrong' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('auth-failed');
    expect(result.error.field).toBe('password');
    expect(result.error.message).not.toContain('wrong');
    expect(await value(hub.call('accounts.list', {}))).toEqual([]);
  });

  it('shows rooms with their names and latest message, DMs by the other person, and sends replies bob receives', async () => {
    const view = await addAlice();
    hub.startConnectors();
    const roomId = await bob.createRoom({ name: 'Release planning', preset: 'private_chat', invite: [alice()] });
    const invite = await room('Release planning');
    expect(invite.origin.kind === 'chat' && invite.origin.membership).toBe('invite');
    expect(invite.snippet).toContain('Bob Builder');
    await value(hub.call('chat.respondToInvite', { itemId: invite.id, accept: true }));
    await waitFor('joined', async () => (await room('Release planning')).origin.kind === 'chat' && (await room('Release planning')).origin.membership === undefined);

    const first = await bob.sendText(roomId, 'Ship on Friday?');
    const item = await waitFor('bob message', async () => {
      const found = await room('Release planning');
      return found.snippet === 'Ship on Friday?' ? found : undefined;
    });
    expect(item.sender).toBe('Bob Builder');
    expect(item.unread).toBe(true);
    expect(item.origin.kind === 'chat' && item.origin.unreadCount).toBe(1);

    const shown = await timeline(item.id);
    expect(shown.messages.map((m) => [m.senderName, m.body])).toContainEqual(['Bob Builder', 'Ship on Friday?']);

    await value(hub.call('chat.send', { itemId: item.id, text: 'Yes, *Friday* it is', replyToId: first }));
    const received = await waitFor('bob sees the reply', async () => {
      const messages = (await bob.messages(roomId, { dir: 'b', limit: 5 }))['chunk'] as { sender: string; content: Record<string, unknown> }[];
      return messages.find((m) => m.sender === alice() && m.content['msgtype'] === 'm.text');
    });
    expect(received.content['body']).toBe('Yes, *Friday* it is');
    expect(received.content['formatted_body']).toBe('<p>Yes, <em>Friday</em> it is</p>');
    expect(received.content['m.relates_to']).toEqual({ 'm.in_reply_to': { event_id: first } });

    const dmId = await bob.createRoom({ preset: 'trusted_private_chat', is_direct: true, invite: [alice()] });
    const dm = await waitFor('dm invite', async () => (await chats()).find((i) => i.origin.kind === 'chat' && i.origin.roomId === dmId));
    await value(hub.call('chat.respondToInvite', { itemId: dm.id, accept: true }));
    await bob.sendText(dmId, 'psst');
    const named = await waitFor('dm named after bob', async () => {
      const found = (await chats()).find((i) => i.id === dm.id);
      return found?.snippet === 'psst' ? found : undefined;
    });
    expect(named.title).toBe('Bob Builder');
    expect(view.account.id).toBe(named.accountId);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

export type { HubEvents };
