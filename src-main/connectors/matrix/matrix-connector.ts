/**
 * A Matrix account: matrix-js-sdk syncs in the hub (plain Node), its sync state persisted through
 * the hub's cursor so a restart resumes where it stopped, and every room the user is in or invited
 * to kept as one inbox row. The reading pane's timeline, sending, receipts and invitations go
 * through the same client. End-to-end encryption runs in the same client, its keys in the account's
 * durable crypto store (device-crypto.ts); encrypted rooms read and write like any other.
 */
import {
  ClientEvent,
  createClient,
  Direction,
  EventStatus,
  EventTimeline,
  EventType,
  HttpApiEvent,
  MatrixError,
  MatrixEventEvent,
  NotificationCountType,
  PendingEventOrdering,
  RoomEvent,
  RoomMemberEvent,
  SyncState,
} from 'matrix-js-sdk';
import type { SyncStateData, MatrixClient, MatrixEvent, Room, RoomMember } from 'matrix-js-sdk';
import type { ISyncData } from 'matrix-js-sdk/lib/sync-accumulator.js';
import { CryptoEvent } from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { InboxItem, ItemDetail, MatrixSettings } from '../../../src-shared/domain.ts';
import { ConnectorError } from '../connector.ts';
import type { ChatConnector, Connector, ConnectorContext, ConnectorTimeline, EncryptionConnector } from '../connector.ts';
import { AttachmentError, decryptAttachment, sniffImageType } from './attachments.ts';
import type { EncryptedFile } from './attachments.ts';
import { composeText } from './compose.ts';
import type { DurableIndexedDb } from './crypto-store/durable-indexeddb.ts';
import { SecretStorageKeys, startDeviceCrypto } from './device-crypto.ts';
import { createEncryption, setUpCrossSigningIfNew, Verifications } from './encryption.ts';
import { parseSession } from './matrix-session.ts';
import { roomItem, ROOM_SCOPE } from './room-item.ts';
import { createRoomTriage } from './room-triage.ts';
import type { RoomFacts } from './room-item.ts';
import { SavedSyncStore } from './saved-sync-store.ts';
import { finishDecryptions, sendOutgoingRequests } from './settle.ts';
import { sdkLogger, silenceSdkConsoleLogging } from './sdk-logging.ts';
import { boundedName, timelineMessages } from './timeline.ts';

const SYNC_CURSOR = 'sync';
export const INITIAL_SYNC_LIMIT = 20;
const PAGE_SIZE = 30;
/** After a limited sync, history is fetched back to what was last seen, but never more than this. */
const GAP_FILL_PAGES = 5;
const TYPING_TIMEOUT_MS = 5_000;
const SYNC_WAIT_MS = 60_000;
const SEND_DRAIN_MS = 15_000;
const FIRST_SYNC_DRAIN_MS = 5_000;
const DECRYPTED_FLUSH_MS = 20;
const MAX_DECRYPT_WAIT_MS = 5_000;
/** How long stopping waits for the crypto's key uploads and to-device messages to go out. */
const SETTLE_OUTGOING_MS = 10_000;
/** Keys of encrypted images seen in timelines, kept so their media can be decrypted when shown. */
const MAX_ENCRYPTED_FILES = 2_000;

silenceSdkConsoleLogging();

