/**
 * A Matrix homeserver in memory behind the real Matrix kind (its input rules, identity, settings and
 * capabilities; only the network replaced). The test says who can sign in, which rooms each user is
 * in with what history, what arrives, and when the next server call fails. The connector keeps what
 * a client keeps (how far back each timeline is loaded, messages on their way) and reports to the
 * hub through the real ConnectorContext: room rows, chatChanged, securityChanged, status.
 */
import type { ChatMessage } from '../../../src-shared/api.ts';
import type { MatrixSettings } from '../../../src-shared/domain.ts';
import { InputError } from '../../../src-main/common/input.ts';
import { ConnectorError } from '../../../src-main/connectors/connector.ts';
import type { ChatConnector, Connector, ConnectorContext, ConnectorItem } from '../../../src-main/connectors/connector.ts';
import type { ConnectorKind } from '../../../src-main/connectors/kind.ts';
import { matrixKind } from '../../../src-main/connectors/matrix/kind.ts';
import { FakeEncryption } from './chat-encryption.ts';
import { ScriptedFailures, Sessions } from './scripted.ts';

export interface FakeRoom {
  roomId: string;
  name: string;
  encrypted: boolean;
  membership: 'join' | 'invite';
  inviter?: string;
  /** Oldest first, as the server holds them. */
  messages: ChatMessage[];
  /** Display names of the others typing right now. */
  typing: string[];
  /** The server's notification count for the user. */
  unreadCount: number;
  /** The user marked the room unread (m.marked_unread). */
  markedUnread: boolean;
}

export type ChatOperation = 'login' | 'timeline' | 'send' | 'invite' | 'media' | 'typing' | 'markRead' | 'markUnread';

/** What happens to a message once sent: the server takes it, or it waits (shows "sending"), or is refused (shows "failed"). */
export type Delivery = 'deliver' | 'wait' | 'refuse';

interface ChatSession {
  roomsChanged(roomIds: string[]): void;
  takeWaiting(): void;
  /** The homeserver went away (reason) or came back (undefined). */
  reachable(reason: string | undefined): void;
  removed(roomId: string): void;
  securityChanged(): void;
}

const REFUSED = 'Authentication failed: the homeserver refused this user ID and password.';

export class FakeChatServer extends ScriptedFailures<ChatOperation> {
  /** The password the homeserver accepts per user id. */
  readonly passwords = new Map<string, string>();
  /** Images by mxc:// address: the full image and its thumbnail. */
  readonly media = new Map<string, { contentType: string; full: Uint8Array; thumbnail: Uint8Array }>();
  /** What the server does with the messages it is sent. */
  delivery: Delivery = 'deliver';
  /** Messages in one page of back-pagination (and in a freshly opened timeline). */
  pageSize = 10;
  /** Typing notices the server received from the user, per room: the last one wins. */
  readonly typingFromUser = new Map<string, boolean>();
  readonly #rooms = new Map<string, FakeRoom[]>();
  readonly #encryption = new Map<string, FakeEncryption>();
  readonly #sessions = new Sessions<string, ChatSession>();
  #nextEvent = 1;

  user(userId: string, password: string, rooms: FakeRoom[] = []): void {
    this.passwords.set(userId, password);
    this.#rooms.set(userId, structuredClone(rooms));
    this.#encryption.set(userId, new FakeEncryption(() => this.#tell(userId, (s) => s.securityChanged())));
  }

  rooms(userId: string): FakeRoom[] {
    const rooms = this.#rooms.get(userId);
    if (rooms === undefined) throw new Error(`The fake homeserver has no user ${userId}; add it with user() first.`);
    return rooms;
  }

  room(userId: string, roomId: string): FakeRoom {
    const room = this.rooms(userId).find((r) => r.roomId === roomId);
    if (room === undefined) throw new ConnectorError('not-found', 'This room is no longer on the account (you may have left it).');
    return room;
  }

  /** The user's encryption as the homeserver and the user's other devices see it. */
  encryption(userId: string): FakeEncryption {
    const encryption = this.#encryption.get(userId);
    if (encryption === undefined) throw new Error(`The fake homeserver has no user ${userId}.`);
    return encryption;
  }

  /** Someone else writes in a room: it counts as unread for the user. */
  receive(userId: string, roomId: string, message: ChatMessage): void {
    const room = this.room(userId, roomId);
    room.messages.push(structuredClone(message));
    room.unreadCount += 1;
    this.#tell(userId, (s) => s.roomsChanged([roomId]));
  }

