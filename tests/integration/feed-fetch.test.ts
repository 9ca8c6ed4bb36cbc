import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FeedFetchError, fetchFeed, type FetchOutcome, type FetchRequest } from '../../src-main/connectors/feeds/http-fetch.ts';
import { startFeedServer, type FeedServer } from '../support/feed-server.ts';

const userAgent = 'Groundswell/test (+https://example.org/groundswell)';
const RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>';
const MiB = 1024 * 1024;

let server: FeedServer;
let other: FeedServer;

beforeAll(async () => {
  [server, other] = await Promise.all([startFeedServer(), startFeedServer()]);
});
afterAll(async () => {
  await Promise.all([server.stop(), other.stop()]);
});
// Whatever the outcome, the client must have closed its socket: the server is left with none.
afterEach(async () => {
  await until(() => server.openConnections() === 0 && other.openConnections() === 0, 'sockets left open');
});

const get = (url: string, extra: Partial<FetchRequest> = {}) => fetchFeed({ url, userAgent, ...extra });

function fetched(outcome: FetchOutcome) {
  if (outcome.kind !== 'fetched') throw new Error(`expected a body, got ${outcome.kind}`);
  return outcome;
}

async function failure(promise: Promise<unknown>): Promise<FeedFetchError> {
  const error = await promise.then(
    () => new Error('expected the fetch to fail'),
    (e: unknown) => e,
  );
  if (!(error instanceof FeedFetchError)) throw error;
  return error;
}

