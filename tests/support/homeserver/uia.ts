/**
 * User-interactive authentication for sensitive endpoints (cross-signing key upload, device
 * deletion), with the one stage Synapse offers a password account: m.login.password.
 */
import { MatrixError } from './errors.ts';
import { isObject, type JsonObject } from './json.ts';
import type { AuthedContext } from './router.ts';
import { randomId } from './state.ts';

const FLOWS = [{ stages: ['m.login.password'] }];

/** A 401 whose body is the UIA state (`flows`, `params`, `session`, maybe an error). */
class InteractiveAuthRequired extends MatrixError {
  readonly body: JsonObject;

  constructor(body: JsonObject) {
    super(401, typeof body.errcode === 'string' ? body.errcode : 'M_UNAUTHORIZED', typeof body.error === 'string' ? body.error : 'Interactive authentication required');
    this.body = body;
  }

  override toJSON(): Record<string, unknown> {
    return this.body;
  }
}

/**
 * Returns once the request carries a completed password stage for the requesting user; otherwise
 * throws the 401 that tells the client what to do, as Synapse does.
 */
export function requireInteractiveAuth(ctx: AuthedContext): void {
  const { e2ee } = ctx.hs;
  const auth = isObject(ctx.body().auth) ? (ctx.body().auth as JsonObject) : undefined;
  const requested = typeof auth?.session === 'string' ? auth.session : undefined;
  let sessionId = requested;
  let session = sessionId === undefined ? undefined : e2ee.uiaSessions.get(sessionId);
  if (sessionId !== undefined && !session) throw new MatrixError(400, 'M_UNKNOWN', `Unknown session ID: ${sessionId}`);
  if (!session || sessionId === undefined) {
    sessionId = randomId(18);
    session = { userId: ctx.user.userId, method: ctx.method, path: ctx.pathname, completed: false };
    e2ee.uiaSessions.set(sessionId, session);
  }
  if (session.userId !== ctx.user.userId) throw new MatrixError(403, 'M_FORBIDDEN', 'Invalid auth');
  if (session.method !== ctx.method || session.path !== ctx.pathname) {
    throw new MatrixError(403, 'M_FORBIDDEN', 'Requested operation has changed during the UI authentication session.');
  }
  const state = { flows: FLOWS, params: {}, session: sessionId };
  if (session.completed) return;
  if (!auth || auth.type === undefined) throw new InteractiveAuthRequired(state);
  if (auth.type !== 'm.login.password') throw new MatrixError(400, 'M_UNRECOGNIZED', 'Unrecognised login type');

  const identifier = isObject(auth.identifier) ? auth.identifier : undefined;
  const name = identifier?.type === 'm.id.user' && typeof identifier.user === 'string' ? identifier.user : typeof auth.user === 'string' ? auth.user : undefined;
  if (name === undefined) throw new MatrixError(400, 'M_MISSING_PARAM', 'Missing parameter: identifier');
  const userId = name.startsWith('@') ? name : ctx.hs.userIdFor(name.toLowerCase());
  const password = typeof auth.password === 'string' ? auth.password : undefined;
  const user = ctx.hs.users.get(userId);
  if (!user || password === undefined || !ctx.hs.passwordMatches(user, password)) {
    throw new InteractiveAuthRequired({ ...state, errcode: 'M_FORBIDDEN', error: 'Invalid username or password' });
  }
  if (user.userId !== ctx.user.userId) throw new MatrixError(403, 'M_FORBIDDEN', 'Invalid auth');
  session.completed = true;
}
