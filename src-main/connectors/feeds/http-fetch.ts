/**
 * Fetching a feed politely: conditional requests (ETag / Last-Modified) so an unchanged feed costs
 * one small 304, compression so a changed one costs little, and hard limits (connect time, total
 * time, decompressed size, redirects) so one broken or hostile server can neither stall the poller
 * nor fill memory. Redirects are followed by hand, to learn whether a feed moved for good and to
 * keep credentials from following it to another origin. Sockets are never pooled (agent: false):
 * every outcome ends with the socket closed, so none can leak.
 */
import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';

export interface FetchRequest {
  url: string;
  /** From the last answer; sent as If-None-Match. */
  etag?: string;
  /** From the last answer; sent as If-Modified-Since. */
  lastModified?: string;
  /** The full header value ("Basic …" / "Bearer …"). Credentials in the URL (user:pass@) are sent as Basic. */
  authorization?: string;
  userAgent: string;
  accept?: string;
  /** TCP and, for https, TLS connect. */
  connectTimeoutMs?: number;
  /** The whole fetch, redirects and body included. */
  totalTimeoutMs?: number;
  /** Counts decompressed bytes, so a small gzip bomb is caught too; a larger Content-Length is refused up front. */
  maxBytes?: number;
  maxRedirects?: number;
  /** Aborting rejects with 'aborted' at once and closes the socket. */
  signal?: AbortSignal;
}

/** `url` is where the feed was found after redirects; `permanentUrl` is set only when every redirect was permanent (301/308), so the subscription may move there. */
export type FetchOutcome =
  | { kind: 'fetched'; status: number; url: string; permanentUrl?: string; body: Buffer; contentType?: string; etag?: string; lastModified?: string }
  | { kind: 'not-modified'; url: string; permanentUrl?: string; etag?: string; lastModified?: string };

export type FeedFetchErrorCode =
  | 'bad-url' | 'insecure-credentials' | 'timeout' | 'too-large' | 'too-many-redirects' | 'unauthorized'
  | 'not-found' | 'rate-limited' | 'http-status' | 'network' | 'aborted';

/** A failed fetch: a code for the poller and a message for the user with no credentials in it. */
export class FeedFetchError extends Error {
  readonly code: FeedFetchErrorCode;
  readonly status?: number;
  /** From Retry-After on 429/503: how long the server asked us to stay away. */
  readonly retryAfterMs?: number;
  constructor(code: FeedFetchErrorCode, message: string, details: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'FeedFetchError';
    this.code = code;
    if (details.status !== undefined) this.status = details.status;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

export const DEFAULT_ACCEPT =
  'application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.5, */*;q=0.1';
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_TOTAL_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;
const MAX_RETRY_AFTER_MS = 24 * 60 * 60_000;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Plain http never leaves these hosts, so credentials sent to them cannot be overheard.
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const DECODABLE = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

export async function fetchFeed(request: FetchRequest): Promise<FetchOutcome> {
  let url = parseFeedUrl(request.url);
  let authorization = request.authorization ?? basicFromUserinfo(url);
  if (authorization !== undefined && url.protocol === 'http:' && !LOCAL_HOSTS.has(url.hostname)) {
    const why = `Groundswell will not send the password or token for ${url.host} over plain http, where anyone on the network could read it`;
    throw new FeedFetchError('insecure-credentials', `${why}; use an https:// address.`);
  }
  const origin = url.origin;
  const maxRedirects = request.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const totalTimeoutMs = request.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS;
  const connectTimeoutMs = request.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const maxBytes = request.maxBytes ?? DEFAULT_MAX_BYTES;
  const limits: Limits = { connectTimeoutMs, totalTimeoutMs, deadline: Date.now() + totalTimeoutMs, maxBytes, signal: request.signal };
  let allPermanent = true;
  for (let redirects = 0; ; redirects += 1) {
    const headers: Record<string, string> = {
      'user-agent': request.userAgent,
      accept: request.accept ?? DEFAULT_ACCEPT,
      'accept-encoding': 'gzip, deflate, br',
    };
    if (request.etag) headers['if-none-match'] = request.etag;
    if (request.lastModified) headers['if-modified-since'] = request.lastModified;
    if (authorization !== undefined) headers.authorization = authorization;

    const answer = await exchange(url, headers, limits);
    if (!REDIRECTS.has(answer.status)) {
      return outcome(answer, url, allPermanent && redirects > 0 ? url.href : undefined, request);
    }
    if (redirects >= maxRedirects) {
      const message = `${url.host} redirected more than ${maxRedirects} times; the feed address may be wrong.`;
      throw new FeedFetchError('too-many-redirects', message, { status: answer.status });
    }
    url = redirectTarget(url, answer);
    allPermanent &&= answer.status === 301 || answer.status === 308;
    // Another origin is another party and gets no credentials; an https→http downgrade always changes origin.
    if (url.origin !== origin) authorization = undefined;
  }
}

/** Retry-After as delta-seconds or an HTTP-date, in ms from `now`; never negative, at most 24 h. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else if (/^[a-z]{3,9},? /i.test(text)) {
    // asctime dates carry no zone but are UTC; Date.parse would read them as local time.
    const at = Date.parse(/GMT|UTC|[+-]\d{4}$/.test(text) ? text : `${text} GMT`);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  } else {
    return undefined;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

interface Limits {
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  deadline: number;
  maxBytes: number;
  signal: AbortSignal | undefined;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** Read for 2xx answers only. */
  body?: Buffer;
}

function outcome(answer: Answer, url: URL, permanentUrl: string | undefined, request: FetchRequest): FetchOutcome {
  const { status, headers } = answer;
  const etag = first(headers.etag);
  const lastModified = first(headers['last-modified']);
  const moved = permanentUrl === undefined ? {} : { permanentUrl };
  if (status === 304) {
    // A 304 may leave the validators out; the ones we sent still describe what we hold.
    return { kind: 'not-modified', url: url.href, ...moved, etag: etag ?? request.etag, lastModified: lastModified ?? request.lastModified };
  }
  if (status >= 200 && status < 300) {
    return { kind: 'fetched', status, url: url.href, ...moved, body: answer.body ?? Buffer.alloc(0), contentType: first(headers['content-type']), etag, lastModified };
  }
  throw statusError(status, headers, url);
}

function statusError(status: number, headers: IncomingHttpHeaders, url: URL): FeedFetchError {
  const host = url.host;
  if (status === 401 || status === 403) {
    return new FeedFetchError('unauthorized', `${host} refused access to the feed (HTTP ${status}); check the user name and password or token.`, { status });
  }
  if (status === 404 || status === 410) {
    const what = status === 410 ? 'is gone for good' : 'was not found';
    return new FeedFetchError('not-found', `The feed at ${host}${url.pathname} ${what} (HTTP ${status}).`, { status });
  }
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(first(headers['retry-after']), Date.now());
    const wait = retryAfterMs === undefined ? '' : ` and asked to wait ${seconds(retryAfterMs)}`;
    const why = status === 429 ? 'is rate-limiting Groundswell' : 'is temporarily unavailable';
    return new FeedFetchError('rate-limited', `${host} ${why}${wait} (HTTP ${status}).`, { status, retryAfterMs });
  }
  return new FeedFetchError('http-status', `${host} answered HTTP ${status} instead of the feed.`, { status });
}

