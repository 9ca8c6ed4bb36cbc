/**
 * Everything the homeserver remembers: accounts, devices, sessions, filters, account data, rooms
 * and media, plus the single stream counter every change is stamped with. Sync tokens are
 * positions on that counter, so "what changed since s42" is a comparison.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { E2eeState, noteDeviceListChange } from './e2ee.ts';
import type { JsonObject } from './json.ts';
import { defaultPushRules, type PushRuleset } from './push-rules.ts';
import { SsoState } from './sso.ts';
import type { AccountDataEntry, Room } from './room.ts';

export interface Device {
  deviceId: string;
  displayName: string | undefined;
  lastSeenTs: number;
}

export interface User {
  userId: string;
  localpart: string;
  passwordHash: Buffer;
  passwordSalt: Buffer;
  displayname: string | undefined;
  avatarUrl: string | undefined;
  devices: Map<string, Device>;
  filters: Map<string, JsonObject>;
  accountData: Map<string, AccountDataEntry>;
}

export interface Session {
  accessToken: string;
  refreshToken: string | undefined;
  userId: string;
  deviceId: string;
  expiresAt: number | undefined;
  /** Set by revokeTokens: the token stays known so the error can say soft_logout. */
  revoked: { softLogout: boolean } | undefined;
}

export interface StoredMedia {
  bytes: Buffer;
  contentType: string;
  filename: string | undefined;
  uploader: string;
}

export function pushRulesOf(user: User): PushRuleset {
  const content = user.accountData.get('m.push_rules')?.content;
  const global = content?.global;
  return (global ?? defaultPushRules(user.userId)) as PushRuleset;
}

export const randomId = (bytes = 12) => randomBytes(bytes).toString('base64url');

export class HomeserverState {
  /** Settled before the first request: `startHomeserver` may name the server after the port it got. */
  serverName: string;
  readonly accessTokenLifetimeMs: number;
  readonly users = new Map<string, User>();
  readonly sessions = new Map<string, Session>();
  readonly sessionsByRefreshToken = new Map<string, Session>();
  readonly rooms = new Map<string, Room>();
  readonly aliases = new Map<string, string>();
  /** `${userId}|${deviceId}|${endpoint}|${txnId}` → the answer given the first time */
  readonly transactions = new Map<string, JsonObject>();
  readonly media = new Map<string, StoredMedia>();
  /** Keys, to-device inboxes and backups: see e2ee.ts. */
  readonly e2ee = new E2eeState();
  /** Single sign-on: identity providers and login tokens (sso.ts); off until a provider is added. */
  readonly sso = new SsoState();
  private stream = 1;
  private nextFilterId = 0;
  private waiters = new Set<() => void>();
  private timers = new Set<NodeJS.Timeout>();

  constructor(serverName: string, accessTokenLifetimeMs: number) {
    this.serverName = serverName;
    this.accessTokenLifetimeMs = accessTokenLifetimeMs;
  }

  get streamPosition(): number {
    return this.stream;
  }

  /** Claims the next stream position; call `changed()` once the change is in place. */
  advanceStream(): number {
    this.stream += 1;
    return this.stream;
  }

  changed(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves at the next change; the returned cancel drops the waiter (e.g. when the client hangs up). */
  nextChange(): { promise: Promise<void>; cancel: () => void } {
    let wake = () => {};
    const promise = new Promise<void>((resolve) => (wake = resolve));
    this.waiters.add(wake);
    return { promise, cancel: () => this.waiters.delete(wake) };
  }

  /** A timer that never keeps the process alive and is cleared when the homeserver stops. */
  schedule(delayMs: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  userIdFor(localpart: string): string {
    return `@${localpart}:${this.serverName}`;
  }

  createUser(localpart: string, password: string): User {
    const userId = this.userIdFor(localpart);
    const passwordSalt = randomBytes(16);
    const user: User = {
      userId,
      localpart,
      passwordSalt,
      passwordHash: hashPassword(password, passwordSalt),
      displayname: localpart,
      avatarUrl: undefined,
      devices: new Map(),
      filters: new Map(),
      accountData: new Map(),
    };
    this.users.set(userId, user);
    this.setAccountData(user, 'm.push_rules', { global: defaultPushRules(userId) });
    return user;
  }

  passwordMatches(user: User, password: string): boolean {
    return timingSafeEqual(hashPassword(password, user.passwordSalt), user.passwordHash);
  }

  setAccountData(user: User, type: string, content: JsonObject): void {
    user.accountData.set(type, { content, stream: this.advanceStream() });
    this.changed();
  }

  /** Logs a device in, replacing any session the same device already had. */
  openSession(user: User, options: { deviceId?: string; deviceName?: string; withRefreshToken?: boolean }): Session {
    const deviceId = options.deviceId ?? randomId(6).toUpperCase().replace(/[^A-Z0-9]/g, 'X');
    for (const session of this.sessions.values()) {
      if (session.userId === user.userId && session.deviceId === deviceId) this.dropSession(session);
    }
    const existing = user.devices.get(deviceId);
    user.devices.set(deviceId, {
      deviceId,
      displayName: options.deviceName ?? existing?.displayName,
      lastSeenTs: Date.now(),
    });
    return this.issueSession(user.userId, deviceId, options.withRefreshToken ?? false);
  }

  issueSession(userId: string, deviceId: string, withRefreshToken: boolean): Session {
    const session: Session = {
      accessToken: `syt_${randomId(24)}`,
      refreshToken: withRefreshToken ? `syr_${randomId(24)}` : undefined,
      userId,
      deviceId,
      expiresAt: withRefreshToken ? Date.now() + this.accessTokenLifetimeMs : undefined,
      revoked: undefined,
    };
    this.sessions.set(session.accessToken, session);
    if (session.refreshToken) this.sessionsByRefreshToken.set(session.refreshToken, session);
    return session;
  }

  dropSession(session: Session): void {
    this.sessions.delete(session.accessToken);
    if (session.refreshToken) this.sessionsByRefreshToken.delete(session.refreshToken);
  }

  logoutDevice(session: Session): void {
    this.deleteDevice(session.userId, session.deviceId);
  }

  /**
   * As on Synapse, logging out deletes the device: its tokens, keys and pending to-device
   * messages go, and everyone sharing a room hears of it through device_lists.changed.
   */
  deleteDevice(userId: string, deviceId: string): void {
    for (const session of [...this.sessions.values()]) {
      if (session.userId === userId && session.deviceId === deviceId) this.dropSession(session);
    }
    const user = this.users.get(userId);
    const existed = user?.devices.delete(deviceId) ?? false;
    const hadKeys = this.e2ee.deviceKeys.get(userId)?.has(deviceId) ?? false;
    this.e2ee.forgetDevice(userId, deviceId);
    if (existed || hadKeys) noteDeviceListChange(this, userId);
  }

  saveFilter(user: User, filter: JsonObject): string {
    const filterId = String(this.nextFilterId++);
    user.filters.set(filterId, filter);
    return filterId;
  }
}

function hashPassword(password: string, salt: Buffer): Buffer {
  // Low cost on purpose: tests register many users and this is not guarding anything real.
  return scryptSync(password, salt, 32, { N: 1024 });
}
