/**
 * What end-to-end encryption needs the server to remember, none of which it can read: device
 * keys, one-time and fallback keys, cross-signing keys and signatures, to-device inboxes, the
 * device-list change stream and key backups. Also the /sync sections built from them.
 */
import { createPublicKey, verify } from 'node:crypto';
import { isObject, type JsonObject } from './json.ts';
import type { Room } from './room.ts';
import type { HomeserverState } from './state.ts';

export type CrossSigningUsage = 'master' | 'self_signing' | 'user_signing';

export interface FallbackKey {
  keyId: string;
  key: unknown;
  used: boolean;
}

export interface ToDeviceMessage {
  stream: number;
  event: JsonObject;
}

/** A user's device list (or cross-signing keys) changed; `onlyFor` limits who hears of it. */
export interface DeviceListChange {
  userId: string;
  stream: number;
  onlyFor?: string;
}

export interface BackupVersion {
  version: string;
  algorithm: string;
  authData: unknown;
  etag: number;
  deleted: boolean;
  /** room id → session id → KeyBackupData */
  rooms: Map<string, Map<string, JsonObject>>;
}

export interface UiaSession {
  userId: string;
  method: string;
  path: string;
  completed: boolean;
}

const deviceKey = (userId: string, deviceId: string) => `${userId}|${deviceId}`;

export class E2eeState {
  /** user id → device id → the device_keys object as uploaded, signatures merged in */
  readonly deviceKeys = new Map<string, Map<string, JsonObject>>();
  /** `user|device` → `algorithm:key_id` → key */
  readonly oneTimeKeys = new Map<string, Map<string, unknown>>();
  /** `user|device` → algorithm → the fallback key */
  readonly fallbackKeys = new Map<string, Map<string, FallbackKey>>();
  /** user id → usage → key */
  readonly crossSigning = new Map<string, Map<CrossSigningUsage, JsonObject>>();
  /** Signatures one user made on another's master key: `target|keyId` → signer → signatures by that signer */
  readonly crossUserSignatures = new Map<string, Map<string, JsonObject>>();
  readonly inboxes = new Map<string, ToDeviceMessage[]>();
  readonly deviceListChanges: DeviceListChange[] = [];
  /** user id → every backup version it made, oldest first */
  readonly backups = new Map<string, BackupVersion[]>();
  readonly uiaSessions = new Map<string, UiaSession>();

  devicesOf(userId: string): Map<string, JsonObject> {
    let devices = this.deviceKeys.get(userId);
    if (!devices) {
      devices = new Map();
      this.deviceKeys.set(userId, devices);
    }
    return devices;
  }

  oneTimeKeysOf(userId: string, deviceId: string): Map<string, unknown> {
    const key = deviceKey(userId, deviceId);
    let keys = this.oneTimeKeys.get(key);
    if (!keys) {
      keys = new Map();
      this.oneTimeKeys.set(key, keys);
    }
    return keys;
  }

  fallbackKeysOf(userId: string, deviceId: string): Map<string, FallbackKey> {
    const key = deviceKey(userId, deviceId);
    let keys = this.fallbackKeys.get(key);
    if (!keys) {
      keys = new Map();
      this.fallbackKeys.set(key, keys);
    }
    return keys;
  }

  crossSigningOf(userId: string): Map<CrossSigningUsage, JsonObject> {
    let keys = this.crossSigning.get(userId);
    if (!keys) {
      keys = new Map();
      this.crossSigning.set(userId, keys);
    }
    return keys;
  }

  inboxOf(userId: string, deviceId: string): ToDeviceMessage[] {
    const key = deviceKey(userId, deviceId);
    let inbox = this.inboxes.get(key);
    if (!inbox) {
      inbox = [];
      this.inboxes.set(key, inbox);
    }
    return inbox;
  }

  /** Drops every key and pending message of a deleted device. */
  forgetDevice(userId: string, deviceId: string): void {
    this.deviceKeys.get(userId)?.delete(deviceId);
    const key = deviceKey(userId, deviceId);
    this.oneTimeKeys.delete(key);
    this.fallbackKeys.delete(key);
    this.inboxes.delete(key);
  }

  /** The counts /sync and /keys/upload report; Synapse always includes signed_curve25519. */
  oneTimeKeyCounts(userId: string, deviceId: string): Record<string, number> {
    const counts: Record<string, number> = { signed_curve25519: 0 };
    for (const keyId of this.oneTimeKeys.get(deviceKey(userId, deviceId))?.keys() ?? []) {
      const algorithm = keyId.split(':')[0] ?? '';
      counts[algorithm] = (counts[algorithm] ?? 0) + 1;
    }
    return counts;
  }

  unusedFallbackKeyTypes(userId: string, deviceId: string): string[] {
    return [...(this.fallbackKeys.get(deviceKey(userId, deviceId)) ?? [])].filter(([, key]) => !key.used).map(([algorithm]) => algorithm);
  }
}

/** Puts a change on the stream and wakes the long polls that may care. */
export function noteDeviceListChange(hs: HomeserverState, userId: string, onlyFor?: string): void {
  const change: DeviceListChange = { userId, stream: hs.advanceStream() };
  if (onlyFor !== undefined) change.onlyFor = onlyFor;
  hs.e2ee.deviceListChanges.push(change);
  hs.changed();
}

