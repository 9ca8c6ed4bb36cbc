/**
 * The end-to-end encryption key endpoints (/keys/*) and send-to-device, following the spec and
 * Synapse's answers: device and one-time keys, claiming, cross-signing with interactive auth,
 * signature uploads, device-list changes.
 */
import {
  canonicalJson,
  crossSigningPublicKey,
  deviceListsBetween,
  noteDeviceListChange,
  signaturesBy,
  signedPart,
  verifySignature,
  type CrossSigningUsage,
} from './e2ee.ts';
import { badJson, MatrixError, missingParam } from './errors.ts';
import { isObject, type JsonObject } from './json.ts';
import { authedRoute, CLIENT, type AuthedContext, type Route } from './router.ts';
import type { HomeserverState } from './state.ts';
import { parseStreamToken } from './tokens.ts';
import { requireInteractiveAuth } from './uia.ts';

const invalidParam = (message: string) => new MatrixError(400, 'M_INVALID_PARAM', message);

function objectField(body: JsonObject, key: string): JsonObject | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw badJson(`${key} must be an object`);
  return value;
}

/** Synapse's repr of a key in its conflict message is close enough to its JSON. */
const sameKey = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

function uploadKeys(ctx: AuthedContext) {
  const { hs, user } = ctx;
  const deviceId = ctx.session.deviceId;
  const body = ctx.body();
  const deviceKeys = objectField(body, 'device_keys');
  const oneTimeKeys = objectField(body, 'one_time_keys') ?? {};
  const fallbackKeys = objectField(body, 'fallback_keys') ?? {};

  if (deviceKeys) {
    if (deviceKeys.user_id !== user.userId) throw invalidParam('User ID in device_keys does not match the access token');
    if (deviceKeys.device_id !== deviceId) throw invalidParam('Device ID in device_keys does not match the access token');
  }
  // Every one-time key is checked before any is stored, so a conflict leaves nothing half done.
  const stored = hs.e2ee.oneTimeKeysOf(user.userId, deviceId);
  const fresh: [string, unknown][] = [];
  for (const [keyId, key] of Object.entries(oneTimeKeys)) {
    if (!keyId.includes(':')) throw invalidParam(`Invalid one-time key ID ${keyId}`);
    const existing = stored.get(keyId);
    if (existing === undefined) {
      fresh.push([keyId, key]);
    } else if (!sameKey(existing, key)) {
      throw new MatrixError(400, 'M_UNKNOWN', `One time key ${keyId} already exists. Old key: ${canonicalJson(existing)}; new key: ${JSON.stringify(key)}`);
    }
  }

  if (deviceKeys) {
    const devices = hs.e2ee.devicesOf(user.userId);
    const previous = devices.get(deviceId);
    const keys = structuredClone(deviceKeys);
    delete keys.unsigned;
    // Like Synapse, which keeps cross-signing signatures apart from the uploaded JSON, a re-upload
    // of the same keys keeps the signatures made on them since.
    if (previous && sameKey(previous.keys, keys.keys)) mergeSignatures(keys, user.userId, { ...signaturesBy(previous, user.userId), ...signaturesBy(keys, user.userId) });
    if (!previous || !sameKey(previous, keys)) {
      devices.set(deviceId, keys);
      noteDeviceListChange(hs, user.userId);
    }
  }
  for (const [keyId, key] of fresh) stored.set(keyId, structuredClone(key));
  const fallbacks = hs.e2ee.fallbackKeysOf(user.userId, deviceId);
  for (const [keyId, key] of Object.entries(fallbackKeys)) {
    const algorithm = keyId.split(':')[0] ?? '';
    const current = fallbacks.get(algorithm);
    // Re-uploading the same fallback key keeps its used flag; a new one starts unused.
    if (current && current.keyId === keyId && sameKey(current.key, key)) continue;
    fallbacks.set(algorithm, { keyId, key: structuredClone(key), used: false });
  }
  return { json: { one_time_key_counts: hs.e2ee.oneTimeKeyCounts(user.userId, deviceId) } };
}

/** A cross-signing key as the requester may see it: with the signatures others made only if they made them. */
function crossSigningKeyFor(hs: HomeserverState, userId: string, usage: CrossSigningUsage, requester: string): JsonObject | undefined {
  const key = hs.e2ee.crossSigningOf(userId).get(usage);
  if (!key) return undefined;
  const copy = structuredClone(key);
  const publicKey = crossSigningPublicKey(key);
  const extra = publicKey === undefined ? undefined : hs.e2ee.crossUserSignatures.get(`${userId}|${publicKey}`)?.get(requester);
  if (extra && requester !== userId) {
    const signatures = isObject(copy.signatures) ? copy.signatures : {};
    signatures[requester] = { ...(isObject(signatures[requester]) ? signatures[requester] : {}), ...extra };
    copy.signatures = signatures;
  }
  return copy;
}

