/**
 * The CLI's attention commands: `watch` (the stream desktop notifications come from), `rules`,
 * `quiet`, `pause` and `why`, on the same calls the window uses. Each parses its own flags strictly,
 * so a typo is named instead of ignored.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { CallName, CallParams, HubCalls, HubClient } from '../../src-shared/api.ts';
import { ATTENTION_LEVELS } from '../../src-shared/attention.ts';
import type { AttentionLevel, AttentionReason, AttentionRule, AttentionSettings, RaisedNotification, RuleMatch } from '../../src-shared/attention.ts';
import type { SourceKind } from '../../src-shared/domain.ts';
import { pauseUntil as pauseChoiceEnd } from '../../src-shared/pause-options.ts';
import { Hub } from '../hub/hub.ts';
import type { HubOptions } from '../hub/hub.ts';
import { runningHub } from '../hub/profile.ts';

export const ATTENTION_COMMANDS: ReadonlySet<string> = new Set(['watch', 'rules', 'quiet', 'pause', 'why']);

export const ATTENTION_USAGE = `  watch [--json]                        run (or attach to) the hub and print each notification as it is
                                        raised; --json: one object a line (itemId, accountId, source,
                                        level, priority, title, body, reason, conversation)
  rules list [--json]                   the attention rules in the order they are tried (first match wins)
  rules add (--source mail|chat|feed | --account ID | --conversation ITEM_ID | --sender ADDR
             | --keyword WORD)... [--mentions-only] [--direct-only] --level notify|badge|silent
             [--priority] [--name N]     placed ahead of every less specific rule
  rules update RULE_ID [--level L] [--priority | --no-priority] [--name N]
  rules remove RULE_ID
  rules move RULE_ID (--before RULE_ID | --last)
  quiet [set HH:MM-HH:MM [--priority-breaks-through] | off]   daily quiet hours (counts still move)
  pause (--for 30m|1h|2h|1d | --until tomorrow|HH:MM|ISO-8601 | --resume)   hold notifications
  why ITEM_ID [--json]                  why an item notified (or not), its priority and unread state`;

const OPTIONS = {
  profile: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  source: { type: 'string', multiple: true },
  account: { type: 'string', multiple: true },
  conversation: { type: 'string', multiple: true },
  sender: { type: 'string', multiple: true },
  keyword: { type: 'string', multiple: true },
  'mentions-only': { type: 'boolean' },
  'direct-only': { type: 'boolean' },
  level: { type: 'string' },
  priority: { type: 'boolean' },
  'no-priority': { type: 'boolean' },
  name: { type: 'string' },
  before: { type: 'string' },
  last: { type: 'boolean' },
  'priority-breaks-through': { type: 'boolean' },
  for: { type: 'string' },
  until: { type: 'string' },
  resume: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];
type Caller = <C extends CallName>(name: C, params: CallParams<C>) => Promise<HubCalls[C]['result']>;

export interface AttentionCliParts {
  profileDir: string;
  kinds?: HubOptions['kinds'];
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** A usage mistake: printed with the usage, exit 1. */
  usage(message: string): Error;
  /** A failure worded for the user, with its exit code. */
  failure(message: string, exitCode: number): Error;
  /** A call's failure, worded for the user, with its exit code. */
  caller(client: HubClient): Caller;
  /** The running hub's client, or one in this process for the command's length. */
  withClient(work: (client: HubClient) => Promise<number>): Promise<number>;
  /** Stops a running `watch` (tests); SIGINT and SIGTERM do it otherwise. */
  stop?: Promise<void>;
}

export async function runAttentionCommand(argv: string[], parts: AttentionCliParts): Promise<number> {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw parts.usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  const print = (text: string) => parts.out.write(`${text}\n`);
  if (command === 'watch') return watch(values, parts);
  return parts.withClient(async (client) => {
    const call = parts.caller(client);
    switch (command) {
      case 'rules':
        return rules(call, rest, values, print, parts.usage);
      case 'quiet':
        return quiet(call, rest, values, print, parts.usage);
      case 'pause':
        return pause(call, rest, values, print, parts.usage);
      case 'why':
        return why(call, rest, values, print, parts.usage);
      default:
        throw parts.usage(`Unknown command ${JSON.stringify(command)}.`);
    }
  });
}

