/**
 * The spec's default push rules (client-server API, "Predefined rules") and an evaluator for them,
 * which is what the server needs to count unread notifications and highlights per room.
 */
import { isObject, type JsonObject } from './json.ts';

export type PushAction = string | { set_tweak: string; value?: unknown };
export type PushCondition = JsonObject & { kind: string };

export interface PushRule {
  rule_id: string;
  default: boolean;
  enabled: boolean;
  actions: PushAction[];
  conditions?: PushCondition[];
  pattern?: string;
}

export const PUSH_RULE_KINDS = ['override', 'content', 'room', 'sender', 'underride'] as const;
export type PushRuleKind = (typeof PUSH_RULE_KINDS)[number];
export type PushRuleset = Record<PushRuleKind, PushRule[]>;

const notifyWithSound = (sound: string): PushAction[] => ['notify', { set_tweak: 'sound', value: sound }];
const highlight: PushAction = { set_tweak: 'highlight' };

const rule = (rule_id: string, conditions: PushCondition[], actions: PushAction[], enabled = true): PushRule => ({
  rule_id,
  default: true,
  enabled,
  conditions,
  actions,
});
const eventMatch = (key: string, pattern: string): PushCondition => ({ kind: 'event_match', key, pattern });

export function defaultPushRules(userId: string): PushRuleset {
  const localpart = userId.slice(1).split(':')[0] ?? '';
  return {
    override: [
      rule('.m.rule.master', [], [], false),
      rule('.m.rule.suppress_notices', [eventMatch('content.msgtype', 'm.notice')], []),
      rule(
        '.m.rule.invite_for_me',
        [eventMatch('type', 'm.room.member'), eventMatch('content.membership', 'invite'), eventMatch('state_key', userId)],
        notifyWithSound('default'),
      ),
      rule('.m.rule.member_event', [eventMatch('type', 'm.room.member')], []),
      rule('.m.rule.is_user_mention', [{ kind: 'event_property_contains', key: 'content.m\\.mentions.user_ids', value: userId }], [
        ...notifyWithSound('default'),
        highlight,
      ]),
      rule('.m.rule.contains_display_name', [{ kind: 'contains_display_name' }], [...notifyWithSound('default'), highlight]),
      rule(
        '.m.rule.is_room_mention',
        [
          { kind: 'event_property_is', key: 'content.m\\.mentions.room', value: true },
          { kind: 'sender_notification_permission', key: 'room' },
        ],
        ['notify', highlight],
      ),
      rule(
        '.m.rule.roomnotif',
        [{ kind: 'sender_notification_permission', key: 'room' }, eventMatch('content.body', '@room')],
        ['notify', highlight],
      ),
      rule('.m.rule.tombstone', [eventMatch('type', 'm.room.tombstone'), eventMatch('state_key', '')], ['notify', highlight]),
      rule('.m.rule.reaction', [eventMatch('type', 'm.reaction')], []),
      rule('.m.rule.room.server_acl', [eventMatch('type', 'm.room.server_acl'), eventMatch('state_key', '')], []),
      rule('.m.rule.suppress_edits', [{ kind: 'event_property_is', key: 'content.m\\.relates_to.rel_type', value: 'm.replace' }], []),
    ],
    content: [{ rule_id: '.m.rule.contains_user_name', default: true, enabled: true, pattern: localpart, actions: [...notifyWithSound('default'), highlight] }],
    room: [],
    sender: [],
    underride: [
      rule('.m.rule.call', [eventMatch('type', 'm.call.invite')], notifyWithSound('ring')),
      rule(
        '.m.rule.encrypted_room_one_to_one',
        [{ kind: 'room_member_count', is: '2' }, eventMatch('type', 'm.room.encrypted')],
        notifyWithSound('default'),
      ),
      rule('.m.rule.room_one_to_one', [{ kind: 'room_member_count', is: '2' }, eventMatch('type', 'm.room.message')], notifyWithSound('default')),
      rule('.m.rule.message', [eventMatch('type', 'm.room.message')], ['notify']),
      rule('.m.rule.encrypted', [eventMatch('type', 'm.room.encrypted')], ['notify']),
    ],
  };
}

/** What the evaluator needs to know about the room at the time of the event. */
export interface PushContext {
  userId: string;
  displayName: string | undefined;
  joinedMemberCount: number;
  senderPowerLevel: number;
  notificationPowerLevels: Record<string, number>;
}