/** Errors in words the status line and a toast can show; never the token. */
export function toConnectorError(error: unknown, doing: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  if (error instanceof MatrixError) {
    if (error.errcode === 'M_UNKNOWN_TOKEN' || error.httpStatus === 401) {
      return new ConnectorError('auth-failed', 'The homeserver ended this session. Sign in again; your rooms and messages stay here.', { cause: error });
    }
    if (error.errcode === 'M_FORBIDDEN') return new ConnectorError('invalid-input', `The homeserver refused to ${doing}: ${error.data.error ?? 'forbidden'}.`, { cause: error });
    if (error.errcode === 'M_NOT_FOUND') return new ConnectorError('not-found', `The homeserver does not know that room or message (${doing}).`, { cause: error });
    if (error.errcode === 'M_LIMIT_EXCEEDED') return new ConnectorError('connection-failed', `The homeserver is limiting requests; try again in a moment (${doing}).`, { cause: error });
    return new ConnectorError('protocol', `The homeserver could not ${doing} (${error.errcode ?? `HTTP ${error.httpStatus ?? '?'}`}).`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectorError('connection-failed', `Could not ${doing}: ${message.slice(0, 200)}. Check the connection to the homeserver.`, { cause: error });
}

interface Running {
  client: MatrixClient;
  store: SavedSyncStore;
  cryptoStore: DurableIndexedDb;
  verifications: Verifications;
  /** Resolves once a sync with the server (not just the saved state) has been processed. */
  synced: Promise<void>;
  /** Resolves when the first sync request was answered either way. */
  firstAnswer: Promise<void>;
  /** A sync with the server was processed, and the last one did not fail: there is someone to send to. */
  reachable(): boolean;
  detach: () => void;
}

export function createMatrixConnector(ctx: ConnectorContext<MatrixSettings>): Connector & { chat: ChatConnector; encryption: EncryptionConnector } {
  const account = ctx.account;
  const settings = account.settings;
  let running: Promise<Running> | undefined;
  let stopped = true;
  /** A shutdown began: work that would outlive the client must not start (a one-shot sync is not "stopped" until then). */
  let closing = false;
  let authFailed = false;
  const dirtyRooms = new Set<string>();
  /** Rooms whose timeline a limited sync reset, with the time of the newest message stored before it. */
  const gaps = new Map<string, number>();
  /**
   * Rooms read here, with their newest event then, whose server counts have not caught up yet: they
   * stay read in the meantime, unless a newer message arrived.
   */
  const readLocally = new Map<string, string | undefined>();
  /** The last sync was a live one (not the first, not a catch-up): what it brings is fresh. */
  let liveSync = false;
  const decryptingSince = new Map<string, number>();
  /** Rooms marked unread through this connector, whose flag must be cleared when they are read. */
  const markedUnreadHere = new Set<string>();
  const secretStorageKeys = new SecretStorageKeys();
  /** mxc → the key and hash of an encrypted image, learnt from the timelines drawn. */
  const encryptedFiles = new Map<string, EncryptedFile>();
  const rememberFile = (file: EncryptedFile) => {
    encryptedFiles.delete(file.url);
    encryptedFiles.set(file.url, file);
    if (encryptedFiles.size > MAX_ENCRYPTED_FILES) encryptedFiles.delete(encryptedFiles.keys().next().value!);
  };

  /** Destroys the crypto store of a device the server ended, and drops its id so the next sign-in makes a new one. */
  const forgetDevice = async (cryptoStore: DurableIndexedDb) => {
    const { deviceId: _ended, ...rest } = settings;
    ctx.updateSettings(rest);
    try {
      // The client was stopped just before; commits it still had queued fail instead of landing.
      await cryptoStore.destroy();
      ctx.log.info('device signed out by the server; its crypto store was deleted');
    } catch (error) {
      ctx.log.warn('could not delete the crypto store of a signed-out device', { error: String(error) });
    }
  };

  const launch = (): Promise<Running> => {
    running ??= open().catch((error: unknown) => {
      running = undefined;
      throw error;
    });
    return running;
  };

  const open = async (): Promise<Running> => {
    closing = false;
    const session = parseSession(await ctx.readSecret());
    const store = new SavedSyncStore({
      load: () => ctx.readCursor<ISyncData>(SYNC_CURSOR),
      save: (data) => ctx.writeCursor(SYNC_CURSOR, data),
    });
    await store.startup();
    const client = createClient({
      baseUrl: settings.homeserverUrl,
      userId: settings.userId,
      accessToken: session.accessToken,
      ...(settings.deviceId ? { deviceId: settings.deviceId } : {}),
      store,
      timelineSupport: false,
      useAuthorizationHeader: true,
      logger: sdkLogger(ctx.log),
      cryptoCallbacks: secretStorageKeys.callbacks,
    });
    const cryptoStore = await startDeviceCrypto(client, ctx);
    const signInPassword = ctx.takeSignInPassword();
    const verifications = new Verifications(() => ctx.securityChanged(), ctx.log);
    let everSynced = false;
    let markSynced: () => void = () => undefined;
    let failSynced: (error: unknown) => void = () => undefined;
    const synced = new Promise<void>((resolve, reject) => {
      markSynced = () => {
        everSynced = true;
        resolve();
      };
      failSynced = reject;
    });
    synced.catch(() => undefined);
    let answered: () => void = () => undefined;
    const firstAnswer = new Promise<void>((resolve) => (answered = resolve));

    const onSync = (state: SyncState, _previous: SyncState | null, data?: SyncStateData) => {
      if (!data?.fromCache) answered();
      switch (state) {
        case SyncState.Prepared:
        case SyncState.Syncing:
        case SyncState.Catchup:
          if (state === SyncState.Prepared) for (const room of client.getRooms()) dirtyRooms.add(room.roomId);
          liveSync = state === SyncState.Syncing && !data?.catchingUp;
          flush(client, { live: liveSync });
          if (!data?.fromCache) {
            markSynced();
            if (!authFailed) ctx.status({ state: 'online', since: Date.now() });
          }
          break;
        case SyncState.Reconnecting:
        case SyncState.Error:
          if (authFailed) break;
          ctx.status({
            state: 'offline',
            reason: `The homeserver cannot be reached${data?.error ? ` (${data.error.message.slice(0, 120)})` : ''}. Groundswell keeps trying.`,
            nextRetryAt: Date.now() + 5_000,
          });
          if (state === SyncState.Error) failSynced(toConnectorError(data?.error ?? new Error('sync failed'), 'sync'));
          break;
        default:
          break;
      }
    };
    const onLoggedOut = (error: MatrixError) => {
      authFailed = true;
      const failure = toConnectorError(error, 'sync');
      failSynced(failure);
      client.stopClient();
      if (error.data['soft_logout'] === true) {
        ctx.status({ state: 'auth-failed', reason: failure.message });
        return;
      }
      // A hard logout: the device is gone (signed out from another device, or by the server). Its
      // keys are useless now, and reusing its id would announce keys the server no longer has.
      ctx.status({
        state: 'auth-failed',
        reason: 'This device was signed out (from another of your devices, or by the homeserver). Sign in again to start a new device; your rooms stay here, and a key backup restores encrypted history.',
      });
      void forgetDevice(cryptoStore);
    };
    const touch = (roomId: string | undefined) => {
      if (!roomId) return;
      dirtyRooms.add(roomId);
      ctx.chatChanged([roomId]);
    };
    const onTimeline = (event: MatrixEvent, room: Room | undefined) => touch(room?.roomId ?? event.getRoomId());
    const onRoom = (room: Room) => touch(room.roomId);
    const onEcho = (_event: MatrixEvent, room: Room) => {
      touch(room.roomId);
      flush(client);
    };
    const onTyping = (_event: MatrixEvent, member: RoomMember) => ctx.chatChanged([member.roomId]);
    const onReset = (room: Room | undefined) => {
      const stored = room ? ctx.knownItems(ROOM_SCOPE).get(room.roomId) : undefined;
      if (room && stored && !gaps.has(room.roomId)) gaps.set(room.roomId, stored.timestamp);
    };
    const onAccountData = (event: MatrixEvent) => {
      if (event.getType() !== EventType.Direct) return;
      for (const room of client.getRooms()) dirtyRooms.add(room.roomId);
    };

    client.on(ClientEvent.Sync, onSync);
    client.on(HttpApiEvent.SessionLoggedOut, onLoggedOut);
    client.on(ClientEvent.Room, onRoom);
    client.on(ClientEvent.AccountData, onAccountData);
    client.on(RoomEvent.Timeline, onTimeline);
    client.on(RoomEvent.Receipt, (_event, room) => touch(room.roomId));
    client.on(RoomEvent.Name, onRoom);
    client.on(RoomEvent.AccountData, (_event, room) => touch(room.roomId));
    client.on(RoomEvent.Tags, (_event, room) => touch(room.roomId));
    client.on(RoomEvent.MyMembership, onRoom);
    client.on(RoomEvent.Redaction, (_event, room) => touch(room.roomId));
    client.on(RoomEvent.LocalEchoUpdated, onEcho);
    client.on(RoomEvent.TimelineReset, onReset);
    client.on(RoomMemberEvent.Typing, onTyping);
    // Decryption finishes after the sync that brought the event (or when its keys arrive later), so
    // the rows it changes are flushed on their own, a burst of them at once.
    let decryptedFlush: NodeJS.Timeout | undefined;
    client.on(MatrixEventEvent.Decrypted, (event) => {
      touch(event.getRoomId());
      decryptedFlush ??= setTimeout(() => {
        decryptedFlush = undefined;
        if (!stopped) flush(client, { live: liveSync });
      }, DECRYPTED_FLUSH_MS);
    });
    const securityChanged = () => ctx.securityChanged();
    client.on(CryptoEvent.DevicesUpdated, securityChanged);
    client.on(CryptoEvent.UserTrustStatusChanged, securityChanged);
    client.on(CryptoEvent.KeyBackupStatus, securityChanged);
    client.on(CryptoEvent.KeysChanged, securityChanged);
    const detachVerifications = verifications.attach(client);
    // Tracked like a send, so stopping waits for it instead of freeing the crypto under it. The
    // device's own keys go up first: the server refuses a signature on a device it does not know yet.
    synced.then(
      () => {
        if (closing || signInPassword === undefined) return;
        const crossSigning = sendOutgoingRequests(client, Date.now() + SETTLE_OUTGOING_MS).then(() => setUpCrossSigningIfNew(client, signInPassword, ctx.log));
        track(crossSigning.finally(securityChanged));
      },
      () => undefined,
    );

    const firstSync = (await store.getSavedSyncToken()) === null;
    if (firstSync) ctx.status({ state: 'syncing', done: 0, total: 1 });
    else ctx.status({ state: 'connecting' });
    try {
      await client.startClient({
        initialSyncLimit: INITIAL_SYNC_LIMIT,
        lazyLoadMembers: true,
        pendingEventOrdering: PendingEventOrdering.Detached,
        disablePresence: true,
      });
    } catch (error) {
      client.stopClient();
      await cryptoStore.close().catch(() => undefined);
      throw error;
    }
    return {
      client,
      store,
      cryptoStore,
      verifications,
      synced,
      firstAnswer,
      reachable: () => {
        const state = client.getSyncState();
        return everSynced && !authFailed && state !== null && state !== SyncState.Error && state !== SyncState.Reconnecting && state !== SyncState.Stopped;
      },
      detach: () => {
        clearTimeout(decryptedFlush);
        detachVerifications();
        client.removeAllListeners();
      },
    };
  };

  /**
   * The rows of every room a sync touched since the last flush, and the gaps it left to fill. A
   * room whose newest message arrived in a live sync (not the first one, not a catch-up) is reported
   * `fresh`; the hub's rules decide whether that notifies.
   */
  const flush = (client: MatrixClient, options: { live: boolean; settled?: boolean } = { live: false }) => {
    if (dirtyRooms.size === 0) return;
    const direct = directRooms(client);
    const stored = ctx.knownItems(ROOM_SCOPE);
    const upserts = [];
    const removed: string[] = [];
    const stillDecrypting: string[] = [];
    for (const roomId of dirtyRooms) {
      const room = client.getRoom(roomId);
      // The row (and any notification) waits for the newest message to be decrypted: it comes with
      // MatrixEventEvent.Decrypted, success or failure, and is flushed then.
      if (room && !options.settled && newestIsDecrypting(room)) {
        const since = decryptingSince.get(roomId) ?? Date.now();
        // Never for long: a row that waits is a room missing from the inbox.
        if (Date.now() - since < MAX_DECRYPT_WAIT_MS) {
          decryptingSince.set(roomId, since);
          stillDecrypting.push(roomId);
          continue;
        }
      }
      decryptingSince.delete(roomId);
      const previous = stored.get(roomId);
      const item = room ? roomItem(client, room, { ...factsOf(room, direct), ...(previous ? { storedUntil: previous.timestamp } : {}) }) : undefined;
      if (!item || item.origin.kind !== 'chat') {
        removed.push(roomId);
        continue;
      }
      const newCount = item.origin.unreadCount ?? 0;
      if (readLocally.has(roomId)) {
        if (newCount === 0 || readLocally.get(roomId) !== item.origin.eventId) readLocally.delete(roomId);
        else item.unread = false;
      }
      const isNew = !previous || item.timestamp > previous.timestamp;
      if (item.attention) item.attention.fresh = options.live && item.unread && (newCount > 0 || item.origin.membership === 'invite') && isNew;
      upserts.push(item);
    }
    dirtyRooms.clear();
    for (const roomId of stillDecrypting) dirtyRooms.add(roomId);
    try {
      if (upserts.length > 0) ctx.upsert(upserts);
      if (removed.length > 0) ctx.remove(removed);
    } catch (error) {
      // The store refused (a full disk; the hub shows why): the rooms stay dirty for the next sync's
      // flush. Thrown from here it would land in the SDK's event loop or a timer and end the process.
      for (const roomId of [...upserts.map((u) => u.externalId), ...removed]) dirtyRooms.add(roomId);
      ctx.log.warn('could not store the rooms', { error });
      return;
    }
    for (const roomId of [...gaps.keys()]) void fillGap(client, roomId);
  };

  /** Pages back until the timeline reaches what was stored before the gap (or there is no more). */
  const fillGap = async (client: MatrixClient, roomId: string) => {
    const storedUntil = gaps.get(roomId);
    gaps.delete(roomId);
    const room = client.getRoom(roomId);
    if (!room || storedUntil === undefined) return;
    for (let page = 0; page < GAP_FILL_PAGES; page++) {
      const oldest = room.getLiveTimeline().getEvents()[0];
      if ((oldest && oldest.getTs() <= storedUntil) || room.getLiveTimeline().getPaginationToken(Direction.Backward) === null) break;
      try {
        await loadOlderPage(client, room);
      } catch (error) {
        ctx.log.debug('could not fill a timeline gap', { error: String(error) });
        break;
      }
    }
    dirtyRooms.add(roomId);
    flush(client);
    ctx.chatChanged([roomId]);
  };

  const factsOf = (room: Room, direct: Set<string>): RoomFacts => ({
    direct: direct.has(room.roomId) || room.getDMInviter() !== undefined,
    markedUnread: room.getAccountData('m.marked_unread')?.getContent()['unread'] === true,
  });

  /** The client, synced with the server at least once. */
  const ready = async (): Promise<MatrixClient> => {
    const { client, synced } = await launch();
    await withTimeout(synced, SYNC_WAIT_MS, 'The homeserver did not answer the first sync within a minute.');
    return client;
  };

  const roomOf = async (externalId: string): Promise<{ client: MatrixClient; room: Room }> => {
    const client = await ready();
    const room = client.getRoom(externalId);
    if (!room) throw new ConnectorError('not-found', 'This room is no longer on the account (you may have left it).');
    return { client, room };
  };

  /** Sends under way: stopping waits for them (a while), so quitting right after Send loses nothing. */
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    promise.then(
      () => inFlight.delete(promise),
      () => inFlight.delete(promise),
    );
    return promise;
  };

  const shutdown = async () => {
    closing = true;
    if (inFlight.size > 0) {
      await withTimeout(Promise.allSettled([...inFlight]), SEND_DRAIN_MS, 'sends still under way').catch(() => {
        ctx.log.warn('stopped with messages still sending', { count: inFlight.size });
      });
    }
    const current = running;
    running = undefined;
    if (!current) return;
    const state = await current.catch(() => undefined);
    if (!state) return;
    // matrix-js-sdk leaves an unhandled rejection behind when its very first /sync is aborted, so a
    // stop right after a start lets that one request finish (it does not wait on the server).
    await withTimeout(state.firstAnswer, FIRST_SYNC_DRAIN_MS, 'first sync').catch(() => undefined);
    await settle(state);
    // Saved before the client stops, and sealed: only syncs the crypto has fully handled are saved.
    await state.store.seal().catch((error: unknown) => ctx.log.warn('could not save the sync state', { error: String(error) }));
    state.client.stopClient();
    state.detach();
    // Every key is on disk already (each commit is); closing writes a snapshot so the next start is quick.
    await state.cryptoStore.close().catch((error: unknown) => ctx.log.warn('could not close the crypto store', { error: String(error) }));
  };

  /**
   * What a running hub would have finished by now, before the client stops: rows whose newest
   * message is still being decrypted are stored once it is (or as they are, "waiting for keys"), and
   * the crypto's key uploads and to-device messages go out. A one-shot command exits right after.
   */
  const settle = async ({ client, reachable }: Running) => {
    const rooms = [...dirtyRooms].flatMap((roomId) => client.getRoom(roomId) ?? []);
    const stillDecrypting = await finishDecryptions(rooms, Date.now() + MAX_DECRYPT_WAIT_MS);
    if (stillDecrypting > 0) ctx.log.info('stored rooms whose newest message is still being decrypted', { rooms: stillDecrypting });
    flush(client, { live: false, settled: true });
    if (!reachable()) {
      ctx.log.info('stopping without waiting for encryption requests: the homeserver is not answering; they go out at the next start');
      return;
    }
    const started = Date.now();
    const outgoing = await sendOutgoingRequests(client, started + SETTLE_OUTGOING_MS);
    if (outgoing.state === 'timed-out') {
      ctx.log.warn('stopping with encryption requests unsent (keys, to-device messages); they go out at the next start', { unsent: outgoing.unsent, waitedMs: Date.now() - started });
    } else if (outgoing.state === 'unavailable') {
      ctx.log.warn('cannot wait for encryption requests: this matrix-js-sdk does not expose its request loop; keys may reach the server only at the next start');
    }
  };

  const chat: ChatConnector = {
    async timeline(externalId, options): Promise<ConnectorTimeline> {
      const { client, room } = await roomOf(externalId);
      if (options.older && room.getLiveTimeline().getPaginationToken(Direction.Backward) !== null) {
        await loadOlderPage(client, room).catch((error: unknown) => {
          throw toConnectorError(error, 'load older messages');
        });
      }
      // A search hit further back than the timeline reaches: page back to it, a bounded number of pages.
      for (let page = 0; options.around !== undefined && page < AROUND_PAGES; page++) {
        if (room.getLiveTimeline().getEvents().some((e) => e.getId() === options.around)) break;
        if (room.getLiveTimeline().getPaginationToken(Direction.Backward) === null) break;
        await loadOlderPage(client, room).catch((error: unknown) => {
          throw toConnectorError(error, 'load the message that matched');
        });
      }
      const myUserId = client.getSafeUserId();
      const membership = room.getMyMembership() === 'invite' ? 'invite' : 'join';
      const inviter = membership === 'invite' ? room.currentState.getMember(myUserId)?.events.member?.getSender() : undefined;
      const topic = room.currentState.getStateEvents(EventType.RoomTopic, '')?.getContent()['topic'];
      return {
        roomId: room.roomId,
        roomName: boundedName(room.name || room.roomId),
        ...(typeof topic === 'string' && topic !== '' ? { topic: topic.slice(0, 500) } : {}),
        encrypted: room.hasEncryptionStateEvent(),
        membership,
        ...(inviter ? { inviter: boundedName(room.getMember(inviter)?.name ?? inviter) } : {}),
        messages: membership === 'invite' ? [] : timelineMessages(room, myUserId, rememberFile),
        hasOlder: membership !== 'invite' && room.getLiveTimeline().getPaginationToken(Direction.Backward) !== null,
        typing: room.getMembers().filter((m) => m.typing && m.userId !== myUserId).map((m) => boundedName(m.name)),
      };
    },

    async send(externalId, text, { replyToId, waitForDelivery }) {
      const { client, room } = await roomOf(externalId);
      if (room.getMyMembership() !== 'join') throw new ConnectorError('invalid-input', 'Accept the invitation before writing in this room.');
      if (text.trim() === '') throw new ConnectorError('invalid-input', 'Write something first.');
      const sending = track(client.sendMessage(room.roomId, composeText(text, replyToId) as never));
      if (waitForDelivery) {
        await sending.catch((error: unknown) => {
          throw toConnectorError(error, 'send the message');
        });
        return;
      }
      // The echo is in the room as "sending" now; a failure marks it "failed" there, with Retry.
      sending.catch((error: unknown) => ctx.log.info('message not sent', { error: toConnectorError(error, 'send').message }));
    },

    async retry(externalId, messageId) {
      const { client, room } = await roomOf(externalId);
      const pending = room.getPendingEvents().find((e) => (e.getId() ?? e.getTxnId()) === messageId);
      if (!pending || pending.status !== EventStatus.NOT_SENT) throw new ConnectorError('not-found', 'That message is no longer waiting to be sent.');
      track(client.resendEvent(pending, room)).catch((error: unknown) => ctx.log.info('message not sent again', { error: toConnectorError(error, 'send').message }));
    },

    async respondToInvite(externalId, accept) {
      const { client, room } = await roomOf(externalId);
      if (room.getMyMembership() !== 'invite') throw new ConnectorError('invalid-input', 'There is no open invitation to this room.');
      try {
        if (accept) await client.joinRoom(room.roomId);
        else await client.leave(room.roomId);
      } catch (error) {
        throw toConnectorError(error, accept ? 'join the room' : 'decline the invitation');
      }
      dirtyRooms.add(room.roomId);
      flush(client);
    },

    async media(mxc, options) {
      const client = await ready();
      const authenticated = await client.isVersionSupported('v1.11').catch(() => false);
      const encrypted = encryptedFiles.get(mxc);
      // Ciphertext cannot be scaled by the server: an encrypted image comes whole (or as its own thumbnail file).
      const url = options.thumbnail && !encrypted
        ? client.mxcUrlToHttp(mxc, 640, 640, 'scale', false, true, authenticated)
        : client.mxcUrlToHttp(mxc, undefined, undefined, undefined, false, true, authenticated);
      if (!url) throw new ConnectorError('invalid-input', 'That is not a Matrix media address.');
      const session = parseSession(await ctx.readSecret());
      const response = await fetch(url, {
        headers: authenticated ? { authorization: `Bearer ${session.accessToken}` } : {},
        signal: AbortSignal.timeout(30_000),
      }).catch((error: unknown) => {
        throw toConnectorError(error, 'download the image');
      });
      if (!response.ok) throw new ConnectorError(response.status === 404 ? 'not-found' : 'protocol', `The homeserver did not hand out the image (HTTP ${response.status}).`);
      const received = new Uint8Array(await response.arrayBuffer());
      if (received.byteLength > options.maxBytes) throw new ConnectorError('invalid-input', 'The image is too large to show here.');
      if (encrypted) {
        let bytes: Uint8Array;
        try {
          bytes = decryptAttachment(received, encrypted);
        } catch (error) {
          throw new ConnectorError('invalid-input', error instanceof AttachmentError ? error.message : 'The image could not be decrypted.', { cause: error });
        }
        // The server only ever saw ciphertext; what the image is comes from its own bytes.
        const contentType = sniffImageType(bytes);
        if (!contentType) throw new ConnectorError('invalid-input', 'Only images are shown here; this attachment is of another kind.');
        return { contentType, bytes };
      }
      const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!/^image\/(png|jpeg|gif|webp|avif)$/.test(contentType)) throw new ConnectorError('invalid-input', 'Only images are shown here; this attachment is of another kind.');
      return { contentType, bytes: received };
    },

    async typing(externalId, typing) {
      const { client, room } = await roomOf(externalId);
      await client.sendTyping(room.roomId, typing, TYPING_TIMEOUT_MS).catch((error: unknown) => {
        throw toConnectorError(error, 'send a typing notice');
      });
    },
  };

  const encryption = createEncryption({
    ctx,
    keys: secretStorageKeys,
    ready: async () => {
      const client = await ready();
      const { verifications } = await launch();
      return { client, verifications };
    },
  });

  return {
    chat,
    encryption,
    triage: createRoomTriage({ ready, describe: toConnectorError }),
    start() {
      if (!stopped) return;
      stopped = false;
      authFailed = false;
      launch().catch((error: unknown) => {
        const failure = toConnectorError(error, 'connect');
        ctx.status(failure.code === 'auth-failed' ? { state: 'auth-failed', reason: failure.message } : { state: 'offline', reason: failure.message, nextRetryAt: Date.now() + 30_000 });
      });
    },
    async stop() {
      stopped = true;
      await shutdown();
      ctx.status({ state: 'stopped' });
    },
    async syncOnce() {
      const wasStopped = stopped;
      try {
        await ready();
      } finally {
        if (wasStopped) await shutdown();
      }
    },
    async markRead(items: InboxItem[]) {
      const client = await ready();
      for (const item of items) {
        const room = client.getRoom(item.origin.kind === 'chat' ? item.origin.roomId : '');
        if (!room || room.getMyMembership() !== 'join') continue;
        readLocally.set(room.roomId, room.getLiveTimeline().getEvents().at(-1)?.getId());
        room.setUnreadNotificationCount(NotificationCountType.Total, 0);
        room.setUnreadNotificationCount(NotificationCountType.Highlight, 0);
        try {
          const latest = [...room.getLiveTimeline().getEvents()].reverse().find((e) => e.getId() && !e.getId()!.startsWith('~'));
          if (latest) await client.setRoomReadMarkers(room.roomId, latest.getId()!, latest);
          // Marked unread here a moment ago, the sync may not have brought the flag back yet.
          if (markedUnreadHere.delete(room.roomId) || room.getAccountData('m.marked_unread')?.getContent()['unread'] === true) {
            await client.setRoomAccountData(room.roomId, 'm.marked_unread' as never, { unread: false } as never);
          }
        } catch (error) {
          readLocally.delete(room.roomId);
          throw toConnectorError(error, 'mark the room as read');
        }
      }
    },
    async markUnread(items: InboxItem[]) {
      const client = await ready();
      for (const item of items) {
        if (item.origin.kind !== 'chat') continue;
        readLocally.delete(item.origin.roomId);
        markedUnreadHere.add(item.origin.roomId);
        await client.setRoomAccountData(item.origin.roomId, 'm.marked_unread' as never, { unread: true } as never).catch((error: unknown) => {
          throw toConnectorError(error, 'mark the room as unread');
        });
      }
    },
    async loadDetail(item: InboxItem): Promise<Omit<ItemDetail, 'item'>> {
      // The reading pane shows a room through chat.timeline; this is the plain fallback.
      return { headers: [], bodyText: item.snippet };
    },
  };
}