// ---- watch ---------------------------------------------------------------------------------

/** What `watch --json` prints for each notification: these fields, in this order. */
export function watchJson(n: RaisedNotification): Record<string, unknown> {
  return { itemId: n.itemId, accountId: n.accountId, source: n.source, level: n.level, priority: n.priority, title: n.title, body: n.body, reason: n.reason, conversation: n.conversation };
}

function watchLine(n: RaisedNotification): string {
  const time = new Date(n.at).toTimeString().slice(0, 5);
  return `${time}  ${n.priority ? '! ' : ''}${n.title}${n.body ? ` — ${n.body}` : ''}  (${n.reason})  ${n.itemId}`;
}

/**
 * Attaches to the hub that holds the profile, or runs one here (connectors live, and reachable by
 * other commands as `serve` is) until Ctrl+C; prints each notification the moment it is raised.
 */
async function watch(values: Values, parts: AttentionCliParts): Promise<number> {
  const print = (n: RaisedNotification) => parts.out.write(`${values.json ? JSON.stringify(watchJson(n)) : watchLine(n)}\n`);
  const stopped = new Promise<'stopped'>((resolve) => {
    const stop = () => resolve('stopped');
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    void parts.stop?.then(stop);
  });
  const running = runningHub(parts.profileDir);
  if (running?.endpoint) {
    const { connectRemote } = await import('./hub-clients.ts');
    const remote = await connectRemote(running.endpoint.port, running.endpoint.token).catch(() => {
      throw parts.failure(`A Groundswell hub (process ${running.pid}) holds this profile but does not answer. Quit it and try again.`, 2);
    });
    const off = remote.on('attention.notification', print);
    parts.err.write(`Watching the running Groundswell (process ${running.pid}) for notifications; Ctrl+C to stop.\n`);
    const ended = await Promise.race([stopped, remote.closed.then(() => 'closed' as const)]);
    off();
    remote.close();
    if (ended === 'closed') {
      parts.err.write('groundswell: the running hub closed the connection (it quit); watch ends.\n');
      return 2;
    }
    return 0;
  }
  const hub = Hub.open({ profileDir: parts.profileDir, ...(parts.kinds ? { kinds: parts.kinds } : {}) });
  for (const notice of hub.notices) parts.err.write(`groundswell: ${notice.message}\n`);
  const off = hub.on((name, payload) => {
    if (name === 'attention.notification') print(payload as RaisedNotification);
  });
  const { startServer } = await import('../server/serve.ts');
  const server = await startServer({ hub, port: 0, uiDir: fileURLToPath(new URL('../../dist/renderer/', import.meta.url)) }).catch(async (error: unknown) => {
    off();
    await hub.dispose();
    throw error;
  });
  hub.lockHandle.advertise({ port: server.port, token: server.token });
  hub.startConnectors();
  parts.err.write(`Watching for notifications (profile: ${parts.profileDir}; other commands use this hub meanwhile); Ctrl+C to stop.\n`);
  await stopped;
  off();
  await server.close();
  await hub.dispose();
  return 0;
}

// ---- rules ---------------------------------------------------------------------------------