  /** Who is typing in a room changes. */
  othersTyping(userId: string, roomId: string, names: string[]): void {
    this.room(userId, roomId).typing = [...names];
    this.#tell(userId, (s) => s.roomsChanged([roomId]));
  }

  /** The homeserver stops answering this user's clients until `comeBack`. */
  goAway(userId: string, reason = 'The homeserver stopped answering.'): void {
    this.#tell(userId, (s) => s.reachable(reason));
  }

  comeBack(userId: string): void {
    this.#tell(userId, (s) => s.reachable(undefined));
  }

  /** The server takes the messages that were waiting (delivery 'wait'): they turn from "sending" to sent. */
  takeWaiting(userId: string): void {
    this.#tell(userId, (s) => s.takeWaiting());
  }

  login(userId: string, password: string | undefined): void {
    this.check('login');
    if (password === undefined || this.passwords.get(userId) !== password) throw new ConnectorError('auth-failed', REFUSED);
  }

  /** A message the server has taken, under its event id. */
  take(userId: string, roomId: string, message: ChatMessage): void {
    const { sendState: _s, ...sent } = message;
    this.room(userId, roomId).messages.push({ ...sent, id: `$sent-${this.#nextEvent++}` });
  }

  decline(userId: string, roomId: string): void {
    this.#rooms.set(userId, this.rooms(userId).filter((r) => r.roomId !== roomId));
    this.#tell(userId, (s) => s.removed(roomId));
  }

  changed(userId: string, roomIds: string[]): void {
    this.#tell(userId, (s) => s.roomsChanged(roomIds));
  }

  open(userId: string, session: ChatSession): () => void {
    return this.#sessions.open(userId, session);
  }

  #tell(userId: string, what: (session: ChatSession) => void): void {
    for (const session of this.#sessions.of(userId)) what(session);
  }
}

/**
 * `live`: the room changed while connected (not the first sync), so a newer message from someone
 * else is fresh, as the Matrix connector reports it; `mentions` are messages naming the user.
 */
function roomItem(room: FakeRoom, live = false, userId = '', storedUntil?: number): ConnectorItem {
  const last = room.messages.at(-1);
  const invited = room.membership === 'invite';
  const unread = invited || room.unreadCount > 0 || room.markedUnread;
  const localpart = userId.replace(/^@/, '').split(':')[0] ?? '';
  return {
    externalId: room.roomId,
    scope: 'rooms',
    source: 'chat',
    conversationKey: room.roomId,
    sender: invited ? (room.inviter ?? '') : (last?.senderName ?? ''),
    title: room.name,
    snippet: invited ? `${room.inviter ?? 'Someone'} invited you` : (last?.body ?? ''),
    timestamp: last?.timestamp ?? 0,
    unread,
    priority: false,
    origin: {
      kind: 'chat',
      roomId: room.roomId,
      eventId: last?.id ?? '$none',
      encrypted: room.encrypted,
      ...(room.unreadCount > 0 ? { unreadCount: room.unreadCount } : {}),
      ...(invited ? { membership: 'invite' as const } : {}),
    },
    attention: {
      fresh: live && unread && last !== undefined && !last.mine && (storedUntil === undefined || last.timestamp > storedUntil),
      fromMe: last?.mine ?? false,
      mentionsMe: localpart !== '' && unread && last !== undefined && !last.mine && new RegExp(`\\b${localpart}\\b`, 'i').test(last.body),
      direct: false,
      ...(last ? { sender: last.senderId } : {}),
      conversationName: room.name,
      place: room.name,
      text: { title: '', categories: [], body: last?.body ?? '' },
    },
  };
}