/** One request and its answer, under the connect timeout, the overall deadline, the size cap and the abort signal. */
function exchange(url: URL, headers: Record<string, string>, limits: Limits): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const host = url.host;
    const timers: NodeJS.Timeout[] = [];
    let settled = false;
    let req: ClientRequest | undefined;
    let res: IncomingMessage | undefined;
    let decoder: Transform | undefined;

    const settle = () => {
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      limits.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: FeedFetchError) => {
      if (settled) return;
      settle();
      decoder?.destroy();
      res?.destroy();
      req?.destroy();
      reject(error);
    };
    const succeed = (answer: Answer) => {
      if (settled) return;
      settle();
      resolve(answer);
    };
    const onAbort = () => fail(new FeedFetchError('aborted', `Groundswell stopped fetching the feed from ${host}.`));
    const tooLate = () => fail(new FeedFetchError('timeout', `The feed at ${host} did not finish within ${seconds(limits.totalTimeoutMs)}.`));

    if (limits.signal?.aborted) return onAbort();
    const remaining = limits.deadline - Date.now();
    if (remaining <= 0) return tooLate();
    limits.signal?.addEventListener('abort', onAbort, { once: true });
    timers.push(setTimeout(tooLate, remaining));

    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    try {
      const hostname = url.hostname.replace(/^\[|\]$/g, '');
      req = send({ hostname, port: url.port || undefined, path: url.pathname + url.search, method: 'GET', headers, agent: false });
    } catch (error) {
      // Node refuses header values with control characters before any socket exists.
      return fail(networkError(error, host));
    }
    req.on('error', (error) => fail(networkError(error, host)));
    req.on('socket', (socket: Socket) => {
      // With agent: false every socket is new, so it is still connecting here.
      const slow = () => fail(new FeedFetchError('timeout', `${host} did not connect within ${seconds(limits.connectTimeoutMs)}.`));
      const timer = setTimeout(slow, limits.connectTimeoutMs);
      timers.push(timer);
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(timer));
    });
    req.on('response', (response) => {
      res = response;
      response.on('error', (error) => fail(networkError(error, host)));
      const status = response.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        // Redirects, 304s and errors are decided by status and headers; closing now frees the socket at once.
        succeed({ status, headers: response.headers });
        response.destroy();
        return;
      }
      readBody(response, status);
    });
    req.end();

    function readBody(response: IncomingMessage, status: number) {
      const tooLarge = () => fail(new FeedFetchError('too-large', `The feed is larger than ${megabytes(limits.maxBytes)}; Groundswell stopped reading it.`));
      if (Number(response.headers['content-length']) > limits.maxBytes) return tooLarge();
      const chunks: Buffer[] = [];
      let size = 0;
      const take = (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > limits.maxBytes) return tooLarge();
        chunks.push(chunk);
      };
      const done = () => succeed({ status, headers: response.headers, body: Buffer.concat(chunks, size) });
      response.on('close', () => {
        if (!response.complete) fail(new FeedFetchError('network', `${host} closed the connection before the feed was complete.`));
      });

      const encoding = (first(response.headers['content-encoding']) ?? '').trim().toLowerCase();
      if (encoding === '' || encoding === 'identity') {
        response.on('data', take).on('end', done);
        return;
      }
      if (!DECODABLE.has(encoding)) {
        return fail(new FeedFetchError('http-status', `${host} sent the feed in an encoding Groundswell cannot read (${encoding}).`, { status }));
      }
      response.on('data', (chunk: Buffer) => {
        if (settled) return;
        if (!decoder) {
          const damaged = (error: Error) => fail(new FeedFetchError('network', `${host} sent a damaged ${encoding} body.`, { cause: error }));
          decoder = openDecoder(encoding, chunk).on('data', take).on('end', done).on('error', damaged);
        }
        if (!decoder.write(chunk)) {
          response.pause();
          decoder.once('drain', () => response.resume());
        }
      });
      response.on('end', () => (decoder ? decoder.end() : done()));
    }
  });
}