async function rules(call: Caller, rest: string[], values: Values, print: (text: string) => void, usage: (m: string) => Error): Promise<number> {
  const [sub, ruleId, ...extra] = rest;
  if (extra.length > 0) throw usage(`rules ${sub ?? ''} takes one rule id; ${JSON.stringify(extra[0])} is one too many.`);
  switch (sub) {
    case 'list':
    case undefined: {
      const list = await call('rules.list', {});
      if (values.json) print(JSON.stringify(list, null, 2));
      else {
        const accounts = await call('accounts.list', {});
        const names = new Map(accounts.map((a) => [a.account.id, a.account.displayName]));
        list.forEach((rule, index) => print(formatRule(rule, index, names)));
        print('(tried in this order; the first rule that matches an item decides its level and priority)');
      }
      return 0;
    }
    case 'add': {
      if (ruleId !== undefined) throw usage('rules add takes only flags; see `groundswell --help`.');
      const single = <T extends string>(flag: 'source' | 'account' | 'conversation' | 'sender', list: T[] | undefined): T | undefined => {
        if (list && list.length > 1) throw usage(`Give --${flag} once: a rule matches one ${flag}.`);
        return list?.[0];
      };
      const source = single('source', values.source);
      if (source !== undefined && !['mail', 'chat', 'feed'].includes(source)) throw usage('--source takes mail, chat or feed.');
      const level = parseLevel(values.level, usage, 'rules add');
      const account = single('account', values.account);
      const sender = single('sender', values.sender);
      const conversation = single('conversation', values.conversation);
      const match: Omit<RuleMatch, 'conversation'> = {
        ...(source !== undefined ? { source: source as SourceKind } : {}),
        ...(account !== undefined ? { accountId: account } : {}),
        ...(sender !== undefined ? { sender } : {}),
        ...(values.keyword?.length ? { keywords: values.keyword } : {}),
        ...(values['mentions-only'] ? { mentionsOnly: true } : {}),
        ...(values['direct-only'] ? { directOnly: true } : {}),
      };
      if (Object.keys(match).length === 0 && conversation === undefined) {
        throw usage('rules add needs at least one of --source, --account, --conversation, --sender, --keyword, --mentions-only or --direct-only.');
      }
      const rule = await call('rules.add', {
        match,
        level,
        ...(conversation !== undefined ? { conversationOfItem: conversation } : {}),
        ...(values.priority ? { priority: true } : {}),
        ...(values.name !== undefined ? { name: values.name } : {}),
      });
      if (values.json) print(JSON.stringify(rule, null, 2));
      else {
        const position = (await call('rules.list', {})).findIndex((r) => r.id === rule.id) + 1;
        print(`Added rule ${rule.id} '${rule.name}' (${rule.level}${rule.priority ? ', priority' : ''}), tried ${ordinal(position)}.`);
      }
      return 0;
    }
    case 'update': {
      if (!ruleId) throw usage('rules update needs the rule id (see `groundswell rules list`).');
      if (values.priority && values['no-priority']) throw usage('Give --priority or --no-priority, not both.');
      const changes = {
        ...(values.level !== undefined ? { level: parseLevel(values.level, usage, 'rules update') } : {}),
        ...(values.priority ? { priority: true } : values['no-priority'] ? { priority: false } : {}),
        ...(values.name !== undefined ? { name: values.name } : {}),
      };
      if (Object.keys(changes).length === 0) throw usage('rules update needs something to change: --level, --priority, --no-priority or --name.');
      const rule = await call('rules.update', { ruleId, changes });
      if (values.json) print(JSON.stringify(rule, null, 2));
      else print(`Rule ${rule.id} '${rule.name}' is now ${rule.level}${rule.priority ? ', priority' : ''}.`);
      return 0;
    }
    case 'remove': {
      if (!ruleId) throw usage('rules remove needs the rule id (see `groundswell rules list`).');
      await call('rules.remove', { ruleId });
      print(`Removed rule ${ruleId}.`);
      return 0;
    }
    case 'move': {
      if (!ruleId) throw usage('rules move needs the rule id (see `groundswell rules list`).');
      if ((values.before === undefined) === !values.last) throw usage('rules move needs --before RULE_ID (the rule it is tried before) or --last.');
      const list = await call('rules.move', { ruleId, beforeRuleId: values.last ? null : values.before! });
      if (values.json) print(JSON.stringify(list, null, 2));
      else print(`Moved rule ${ruleId}; it is tried ${ordinal(list.findIndex((r) => r.id === ruleId) + 1)} of ${list.length}.`);
      return 0;
    }
    default:
      throw usage(`rules takes list, add, update, remove or move; not ${JSON.stringify(sub)}.`);
  }
}

