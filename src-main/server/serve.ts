/**
 * `groundswell serve`: the hub's contract over a WebSocket plus the built UI, on 127.0.0.1 only.
 * A random token guards everything: the first page load carries it as ?token=, which becomes an
 * HttpOnly SameSite=Strict cookie. Host and Origin must name this server, which stops DNS
 * rebinding and other sites' pages from talking to the hub.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { ServerFrame } from '../../src-shared/api.ts';
import { isCallName } from '../../src-shared/api.ts';
import { fail } from '../../src-shared/result.ts';
import type { Hub } from '../hub/hub.ts';

export const TOKEN_COOKIE = 'groundswell_token';
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface ServeOptions {
  hub: Hub;
  port?: number;
  /** The built renderer (vite's outDir). */
  uiDir: string;
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const sockets = new Set<WebSocket>();
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  const hostAllowed = (req: IncomingMessage) => allowedHosts().has(req.headers.host ?? '');
  const tokenMatches = (candidate: string | undefined) => {
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  const requestToken = (req: IncomingMessage, url: URL) =>
    url.searchParams.get('token') ??
    readCookie(req.headers.cookie, TOKEN_COOKIE) ??
    (req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : undefined);

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!hostAllowed(req)) return plain(res, 421, 'This Groundswell server only answers to 127.0.0.1 and localhost.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method not allowed.');
    const queryToken = url.searchParams.get('token');
    if (!tokenMatches(requestToken(req, url) ?? undefined)) {
      return plain(res, 401, 'Open the full address printed by `groundswell serve`; it carries the access token.');
    }
    if (queryToken !== null) {
      // Trade the token in the address bar for a cookie, then drop it from the URL and history.
      res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      url.searchParams.delete('token');
      res.writeHead(303, { Location: url.pathname + url.search });
      return res.end();
    }
    serveStatic(options.uiDir, url.pathname, res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = req.headers.origin;
    const refused =
      url.pathname !== '/api' ? 'HTTP/1.1 404 Not Found' :
      !hostAllowed(req) ? 'HTTP/1.1 421 Misdirected Request' :
      origin !== undefined && !allowedOrigins().has(origin) ? 'HTTP/1.1 403 Forbidden' :
      !tokenMatches(requestToken(req, url) ?? undefined) ? 'HTTP/1.1 401 Unauthorized' : undefined;
    if (refused) {
      socket.end(`${refused}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data) => {
      void answer(options.hub, ws, data.toString());
    });
  });

  const unsubscribe = options.hub.on((event, payload) => {
    const frame = JSON.stringify({ event, payload } satisfies ServerFrame);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function answer(hub: Hub, ws: WebSocket, text: string): Promise<void> {
  let id: unknown;
  try {
    const frame = JSON.parse(text) as { id?: unknown; call?: unknown; params?: unknown };
    id = frame.id;
    if (typeof id !== 'number') return;
    const result = isCallName(frame.call)
      ? await hub.call(frame.call, (frame.params ?? {}) as never)
      : fail('invalid-input', `Unknown call ${JSON.stringify(frame.call)}.`);
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, result } satisfies ServerFrame));
  } catch {
    if (typeof id === 'number' && ws.readyState === ws.OPEN) {
      ws.send(JSON.stringify({ id, result: fail('invalid-input', 'The request was not valid JSON.') } satisfies ServerFrame));
    }
  }
}

function serveStatic(root: string, pathname: string, res: ServerResponse): void {
  let relative: string;
  try {
    relative = decodeURIComponent(pathname);
  } catch {
    return plain(res, 400, 'Bad path.');
  }
  if (relative === '/' || relative === '') relative = '/index.html';
  const file = normalize(join(root, relative));
  if (!file.startsWith(normalize(root + sep))) return plain(res, 404, 'Not found.');
  if (!existsSync(file) || !statSync(file).isFile()) {
    if (!existsSync(join(root, 'index.html'))) {
      return plain(res, 503, 'The Groundswell UI is not built yet: run `npm run build`, then reload.');
    }
    return plain(res, 404, 'Not found.');
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
  });
  createReadStream(file).pipe(res);
}

function plain(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(message + '\n');
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
