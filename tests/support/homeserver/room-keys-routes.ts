/**
 * Server-side key backup (/room_keys): versions, and the encrypted session keys stored in them,
 * with Synapse's rules for which upload wins and its etag and count bookkeeping.
 */
import type { BackupVersion } from './e2ee.ts';
import { badJson, MatrixError, notFound } from './errors.ts';
import { isObject, requiredString, type JsonObject } from './json.ts';
import { authedRoute, CLIENT, type AuthedContext, type Route } from './router.ts';

const VERSION = `${CLIENT}/room_keys/version`;
const KEYS = `${CLIENT}/room_keys/keys`;

function versionsOf(ctx: AuthedContext): BackupVersion[] {
  let versions = ctx.hs.e2ee.backups.get(ctx.user.userId);
  if (!versions) {
    versions = [];
    ctx.hs.e2ee.backups.set(ctx.user.userId, versions);
  }
  return versions;
}

const current = (ctx: AuthedContext) => versionsOf(ctx).findLast((backup) => !backup.deleted);

function findVersion(ctx: AuthedContext, version: string): BackupVersion {
  const backup = versionsOf(ctx).find((candidate) => candidate.version === version && !candidate.deleted);
  if (!backup) throw notFound('Unknown backup version');
  return backup;
}

function versionParam(ctx: AuthedContext): string {
  const version = ctx.query.get('version');
  if (version === null) throw new MatrixError(400, 'M_MISSING_PARAM', "Missing string query parameter 'version'");
  return version;
}

const countOf = (backup: BackupVersion) => [...backup.rooms.values()].reduce((sum, sessions) => sum + sessions.size, 0);
const etagAndCount = (backup: BackupVersion) => ({ json: { etag: String(backup.etag), count: countOf(backup) } });

function versionInfo(backup: BackupVersion) {
  return { json: { algorithm: backup.algorithm, auth_data: structuredClone(backup.authData), version: backup.version, etag: String(backup.etag), count: countOf(backup) } };
}

function algorithmAndAuthData(body: JsonObject): { algorithm: string; authData: unknown } {
  const algorithm = requiredString(body, 'algorithm');
  if (body.auth_data === undefined) throw new MatrixError(400, 'M_MISSING_PARAM', 'Missing parameter: auth_data');
  return { algorithm, authData: structuredClone(body.auth_data) };
}

/** Synapse's rule: a verified key beats an unverified one, then the lower first index, then fewer forwards. */
function shouldReplace(existing: JsonObject | undefined, upload: JsonObject): boolean {
  if (!existing) return true;
  if (upload.is_verified === true && existing.is_verified !== true) return true;
  if (Number(upload.first_message_index) < Number(existing.first_message_index)) return true;
  return Number(upload.forwarded_count) < Number(existing.forwarded_count);
}

function checkSession(roomId: string, sessionId: string, key: unknown): JsonObject {
  if (!isObject(key)) throw badJson(`The key for session ${sessionId} must be an object`);
  if (typeof key.is_verified !== 'boolean') throw new MatrixError(400, 'M_INVALID_PARAM', `is_verified must be a boolean in keys for session ${sessionId} in room ${roomId}`);
  for (const field of ['first_message_index', 'forwarded_count']) {
    if (typeof key[field] !== 'number') throw new MatrixError(400, 'M_INVALID_PARAM', `${field} must be a number`);
  }
  if (key.session_data === undefined) throw new MatrixError(400, 'M_MISSING_PARAM', 'Missing parameter: session_data');
  return key;
}

/** Uploads go only to the current version: an older one answers M_WRONG_ROOM_KEYS_VERSION. */
function uploadInto(ctx: AuthedContext, rooms: Record<string, Record<string, unknown>>) {
  const version = versionParam(ctx);
  const latest = current(ctx);
  if (!latest) throw notFound(`Version '${version}' not found`);
  if (latest.version !== version) {
    findVersion(ctx, version);
    throw new MatrixError(403, 'M_WRONG_ROOM_KEYS_VERSION', 'Wrong room_keys version', { current_version: latest.version });
  }
  const checked = Object.entries(rooms).map(([roomId, sessions]) => [roomId, Object.entries(sessions).map(([sessionId, key]) => [sessionId, checkSession(roomId, sessionId, key)] as const)] as const);
  let changed = false;
  for (const [roomId, sessions] of checked) {
    const stored = latest.rooms.get(roomId) ?? new Map<string, JsonObject>();
    for (const [sessionId, key] of sessions) {
      if (!shouldReplace(stored.get(sessionId), key)) continue;
      stored.set(sessionId, structuredClone(key));
      changed = true;
    }
    if (stored.size > 0) latest.rooms.set(roomId, stored);
  }
  if (changed) latest.etag += 1;
  return etagAndCount(latest);
}