/** Pages of history a search hit may lie back (PAGE_SIZE events each). */
const AROUND_PAGES = 20;

function newestIsDecrypting(room: Room): boolean {
  const newest = room.getLiveTimeline().getEvents().at(-1);
  return newest !== undefined && newest.isEncrypted() && newest.getClearContent() === null && !newest.isRedacted();
}

/**
 * One page of older history onto the room's live timeline. Not client.scrollback(): that adds the
 * page to whichever timeline is live when the answer arrives and overwrites its pagination token,
 * so a limited sync that replaced the timeline meanwhile got older events glued onto the new one and
 * the gap between them hidden for good. This asks for the page of the timeline object itself; if
 * that was replaced meanwhile, the page is dropped (the next call pages the new timeline).
 */
async function loadOlderPage(client: MatrixClient, room: Room): Promise<void> {
  const timeline = room.getLiveTimeline();
  await client.paginateEventTimeline(timeline, { backwards: true, limit: PAGE_SIZE });
  const timelineSet = room.getUnfilteredTimelineSet();
  if (room.getLiveTimeline() !== timeline) {
    // The page went to a timeline nothing shows any more; its events must not stay claimed by it,
    // or the new live timeline could not take them when it pages back that far.
    for (const event of [...timeline.getEvents()]) {
      const eventId = event.getId();
      if (eventId && timelineSet.getTimelineForEvent(eventId) === timeline) timelineSet.removeEvent(eventId);
    }
    return;
  }
  // As scrollback() does with lazily loaded members: the page's senders become members the room knows.
  room.currentState.setUnknownStateEvents(timeline.getState(EventTimeline.BACKWARDS)?.getStateEvents(EventType.RoomMember) ?? []);
}

function directRooms(client: MatrixClient): Set<string> {
  const content = client.getAccountData(EventType.Direct)?.getContent() ?? {};
  return new Set(Object.values(content).flatMap((ids) => (Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [])));
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new ConnectorError('connection-failed', message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

