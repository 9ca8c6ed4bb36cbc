/**
 * A TCP proxy on 127.0.0.1 between a client and a real server, for the failures a server cannot be
 * asked to produce: it can stop forwarding the server's bytes after a given count (a server that
 * hangs mid-answer without closing), and it counts connections and the IMAP commands clients send.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** How often clients sent each IMAP command verb (LOGIN, NOOP, IDLE …), from the lines they wrote. */
  readonly commands: ReadonlyMap<string, number>;
  /** Bytes the server has sent through the proxy so far (how much a client fetched). */
  readonly serverBytes: number;
  /** Forwards `bytes` more bytes from the server, then holds the rest (on every connection, new ones too). */
  stallAfter(bytes: number): void;
  /** Whether the budget of a stall is spent, i.e. a client is now waiting on bytes that do not come. */
  readonly stalled: boolean;
  /** Forwards again, held bytes first. */
  resume(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  server: Socket;
  held: Buffer[];
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  const commands = new Map<string, number>();
  let connections = 0;
  let serverBytes = 0;
  // Bytes the server may still send before the proxy holds them; Infinity forwards everything.
  let budget = Number.POSITIVE_INFINITY;

  const forward = (pair: Pair, chunk: Buffer) => {
    if (budget === Number.POSITIVE_INFINITY) {
      pair.client.write(chunk);
      return;
    }
    const allowed = Math.max(0, Math.min(budget, chunk.length));
    budget -= allowed;
    if (allowed > 0) pair.client.write(chunk.subarray(0, allowed));
    if (allowed < chunk.length) pair.held.push(chunk.subarray(allowed));
  };

  const countCommands = (text: string) => {
    for (const line of text.split('\r\n')) {
      const verb = /^\S+ (?:UID )?([A-Za-z]+)/.exec(line)?.[1]?.toUpperCase();
      if (verb) commands.set(verb, (commands.get(verb) ?? 0) + 1);
    }
  };

  const server = createServer((client) => {
    connections += 1;
    const upstream = createConnection({ host: target.host, port: target.port });
    const pair: Pair = { client, server: upstream, held: [] };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    upstream.on('data', (chunk: Buffer) => {
      serverBytes += chunk.length;
      forward(pair, chunk);
    });
    client.on('data', (chunk: Buffer) => {
      countCommands(chunk.toString('latin1'));
      upstream.write(chunk);
    });
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });

  return {
    port,
    get connections() {
      return connections;
    },
    get serverBytes() {
      return serverBytes;
    },
    commands,
    stallAfter(bytes) {
      budget = bytes;
    },
    get stalled() {
      return budget === 0;
    },
    resume() {
      budget = Number.POSITIVE_INFINITY;
      for (const pair of pairs) {
        for (const chunk of pair.held.splice(0)) pair.client.write(chunk);
      }
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.server.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