function sessionsOf(value: unknown, what: string): Record<string, unknown> {
  if (!isObject(value) || !isObject(value.sessions)) throw badJson(`${what} must have a sessions object`);
  return value.sessions;
}

function deleteFrom(ctx: AuthedContext, roomId?: string, sessionId?: string) {
  const backup = findVersion(ctx, versionParam(ctx));
  if (roomId === undefined) backup.rooms.clear();
  else if (sessionId === undefined) backup.rooms.delete(roomId);
  else {
    const sessions = backup.rooms.get(roomId);
    sessions?.delete(sessionId);
    if (sessions?.size === 0) backup.rooms.delete(roomId);
  }
  backup.etag += 1;
  return etagAndCount(backup);
}

const sessionsJson = (sessions: Map<string, JsonObject> | undefined) => Object.fromEntries([...(sessions ?? [])].map(([id, key]) => [id, structuredClone(key)]));

export const roomKeysRoutes: Route[] = [
  authedRoute('POST', VERSION, (ctx) => {
    const { algorithm, authData } = algorithmAndAuthData(ctx.body());
    const versions = versionsOf(ctx);
    const version = String(versions.length + 1);
    versions.push({ version, algorithm, authData, etag: 0, deleted: false, rooms: new Map() });
    return { json: { version } };
  }),
  authedRoute('GET', VERSION, (ctx) => {
    const latest = current(ctx);
    if (!latest) throw notFound('No current backup version');
    return versionInfo(latest);
  }),
  authedRoute('GET', `${VERSION}/{version}`, (ctx) => versionInfo(findVersion(ctx, ctx.params.version ?? ''))),
  authedRoute('PUT', `${VERSION}/{version}`, (ctx) => {
    const body = ctx.body();
    const version = ctx.params.version ?? '';
    if (body.version !== undefined && body.version !== version) throw new MatrixError(400, 'M_INVALID_PARAM', 'Version in body does not match');
    const { algorithm, authData } = algorithmAndAuthData(body);
    const backup = findVersion(ctx, version);
    if (backup.algorithm !== algorithm) throw new MatrixError(400, 'M_INVALID_PARAM', 'Algorithm does not match');
    backup.authData = authData;
    return { json: {} };
  }),
  authedRoute('DELETE', `${VERSION}/{version}`, (ctx) => {
    const backup = findVersion(ctx, ctx.params.version ?? '');
    backup.deleted = true;
    backup.rooms.clear();
    return { json: {} };
  }),

  authedRoute('PUT', KEYS, (ctx) => {
    const rooms = ctx.body().rooms;
    if (!isObject(rooms)) throw badJson('rooms must be an object');
    return uploadInto(ctx, Object.fromEntries(Object.entries(rooms).map(([roomId, room]) => [roomId, sessionsOf(room, `rooms.${roomId}`)])));
  }),
  authedRoute('PUT', `${KEYS}/{roomId}`, (ctx) => uploadInto(ctx, { [ctx.params.roomId ?? '']: sessionsOf(ctx.body(), 'The body') })),
  authedRoute('PUT', `${KEYS}/{roomId}/{sessionId}`, (ctx) => uploadInto(ctx, { [ctx.params.roomId ?? '']: { [ctx.params.sessionId ?? '']: ctx.body() } })),
  authedRoute('GET', KEYS, (ctx) => {
    const backup = findVersion(ctx, versionParam(ctx));
    return { json: { rooms: Object.fromEntries([...backup.rooms].map(([roomId, sessions]) => [roomId, { sessions: sessionsJson(sessions) }])) } };
  }),
  authedRoute('GET', `${KEYS}/{roomId}`, (ctx) => {
    const backup = findVersion(ctx, versionParam(ctx));
    return { json: { sessions: sessionsJson(backup.rooms.get(ctx.params.roomId ?? '')) } };
  }),
  authedRoute('GET', `${KEYS}/{roomId}/{sessionId}`, (ctx) => {
    const backup = findVersion(ctx, versionParam(ctx));
    const key = backup.rooms.get(ctx.params.roomId ?? '')?.get(ctx.params.sessionId ?? '');
    if (!key) throw notFound('No room_keys found');
    return { json: structuredClone(key) };
  }),
  authedRoute('DELETE', KEYS, (ctx) => deleteFrom(ctx)),
  authedRoute('DELETE', `${KEYS}/{roomId}`, (ctx) => deleteFrom(ctx, ctx.params.roomId ?? '')),
  authedRoute('DELETE', `${KEYS}/{roomId}/{sessionId}`, (ctx) => deleteFrom(ctx, ctx.params.roomId ?? '', ctx.params.sessionId ?? '')),
];
