/**
 * Two people on the spec homeserver: alice uses Groundswell (a real Hub on a temporary profile, her
 * token in the test keychain), bob talks raw HTTP. Tests ask what each of them sees.
 */
import type { ChatTimeline } from '../../src-shared/api.ts';
import type { AccountView, InboxItem } from '../../src-shared/domain.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { matrixKind } from '../../src-main/connectors/matrix/kind.ts';
import { createRawClient, startHomeserver, type Homeserver, type RawClient } from './homeserver/index.ts';
import { testKeychain, type TestKeychain } from './keychain.ts';
import { tempProfile, type TempProfile } from './profile.ts';

export const ALICE_PASSWORD = 'alice-secret-Zq81';

export interface MatrixWorld {
  hs: Homeserver;
  bob: RawClient;
  bobId: string;
  keychain: TestKeychain;
  aliceId(): string;
  stop(): Promise<void>;
}

export async function startMatrixWorld(): Promise<MatrixWorld> {
  const hs = await startHomeserver({ serverName: 'address' });
  await hs.registerUser('alice', ALICE_PASSWORD);
  const registered = await hs.registerUser('bob', 'bob-pass');
  const bob = createRawClient(hs.baseUrl, registered.accessToken);
  await bob.request('PUT', `/_matrix/client/v3/profile/${encodeURIComponent(registered.userId)}/displayname`, { displayname: 'Bob Builder' });
  const keychain = testKeychain();
  return {
    hs,
    bob,
    bobId: registered.userId,
    keychain,
    aliceId: () => `@alice:${hs.serverName}`,
    stop: async () => {
      await hs.stop();
      await keychain.clear();
    },
  };
}

type CallResult<T> = Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>;

export async function value<T>(promise: CallResult<T>): Promise<T> {
  const result = await promise;
  if (!result.ok) throw new Error(`call failed: ${result.error.message}`);
  return result.value;
}

export async function eventually<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Alice's Groundswell: a hub on its own profile, with helpers for what she sees. */
export class AliceHub {
  readonly world: MatrixWorld;
  readonly profile: TempProfile;
  hub: Hub;
  readonly events: { name: string; payload: unknown }[] = [];

  constructor(world: MatrixWorld, profile: TempProfile = tempProfile('gs-matrix-')) {
    this.world = world;
    this.profile = profile;
    this.hub = this.open();
  }

  open(): Hub {
    this.hub = Hub.open({ profileDir: this.profile.dir, secrets: this.world.keychain.secrets, kinds: [matrixKind] });
    this.hub.on((name, payload) => this.events.push({ name, payload }));
    return this.hub;
  }

  async restart(): Promise<void> {
    await this.hub.dispose();
    this.open();
    this.hub.startConnectors();
  }

  async dispose(removeProfile = true): Promise<void> {
    await this.hub.dispose();
    if (removeProfile) this.profile.remove();
  }

  signIn(): Promise<AccountView> {
    return value(this.hub.call('accounts.add', { kind: 'matrix', input: { userId: this.world.aliceId(), password: ALICE_PASSWORD } }));
  }

  async chats(): Promise<InboxItem[]> {
    return (await value(this.hub.call('inbox.list', { source: 'chat', limit: 200 }))).items;
  }

  room(roomId: string, what = roomId): Promise<InboxItem> {
    return eventually(what, async () => (await this.chats()).find((i) => i.origin.kind === 'chat' && i.origin.roomId === roomId));
  }

  /** Waits until the room's row satisfies `check`. */
  roomWhere(roomId: string, what: string, check: (item: InboxItem) => boolean): Promise<InboxItem> {
    return eventually(what, async () => (await this.chats()).find((i) => i.origin.kind === 'chat' && i.origin.roomId === roomId && check(i)));
  }

  timeline(itemId: string, older = false): Promise<ChatTimeline> {
    return value(this.hub.call('chat.timeline', { itemId, older }));
  }

  /** Bob makes a room and invites alice; she accepts in Groundswell. */
  async sharedRoom(body: Record<string, unknown> = {}): Promise<{ roomId: string; item: InboxItem }> {
    const roomId = await this.world.bob.createRoom({ preset: 'private_chat', ...body, invite: [this.world.aliceId()] });
    const invite = await this.room(roomId, 'the invitation');
    await value(this.hub.call('chat.respondToInvite', { itemId: invite.id, accept: true }));
    const item = await this.roomWhere(roomId, 'the joined room', (i) => i.origin.kind === 'chat' && i.origin.membership === undefined);
    return { roomId, item };
  }
}
