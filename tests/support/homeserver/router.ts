/**
 * Request plumbing shared by every endpoint: route matching (404 vs 405 M_UNRECOGNIZED), access
 * tokens, JSON bodies, rate limits, CORS and the spec's error shape.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { MatrixError } from './errors.ts';
import { isObject, type JsonObject } from './json.ts';
import { GATEWAY_TIMEOUT_PAGE, type FaultInjector } from './faults.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { HomeserverState, Session, User } from './state.ts';

export const CLIENT = '/_matrix/client/(?:v3|r0)';
export const CLIENT_V1 = '/_matrix/client/v1';
export const MEDIA = '/_matrix/media/(?:v3|r0)';

export interface RequestContext {
  hs: HomeserverState;
  baseUrl: string;
  method: string;
  pathname: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** The body as a JSON object; an empty body counts as `{}`. */
  body(): JsonObject;
  /** Aborted when the client goes away, so long polls stop waiting. */
  signal: AbortSignal;
}

export interface AuthedContext extends RequestContext {
  session: Session;
  user: User;
}

export interface Reply {
  status?: number;
  json?: unknown;
  bytes?: Buffer;
  headers?: Record<string, string>;
}

export interface Route {
  method: string;
  pattern: RegExp;
  paramNames: string[];
  handle(ctx: RequestContext): Promise<Reply> | Reply;
}

type Handler<C> = (ctx: C) => Promise<Reply> | Reply;

/** `{name}` is one path segment, `{name*}` one possibly empty segment. */
function compile(template: string): { pattern: RegExp; paramNames: string[] } {
  const paramNames: string[] = [];
  const source = template.replace(/\{(\w+)(\*?)\}/g, (_match, name: string, maybeEmpty: string) => {
    paramNames.push(name);
    return maybeEmpty ? '([^/]*)' : '([^/]+)';
  });
  return { pattern: new RegExp(`^${source}/?$`), paramNames };
}

export function openRoute(method: string, template: string, handle: Handler<RequestContext>): Route {
  return { method, ...compile(template), handle };
}

export function authedRoute(method: string, template: string, handle: Handler<AuthedContext>): Route {
  return {
    method,
    ...compile(template),
    handle: (ctx) => {
      const session = authenticate(ctx);
      const user = ctx.hs.users.get(session.userId);
      if (!user) throw new MatrixError(401, 'M_UNKNOWN_TOKEN', 'Invalid access token passed.', { soft_logout: false });
      return handle({ ...ctx, session, user });
    },
  };
}

export function accessTokenOf(ctx: RequestContext): string | undefined {
  const header = ctx.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  return ctx.query.get('access_token') ?? undefined;
}

function authenticate(ctx: RequestContext): Session {
  const token = accessTokenOf(ctx);
  if (!token) throw new MatrixError(401, 'M_MISSING_TOKEN', 'Missing access token.');
  const session = ctx.hs.sessions.get(token);
  if (!session) throw new MatrixError(401, 'M_UNKNOWN_TOKEN', 'Invalid access token passed.', { soft_logout: false });
  if (session.revoked) {
    throw new MatrixError(401, 'M_UNKNOWN_TOKEN', 'Access token has been revoked.', { soft_logout: session.revoked.softLogout });
  }
  if (session.expiresAt !== undefined && session.expiresAt <= Date.now()) {
    throw new MatrixError(401, 'M_UNKNOWN_TOKEN', 'Access token has expired.', { soft_logout: true });
  }
  return session;
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
  'access-control-allow-headers': 'X-Requested-With, Content-Type, Authorization, Date',
  'access-control-expose-headers': 'Synapse-Trace-Id, Server',
};

export interface Dispatcher {
  routes: Route[];
  hs: HomeserverState;
  rateLimiter: RateLimiter;
  faults: FaultInjector;
  baseUrl(): string;
}

export async function dispatch(dispatcher: Dispatcher, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  let reply: Reply;
  try {
    reply = await route(dispatcher, req, abort.signal);
  } catch (error) {
    reply = errorReply(error);
  }
  if (res.destroyed) return;
  const headers: Record<string, string> = { ...CORS_HEADERS, ...reply.headers };
  const status = reply.status ?? 200;
  if (reply.bytes) {
    res.writeHead(status, { 'content-length': String(reply.bytes.length), ...headers }).end(reply.bytes);
    return;
  }
  const text = JSON.stringify(reply.json ?? {});
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers }).end(text);
}

async function route(dispatcher: Dispatcher, req: IncomingMessage, signal: AbortSignal): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  const rawBody = await readBody(req);
  if (method === 'OPTIONS') return { status: 204, bytes: Buffer.alloc(0) };

  const candidates = dispatcher.routes.flatMap((candidate) => {
    const match = candidate.pattern.exec(url.pathname);
    return match ? [{ candidate, match }] : [];
  });
  if (candidates.length === 0) throw new MatrixError(404, 'M_UNRECOGNIZED', 'Unrecognized request');
  const found = candidates.find(({ candidate }) => candidate.method === method || (method === 'HEAD' && candidate.method === 'GET'));
  if (!found) throw new MatrixError(405, 'M_UNRECOGNIZED', 'Unrecognized request');

  // In front of everything, as a proxy would be: neither answer is the homeserver's.
  const fault = dispatcher.faults.check(method, url.pathname);
  if (fault === 'gateway-timeout') return { status: 504, bytes: Buffer.from(GATEWAY_TIMEOUT_PAGE), headers: { 'content-type': 'text/html' } };
  if (fault === 'stall') {
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    throw new MatrixError(502, 'M_UNKNOWN', 'The client went away.');
  }

  const token = req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice('Bearer '.length).trim() : url.searchParams.get('access_token');
  const retryAfterMs = dispatcher.rateLimiter.check(method, url.pathname, token ? dispatcher.hs.sessions.get(token)?.userId : undefined);
  if (retryAfterMs !== undefined) {
    throw new MatrixError(429, 'M_LIMIT_EXCEEDED', 'Too Many Requests', { retry_after_ms: retryAfterMs }, {
      'retry-after': String(Math.ceil(retryAfterMs / 1000)),
    });
  }

  const params: Record<string, string> = {};
  found.candidate.paramNames.forEach((name, index) => {
    params[name] = decodeURIComponent(found.match[index + 1] ?? '');
  });
  let parsed: JsonObject | undefined;
  const ctx: RequestContext = {
    hs: dispatcher.hs,
    baseUrl: dispatcher.baseUrl(),
    method,
    pathname: url.pathname,
    params,
    query: url.searchParams,
    headers: req.headers,
    rawBody,
    body: () => (parsed ??= parseJsonObject(rawBody)),
    signal,
  };
  return found.candidate.handle(ctx);
}

function parseJsonObject(raw: Buffer): JsonObject {
  if (raw.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new MatrixError(400, 'M_NOT_JSON', 'Content not JSON.');
  }
  if (!isObject(value)) throw new MatrixError(400, 'M_BAD_JSON', 'Content must be a JSON object.');
  return value;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function errorReply(error: unknown): Reply {
  if (error instanceof MatrixError) return { status: error.status, json: error.toJSON(), headers: error.headers };
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, json: { errcode: 'M_UNKNOWN', error: `Internal server error: ${message}` } };
}
