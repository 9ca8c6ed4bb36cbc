/**
 * `serve` in a child process against hostile and careless clients: resets during a refused upgrade,
 * frames the WebSocket layer rejects, frames that are not calls, a flood of calls that are never
 * awaited, and an OPML file as big as the hub accepts. Whatever a client does, the process stays up
 * and answers the next client.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { MAX_FRAME_BYTES } from '../../src-shared/limits.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runCli } from '../support/cli.ts';
import { rssFeed, statusEntries } from '../support/feed-fixtures.ts';
import { startFeedServer } from '../support/feed-server.ts';
import type { FeedServer } from '../support/feed-server.ts';
import { tempProfile } from '../support/profile.ts';
import { startServe } from '../support/serve-process.ts';
import type { ServeProcess } from '../support/serve-process.ts';

function upgradeRequest(port: number, headers: Record<string, string>): string {
  const lines = [
    'GET /api HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return lines.join('\r\n') + '\r\n\r\n';
}

/** A raw TCP socket that completed the WebSocket handshake, for frames no WebSocket library would send. */
function rawSocket(port: number, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(upgradeRequest(port, { Authorization: `Bearer ${token}` })));
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (head.startsWith('HTTP/1.1 101')) resolve(socket);
      else reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}

/** One WebSocket frame, FIN set; `mask` false makes it a frame a server must refuse. */
function wsFrame(opcode: number, payload: Buffer, mask: boolean): Buffer {
  const key = mask ? randomBytes(4) : Buffer.alloc(0);
  const body = Buffer.from(payload);
  if (mask) for (let i = 0; i < body.length; i++) body[i]! ^= key[i % 4]!;
  const length = body.length < 126 ? Buffer.from([body.length | (mask ? 0x80 : 0)]) : Buffer.from([126 | (mask ? 0x80 : 0), body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([0x80 | opcode]), length, key, body]);
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.on('error', () => {});
    socket.once('close', () => resolve());
  });
}

function openClient(port: number, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers: { Authorization: `Bearer ${token}` }, maxPayload: 0 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

interface Answer {
  id: number | null;
  result: { ok: boolean; value?: unknown; error?: { code: string; message: string } };
}

/** The next answer frame (events are skipped); fails when the connection closes first. */
function nextFrame(ws: WebSocket): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(data.toString()) as Answer | { event: string };
      if (!('id' in frame)) return;
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(frame);
    };
    const onClose = (code: number) => {
      ws.off('message', onMessage);
      reject(new Error(`the connection closed (${code}) before an answer came`));
    };
    ws.on('message', onMessage);
    ws.once('close', onClose);
  });
}

function closeOf(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve(-1);
    ws.once('error', () => {});
    ws.once('close', (code) => resolve(code));
  });
}

function getPath(port: number, path: string): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Starts the kernel's peak-memory count of a process afresh (earlier tests sent it 40 MB frames). */
function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** Peak resident memory of a process, from the kernel's own accounting. */
function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