/** Generous on purpose: a loaded machine can stall the event loop for a second. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`${what} after 5 s`);
}

const lastRequest = (s: FeedServer) => {
  const request = s.requests.at(-1);
  if (!request) throw new Error('no request arrived');
  return request;
};

describe('conditional requests', () => {
  it('sends the ETag back as If-None-Match and gets a 304', async () => {
    server.serveFeed('/etag.xml', { body: RSS, contentType: 'application/rss+xml', etag: '"v1"' });
    const first = fetched(await get(server.url('/etag.xml')));
    expect(first).toMatchObject({ status: 200, etag: '"v1"', contentType: 'application/rss+xml', url: server.url('/etag.xml') });
    expect(first.body.toString()).toBe(RSS);
    expect(first.permanentUrl).toBeUndefined();

    const second = await get(server.url('/etag.xml'), { etag: first.etag });
    expect(second).toMatchObject({ kind: 'not-modified', etag: '"v1"' });
    expect(lastRequest(server).headers['if-none-match']).toBe('"v1"');
  });

  it('sends Last-Modified back as If-Modified-Since', async () => {
    const lastModified = 'Wed, 01 May 2024 10:00:00 GMT';
    server.serveFeed('/dated.xml', { body: RSS, contentType: 'application/rss+xml', lastModified });
    const first = fetched(await get(server.url('/dated.xml')));
    expect(first.lastModified).toBe(lastModified);
    const second = await get(server.url('/dated.xml'), { lastModified });
    expect(second).toEqual({ kind: 'not-modified', url: server.url('/dated.xml'), etag: undefined, lastModified });
    expect(lastRequest(server).headers['if-modified-since']).toBe(lastModified);
  });

  it('keeps the validators it sent when a 304 repeats none', async () => {
    server.route('/bare-304', (_req, res) => res.writeHead(304).end());
    const outcome = await get(server.url('/bare-304'), { etag: '"x"', lastModified: 'Wed, 01 May 2024 10:00:00 GMT' });
    expect(outcome).toMatchObject({ kind: 'not-modified', etag: '"x"', lastModified: 'Wed, 01 May 2024 10:00:00 GMT' });
  });

  it('sends User-Agent, Accept and Accept-Encoding', async () => {
    server.serveFeed('/headers.xml', { body: RSS, contentType: 'application/rss+xml' });
    await get(server.url('/headers.xml'));
    const { headers } = lastRequest(server);
    expect(headers['user-agent']).toBe(userAgent);
    expect(headers.accept).toMatch(/^application\/atom\+xml, application\/rss\+xml/);
    expect(headers['accept-encoding']).toBe('gzip, deflate, br');
    expect(headers.authorization).toBeUndefined();
  });
});

describe('compression', () => {
  const big = RSS.repeat(200);

  it.each(['gzip', 'br', 'deflate'] as const)('decodes %s', async (encoding) => {
    server.serveFeed(`/${encoding}.xml`, { body: big, contentType: 'application/rss+xml', encoding });
    const outcome = fetched(await get(server.url(`/${encoding}.xml`)));
    expect(outcome.body.toString()).toBe(big);
  });

  it('decodes raw deflate sent as "deflate" and x-gzip', async () => {
    server.route('/raw', (_req, res) => res.writeHead(200, { 'content-encoding': 'deflate' }).end(deflateRawSync(big)));
    server.route('/x-gzip', (_req, res) => res.writeHead(200, { 'content-encoding': 'x-gzip' }).end(gzipSync(big)));
    expect(fetched(await get(server.url('/raw'))).body.toString()).toBe(big);
    expect(fetched(await get(server.url('/x-gzip'))).body.toString()).toBe(big);
  });
});

describe('size cap', () => {
  it('stops reading a 60 MB body at the cap and closes the socket', async () => {
    let written = 0;
    server.route('/huge', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const pump = () => {
        while (written < 60 * MiB && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (written >= 60 * MiB) res.end();
      };
      pump();
    });
    const error = await failure(get(server.url('/huge')));
    expect(error.code).toBe('too-large');
    expect(error.message).toBe('The feed is larger than 10 MB; Groundswell stopped reading it.');
    await until(() => server.openConnections() === 0, 'the server still has the socket');
    // The cap plus what the kernel buffers on loopback; nowhere near the whole body.
    expect(written).toBeLessThan(40 * MiB);
  });

  it('refuses a Content-Length above the cap before reading', async () => {
    server.route('/announced', (_req, res) => {
      res.writeHead(200, { 'content-length': String(20 * MiB) });
      res.write('<rss>'); // and never more: only the header can have made the client give up
    });
    const error = await failure(get(server.url('/announced')));
    expect(error.code).toBe('too-large');
  });

  it('counts decompressed bytes, so a gzip bomb is refused', async () => {
    // Concatenated gzip members decode as one stream: 64 KB on the wire, 64 MB unpacked.
    const member = gzipSync(Buffer.alloc(MiB));
    const bomb = Buffer.concat(Array.from({ length: 64 }, () => member));
    server.route('/bomb', (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': bomb.length }).end(bomb));
    const error = await failure(get(server.url('/bomb')));
    expect(error.code).toBe('too-large');
    expect(bomb.length).toBeLessThan(MiB);
  });

  it('applies a smaller cap to brotli too', async () => {
    server.serveFeed('/br-big', { body: Buffer.alloc(MiB, 'x'), contentType: 'text/xml', encoding: 'br' });
    const error = await failure(get(server.url('/br-big'), { maxBytes: 100 * 1024 }));
    expect(error.code).toBe('too-large');
    expect(error.message).toContain('100 KB');
  });
});

describe('timeouts and aborts', () => {
  it('gives up on a server that never answers, while other paths still work', async () => {
    server.route('/hang', () => {});
    server.serveFeed('/quick.xml', { body: RSS, contentType: 'application/rss+xml' });
    const hanging = failure(get(server.url('/hang'), { totalTimeoutMs: 300 }));
    await until(() => server.requestsTo('/hang') === 1, 'the hanging request did not arrive');
    expect(fetched(await get(server.url('/quick.xml'))).body.toString()).toBe(RSS);
    const error = await hanging;
    expect(error.code).toBe('timeout');
    expect(error.message).toContain('did not finish within 0.3 s');
  });

  it('counts the body against the total deadline', async () => {
    server.route('/trickle', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<rss>');
    });
    const error = await failure(get(server.url('/trickle'), { totalTimeoutMs: 300 }));
    expect(error.code).toBe('timeout');
  });

  it('times out the connect when TLS never completes', async () => {
    // A TCP server that accepts and stays silent: the TLS handshake never finishes. (An unroutable
    // address would test the TCP half too, but whether it blackholes depends on the network.)
    const silent = await listenSilently();
    try {
      const error = await failure(get(`https://127.0.0.1:${silent.port}/feed.xml`, { connectTimeoutMs: 200, totalTimeoutMs: 10_000 }));
      expect(error.code).toBe('timeout');
      expect(error.message).toBe(`127.0.0.1:${silent.port} did not connect within 0.2 s.`);
      await until(() => silent.sockets.size === 0, 'the silent server still has the socket');
    } finally {
      for (const socket of silent.sockets) socket.destroy();
      await new Promise((resolve) => silent.server.close(resolve));
    }
  });

  it('rejects as aborted as soon as the signal fires and closes the socket', async () => {
    server.route('/slow', () => {});
    const controller = new AbortController();
    const pending = failure(get(server.url('/slow'), { signal: controller.signal }));
    await until(() => server.requestsTo('/slow') === 1, 'the request did not arrive');
    controller.abort();
    expect((await pending).code).toBe('aborted');
  });
});

describe('status codes', () => {
  it('reports 429 with Retry-After seconds as rate-limited', async () => {
    server.route('/busy', (_req, res) => res.writeHead(429, { 'retry-after': '120' }).end());
    const error = await failure(get(server.url('/busy')));
    expect(error).toMatchObject({ code: 'rate-limited', status: 429, retryAfterMs: 120_000 });
  });

  it('reports 503 with an HTTP-date as rate-limited', async () => {
    const at = new Date(Date.now() + 90_000).toUTCString();
    server.route('/down', (_req, res) => res.writeHead(503, { 'retry-after': at }).end());
    const error = await failure(get(server.url('/down')));
    expect(error).toMatchObject({ code: 'rate-limited', status: 503 });
    // HTTP-dates have whole seconds.
    expect(error.retryAfterMs).toBeGreaterThan(85_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(90_000);
  });

  it.each([
    [401, 'unauthorized'],
    [403, 'unauthorized'],
    [404, 'not-found'],
    [410, 'not-found'],
    [500, 'http-status'],
  ] as const)('maps %i to %s', async (status, code) => {
    server.route(`/status-${status}`, (_req, res) => res.writeHead(status).end('nope'));
    const error = await failure(get(server.url(`/status-${status}`), { authorization: 'Bearer tok-SECRET-1' }));
    expect(error).toMatchObject({ code, status });
    expect(error.message).not.toContain('tok-SECRET-1');
  });

  it('reports a refused connection as a network error naming the host and no credentials', async () => {
    const closed = await startFeedServer();
    const origin = closed.origin;
    await closed.stop();
    const error = await failure(get(`${origin.replace('//', '//alice:s3cret@')}/feed.xml`));
    expect(error.code).toBe('network');
    expect(error.message).toContain(origin.slice('http://'.length));
    expect(error.message).not.toMatch(/s3cret|alice/);
  });
});

describe('broken answers', () => {
  it('reports a body cut short as a network error', async () => {
    server.route('/cut', (_req, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      res.write('<rss>', () => res.socket?.destroy());
    });
    expect((await failure(get(server.url('/cut')))).code).toBe('network');
  });

  it('refuses an encoding it did not ask for', async () => {
    server.route('/compress', (_req, res) => res.writeHead(200, { 'content-encoding': 'compress' }).end('x'));
    expect(await failure(get(server.url('/compress')))).toMatchObject({ code: 'http-status', status: 200 });
  });
});

describe('redirects', () => {
  const redirect = (from: string, status: number, to: string) => server.route(from, (_req, res) => res.writeHead(status, { location: to }).end());

  beforeAll(() => {
    server.serveFeed('/moved/feed.xml', { body: RSS, contentType: 'application/rss+xml', etag: '"m"' });
  });

  it('sets permanentUrl when every hop is 301', async () => {
    redirect('/p1', 301, '/p2');
    redirect('/p2', 301, 'moved/feed.xml');
    const outcome = fetched(await get(server.url('/p1')));
    expect(outcome.url).toBe(server.url('/moved/feed.xml'));
    expect(outcome.permanentUrl).toBe(server.url('/moved/feed.xml'));
  });

  it('sets permanentUrl for 308 too, also on a 304', async () => {
    redirect('/q1', 308, server.url('/moved/feed.xml'));
    const outcome = await get(server.url('/q1'), { etag: '"m"' });
    expect(outcome).toMatchObject({ kind: 'not-modified', permanentUrl: server.url('/moved/feed.xml') });
  });

  it('sets no permanentUrl when one hop is temporary', async () => {
    redirect('/t1', 301, '/t2');
    redirect('/t2', 302, '/moved/feed.xml');
    const outcome = fetched(await get(server.url('/t1')));
    expect(outcome.url).toBe(server.url('/moved/feed.xml'));
    expect(outcome.permanentUrl).toBeUndefined();
  });

  it('stops a redirect loop', async () => {
    redirect('/loop-a', 302, '/loop-b');
    redirect('/loop-b', 302, '/loop-a');
    const error = await failure(get(server.url('/loop-a'), { maxRedirects: 3 }));
    expect(error.code).toBe('too-many-redirects');
    expect(server.requestsTo('/loop-a') + server.requestsTo('/loop-b')).toBe(4);
  });

  it('keeps Authorization on the same origin and drops it for another', async () => {
    other.serveFeed('/elsewhere.xml', { body: RSS, contentType: 'application/rss+xml' });
    redirect('/private', 302, '/private-feed');
    server.serveFeed('/private-feed', { body: RSS, contentType: 'application/rss+xml' });
    redirect('/leave', 301, other.url('/elsewhere.xml'));

    await get(server.url('/private'), { authorization: 'Bearer tok-1' });
    expect(lastRequest(server)).toMatchObject({ path: '/private-feed', headers: { authorization: 'Bearer tok-1' } });

    const outcome = fetched(await get(server.url('/leave'), { authorization: 'Bearer tok-1' }));
    expect(outcome.permanentUrl).toBe(other.url('/elsewhere.xml'));
    expect(lastRequest(server)).toMatchObject({ path: '/leave', headers: { authorization: 'Bearer tok-1' } });
    expect(lastRequest(other).path).toBe('/elsewhere.xml');
    expect(lastRequest(other).headers.authorization).toBeUndefined();
  });

  it('sends Basic credentials over http to 127.0.0.1, from the address or the option', async () => {
    server.serveFeed('/basic.xml', { body: RSS, contentType: 'application/rss+xml' });
    const basic = `Basic ${Buffer.from('alice:p@ss word').toString('base64')}`;
    await get(server.url('/basic.xml').replace('//', '//alice:p%40ss%20word@'));
    expect(lastRequest(server).headers.authorization).toBe(basic);
    await get(server.url('/basic.xml'), { authorization: basic });
    expect(lastRequest(server).headers.authorization).toBe(basic);
  });
});

async function listenSilently(): Promise<{ server: TcpServer; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const tcp = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    // Reading (and dropping) the ClientHello is what lets the server notice the client hung up.
    socket.resume();
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const address = tcp.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { server: tcp, port: address.port, sockets };
}