function openDecoder(encoding: string, head: Buffer): Transform {
  if (encoding === 'br') return createBrotliDecompress();
  if (encoding === 'deflate') return looksLikeZlib(head) ? createInflate() : createInflateRaw();
  return createGunzip();
}

/** "deflate" means zlib-wrapped (RFC 9110), but some servers send it raw; a zlib header's first 16 bits divide by 31. */
function looksLikeZlib(head: Buffer): boolean {
  const cmf = head[0] ?? 0;
  const flg = head[1] ?? 0;
  return head.length < 2 || ((cmf & 0x0f) === 8 && ((cmf << 8) | flg) % 31 === 0);
}

function parseFeedUrl(raw: string): URL {
  const url = URL.parse(raw.trim());
  if (!url) throw new FeedFetchError('bad-url', `"${withoutUserinfo(raw)}" is not a web address; a feed address starts with https://.`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FeedFetchError('bad-url', `Groundswell fetches feeds over http and https only, not ${url.protocol}`);
  }
  return url;
}

function redirectTarget(from: URL, answer: Answer): URL {
  const location = first(answer.headers.location);
  const status = answer.status;
  if (!location) throw new FeedFetchError('http-status', `${from.host} answered HTTP ${status} without saying where the feed went.`, { status });
  const next = URL.parse(location, from.href);
  if (!next) throw new FeedFetchError('bad-url', `${from.host} redirected to an address that is not valid.`, { status });
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new FeedFetchError('bad-url', `${from.host} redirected to a ${next.protocol} address, which Groundswell does not follow.`, { status });
  }
  return next;
}

function basicFromUserinfo(url: URL): string | undefined {
  if (!url.username && !url.password) return undefined;
  return `Basic ${Buffer.from(`${decodeUserinfo(url.username)}:${decodeUserinfo(url.password)}`).toString('base64')}`;
}

/** The URL class keeps userinfo percent-encoded; a stray "%" cannot be decoded and is sent as typed. */
function decodeUserinfo(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** For text the user typed that did not parse as a URL, so the URL class cannot strip the userinfo. */
function withoutUserinfo(raw: string): string {
  return raw.replace(/\/\/[^/?#@]*@/, '//');
}

function networkError(error: unknown, host: string): FeedFetchError {
  const code = String((error as NodeJS.ErrnoException | undefined)?.code ?? '');
  const because = (message: string) => new FeedFetchError('network', message, { cause: error });
  if (code === 'ECONNREFUSED') return because(`${host} refused the connection; check the address and that the server is running.`);
  if (code === 'ENOTFOUND') return because(`Could not find the server ${host}; check the address.`);
  if (code === 'EAI_AGAIN') return because(`Could not look up ${host}; check the network connection.`);
  if (code === 'ECONNRESET' || code === 'EPIPE') return because(`${host} closed the connection unexpectedly.`);
  if (['EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENETDOWN'].includes(code)) return because(`Could not reach ${host}; check the network connection.`);
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) return because(`The certificate of ${host} is not trusted (${code}).`);
  if (code.startsWith('ERR_SSL') || code === 'EPROTO') return because(`Could not set up a secure connection to ${host} (${code}).`);
  return because(`Fetching the feed from ${host} failed (${code || 'unknown network error'}).`);
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1 ? `${Number(mb.toFixed(1))} MB` : `${Number((bytes / 1024).toFixed(1))} KB`;
}