export interface PushOutcome {
  notify: boolean;
  highlight: boolean;
}

// Since Matrix 1.7 an event that carries m.mentions opts out of the body-sniffing mention rules.
const LEGACY_MENTION_RULES = new Set(['.m.rule.contains_display_name', '.m.rule.contains_user_name', '.m.rule.roomnotif']);

export function evaluatePushRules(ruleset: PushRuleset, event: JsonObject, context: PushContext): PushOutcome {
  const content = isObject(event.content) ? event.content : {};
  const hasIntentionalMentions = 'm.mentions' in content;
  for (const kind of PUSH_RULE_KINDS) {
    for (const candidate of ruleset[kind]) {
      if (!candidate.enabled) continue;
      if (hasIntentionalMentions && LEGACY_MENTION_RULES.has(candidate.rule_id)) continue;
      if (!ruleMatches(kind, candidate, event, context)) continue;
      return outcomeOf(candidate.actions);
    }
  }
  return { notify: false, highlight: false };
}

function outcomeOf(actions: PushAction[]): PushOutcome {
  const notify = actions.includes('notify');
  const highlightTweak = actions.find((action) => typeof action === 'object' && action.set_tweak === 'highlight');
  const highlighted = typeof highlightTweak === 'object' && highlightTweak.value !== false;
  return { notify, highlight: notify && highlighted };
}

function ruleMatches(kind: PushRuleKind, candidate: PushRule, event: JsonObject, context: PushContext): boolean {
  if (kind === 'content') {
    const body = propertyAt(event, 'content.body');
    return typeof body === 'string' && candidate.pattern !== undefined && globMatches(candidate.pattern, body, true);
  }
  if (kind === 'room') return event.room_id === candidate.rule_id;
  if (kind === 'sender') return event.sender === candidate.rule_id;
  return (candidate.conditions ?? []).every((condition) => conditionHolds(condition, event, context));
}

function conditionHolds(condition: PushCondition, event: JsonObject, context: PushContext): boolean {
  const key = typeof condition.key === 'string' ? condition.key : '';
  switch (condition.kind) {
    case 'event_match': {
      const value = propertyAt(event, key);
      return typeof value === 'string' && typeof condition.pattern === 'string' && globMatches(condition.pattern, value, key === 'content.body');
    }
    case 'event_property_is':
      return propertyAt(event, key) === condition.value;
    case 'event_property_contains': {
      const value = propertyAt(event, key);
      return Array.isArray(value) && value.includes(condition.value);
    }
    case 'contains_display_name': {
      const body = propertyAt(event, 'content.body');
      if (typeof body !== 'string' || !context.displayName) return false;
      return new RegExp(`(^|\\W)${escapeRegExp(context.displayName)}(\\W|$)`, 'i').test(body);
    }
    case 'room_member_count':
      return memberCountMatches(typeof condition.is === 'string' ? condition.is : '', context.joinedMemberCount);
    case 'sender_notification_permission':
      return context.senderPowerLevel >= (context.notificationPowerLevels[key] ?? 50);
    default:
      // The spec: unknown conditions never match.
      return false;
  }
}

function memberCountMatches(is: string, count: number): boolean {
  const parsed = /^(==|<=|>=|<|>)?(\d+)$/.exec(is);
  if (!parsed) return false;
  const bound = Number(parsed[2]);
  switch (parsed[1]) {
    case '<':
      return count < bound;
    case '>':
      return count > bound;
    case '<=':
      return count <= bound;
    case '>=':
      return count >= bound;
    default:
      return count === bound;
  }
}

/** Dotted path with `\.` escaping, as in push rule keys. */
function propertyAt(object: JsonObject, path: string): unknown {
  const segments = path.split(/(?<!\\)\./).map((segment) => segment.replace(/\\(.)/g, '$1'));
  let current: unknown = object;
  for (const segment of segments) {
    if (!isObject(current)) return undefined;
    current = current[segment];
  }
  return current;
}

function globMatches(glob: string, value: string, wordBoundaries: boolean): boolean {
  const body = [...glob].map((char) => (char === '*' ? '.*?' : char === '?' ? '.' : escapeRegExp(char))).join('');
  const source = wordBoundaries ? `(^|\\W)${body}(\\W|$)` : `^${body}$`;
  return new RegExp(source, 'is').test(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