function parseLevel(raw: string | undefined, usage: (m: string) => Error, command: string): AttentionLevel {
  if (raw === undefined) throw usage(`${command} needs --level notify, badge or silent.`);
  if (!(ATTENTION_LEVELS as readonly string[]).includes(raw)) throw usage('--level takes notify, badge or silent.');
  return raw as AttentionLevel;
}

export function formatRule(rule: AttentionRule, index: number, accountNames: Map<string, string>): string {
  const marks = `${rule.level.padEnd(6)} ${rule.priority ? 'priority' : '        '}`;
  const kind = rule.builtIn ? ' (default)' : '';
  return `${String(index + 1).padStart(3)}. ${rule.id.padEnd(14)} ${marks}  ${rule.name}${kind} — ${describeMatch(rule.match, accountNames)}`;
}

function describeMatch(match: RuleMatch, accountNames: Map<string, string>): string {
  const parts: string[] = [];
  if (match.source !== undefined) parts.push(`source ${match.source}`);
  if (match.accountId !== undefined) parts.push(`account ${accountNames.get(match.accountId) ?? match.accountId}`);
  if (match.conversation) parts.push(`conversation ${match.conversation.name}`);
  if (match.mailbox !== undefined) parts.push(`mailbox ${match.mailbox}`);
  if (match.sender !== undefined) parts.push(`sender ${match.sender}`);
  if (match.keywords?.length) parts.push(`keywords ${match.keywords.map((k) => JSON.stringify(k)).join(', ')}`);
  if (match.mentionsOnly) parts.push('mentions only');
  if (match.directOnly) parts.push('direct only');
  return parts.length > 0 ? parts.join(', ') : 'everything';
}

