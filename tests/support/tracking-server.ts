/**
 * A web server on 127.0.0.1 that stands for every remote thing a mail may try to load: it answers
 * each request with a 1×1 GIF (or a little CSS) and counts the hits per path, so a test can say
 * "nothing reached out before Show images" and "the pixel and the images did after".
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TrackingServer {
  /** host:port, what the corpus puts for TRACKER. */
  host: string;
  hits(path?: string): number;
  /** Every path requested, in order. */
  readonly log: readonly string[];
  stop(): Promise<void>;
}

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///ywAAAAAAQABAAACAUwAOw==', 'base64');

export async function startTrackingServer(): Promise<TrackingServer> {
  const log: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    log.push(path);
    if (path.endsWith('.css')) {
      res.writeHead(200, { 'Content-Type': 'text/css' });
      res.end('body{background:red}');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'image/gif', 'Cache-Control': 'no-store' });
    res.end(GIF);
  });
  server.on('connection', (socket) => socket.on('error', () => socket.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    hits: (path) => (path === undefined ? log.length : log.filter((p) => p === path).length),
    log,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
