/** Login, registration (with the m.login.dummy interactive-auth stage), logout, refresh, whoami and devices. */
import { forbidden, MatrixError, missingParam } from './errors.ts';
import { isObject, optionalString, requiredString, type JsonObject } from './json.ts';
import { authedRoute, CLIENT, openRoute, type Route } from './router.ts';
import { randomId, type HomeserverState, type Session, type User } from './state.ts';
import { requireInteractiveAuth } from './uia.ts';

const LOCALPART = /^[a-z0-9._=\-/+]+$/;

function loginResponse(hs: HomeserverState, session: Session, baseUrl: string): JsonObject {
  const response: JsonObject = {
    user_id: session.userId,
    access_token: session.accessToken,
    device_id: session.deviceId,
    home_server: hs.serverName,
    well_known: { 'm.homeserver': { base_url: baseUrl } },
  };
  if (session.refreshToken) {
    response.refresh_token = session.refreshToken;
    response.expires_in_ms = hs.accessTokenLifetimeMs;
  }
  return response;
}

function userFromIdentifier(hs: HomeserverState, body: JsonObject): User | undefined {
  const identifier = isObject(body.identifier) ? body.identifier : undefined;
  let name: string | undefined;
  if (identifier) {
    if (identifier.type !== 'm.id.user') throw new MatrixError(400, 'M_UNKNOWN', `Unknown login identifier type ${String(identifier.type)}`);
    name = optionalString(identifier, 'user');
  } else {
    name = optionalString(body, 'user');
  }
  if (!name) throw missingParam('identifier');
  const userId = name.startsWith('@') ? name : hs.userIdFor(name.toLowerCase());
  return hs.users.get(userId);
}

function register(ctx: { hs: HomeserverState; body(): JsonObject; query: URLSearchParams; baseUrl: string }) {
  const { hs } = ctx;
  const body = ctx.body();
  if (ctx.query.get('kind') === 'guest') throw new MatrixError(403, 'M_GUEST_ACCESS_FORBIDDEN', 'Guest access is disabled');
  const auth = isObject(body.auth) ? body.auth : undefined;
  if (!auth || auth.type !== 'm.login.dummy') {
    // Synapse answers the first attempt with the flows to complete, as interactive auth requires.
    const session = typeof auth?.session === 'string' ? auth.session : randomId(16);
    return { status: 401, json: { session, flows: [{ stages: ['m.login.dummy'] }], params: {} } };
  }
  const localpart = (optionalString(body, 'username') ?? `user${randomId(4).toLowerCase()}`).toLowerCase();
  if (!LOCALPART.test(localpart)) throw new MatrixError(400, 'M_INVALID_USERNAME', 'User ID can only contain characters a-z, 0-9, or =_-./+');
  if (hs.users.has(hs.userIdFor(localpart))) throw new MatrixError(400, 'M_USER_IN_USE', 'User ID already taken.');
  const user = hs.createUser(localpart, requiredString(body, 'password'));
  if (body.inhibit_login === true) return { json: { user_id: user.userId, home_server: hs.serverName } };
  const session = hs.openSession(user, {
    deviceId: optionalString(body, 'device_id'),
    deviceName: optionalString(body, 'initial_device_display_name'),
    withRefreshToken: body.refresh_token === true,
  });
  return { json: loginResponse(hs, session, ctx.baseUrl) };
}