// ---- Signed JSON ------------------------------------------------------------------------------

/** The spec's canonical JSON: sorted keys, no insignificant whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const entries = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The object as it was signed: without `signatures` and `unsigned`. */
export function signedPart(object: JsonObject): JsonObject {
  const { signatures: _signatures, unsigned: _unsigned, ...rest } = object;
  return rest;
}

/** Checks one ed25519 signature (unpadded base64) on a signed JSON object. */
export function verifySignature(object: JsonObject, publicKeyBase64: string, signatureBase64: string): boolean {
  try {
    const x = Buffer.from(publicKeyBase64, 'base64').toString('base64url');
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    return verify(null, Buffer.from(canonicalJson(signedPart(object)), 'utf8'), publicKey, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

export function signaturesBy(object: JsonObject, userId: string): Record<string, string> {
  const signatures = isObject(object.signatures) ? object.signatures : {};
  const mine = signatures[userId];
  if (!isObject(mine)) return {};
  return Object.fromEntries(Object.entries(mine).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** The single public key of a cross-signing key, as `ed25519:PUBKEY` maps it. */
export function crossSigningPublicKey(key: JsonObject | undefined): string | undefined {
  if (!key || !isObject(key.keys)) return undefined;
  const [first] = Object.values(key.keys);
  return typeof first === 'string' ? first : undefined;
}

// ---- Who shares a room with whom --------------------------------------------------------------

function joinedAt(room: Room, userId: string, at: number | undefined): boolean {
  return at === undefined ? room.membership(userId) === 'join' : room.membership(userId, room.stateAtStream(at)) === 'join';
}

/** Users joined to a room the user is joined to, now or at a stream position. */
export function usersSharingRoomWith(hs: HomeserverState, userId: string, at?: number): Set<string> {
  const shared = new Set<string>();
  for (const room of hs.rooms.values()) {
    const state = at === undefined ? room.currentState : room.stateAtStream(at);
    if (room.membership(userId, state) !== 'join') continue;
    for (const member of room.membersWith('join', state)) shared.add(member);
  }
  return shared;
}

/**
 * The device_lists section, as Synapse builds it: users who share a room with the syncing user
 * and whose keys changed in (since, upTo], everyone in a room the user joined, anyone who newly
 * joined (or was invited to) a shared room, and in `left` whoever no longer shares any room.
 */
export function deviceListsBetween(hs: HomeserverState, userId: string, since: number, upTo: number): { changed: string[]; left: string[] } {
  const sharedNow = usersSharingRoomWith(hs, userId);
  sharedNow.add(userId);
  const changed = new Set<string>();
  for (const change of hs.e2ee.deviceListChanges) {
    if (change.stream <= since || change.stream > upTo) continue;
    if (change.onlyFor !== undefined) {
      if (change.onlyFor === userId) changed.add(change.userId);
    } else if (sharedNow.has(change.userId)) {
      changed.add(change.userId);
    }
  }
  for (const room of hs.rooms.values()) {
    if (room.membership(userId) !== 'join') continue;
    if (!joinedAt(room, userId, since)) {
      for (const member of room.membersWith('join')) if (member !== userId) changed.add(member);
      continue;
    }
    const stateThen = room.stateAtStream(since);
    for (const member of [...room.membersWith('join'), ...room.membersWith('invite')]) {
      if (member !== userId && room.membership(member, stateThen) !== room.membership(member)) changed.add(member);
    }
  }
  const sharedThen = usersSharingRoomWith(hs, userId, since);
  const left = [...sharedThen].filter((member) => member !== userId && !sharedNow.has(member));
  for (const member of left) changed.delete(member);
  return { changed: [...changed].sort(), left: left.sort() };
}

export interface E2eeSyncSections {
  toDevice: JsonObject[];
  deviceLists: { changed: string[]; left: string[] };
  oneTimeKeyCounts: Record<string, number>;
  unusedFallbackKeyTypes: string[];
  hasContent: boolean;
}

/** Messages up to `since` reached the device (it asks for what comes after them), so they go. */
export function acknowledgeToDevice(hs: HomeserverState, userId: string, deviceId: string, since: number | undefined): void {
  if (since === undefined) return;
  const inbox = hs.e2ee.inboxes.get(deviceKey(userId, deviceId));
  if (!inbox) return;
  const kept = inbox.filter((message) => message.stream > since);
  inbox.splice(0, inbox.length, ...kept);
}

export function e2eeSyncSections(hs: HomeserverState, userId: string, deviceId: string, since: number | undefined, upTo: number): E2eeSyncSections {
  const toDevice = (hs.e2ee.inboxes.get(deviceKey(userId, deviceId)) ?? [])
    .filter((message) => (since === undefined || message.stream > since) && message.stream <= upTo)
    .map((message) => structuredClone(message.event));
  const deviceLists = since === undefined ? { changed: [], left: [] } : deviceListsBetween(hs, userId, since, upTo);
  return {
    toDevice,
    deviceLists,
    oneTimeKeyCounts: hs.e2ee.oneTimeKeyCounts(userId, deviceId),
    unusedFallbackKeyTypes: hs.e2ee.unusedFallbackKeyTypes(userId, deviceId),
    hasContent: toDevice.length > 0 || deviceLists.changed.length > 0 || deviceLists.left.length > 0,
  };
}
