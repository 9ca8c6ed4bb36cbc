/**
 * An in-process Matrix homeserver for tests, speaking the client-server API (v3) the way
 * Synapse does, so that real clients (matrix-js-sdk, or raw HTTP) can run against it. That
 * includes what end-to-end encryption needs (keys-routes.ts, room-keys-routes.ts, e2ee.ts):
 * matrix-js-sdk's Rust crypto can encrypt, decrypt and cross-sign through it.
 */
import { MatrixError } from './errors.ts';
import type { FaultRule } from './faults.ts';
import type { RateLimitRule } from './rate-limit.ts';
import { HomeserverHttp, type RecordedRequest } from './server.ts';
import { HomeserverState } from './state.ts';

export type { FaultRule } from './faults.ts';
export type { RateLimitRule } from './rate-limit.ts';
export type { RecordedRequest } from './server.ts';
export { createRawClient, MatrixHttpError, type RawClient } from './raw-client.ts';

export interface HomeserverOptions {
  /**
   * Default 'localhost'. 'address' names the server after where it listens ("127.0.0.1:PORT"), so
   * a client can find it from a user id through /.well-known, as it would a real server.
   */
  serverName?: string;
  rateLimit?: RateLimitRule | RateLimitRule[];
  /** Lifetime of access tokens that come with a refresh token. */
  accessTokenLifetimeMs?: number;
}

export interface RegisteredUser {
  userId: string;
  accessToken: string;
  deviceId: string;
}

export interface Homeserver {
  /** http://127.0.0.1:PORT — the same across pause() and resume(). */
  readonly baseUrl: string;
  readonly serverName: string;
  /** Every request, in order of arrival. */
  readonly requests: RecordedRequest[];
  /** The server's memory, for assertions a client API cannot make. */
  readonly state: HomeserverState;
  registerUser(localpart: string, password: string, options?: { deviceId?: string }): Promise<RegisteredUser>;
  /** Logs in a fresh device for an existing user. */
  login(localpart: string, password: string): Promise<RegisteredUser>;
  /** Every token of the user then answers 401 M_UNKNOWN_TOKEN, with soft_logout as asked. */
  revokeTokens(userId: string, options?: { softLogout?: boolean }): void;
  setRateLimit(rule: RateLimitRule): void;
  clearRateLimits(): void;
  /** Requests matching the rule meet a proxy's failure instead of the homeserver (faults.ts). */
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  /** The homeserver vanishes: the port stops accepting and every open socket is destroyed. */
  pause(): Promise<void>;
  /** Back on the same port, with everything it knew. */
  resume(): Promise<void>;
  openConnections(): number;
  /**
   * Turns on single sign-on with these identity providers (icons go into the media store); the
   * identity provider's page signs in as `approveAs` from then on.
   */
  enableSso(providers: { id: string; name: string; brand?: string; icon?: { bytes: Buffer; contentType: string } }[], approveAs: string): void;
  stop(): Promise<void>;
}

export async function startHomeserver(options: HomeserverOptions = {}): Promise<Homeserver> {
  const serverName = options.serverName ?? 'localhost';
  const state = new HomeserverState(serverName, options.accessTokenLifetimeMs ?? 5 * 60_000);
  const http = new HomeserverHttp(state);
  const rules = options.rateLimit === undefined ? [] : Array.isArray(options.rateLimit) ? options.rateLimit : [options.rateLimit];
  for (const rule of rules) http.rateLimiter.add(rule);
  await http.listen();
  const baseUrl = http.baseUrl;
  if (options.serverName === 'address') state.serverName = new URL(baseUrl).host;

  return {
    baseUrl,
    serverName: state.serverName,
    requests: http.requests,
    state,
    async registerUser(localpart, password, registerOptions = {}) {
      if (state.users.has(state.userIdFor(localpart))) throw new MatrixError(400, 'M_USER_IN_USE', 'User ID already taken.');
      const user = state.createUser(localpart, password);
      const session = state.openSession(user, { deviceId: registerOptions.deviceId });
      return { userId: user.userId, accessToken: session.accessToken, deviceId: session.deviceId };
    },
    async login(localpart, password) {
      const user = state.users.get(state.userIdFor(localpart));
      if (!user || !state.passwordMatches(user, password)) throw new MatrixError(403, 'M_FORBIDDEN', 'Invalid username or password');
      const session = state.openSession(user, {});
      return { userId: user.userId, accessToken: session.accessToken, deviceId: session.deviceId };
    },
    revokeTokens(userId, revokeOptions = {}) {
      for (const session of state.sessions.values()) {
        if (session.userId === userId) session.revoked = { softLogout: revokeOptions.softLogout ?? false };
      }
    },
    setRateLimit: (rule) => http.rateLimiter.add(rule),
    clearRateLimits: () => http.rateLimiter.clear(),
    injectFault: (rule) => http.faults.add(rule),
    clearFaults: () => http.faults.clear(),
    pause: () => http.close(),
    resume: () => http.listen(),
    openConnections: () => http.openConnections(),
    enableSso(providers, approveAs) {
      state.sso.identityProviders.length = 0;
      for (const idp of providers) {
        let icon: string | undefined;
        if (idp.icon) {
          const mediaId = `idp-${idp.id}`;
          state.media.set(mediaId, { bytes: idp.icon.bytes, contentType: idp.icon.contentType, filename: undefined, uploader: '@admin:' + state.serverName });
          icon = `mxc://${state.serverName}/${mediaId}`;
        }
        state.sso.identityProviders.push({ id: idp.id, name: idp.name, ...(idp.brand ? { brand: idp.brand } : {}), ...(icon ? { icon } : {}) });
      }
      state.sso.approveAs = approveAs;
    },
    async stop() {
      state.clearTimers();
      await http.close();
    },
  };
}