export const authRoutes: Route[] = [
  openRoute('GET', `${CLIENT}/login`, (ctx) => {
    const flows: JsonObject[] = [{ type: 'm.login.password' }];
    if (ctx.hs.sso.enabled) {
      const identity_providers = ctx.hs.sso.identityProviders.map((idp) => ({ id: idp.id, name: idp.name, ...(idp.icon ? { icon: idp.icon } : {}), ...(idp.brand ? { brand: idp.brand } : {}) }));
      flows.push({ type: 'm.login.sso', identity_providers }, { type: 'm.login.token' });
    }
    return { json: { flows } };
  }),
  openRoute('POST', `${CLIENT}/login`, (ctx) => {
    const body = ctx.body();
    let user: User | undefined;
    if (body.type === 'm.login.token' && ctx.hs.sso.enabled) {
      const userId = ctx.hs.sso.redeem(requiredString(body, 'token'));
      user = userId ? ctx.hs.users.get(userId) : undefined;
      if (!user) throw forbidden('Invalid login token');
    } else if (body.type === 'm.login.password') {
      user = userFromIdentifier(ctx.hs, body);
      const password = requiredString(body, 'password');
      if (!user || !ctx.hs.passwordMatches(user, password)) throw forbidden('Invalid username or password');
    } else {
      throw new MatrixError(400, 'M_UNKNOWN', `Unknown login type ${String(body.type)}`);
    }
    const session = ctx.hs.openSession(user, {
      deviceId: optionalString(body, 'device_id'),
      deviceName: optionalString(body, 'initial_device_display_name'),
      withRefreshToken: body.refresh_token === true,
    });
    return { json: loginResponse(ctx.hs, session, ctx.baseUrl) };
  }),
  openRoute('POST', `${CLIENT}/register`, register),
  openRoute('GET', `${CLIENT}/register/available`, (ctx) => {
    const username = ctx.query.get('username');
    if (!username) throw missingParam('username');
    if (ctx.hs.users.has(ctx.hs.userIdFor(username.toLowerCase()))) throw new MatrixError(400, 'M_USER_IN_USE', 'User ID already taken.');
    return { json: { available: true } };
  }),
  openRoute('POST', `${CLIENT}/refresh`, (ctx) => {
    const refreshToken = requiredString(ctx.body(), 'refresh_token');
    const old = ctx.hs.sessionsByRefreshToken.get(refreshToken);
    if (!old || old.revoked) throw new MatrixError(401, 'M_UNKNOWN_TOKEN', 'Invalid refresh token', { soft_logout: false });
    ctx.hs.dropSession(old);
    const session = ctx.hs.issueSession(old.userId, old.deviceId, true);
    return { json: { access_token: session.accessToken, refresh_token: session.refreshToken, expires_in_ms: ctx.hs.accessTokenLifetimeMs } };
  }),
  authedRoute('POST', `${CLIENT}/logout`, (ctx) => {
    ctx.hs.logoutDevice(ctx.session);
    return { json: {} };
  }),
  authedRoute('POST', `${CLIENT}/logout/all`, (ctx) => {
    const deviceIds = new Set(ctx.user.devices.keys());
    for (const session of ctx.hs.sessions.values()) if (session.userId === ctx.user.userId) deviceIds.add(session.deviceId);
    for (const deviceId of deviceIds) ctx.hs.deleteDevice(ctx.user.userId, deviceId);
    return { json: {} };
  }),
  authedRoute('GET', `${CLIENT}/account/whoami`, (ctx) => ({
    json: { user_id: ctx.user.userId, device_id: ctx.session.deviceId, is_guest: false },
  })),
  authedRoute('GET', `${CLIENT}/devices`, (ctx) => ({
    json: { devices: [...ctx.user.devices.values()].map((device) => deviceJson(ctx.user, device.deviceId)) },
  })),
  authedRoute('GET', `${CLIENT}/devices/{deviceId}`, (ctx) => {
    const device = deviceJson(ctx.user, ctx.params.deviceId ?? '');
    if (!device) throw new MatrixError(404, 'M_NOT_FOUND', 'Device not found');
    return { json: device };
  }),
  authedRoute('PUT', `${CLIENT}/devices/{deviceId}`, (ctx) => {
    const device = ctx.user.devices.get(ctx.params.deviceId ?? '');
    if (!device) throw new MatrixError(404, 'M_NOT_FOUND', 'Device not found');
    device.displayName = optionalString(ctx.body(), 'display_name') ?? device.displayName;
    return { json: {} };
  }),
  // Deleting devices takes interactive auth; an unknown device is no error, as on Synapse.
  authedRoute('DELETE', `${CLIENT}/devices/{deviceId}`, (ctx) => {
    requireInteractiveAuth(ctx);
    ctx.hs.deleteDevice(ctx.user.userId, ctx.params.deviceId ?? '');
    return { json: {} };
  }),
  authedRoute('POST', `${CLIENT}/delete_devices`, (ctx) => {
    const devices = ctx.body().devices;
    if (!Array.isArray(devices) || devices.some((deviceId) => typeof deviceId !== 'string')) throw missingParam('devices');
    requireInteractiveAuth(ctx);
    for (const deviceId of devices as string[]) ctx.hs.deleteDevice(ctx.user.userId, deviceId);
    return { json: {} };
  }),
];

function deviceJson(user: User, deviceId: string): JsonObject | undefined {
  const device = user.devices.get(deviceId);
  if (!device) return undefined;
  return { device_id: device.deviceId, display_name: device.displayName, last_seen_ts: device.lastSeenTs, last_seen_ip: '127.0.0.1' };
}
