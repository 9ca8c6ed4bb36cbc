/** Discovery, capabilities, push rules, filters, account data and profiles. */
import { badJson, forbidden, MatrixError, notFound } from './errors.ts';
import { optionalString, type JsonObject } from './json.ts';
import { PUSH_RULE_KINDS, type PushRule, type PushRuleKind, type PushRuleset } from './push-rules.ts';
import { announceProfileChange } from './room-actions.ts';
import { authedRoute, CLIENT, openRoute, type AuthedContext, type Route } from './router.ts';
import { pushRulesOf, type HomeserverState, type User } from './state.ts';

const SPEC_VERSIONS = ['r0.6.1', 'v1.1', 'v1.2', 'v1.3', 'v1.4', 'v1.5', 'v1.6', 'v1.7', 'v1.8', 'v1.9', 'v1.10', 'v1.11', 'v1.12'];
const ROOM_VERSIONS = Object.fromEntries(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11'].map((version) => [version, 'stable']));

function ownUser(ctx: AuthedContext, action: string): User {
  if (ctx.params.userId !== ctx.user.userId) throw forbidden(`Cannot ${action} for other users.`);
  return ctx.user;
}

function savePushRules(hs: HomeserverState, user: User, ruleset: PushRuleset): void {
  // Clients learn about push rule changes from the m.push_rules account data in /sync.
  hs.setAccountData(user, 'm.push_rules', { global: structuredClone(ruleset) });
}

function pushRuleKind(ctx: AuthedContext): PushRuleKind {
  if (ctx.params.scope !== 'global') throw new MatrixError(400, 'M_INVALID_PARAM', 'Unknown scope');
  const kind = PUSH_RULE_KINDS.find((candidate) => candidate === ctx.params.kind);
  if (!kind) throw new MatrixError(400, 'M_INVALID_PARAM', 'Unknown rule kind');
  return kind;
}

function findPushRule(ctx: AuthedContext): { ruleset: PushRuleset; kind: PushRuleKind; rule: PushRule } {
  const kind = pushRuleKind(ctx);
  const ruleset = structuredClone(pushRulesOf(ctx.user));
  const rule = ruleset[kind].find((candidate) => candidate.rule_id === ctx.params.ruleId);
  if (!rule) throw notFound('Unknown push rule');
  return { ruleset, kind, rule };
}

function accountDataType(ctx: AuthedContext): string {
  const type = ctx.params.type ?? '';
  if (type === 'm.push_rules') throw new MatrixError(400, 'M_BAD_JSON', 'Cannot set m.push_rules through this API. Use /pushrules instead.');
  return type;
}

function profileOf(hs: HomeserverState, userId: string): User {
  const user = hs.users.get(userId);
  if (!user) throw notFound('Profile was not found');
  return user;
}

function profileJson(user: User): JsonObject {
  const profile: JsonObject = {};
  if (user.displayname !== undefined) profile.displayname = user.displayname;
  if (user.avatarUrl !== undefined) profile.avatar_url = user.avatarUrl;
  return profile;
}

export const accountRoutes: Route[] = [
  openRoute('GET', '/_matrix/client/versions', () => ({
    json: {
      versions: SPEC_VERSIONS,
      unstable_features: {
        'org.matrix.msc3916.stable': true,
        'org.matrix.msc2285.stable': true,
        'org.matrix.msc3827.stable': true,
        'org.matrix.msc3440.stable': true,
        'org.matrix.msc3771': true,
        'org.matrix.msc3773': true,
      },
    },
  })),
  openRoute('GET', '/.well-known/matrix/client', (ctx) => ({ json: { 'm.homeserver': { base_url: ctx.baseUrl } } })),
  authedRoute('GET', `${CLIENT}/capabilities`, () => ({
    json: {
      capabilities: {
        'm.change_password': { enabled: true },
        'm.room_versions': { default: '10', available: ROOM_VERSIONS },
        'm.set_displayname': { enabled: true },
        'm.set_avatar_url': { enabled: true },
        'm.3pid_changes': { enabled: false },
        'm.get_login_token': { enabled: false },
      },
    },
  })),

  authedRoute('GET', `${CLIENT}/pushrules/`, (ctx) => ({ json: { global: pushRulesOf(ctx.user) } })),
  authedRoute('GET', `${CLIENT}/pushrules/global/`, (ctx) => ({ json: pushRulesOf(ctx.user) })),
  authedRoute('GET', `${CLIENT}/pushrules/{scope}/{kind}/{ruleId}`, (ctx) => ({ json: findPushRule(ctx).rule })),
  authedRoute('GET', `${CLIENT}/pushrules/{scope}/{kind}/{ruleId}/enabled`, (ctx) => ({ json: { enabled: findPushRule(ctx).rule.enabled } })),
  authedRoute('GET', `${CLIENT}/pushrules/{scope}/{kind}/{ruleId}/actions`, (ctx) => ({ json: { actions: findPushRule(ctx).rule.actions } })),
  authedRoute('PUT', `${CLIENT}/pushrules/{scope}/{kind}/{ruleId}/enabled`, (ctx) => {
    const { ruleset, rule } = findPushRule(ctx);
    const enabled = ctx.body().enabled;
    if (typeof enabled !== 'boolean') throw badJson('enabled must be a boolean');
    rule.enabled = enabled;
    savePushRules(ctx.hs, ctx.user, ruleset);
    return { json: {} };
  }),
  authedRoute('PUT', `${CLIENT}/pushrules/{scope}/{kind}/{ruleId}/actions`, (ctx) => {
    const { ruleset, rule } = findPushRule(ctx);
    const actions = ctx.body().actions;
    if (!Array.isArray(actions)) throw badJson('actions must be an array');
    rule.actions = actions as PushRule['actions'];
    savePushRules(ctx.hs, ctx.user, ruleset);
    return { json: {} };
  }),
  authedRoute('PUT', `${CLIENT}/pushrules/{scope}/{kind}/{ruleId}`, (ctx) => {
    const kind = pushRuleKind(ctx);
    const ruleId = ctx.params.ruleId ?? '';
    if (ruleId.startsWith('.')) throw new MatrixError(400, 'M_INVALID_PARAM', 'Cannot add a rule with a reserved id');
    const body = ctx.body();
    if (!Array.isArray(body.actions)) throw badJson('actions must be an array');
    const ruleset = structuredClone(pushRulesOf(ctx.user));
    const rule: PushRule = { rule_id: ruleId, default: false, enabled: true, actions: body.actions as PushRule['actions'] };
    if (Array.isArray(body.conditions)) rule.conditions = body.conditions as PushRule['conditions'];
    const pattern = optionalString(body, 'pattern');
    if (pattern !== undefined) rule.pattern = pattern;
    // User rules go before the server defaults of their kind, as the spec orders them.
    ruleset[kind] = [rule, ...ruleset[kind].filter((candidate) => candidate.rule_id !== ruleId)];
    savePushRules(ctx.hs, ctx.user, ruleset);
    return { json: {} };
  }),
  authedRoute('DELETE', `${CLIENT}/pushrules/{scope}/{kind}/{ruleId}`, (ctx) => {
    const { ruleset, kind, rule } = findPushRule(ctx);
    if (rule.default) throw new MatrixError(400, 'M_INVALID_PARAM', 'Cannot delete a server-default rule');
    ruleset[kind] = ruleset[kind].filter((candidate) => candidate !== rule);
    savePushRules(ctx.hs, ctx.user, ruleset);
    return { json: {} };
  }),

  authedRoute('POST', `${CLIENT}/user/{userId}/filter`, (ctx) => {
    const user = ownUser(ctx, 'create filters');
    return { json: { filter_id: ctx.hs.saveFilter(user, ctx.body()) } };
  }),
  authedRoute('GET', `${CLIENT}/user/{userId}/filter/{filterId}`, (ctx) => {
    const user = ownUser(ctx, 'get filters');
    const filter = user.filters.get(ctx.params.filterId ?? '');
    if (!filter) throw notFound('No such filter');
    return { json: filter };
  }),

  authedRoute('PUT', `${CLIENT}/user/{userId}/account_data/{type}`, (ctx) => {
    const user = ownUser(ctx, 'add account data');
    ctx.hs.setAccountData(user, accountDataType(ctx), ctx.body());
    return { json: {} };
  }),
  authedRoute('GET', `${CLIENT}/user/{userId}/account_data/{type}`, (ctx) => {
    const entry = ownUser(ctx, 'get account data').accountData.get(ctx.params.type ?? '');
    if (!entry) throw notFound('Account data not found');
    return { json: entry.content };
  }),
  authedRoute('PUT', `${CLIENT}/user/{userId}/rooms/{roomId}/account_data/{type}`, (ctx) => {
    ownUser(ctx, 'add account data');
    const room = ctx.hs.rooms.get(ctx.params.roomId ?? '');
    if (!room) throw new MatrixError(400, 'M_INVALID_PARAM', `${ctx.params.roomId} is not a valid room ID`);
    room.roomAccountData(ctx.user.userId).set(accountDataType(ctx), { content: ctx.body(), stream: ctx.hs.advanceStream() });
    ctx.hs.changed();
    return { json: {} };
  }),
  authedRoute('GET', `${CLIENT}/user/{userId}/rooms/{roomId}/account_data/{type}`, (ctx) => {
    ownUser(ctx, 'get account data');
    const entry = ctx.hs.rooms.get(ctx.params.roomId ?? '')?.accountData.get(ctx.user.userId)?.get(ctx.params.type ?? '');
    if (!entry) throw notFound('Room account data not found');
    return { json: entry.content };
  }),

  // Room tags (spec "Room Tagging"): kept as the room's m.tag account data, which /sync delivers.
  authedRoute('GET', `${CLIENT}/user/{userId}/rooms/{roomId}/tags`, (ctx) => {
    ownUser(ctx, 'get tags');
    const entry = ctx.hs.rooms.get(ctx.params.roomId ?? '')?.accountData.get(ctx.user.userId)?.get('m.tag');
    return { json: { tags: (entry?.content as { tags?: unknown } | undefined)?.tags ?? {} } };
  }),
  authedRoute('PUT', `${CLIENT}/user/{userId}/rooms/{roomId}/tags/{tag}`, (ctx) => {
    ownUser(ctx, 'add tags');
    changeTags(ctx, (tags) => {
      const body = ctx.body();
      const order = body['order'];
      if (order !== undefined && typeof order !== 'number') throw new MatrixError(400, 'M_BAD_JSON', 'order must be a number');
      tags[ctx.params.tag ?? ''] = order === undefined ? {} : { order };
    });
    return { json: {} };
  }),
  authedRoute('DELETE', `${CLIENT}/user/{userId}/rooms/{roomId}/tags/{tag}`, (ctx) => {
    ownUser(ctx, 'remove tags');
    changeTags(ctx, (tags) => {
      delete tags[ctx.params.tag ?? ''];
    });
    return { json: {} };
  }),

  // No TURN server is configured; Synapse then answers with an empty object.
  authedRoute('GET', `${CLIENT}/voip/turnServer`, () => ({ json: {} })),
  // Presence is accepted and not tracked, like a Synapse with presence disabled.
  authedRoute('GET', `${CLIENT}/presence/{userId}/status`, () => ({ json: { presence: 'offline' } })),
  authedRoute('PUT', `${CLIENT}/presence/{userId}/status`, (ctx) => {
    ownUser(ctx, 'set presence');
    return { json: {} };
  }),
  openRoute('GET', `${CLIENT}/profile/{userId}`, (ctx) => ({ json: profileJson(profileOf(ctx.hs, ctx.params.userId ?? '')) })),
  ...(['displayname', 'avatar_url'] as const).flatMap((field) => [
    openRoute('GET', `${CLIENT}/profile/{userId}/${field}`, (ctx) => {
      const value = profileJson(profileOf(ctx.hs, ctx.params.userId ?? ''))[field];
      if (value === undefined) throw notFound(`The user has no ${field}`);
      return { json: { [field]: value } };
    }),
    authedRoute('PUT', `${CLIENT}/profile/{userId}/${field}`, (ctx) => {
      const user = ownUser(ctx, 'set the profile');
      const value = optionalString(ctx.body(), field);
      if (field === 'displayname') user.displayname = value;
      else user.avatarUrl = value;
      announceProfileChange(ctx.hs, user);
      return { json: {} };
    }),
  ]),
];

function changeTags(ctx: AuthedContext, change: (tags: Record<string, unknown>) => void): void {
  const room = ctx.hs.rooms.get(ctx.params.roomId ?? '');
  if (!room) throw new MatrixError(400, 'M_INVALID_PARAM', `${ctx.params.roomId} is not a valid room ID`);
  const data = room.roomAccountData(ctx.user.userId);
  const tags = { ...((data.get('m.tag')?.content as { tags?: Record<string, unknown> } | undefined)?.tags ?? {}) };
  change(tags);
  data.set('m.tag', { content: { tags }, stream: ctx.hs.advanceStream() });
  ctx.hs.changed();
}
