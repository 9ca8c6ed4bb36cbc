/**
 * The HTTP side: one node:http server on 127.0.0.1 that can go away (every socket destroyed,
 * long polls included) and come back on the same port with its state intact.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { accountRoutes } from './account-routes.ts';
import { authRoutes } from './auth-routes.ts';
import { keysRoutes } from './keys-routes.ts';
import { mediaRoutes } from './media.ts';
import { FaultInjector } from './faults.ts';
import { RateLimiter } from './rate-limit.ts';
import { roomKeysRoutes } from './room-keys-routes.ts';
import { ssoRoutes } from './sso.ts';
import { roomRoutes } from './room-routes.ts';
import { dispatch, type Dispatcher } from './router.ts';
import type { HomeserverState } from './state.ts';
import { syncRoutes } from './sync.ts';

export interface RecordedRequest {
  method: string;
  /** As requested, query included. */
  path: string;
  at: number;
  /** Set once the answer went out. */
  status?: number;
}

export class HomeserverHttp {
  readonly rateLimiter = new RateLimiter();
  readonly faults = new FaultInjector();
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor(hs: HomeserverState) {
    const dispatcher: Dispatcher = {
      routes: [...accountRoutes, ...authRoutes, ...ssoRoutes, ...syncRoutes, ...roomRoutes, ...mediaRoutes, ...keysRoutes, ...roomKeysRoutes],
      hs,
      rateLimiter: this.rateLimiter,
      faults: this.faults,
      baseUrl: () => this.baseUrl,
    };
    this.server = createServer((req, res) => {
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', at: Date.now() };
      this.requests.push(recorded);
      res.on('finish', () => (recorded.status = res.statusCode));
      void dispatch(dispatcher, req, res);
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get listening(): boolean {
    return this.server.listening;
  }

  openConnections(): number {
    return this.sockets.size;
  }

  /** Listens on a free port the first time, and on that same port after every close. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('the homeserver has no port');
    this.port = address.port;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