function queryKeys(ctx: AuthedContext) {
  const { hs } = ctx;
  const requested = objectField(ctx.body(), 'device_keys');
  if (!requested) throw missingParam('device_keys');
  const deviceKeys: JsonObject = {};
  const masterKeys: JsonObject = {};
  const selfSigningKeys: JsonObject = {};
  const userSigningKeys: JsonObject = {};
  for (const [userId, wanted] of Object.entries(requested)) {
    if (!Array.isArray(wanted)) throw badJson(`device_keys.${userId} must be a list of device IDs`);
    const devices = hs.e2ee.deviceKeys.get(userId) ?? new Map<string, JsonObject>();
    const user = hs.users.get(userId);
    const answer: JsonObject = {};
    for (const [deviceId, keys] of devices) {
      if (wanted.length > 0 && !wanted.includes(deviceId)) continue;
      const displayName = user?.devices.get(deviceId)?.displayName;
      answer[deviceId] = { ...structuredClone(keys), unsigned: displayName === undefined ? {} : { device_display_name: displayName } };
    }
    deviceKeys[userId] = answer;
    const master = crossSigningKeyFor(hs, userId, 'master', ctx.user.userId);
    if (master) masterKeys[userId] = master;
    const selfSigning = crossSigningKeyFor(hs, userId, 'self_signing', ctx.user.userId);
    if (selfSigning) selfSigningKeys[userId] = selfSigning;
    // Only the owner learns their user-signing key.
    const userSigning = userId === ctx.user.userId ? crossSigningKeyFor(hs, userId, 'user_signing', userId) : undefined;
    if (userSigning) userSigningKeys[userId] = userSigning;
  }
  return {
    json: { device_keys: deviceKeys, failures: {}, master_keys: masterKeys, self_signing_keys: selfSigningKeys, user_signing_keys: userSigningKeys },
  };
}

function claimKeys(ctx: AuthedContext) {
  const { hs } = ctx;
  const requested = objectField(ctx.body(), 'one_time_keys');
  if (!requested) throw missingParam('one_time_keys');
  const claimed: JsonObject = {};
  for (const [userId, devices] of Object.entries(requested)) {
    if (!isObject(devices)) throw badJson(`one_time_keys.${userId} must be an object`);
    const forUser: JsonObject = {};
    for (const [deviceId, algorithm] of Object.entries(devices)) {
      if (typeof algorithm !== 'string') throw badJson('The algorithm must be a string');
      const keys = hs.e2ee.oneTimeKeys.get(`${userId}|${deviceId}`);
      const keyId = [...(keys?.keys() ?? [])].find((candidate) => candidate.startsWith(`${algorithm}:`));
      if (keys && keyId !== undefined) {
        forUser[deviceId] = { [keyId]: keys.get(keyId) };
        keys.delete(keyId);
        continue;
      }
      // None left: the fallback key answers, again and again, and is marked used.
      const fallback = hs.e2ee.fallbackKeys.get(`${userId}|${deviceId}`)?.get(algorithm);
      if (fallback) {
        fallback.used = true;
        forUser[deviceId] = { [fallback.keyId]: structuredClone(fallback.key) };
      }
    }
    if (Object.keys(forUser).length > 0) claimed[userId] = forUser;
  }
  return { json: { one_time_keys: claimed, failures: {} } };
}

const USAGE_FIELDS: [CrossSigningUsage, string][] = [
  ['master', 'master_key'],
  ['self_signing', 'self_signing_key'],
  ['user_signing', 'user_signing_key'],
];

function checkCrossSigningKey(key: JsonObject, userId: string, usage: CrossSigningUsage, master: JsonObject | undefined): void {
  const usages = Array.isArray(key.usage) ? key.usage : [];
  const keys = isObject(key.keys) ? Object.values(key.keys) : [];
  if (key.user_id !== userId || !usages.includes(usage) || keys.length !== 1 || typeof keys[0] !== 'string') {
    throw new MatrixError(400, 'M_INVALID_PARAM', `Invalid ${usage} key`);
  }
  if (usage === 'master') return;
  const masterPublic = crossSigningPublicKey(master);
  if (masterPublic === undefined) throw new MatrixError(400, 'M_INVALID_SIGNATURE', 'No master key available to verify signature.');
  const signature = signaturesBy(key, userId)[`ed25519:${masterPublic}`];
  if (signature === undefined || !verifySignature(key, masterPublic, signature)) {
    throw new MatrixError(400, 'M_INVALID_SIGNATURE', `Invalid signature on ${usage.replace('_', '-')} key`);
  }
}

