/**
 * A programmable HTTP server on 127.0.0.1 for feed tests and benches: each path gets a handler
 * (or a feed served with ETag / Last-Modified and optional compression), every request is
 * recorded, and open sockets are counted so a test can prove the client closed its connection.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface ServedFeed {
  body: string | Buffer;
  contentType: string;
  etag?: string;
  lastModified?: string;
  /** Sent compressed only when the request's Accept-Encoding allows it. */
  encoding?: 'gzip' | 'br' | 'deflate';
}

export interface RecordedRequest {
  method: string;
  /** As requested, query included. */
  path: string;
  headers: IncomingHttpHeaders;
  at: number;
}

export interface FeedServer {
  /** http://127.0.0.1:PORT */
  origin: string;
  url(path: string): string;
  /** Replaces any previous handler for the path (matched without the query). */
  route(path: string, handler: Handler): void;
  /** Answers 304 when If-None-Match or If-Modified-Since match. */
  serveFeed(path: string, feed: ServedFeed): void;
  /** Every request, in order of arrival. */
  requests: RecordedRequest[];
  requestsTo(path: string): number;
  /** Sockets open right now, for leak checks. */
  openConnections(): number;
  /** Closes every socket, hanging ones included. */
  stop(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  const routes = new Map<string, Handler>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers, at: Date.now() });
    const handler = routes.get(pathname(path));
    if (handler) return handler(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the feed server has no port');
  const origin = `http://127.0.0.1:${address.port}`;

  return {
    origin,
    url: (path) => new URL(path, origin).href,
    route(path, handler) {
      routes.set(path, handler);
    },
    serveFeed(path, feed) {
      routes.set(path, (req, res) => answerFeed(feed, req, res));
    },
    requests,
    requestsTo: (path) => requests.filter((r) => pathname(r.path) === path).length,
    openConnections: () => sockets.size,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function answerFeed(feed: ServedFeed, req: IncomingMessage, res: ServerResponse): void {
  const validators: Record<string, string> = {};
  if (feed.etag) validators.etag = feed.etag;
  if (feed.lastModified) validators['last-modified'] = feed.lastModified;
  if (notModified(feed, req.headers)) {
    res.writeHead(304, validators).end();
    return;
  }
  let body = typeof feed.body === 'string' ? Buffer.from(feed.body) : feed.body;
  const headers: Record<string, string | number> = { 'content-type': feed.contentType, ...validators };
  if (feed.encoding) headers.vary = 'Accept-Encoding';
  if (feed.encoding && accepts(req.headers['accept-encoding'], feed.encoding)) {
    body = feed.encoding === 'gzip' ? gzipSync(body) : feed.encoding === 'br' ? brotliCompressSync(body) : deflateSync(body);
    headers['content-encoding'] = feed.encoding;
  }
  headers['content-length'] = body.length;
  res.writeHead(200, headers).end(body);
}

/** RFC 9110 §13.1.3: If-None-Match decides when present; otherwise If-Modified-Since compares dates. */
function notModified(feed: ServedFeed, headers: IncomingHttpHeaders): boolean {
  const noneMatch = headers['if-none-match'];
  if (noneMatch !== undefined) {
    if (!feed.etag) return false;
    const tags = noneMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(feed.etag.replace(/^W\//, ''));
  }
  const since = Date.parse(headers['if-modified-since'] ?? '');
  const modified = Date.parse(feed.lastModified ?? '');
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since;
}

function accepts(acceptEncoding: string | undefined, encoding: string): boolean {
  return (acceptEncoding ?? '').split(',').some((part) => {
    const [name, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return (name === encoding || name === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

function pathname(path: string): string {
  return new URL(path, 'http://localhost').pathname;
}
