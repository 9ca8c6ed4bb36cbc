/**
 * The other side of an encrypted conversation: a plain matrix-js-sdk client with Rust crypto (in
 * memory), as another person's app or the user's own second device would be. Tests drive it
 * directly: create encrypted rooms, send, read what it decrypted.
 */
import { createClient, MsgType } from 'matrix-js-sdk';
import type { MatrixClient, MatrixEvent } from 'matrix-js-sdk';
import { silenceSdkConsoleLogging } from '../../src-main/connectors/matrix/sdk-logging.ts';
import type { Homeserver } from './homeserver/index.ts';
import { eventually } from './matrix-world.ts';

silenceSdkConsoleLogging();

export const ENCRYPTION_STATE = { type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } };

export interface SdkPeer {
  client: MatrixClient;
  userId: string;
  deviceId: string;
  /** Creates an encrypted room and invites `userIds`. */
  createEncryptedRoom(userIds: string[], name?: string): Promise<string>;
  /** Sends an encrypted text message once `userId` is joined; resolves to the event id. */
  sendText(roomId: string, body: string): Promise<string>;
  /** The clear body of an event this peer decrypted, once it has. */
  decryptedBody(roomId: string, eventId: string, timeoutMs?: number): Promise<string>;
  stop(): void;
}

/** `eventually`, with the longer patience crypto round trips need. */
export function waitUntil<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  return eventually(what, probe, timeoutMs);
}

/** Signs in (a new device each time) and starts syncing with crypto; resolves once keys are published. */
export async function startSdkPeer(hs: Homeserver, user: string, password: string): Promise<SdkPeer> {
  const login = await hs.login(user, password);
  const client = createClient({ baseUrl: hs.baseUrl, userId: login.userId, accessToken: login.accessToken, deviceId: login.deviceId });
  await client.initRustCrypto({ useIndexedDB: false });
  await client.startClient({ initialSyncLimit: 20 });
  await waitUntil(`${login.userId}'s device keys on the server`, () => hs.state.e2ee.deviceKeys.get(login.userId)?.has(login.deviceId));
  return {
    client,
    userId: login.userId,
    deviceId: login.deviceId,
    async createEncryptedRoom(userIds, name) {
      const { room_id: roomId } = await client.createRoom({ invite: userIds, ...(name ? { name } : {}), initial_state: [ENCRYPTION_STATE] });
      await waitUntil('the room in the peer’s sync', () => client.getRoom(roomId));
      return roomId;
    },
    async sendText(roomId, body) {
      const { event_id: eventId } = await client.sendMessage(roomId, { msgtype: MsgType.Text, body });
      return eventId;
    },
    decryptedBody(roomId, eventId, timeoutMs = 30_000) {
      return waitUntil(
        `the peer to decrypt ${eventId}`,
        () => {
          const event: MatrixEvent | undefined = client.getRoom(roomId)?.findEventById(eventId);
          const body = event && !event.isDecryptionFailure() ? event.getClearContent()?.['body'] : undefined;
          return typeof body === 'string' ? body : undefined;
        },
        timeoutMs,
      );
    },
    stop() {
      client.stopClient();
    },
  };
}