function uploadSigningKeys(ctx: AuthedContext) {
  requireInteractiveAuth(ctx);
  const { hs, user } = ctx;
  const body = ctx.body();
  const existing = hs.e2ee.crossSigningOf(user.userId);
  const uploads = USAGE_FIELDS.flatMap(([usage, field]) => {
    const key = objectField(body, field);
    return key ? [{ usage, key }] : [];
  });
  const master = uploads.find((upload) => upload.usage === 'master')?.key ?? existing.get('master');
  for (const { usage, key } of uploads) checkCrossSigningKey(key, user.userId, usage, master);

  let changedForAll = false;
  let changedForSelf = false;
  for (const { usage, key } of uploads) {
    if (sameKey(existing.get(usage), key)) continue;
    existing.set(usage, structuredClone(key));
    if (usage === 'user_signing') changedForSelf = true;
    else changedForAll = true;
  }
  // Master and self-signing keys concern everyone who shares a room; the user-signing key only its owner.
  if (changedForAll) noteDeviceListChange(hs, user.userId);
  else if (changedForSelf) noteDeviceListChange(hs, user.userId, user.userId);
  return { json: {} };
}

type Failure = { status: number; errcode: string; message: string };

/** The key a signer's `ed25519:ID` names: one of their devices or one of their cross-signing keys. */
function signingKeyOf(hs: HomeserverState, signer: string, keyName: string): string | undefined {
  const id = keyName.startsWith('ed25519:') ? keyName.slice('ed25519:'.length) : undefined;
  if (id === undefined) return undefined;
  const device = hs.e2ee.deviceKeys.get(signer)?.get(id);
  if (device) {
    const deviceKey = isObject(device.keys) ? device.keys[keyName] : undefined;
    return typeof deviceKey === 'string' ? deviceKey : undefined;
  }
  for (const key of hs.e2ee.crossSigningOf(signer).values()) if (crossSigningPublicKey(key) === id) return id;
  return undefined;
}

/** The signatures in `upload` that `stored` lacks, each checked: the new ones, or the failure of the first bad one. */
function newSignatures(hs: HomeserverState, signer: string, stored: JsonObject, upload: JsonObject): { added: Record<string, string> } | Failure {
  const already = signaturesBy(stored, signer);
  const added: Record<string, string> = {};
  for (const [keyName, signature] of Object.entries(signaturesBy(upload, signer))) {
    if (already[keyName] === signature) continue;
    const publicKey = signingKeyOf(hs, signer, keyName);
    if (publicKey === undefined) return { status: 400, errcode: 'M_INVALID_SIGNATURE', message: `Unknown signing key ${keyName}` };
    if (!verifySignature(upload, publicKey, signature)) return { status: 400, errcode: 'M_INVALID_SIGNATURE', message: 'Invalid signature' };
    added[keyName] = signature;
  }
  return { added };
}

function mergeSignatures(stored: JsonObject, signer: string, added: Record<string, string>): void {
  const signatures = isObject(stored.signatures) ? stored.signatures : {};
  signatures[signer] = { ...(isObject(signatures[signer]) ? signatures[signer] : {}), ...added };
  stored.signatures = signatures;
}