function ordinal(n: number): string {
  if (n % 100 >= 11 && n % 100 <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

// ---- quiet hours and pause -----------------------------------------------------------------

const CLOCK_RANGE = /^([01]?\d|2[0-3]):([0-5]\d)-([01]?\d|2[0-3]):([0-5]\d)$/;

async function quiet(call: Caller, rest: string[], values: Values, print: (text: string) => void, usage: (m: string) => Error): Promise<number> {
  const [sub, range, ...extra] = rest;
  if (extra.length > 0) throw usage('quiet set takes one range: quiet set 22:00-07:00.');
  let settings: AttentionSettings;
  if (sub === undefined) settings = await call('attention.get', {});
  else if (sub === 'off') settings = await call('attention.setQuietHours', { quietHours: null });
  else if (sub === 'set') {
    const match = range === undefined ? null : CLOCK_RANGE.exec(range);
    if (!match) throw usage('quiet set takes a range of 24-hour times, HH:MM-HH:MM: quiet set 22:00-07:00.');
    const start = `${match[1]!.padStart(2, '0')}:${match[2]}`;
    const end = `${match[3]!.padStart(2, '0')}:${match[4]}`;
    if (start === end) throw usage('Quiet hours must start and end at different times; to hold everything for a while, use pause.');
    settings = await call('attention.setQuietHours', { quietHours: { start, end, priorityBreaksThrough: values['priority-breaks-through'] === true } });
  } else throw usage(`quiet takes set HH:MM-HH:MM or off; not ${JSON.stringify(sub)}.`);
  if (values.json) print(JSON.stringify(settings, null, 2));
  else print(describeSettings(settings));
  return 0;
}

const DURATION = /^(\d+)(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

async function pause(call: Caller, rest: string[], values: Values, print: (text: string) => void, usage: (m: string) => Error): Promise<number> {
  if (rest.length > 0) throw usage('pause takes --for, --until or --resume, not words.');
  const given = [values.for !== undefined, values.until !== undefined, values.resume === true].filter(Boolean).length;
  if (given !== 1) throw usage('pause needs one of --for 1h (30m, 2h, 1d), --until tomorrow (or HH:MM, or ISO-8601) or --resume.');
  let until: number | null = null;
  if (values.for !== undefined) {
    const match = DURATION.exec(values.for);
    if (!match || Number(match[1]) === 0) throw usage('--for takes a number and m, h or d: 30m, 1h, 2h, 1d.');
    until = Date.now() + Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  } else if (values.until !== undefined) {
    until = pauseUntil(values.until, usage);
  }
  const settings = await call('attention.pause', { until });
  if (values.json) print(JSON.stringify(settings, null, 2));
  else if (until === null) print(`Notifications resumed.${settings.holding ? ' (Quiet hours still hold them now.)' : ''}`);
  else print(`Notifications paused until ${formatTime(settings.pausedUntil!)}; counts still move. Resume with: groundswell pause --resume`);
  return 0;
}

function pauseUntil(raw: string, usage: (m: string) => Error): number {
  const now = new Date();
  // The same end as "Until tomorrow" in the tray and the window.
  if (raw === 'tomorrow') return pauseChoiceEnd('tomorrow', now.getTime());
  const minutes = clock(raw);
  if (minutes !== undefined) {
    const today = new Date(now.getFullYear(), now.getMonth(), now.getDate(), Math.floor(minutes / 60), minutes % 60);
    // A time already past today means tomorrow's.
    return today.getTime() > now.getTime() ? today.getTime() : new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, Math.floor(minutes / 60), minutes % 60).getTime();
  }
  const at = Date.parse(raw);
  if (!Number.isFinite(at)) throw usage('--until takes tomorrow, a time of day (18:30) or a date and time in ISO-8601 (2026-12-04T09:00).');
  if (at <= now.getTime()) throw usage('--until must be in the future.');
  return at;
}

function clock(text: string): number | undefined {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

function formatTime(at: number): string {
  const date = new Date(at);
  const time = date.toTimeString().slice(0, 5);
  const today = new Date();
  if (date.toDateString() === today.toDateString()) return time;
  const tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
  if (date.toDateString() === tomorrow.toDateString()) return `tomorrow ${time}`;
  return `${date.toISOString().slice(0, 10)} ${time}`;
}

function describeSettings(settings: AttentionSettings): string {
  const lines = [
    settings.quietHours
      ? `Quiet hours: ${settings.quietHours.start}–${settings.quietHours.end} every day${settings.quietHours.priorityBreaksThrough ? '; priority items still notify' : ''}.`
      : 'Quiet hours: off.',
  ];
  if (settings.pausedUntil !== null) lines.push(`Paused until ${formatTime(settings.pausedUntil)}.`);
  lines.push(settings.holding ? 'Notifications are held right now; counts still move.' : 'Notifications are on.');
  return lines.join('\n');
}

// ---- why -----------------------------------------------------------------------------------

async function why(call: Caller, rest: string[], values: Values, print: (text: string) => void, usage: (m: string) => Error): Promise<number> {
  const [itemId, ...extra] = rest;
  if (!itemId) throw usage('why needs an item id (see `groundswell inbox`).');
  if (extra.length > 0) throw usage('why takes one item id.');
  const answer = await call('item.why', { itemId });
  if (values.json) {
    print(JSON.stringify(answer, null, 2));
    return 0;
  }
  const { reason } = answer;
  print(`${levelHeading(reason)}: ${reason.text}`);
  if (!reason.notified && reason.level === 'notify' && reason.notNotifiedBecause) print(`No notification: ${reason.notNotifiedBecause}.`);
  print(`Priority: ${reason.priority ? `yes${reason.ruleName ? ` (rule '${reason.ruleName}')` : ''}` : 'no'}.`);
  print(`${answer.unreadBecause}.`);
  print(answer.counted ? 'Counted in the unread badge.' : 'Not counted in the unread badge.');
  return 0;
}

function levelHeading(reason: AttentionReason): string {
  if (reason.level === 'silent') return 'Silenced because';
  if (reason.level === 'badge') return 'Counted without a notification because';
  return reason.notified ? 'Notified because' : 'Would notify because';
}