function createChatConnector(server: FakeChatServer, ctx: ConnectorContext<MatrixSettings>): Connector {
  const { userId } = ctx.account.settings;
  /** How many of each room's latest messages the client has loaded. */
  const loaded = new Map<string, number>();
  /** Our messages the server has not taken yet, per room: "sending" or "failed". */
  const outbox = new Map<string, ChatMessage[]>();
  let nextLocal = 1;
  let close: (() => void) | undefined;
  const roomsOf = (externalIds: string[]) => externalIds.map((id) => server.room(userId, id));
  const pending = (roomId: string) => outbox.get(roomId) ?? [];

  const deliver = (roomId: string, message: ChatMessage, delivery: Delivery = server.delivery) => {
    if (delivery === 'wait') return;
    if (delivery === 'refuse') message.sendState = 'failed';
    else {
      outbox.set(roomId, pending(roomId).filter((m) => m !== message));
      server.take(userId, roomId, message);
      ctx.upsert([roomItem(server.room(userId, roomId))]);
    }
    ctx.chatChanged([roomId]);
  };

  const chat: ChatConnector = {
    async timeline(roomId, { older }) {
      server.check('timeline');
      const room = server.room(userId, roomId);
      const shown = Math.min(room.messages.length, (loaded.get(roomId) ?? server.pageSize) + (older ? server.pageSize : 0));
      loaded.set(roomId, shown);
      return {
        roomId,
        roomName: room.name,
        encrypted: room.encrypted,
        membership: room.membership,
        ...(room.inviter === undefined ? {} : { inviter: room.inviter }),
        messages: room.membership === 'invite' ? [] : structuredClone([...room.messages.slice(room.messages.length - shown), ...pending(roomId)]),
        hasOlder: room.membership === 'join' && shown < room.messages.length,
        typing: [...room.typing],
      };
    },
    async send(roomId, text, { replyToId, waitForDelivery }) {
      const room = server.room(userId, roomId);
      if (room.membership !== 'join') throw new ConnectorError('invalid-input', 'Accept the invitation before writing in this room.');
      server.check('send');
      const parent = replyToId === undefined ? undefined : room.messages.find((m) => m.id === replyToId);
      const echo: ChatMessage = {
        id: `~local-${nextLocal++}`,
        senderId: userId,
        senderName: ctx.account.displayName,
        mine: true,
        timestamp: Date.now(),
        kind: 'text',
        body: text,
        edited: false,
        reactions: [],
        sendState: 'sending',
        ...(parent === undefined ? {} : { replyTo: { id: parent.id, senderName: parent.senderName, body: parent.body } }),
      };
      outbox.set(roomId, [...pending(roomId), echo]);
      ctx.chatChanged([roomId]);
      if (waitForDelivery) {
        deliver(roomId, echo);
        if (echo.sendState === 'failed') throw new ConnectorError('connection-failed', 'The homeserver did not take the message.');
      } else setImmediate(() => deliver(roomId, echo));
    },
    async retry(roomId, messageId) {
      const message = pending(roomId).find((m) => m.id === messageId);
      if (message?.sendState !== 'failed') throw new ConnectorError('not-found', 'That message is no longer waiting to be sent.');
      message.sendState = 'sending';
      ctx.chatChanged([roomId]);
      setImmediate(() => deliver(roomId, message));
    },
    async respondToInvite(roomId, accept) {
      const room = server.room(userId, roomId);
      if (room.membership !== 'invite') throw new ConnectorError('invalid-input', 'There is no open invitation to this room.');
      server.check('invite');
      if (!accept) {
        server.decline(userId, roomId);
        return;
      }
      room.membership = 'join';
      delete room.inviter;
      server.changed(userId, [roomId]);
    },
    async media(mxc, { thumbnail, maxBytes }) {
      server.check('media');
      const image = server.media.get(mxc);
      if (image === undefined) throw new ConnectorError('not-found', 'The homeserver did not hand out the image (HTTP 404).');
      const bytes = thumbnail ? image.thumbnail : image.full;
      if (bytes.byteLength > maxBytes) throw new ConnectorError('invalid-input', 'The image is too large to show here.');
      return { contentType: image.contentType, bytes };
    },
    async typing(roomId, typing) {
      server.check('typing');
      server.typingFromUser.set(roomId, typing);
    },
  };

  const setRead = (items: { origin: { kind: string; roomId?: string } }[], operation: 'markRead' | 'markUnread') => {
    server.check(operation);
    const rooms = roomsOf(items.flatMap((i) => (i.origin.kind === 'chat' && i.origin.roomId !== undefined ? [i.origin.roomId] : [])));
    for (const room of rooms) {
      room.unreadCount = 0;
      room.markedUnread = operation === 'markUnread';
    }
    ctx.upsert(rooms.map((room) => roomItem(room)));
  };

  return {
    chat,
    encryption: server.encryption(userId).connector((password) => server.login(userId, password)),
    start() {
      ctx.status({ state: 'connecting' });
      void ctx.readSecret().then(() => {
        ctx.upsert(server.rooms(userId).map((room) => roomItem(room)));
        close = server.open(userId, {
          roomsChanged: (roomIds) => {
            const stored = ctx.knownItems('rooms');
            ctx.upsert(roomsOf(roomIds).map((room) => roomItem(room, true, userId, stored.get(room.roomId)?.timestamp)));
            ctx.chatChanged(roomIds);
          },
          removed: (roomId) => ctx.remove([roomId]),
          reachable: (reason) =>
            ctx.status(reason === undefined ? { state: 'online', since: Date.now() } : { state: 'offline', reason, nextRetryAt: Date.now() + 60_000 }),
          takeWaiting: () => {
            for (const [roomId, messages] of outbox) for (const m of messages.filter((x) => x.sendState === 'sending')) deliver(roomId, m, 'deliver');
          },
          securityChanged: () => ctx.securityChanged(),
        });
        ctx.status({ state: 'online', since: Date.now() });
      });
    },
    async stop() {
      close?.();
      close = undefined;
    },
    async syncOnce() {
      ctx.upsert(server.rooms(userId).map((room) => roomItem(room)));
    },
    async markRead(items) {
      setRead(items, 'markRead');
    },
    async markUnread(items) {
      setRead(items, 'markUnread');
    },
    async loadDetail(item) {
      const room = server.room(userId, item.conversationKey);
      return { headers: [{ name: 'Room', value: room.name }], bodyText: room.messages.at(-1)?.body ?? '' };
    },
  };
}