function uploadSignatures(ctx: AuthedContext) {
  const { hs, user } = ctx;
  const failures: Record<string, Record<string, Failure>> = {};
  const fail = (userId: string, keyId: string, failure: Failure) => ((failures[userId] ??= {})[keyId] = failure);
  let ownChanged = false;
  const othersChanged = new Set<string>();
  for (const [targetUser, objects] of Object.entries(ctx.body())) {
    if (!isObject(objects)) throw badJson('Each user must map key IDs to signed objects');
    for (const [keyId, upload] of Object.entries(objects)) {
      if (!isObject(upload)) throw badJson('Each signed object must be an object');
      // The target: one of the user's own devices or cross-signing keys, or another user's master key.
      let stored: JsonObject | undefined;
      if (targetUser === user.userId) {
        stored = hs.e2ee.deviceKeys.get(targetUser)?.get(keyId) ?? [...hs.e2ee.crossSigningOf(targetUser).values()].find((key) => crossSigningPublicKey(key) === keyId);
      } else {
        const master = hs.e2ee.crossSigningOf(targetUser).get('master');
        stored = crossSigningPublicKey(master) === keyId ? master : undefined;
      }
      if (!stored) {
        fail(targetUser, keyId, { status: 404, errcode: 'M_NOT_FOUND', message: 'Unknown key' });
        continue;
      }
      if (!sameKey(signedPart(stored), signedPart(upload))) {
        fail(targetUser, keyId, { status: 400, errcode: 'M_INVALID_SIGNATURE', message: 'Key does not match' });
        continue;
      }
      if (targetUser === user.userId) {
        const outcome = newSignatures(hs, user.userId, stored, upload);
        if (!('added' in outcome)) {
          fail(targetUser, keyId, outcome);
          continue;
        }
        if (Object.keys(outcome.added).length === 0) continue;
        mergeSignatures(stored, user.userId, outcome.added);
        ownChanged = true;
        continue;
      }
      // Signing someone else's master key takes the signer's user-signing key.
      const userSigning = crossSigningPublicKey(hs.e2ee.crossSigningOf(user.userId).get('user_signing'));
      const slot = `${targetUser}|${keyId}`;
      const bySigner = hs.e2ee.crossUserSignatures.get(slot) ?? new Map<string, JsonObject>();
      const already = { signatures: { [user.userId]: bySigner.get(user.userId) ?? {} } };
      const outcome = newSignatures(hs, user.userId, already, upload);
      if (!('added' in outcome)) {
        fail(targetUser, keyId, outcome);
        continue;
      }
      if (userSigning === undefined || Object.keys(outcome.added).some((keyName) => keyName !== `ed25519:${userSigning}`)) {
        fail(targetUser, keyId, { status: 400, errcode: 'M_INVALID_SIGNATURE', message: 'Signature not made with the user-signing key' });
        continue;
      }
      if (Object.keys(outcome.added).length === 0) continue;
      bySigner.set(user.userId, { ...(bySigner.get(user.userId) ?? {}), ...outcome.added });
      hs.e2ee.crossUserSignatures.set(slot, bySigner);
      othersChanged.add(targetUser);
    }
  }
  if (ownChanged) noteDeviceListChange(hs, user.userId);
  // The signer's own devices learn of it, nobody else (Synapse's user-signature stream).
  for (const target of othersChanged) noteDeviceListChange(hs, target, user.userId);
  return { json: { failures } };
}

function keyChanges(ctx: AuthedContext) {
  const from = parseStreamToken(ctx.query.get('from'), 'from');
  const to = parseStreamToken(ctx.query.get('to'), 'to');
  if (from === undefined) throw new MatrixError(400, 'M_MISSING_PARAM', "Missing string query parameter 'from'");
  return { json: deviceListsBetween(ctx.hs, ctx.user.userId, from, to ?? ctx.hs.streamPosition) };
}

function sendToDevice(ctx: AuthedContext) {
  const { hs, user } = ctx;
  const endpoint = ctx.pathname.replace(/^\/_matrix\/client\/(?:v3|r0)/, '');
  const txnKey = `${user.userId}|${ctx.session.deviceId}|${endpoint}`;
  if (hs.transactions.has(txnKey)) return { json: {} };
  const messages = objectField(ctx.body(), 'messages');
  if (!messages) throw missingParam('messages');
  const type = ctx.params.eventType ?? '';
  let delivered = false;
  for (const [recipient, byDevice] of Object.entries(messages)) {
    if (!isObject(byDevice)) throw badJson(`messages.${recipient} must be an object`);
    const target = hs.users.get(recipient);
    if (!target) continue;
    for (const [deviceId, content] of Object.entries(byDevice)) {
      if (!isObject(content)) throw badJson('Each message must be an object');
      const deviceIds = deviceId === '*' ? [...target.devices.keys()] : target.devices.has(deviceId) ? [deviceId] : [];
      for (const id of deviceIds) {
        hs.e2ee.inboxOf(recipient, id).push({ stream: hs.advanceStream(), event: { type, sender: user.userId, content: structuredClone(content) } });
        delivered = true;
      }
    }
  }
  hs.transactions.set(txnKey, {});
  if (delivered) hs.changed();
  return { json: {} };
}

export const keysRoutes: Route[] = [
  authedRoute('POST', `${CLIENT}/keys/upload`, uploadKeys),
  authedRoute('POST', `${CLIENT}/keys/query`, queryKeys),
  authedRoute('POST', `${CLIENT}/keys/claim`, claimKeys),
  authedRoute('GET', `${CLIENT}/keys/changes`, keyChanges),
  authedRoute('POST', `${CLIENT}/keys/device_signing/upload`, uploadSigningKeys),
  authedRoute('POST', `${CLIENT}/keys/signatures/upload`, uploadSignatures),
  authedRoute('PUT', `${CLIENT}/sendToDevice/{eventType}/{txnId}`, sendToDevice),
];