describe('serve survives hostile clients', () => {
  const profile = tempProfile();
  let feeds: FeedServer;
  let serve: ServeProcess;
  let token: string;

  /** The process is up and a fresh client gets an answer. */
  async function expectServing(): Promise<void> {
    expect(serve.child.exitCode, serve.output()).toBeNull();
    const ws = await openClient(serve.port, token);
    const answer = nextFrame(ws);
    ws.send(JSON.stringify({ id: 1, call: 'accounts.list', params: {} }));
    expect((await answer).result.ok).toBe(true);
    ws.close();
  }

  async function call(name: string, params: unknown): Promise<Answer['result']> {
    const ws = await openClient(serve.port, token);
    const answer = nextFrame(ws);
    ws.send(JSON.stringify({ id: 1, call: name, params }));
    const { result } = await answer;
    ws.close();
    return result;
  }

  beforeAll(async () => {
    feeds = await startFeedServer();
    // Long titles (cut to 500 characters by the hub) make each page of 100 items a 100 kB answer, so a flood of them weighs.
    const entries = statusEntries(120).map((e) => ({ ...e, title: `${e.title} ${'with a very long title '.repeat(90)}` }));
    feeds.serveFeed('/status.xml', { body: rssFeed(entries), contentType: 'application/rss+xml' });
    const added = await runCli(['account', 'add', 'feed', '--url', feeds.url('/status.xml'), '--interval', '86400', '--profile', profile.dir]);
    expect(added.code, added.stderr).toBe(0);
    serve = await startServe(profile.dir);
    token = new URL(serve.url).searchParams.get('token')!;
  }, 60_000);

  afterAll(async () => {
    await serve?.stop();
    await feeds?.stop();
    profile.remove();
  });

  it('stays up when 300 clients reset the connection right after an upgrade without the token', async () => {
    for (let i = 0; i < 300; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(serve.port, '127.0.0.1', () => {
          socket.write(upgradeRequest(serve.port, {}));
          socket.resetAndDestroy();
        });
        socket.on('error', () => {});
        socket.on('close', () => resolve());
      });
    }
    await expectServing();
  });

  it('closes only the connection that sends more than a frame may carry, and answers a large call within it', async () => {
    const ws = await openClient(serve.port, token);
    const answer = nextFrame(ws);
    ws.send(JSON.stringify({ id: 7, call: 'inbox.search', params: { text: 'x'.repeat(2 * 1024 * 1024) } }));
    expect((await answer).result.error?.code).toBe('invalid-input');
    const code = closeOf(ws);
    ws.send(Buffer.alloc(MAX_FRAME_BYTES + 1024, 0x20));
    expect(await code).toBe(1009);
    await expectServing();
  });

  it('closes only the connection that sends an unmasked frame', async () => {
    const socket = await rawSocket(serve.port, token);
    const gone = closed(socket);
    socket.write(wsFrame(0x1, Buffer.from('{"id":1,"call":"accounts.list","params":{}}'), false));
    await gone;
    await expectServing();
  });

  it('closes only the connection that sends text that is not UTF-8', async () => {
    const socket = await rawSocket(serve.port, token);
    const gone = closed(socket);
    socket.write(wsFrame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), true));
    await gone;
    await expectServing();
  });

  it('answers a frame that is not a call with an error frame, and closes after three', async () => {
    const ws = await openClient(serve.port, token);
    const first = nextFrame(ws);
    ws.send('this is not JSON');
    expect(await first).toMatchObject({ id: null, result: { ok: false, error: { code: 'invalid-input' } } });
    const second = nextFrame(ws);
    ws.send(JSON.stringify({ call: 'accounts.list', params: {} }));
    const noId = await second;
    expect(noId).toMatchObject({ id: null, result: { ok: false, error: { code: 'invalid-input' } } });
    expect(noId.result.error?.message).toMatch(/id/);
    const code = closeOf(ws);
    ws.send('[]');
    expect(await code).toBe(1008);
    await expectServing();
  });

  it('redirects after the token exchange only to a path on this server', async () => {
    for (const path of ['/.//evil.example/', '//evil.example/', '/\\evil.example/', '/%2F/evil.example/']) {
      const reply = await getPath(serve.port, `${path}?token=${token}`);
      expect(reply.status).toBe(303);
      const target = new URL(reply.location!, `http://127.0.0.1:${serve.port}/`);
      expect(target.origin, `${path} → ${reply.location}`).toBe(`http://127.0.0.1:${serve.port}`);
    }
  });

  it('holds a flood of 10,000 calls nobody awaits to a bounded number in flight, and answers every one', async () => {
    // Wait for the feed's first poll: the flood must ask for pages that weigh something.
    for (;;) {
      const page = await call('inbox.list', { limit: 100 });
      if ((page.value as { items: unknown[] }).items.length === 100) {
        expect(JSON.stringify(page.value).length).toBeGreaterThan(90_000);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    resetPeakRss(serve.child.pid!);
    const flood = await openClient(serve.port, token);
    // The client does not read: answers can only pile up in the server if it keeps taking calls.
    flood.pause();
    for (let id = 1; id <= 10_000; id++) flood.send(JSON.stringify({ id, call: 'inbox.list', params: { limit: 100 } }));
    // Round trips on another connection let the server take in whatever it is willing to read.
    for (let i = 0; i < 5; i++) await expectServing();
    // Each answer is about 100 kB: 10,000 held at once would be a gigabyte on top of the hub's own
    // ~150 MB (unbounded, this reached 2.6 GB). The bound leaves room for the garbage collector's slack.
    const peak = peakRssMb(serve.child.pid!);
    expect(peak, `peak RSS ${peak} MB`).toBeLessThan(600);
    // Answers may come in any order (calls run side by side); each id must come back once, none lost.
    const answered = new Set<number>();
    const all = new Promise<void>((resolve) =>
      flood.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { id?: number; result?: { ok: boolean } };
        if (frame.id === undefined) return;
        if (frame.result?.ok) answered.add(frame.id);
        if (answered.size === 10_000) resolve();
      }),
    );
    flood.resume();
    await all;
    expect(Math.min(...answered)).toBe(1);
    expect(Math.max(...answered)).toBe(10_000);
    flood.close();
    // Reading the answers, the client sets the pace; what the server holds is what the collector has not freed yet.
    await expectServing();
  }, 180_000);

  it('imports an OPML file of 7,500 feeds (1.3 MB) through the running hub with the CLI', async () => {
    // Port 9 (discard) on 127.0.0.1 is closed here: the hub's first polls fail fast and reach nobody.
    const outlines = Array.from(
      { length: 7_500 },
      (_, n) => `      <outline type="rss" text="Imported feed number ${n} with a longer title" title="Imported feed number ${n} with a longer title" xmlUrl="http://127.0.0.1:9/feeds/${n}/rss.xml" htmlUrl="http://127.0.0.1:9/site/${n}/"/>`,
    );
    const opml = `<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n  <head><title>Big</title></head>\n  <body>\n    <outline text="Folder">\n${outlines.join('\n')}\n    </outline>\n  </body>\n</opml>\n`;
    expect(opml.length).toBeGreaterThan(1_300_000);
    const file = join(profile.dir, 'big.opml');
    writeFileSync(file, opml);
    const run = await runCli(['feeds', 'import-opml', file, '--profile', profile.dir]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('Imported 7500 feed(s).');
    expect(serve.child.exitCode, serve.output()).toBeNull();
    await serve.stop();
  }, 120_000);
});