/** The Matrix kind with this homeserver in place of the network. */
export function fakeChatKind(server: FakeChatServer): ConnectorKind<MatrixSettings> {
  return {
    ...matrixKind,
    async verify(account, password) {
      const { settings } = account;
      const homeserverUrl = settings.homeserverUrl || `https://${settings.userId.split(':').slice(1).join(':')}`;
      const userId = settings.userId.startsWith('@') ? settings.userId : `@${settings.userId}:${new URL(homeserverUrl).hostname}`;
      try {
        server.login(userId, password);
      } catch (error) {
        // As the real kind: a homeserver that cannot be reached or found belongs beside the field it came from.
        if (error instanceof ConnectorError && (error.code === 'not-found' || error.code === 'invalid-input' || error.code === 'connection-failed')) {
          throw new InputError(error.message, settings.homeserverUrl ? 'homeserverUrl' : 'userId');
        }
        throw error;
      }
      const deviceId = settings.deviceId ?? server.encryption(userId).state.deviceId;
      return {
        account: { ...account, displayName: account.displayName || userId, settings: { homeserverUrl, userId, deviceId } },
        // A session, never the password: as the real kind keeps it.
        secret: JSON.stringify({ accessToken: `token-${deviceId}`, deviceId }),
      };
    },
    async forget() {},
    async create(ctx) {
      return createChatConnector(server, ctx);
    },
  };
}

/** A plain text message from someone else. */
export function chatMessage(id: string, senderName: string, body: string, timestamp: number): ChatMessage {
  return { id, senderId: `@${senderName.toLowerCase()}:example.org`, senderName, mine: false, timestamp, kind: 'text', body, edited: false, reactions: [] };
}

/**
 * A room with `count` messages a minute apart ending at `newest` ("<name> message <i>", Alice and Bob
 * taking turns, ids `$<name>-<i>`), or an invitation from Alice.
 */
export function fakeRoom(name: string, options: { count?: number; newest?: number; membership?: 'join' | 'invite'; encrypted?: boolean } = {}): FakeRoom {
  const { count = 5, newest = Date.UTC(2025, 2, 3, 12), membership = 'join', encrypted = false } = options;
  const roomId = `!${name.toLowerCase().replace(/\W+/g, '')}:example.org`;
  if (membership === 'invite') {
    return { roomId, name, encrypted, membership, inviter: 'Alice', messages: [chatMessage(`$${name}-invite`, 'Alice', 'Alice invited you', newest)], typing: [], unreadCount: 0, markedUnread: false };
  }
  const messages = Array.from({ length: count }, (_, i) => chatMessage(`$${name}-${i}`, i % 2 === 0 ? 'Alice' : 'Bob', `${name} message ${i}`, newest - (count - 1 - i) * 60_000));
  return { roomId, name, encrypted, membership, messages, typing: [], unreadCount: 0, markedUnread: false };
}
