/**
 * `groundswell serve`: the hub's contract over a WebSocket plus the built UI, on 127.0.0.1 only.
 * A random token guards everything: the first page load carries it as ?token=, which becomes an
 * HttpOnly SameSite=Strict cookie named for this server's port. Host and Origin must name this
 * server, which stops DNS rebinding and other sites' pages from talking to the hub; a request that
 * authenticates by cookie must also come from this server's own pages, because browsers send a
 * 127.0.0.1 cookie to every port and SameSite counts other ports as the same site.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { ServerFrame } from '../../src-shared/api.ts';
import { MAX_FRAME_BYTES } from '../../src-shared/limits.ts';
import type { Hub } from '../hub/hub.ts';
import { serveConnection } from './connection.ts';

/** One cookie per server: two `serve` instances in one browser keep their own. */
export const tokenCookieName = (port: number) => `groundswell_token_${port}`;
/** A client this far behind on events is gone or hostile; closing it frees what it would pile up. */
const MAX_BUFFERED_BYTES = 2 * MAX_FRAME_BYTES;
/** As the Electron window's (window-policy.ts, which says why styles may be inline and images plain http). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https: http:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

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
  /** The token a request carries, and whether it came as the cookie (which a browser adds on its own). */
  const requestCredential = (req: IncomingMessage, url: URL): { token: string | undefined; byCookie: boolean } => {
    const explicit = url.searchParams.get('token') ?? (req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : undefined);
    if (explicit !== undefined) return { token: explicit, byCookie: false };
    return { token: readCookie(req.headers.cookie, tokenCookieName(port)), byCookie: true };
  };
  /**
   * Whether a browser sent this request from one of this server's pages (or the user typed the
   * address). A page on another port of 127.0.0.1 gets our cookie attached and is "same-site", so
   * only same-origin counts. Clients that send neither header are not browsers: they had to hold
   * the token to send the cookie.
   */
  const fromOwnPage = (req: IncomingMessage) => {
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
    const origin = req.headers.origin;
    return origin === undefined || allowedOrigins().has(origin);
  };

  const server: Server = createServer((req, res) => {
    // A client that resets mid-request must cost only its own request.
    req.on('error', () => res.destroy());
    res.on('error', () => res.destroy());
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!hostAllowed(req)) return plain(res, 421, 'This Groundswell server only answers to 127.0.0.1 and localhost.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method not allowed.');
    const credential = requestCredential(req, url);
    if (!tokenMatches(credential.token)) {
      return plain(res, 401, 'Open the full address printed by `groundswell serve`; it carries the access token.');
    }
    if (credential.byCookie && !fromOwnPage(req)) {
      return plain(res, 403, 'This request came from another web page; open Groundswell from the address `groundswell serve` printed.');
    }
    if (url.searchParams.has('token')) {
      // Trade the token in the address bar for a cookie, then drop it from the URL and history.
      res.setHeader('Set-Cookie', `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      url.searchParams.delete('token');
      res.writeHead(303, { Location: samePath(url) });
      return res.end();
    }
    serveStatic(options.uiDir, url.pathname, res);
  });
  // Every socket gets an error path: an unhandled 'error' on any of them would end the process.
  server.on('connection', (socket) => socket.on('error', () => socket.destroy()));

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (req, socket: Duplex, head) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = req.headers.origin;
    const credential = requestCredential(req, url);
    const refused =
      url.pathname !== '/api' ? 'HTTP/1.1 404 Not Found' :
      !hostAllowed(req) ? 'HTTP/1.1 421 Misdirected Request' :
      origin !== undefined && !allowedOrigins().has(origin) ? 'HTTP/1.1 403 Forbidden' :
      !tokenMatches(credential.token) ? 'HTTP/1.1 401 Unauthorized' :
      // Browsers always send Origin on a WebSocket; a cookie without one did not come from our page.
      credential.byCookie && origin === undefined ? 'HTTP/1.1 403 Forbidden' : undefined;
    if (refused) {
      socket.end(`${refused}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    serveConnection(options.hub, ws);
  });

  const unsubscribe = options.hub.on((event, payload) => {
    const frame = JSON.stringify({ event, payload } satisfies ServerFrame);
    for (const ws of sockets) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) ws.terminate();
      else ws.send(frame);
    }
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

/**
 * The path (and query) to go on to after the token exchange, always on this server: a path that
 * starts with two slashes or a backslash would be read by the browser as another host.
 */
function samePath(url: URL): string {
  return '/' + url.pathname.replace(/^[/\\]+/, '') + url.search;
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
