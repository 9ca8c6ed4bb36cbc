/**
 * A thin fetch-based Matrix client for the "other user" in tests: plain HTTP, no SDK, so what it
 * sends and sees is exactly the client-server API.
 */
import { randomUUID } from 'node:crypto';

type Json = Record<string, unknown>;

export class MatrixHttpError extends Error {
  readonly status: number;
  readonly body: Json;

  constructor(status: number, body: Json, what: string) {
    super(`${what} failed with ${status} ${String(body.errcode)}: ${String(body.error)}`);
    this.status = status;
    this.body = body;
  }

  get errcode(): unknown {
    return this.body.errcode;
  }
}

export interface RawResponse {
  status: number;
  body: Json;
  headers: Headers;
}

export interface SyncOptions {
  since?: string;
  timeout?: number;
  filter?: string | Json;
  fullState?: boolean;
  signal?: AbortSignal;
}

export interface RawClient {
  readonly baseUrl: string;
  accessToken: string | undefined;
  /** Never throws on an HTTP error: for asserting on error responses. */
  request(method: string, path: string, body?: unknown, options?: { query?: Record<string, string>; signal?: AbortSignal }): Promise<RawResponse>;
  login(user: string, password: string): Promise<Json>;
  whoami(): Promise<Json>;
  createRoom(body?: Json): Promise<string>;
  invite(roomId: string, userId: string): Promise<void>;
  join(roomIdOrAlias: string): Promise<string>;
  leave(roomId: string): Promise<void>;
  send(roomId: string, type: string, content: Json, txnId?: string): Promise<string>;
  sendText(roomId: string, body: string, txnId?: string): Promise<string>;
  sendState(roomId: string, type: string, stateKey: string, content: Json): Promise<string>;
  redact(roomId: string, eventId: string, reason?: string): Promise<string>;
  sendReceipt(roomId: string, eventId: string, receiptType?: string): Promise<void>;
  setTyping(roomId: string, userId: string, typing: boolean, timeoutMs?: number): Promise<void>;
  setAccountData(userId: string, type: string, content: Json): Promise<void>;
  setRoomAccountData(userId: string, roomId: string, type: string, content: Json): Promise<void>;
  messages(roomId: string, query: { from?: string; to?: string; dir: 'b' | 'f'; limit?: number; filter?: Json }): Promise<Json>;
  sync(options?: SyncOptions): Promise<Json>;
}

export function createRawClient(baseUrl: string, accessToken?: string): RawClient {
  const client: RawClient = {
    baseUrl,
    accessToken,
    async request(method, path, body, options = {}) {
      const url = new URL(path, baseUrl);
      for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
      const headers: Record<string, string> = {};
      if (client.accessToken) headers.authorization = `Bearer ${client.accessToken}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: options.signal,
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as Json) : {}, headers: response.headers };
    },
    async login(user, password) {
      const body = await ok('login', client.request('POST', '/_matrix/client/v3/login', { type: 'm.login.password', identifier: { type: 'm.id.user', user }, password }));
      client.accessToken = String(body.access_token);
      return body;
    },
    whoami: () => ok('whoami', client.request('GET', '/_matrix/client/v3/account/whoami')),
    async createRoom(body = {}) {
      return String((await ok('createRoom', client.request('POST', '/_matrix/client/v3/createRoom', body))).room_id);
    },
    async invite(roomId, userId) {
      await ok('invite', client.request('POST', `${room(roomId)}/invite`, { user_id: userId }));
    },
    async join(roomIdOrAlias) {
      return String((await ok('join', client.request('POST', `/_matrix/client/v3/join/${encodeURIComponent(roomIdOrAlias)}`, {}))).room_id);
    },
    async leave(roomId) {
      await ok('leave', client.request('POST', `${room(roomId)}/leave`, {}));
    },
    async send(roomId, type, content, txnId = randomUUID()) {
      const path = `${room(roomId)}/send/${encodeURIComponent(type)}/${encodeURIComponent(txnId)}`;
      return String((await ok('send', client.request('PUT', path, content))).event_id);
    },
    sendText: (roomId, body, txnId) => client.send(roomId, 'm.room.message', { msgtype: 'm.text', body }, txnId),
    async sendState(roomId, type, stateKey, content) {
      const path = `${room(roomId)}/state/${encodeURIComponent(type)}/${encodeURIComponent(stateKey)}`;
      return String((await ok('sendState', client.request('PUT', path, content))).event_id);
    },
    async redact(roomId, eventId, reason) {
      const path = `${room(roomId)}/redact/${encodeURIComponent(eventId)}/${randomUUID()}`;
      return String((await ok('redact', client.request('PUT', path, reason === undefined ? {} : { reason }))).event_id);
    },
    async sendReceipt(roomId, eventId, receiptType = 'm.read') {
      await ok('receipt', client.request('POST', `${room(roomId)}/receipt/${receiptType}/${encodeURIComponent(eventId)}`, {}));
    },
    async setTyping(roomId, userId, typing, timeoutMs = 30_000) {
      await ok('typing', client.request('PUT', `${room(roomId)}/typing/${encodeURIComponent(userId)}`, typing ? { typing, timeout: timeoutMs } : { typing }));
    },
    async setAccountData(userId, type, content) {
      await ok('account data', client.request('PUT', `/_matrix/client/v3/user/${encodeURIComponent(userId)}/account_data/${encodeURIComponent(type)}`, content));
    },
    async setRoomAccountData(userId, roomId, type, content) {
      const path = `/_matrix/client/v3/user/${encodeURIComponent(userId)}/rooms/${encodeURIComponent(roomId)}/account_data/${encodeURIComponent(type)}`;
      await ok('room account data', client.request('PUT', path, content));
    },
    messages(roomId, query) {
      const params: Record<string, string> = { dir: query.dir };
      if (query.from) params.from = query.from;
      if (query.to) params.to = query.to;
      if (query.limit !== undefined) params.limit = String(query.limit);
      if (query.filter) params.filter = JSON.stringify(query.filter);
      return ok('messages', client.request('GET', `${room(roomId)}/messages`, undefined, { query: params }));
    },
    sync(options = {}) {
      const query: Record<string, string> = { timeout: String(options.timeout ?? 0) };
      if (options.since) query.since = options.since;
      if (options.filter) query.filter = typeof options.filter === 'string' ? options.filter : JSON.stringify(options.filter);
      if (options.fullState) query.full_state = 'true';
      return ok('sync', client.request('GET', '/_matrix/client/v3/sync', undefined, { query, signal: options.signal }));
    },
  };
  return client;
}

const room = (roomId: string) => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}`;

async function ok(what: string, pending: Promise<RawResponse>): Promise<Json> {
  const response = await pending;
  if (response.status < 200 || response.status >= 300) throw new MatrixHttpError(response.status, response.body, what);
  return response.body;
}
