/**
 * The CLI's triage commands — done, undone, star, unstar, snooze, unsnooze, delete, spam, read,
 * unread, `read --all` and undo — on the same calls the window uses, and the triage fields of
 * `--json` items (times in ISO-8601).
 */
import type { CallName, CallParams, HubCalls, TriageResult } from '../../src-shared/api.ts';
import { TRIAGE_ACTIONS, TRIAGE_VIEWS } from '../../src-shared/domain.ts';
import type { InboxItem, TriageAction, TriageView } from '../../src-shared/domain.ts';

type Caller = <C extends CallName>(name: C, params: CallParams<C>) => Promise<HubCalls[C]['result']>;
type Usage = (message: string) => Error;

export interface TriageFlags {
  all?: boolean | undefined;
  source?: string | undefined;
  account?: string | undefined;
  until?: string | undefined;
  for?: string | undefined;
  yes?: boolean | undefined;
}

const DONE_WORDS: Record<TriageAction, string> = {
  read: 'Marked read:',
  unread: 'Marked unread:',
  done: 'Done:',
  undone: 'Back in the Inbox:',
  star: 'Starred',
  unstar: 'Unstarred',
  snooze: 'Snoozed',
  unsnooze: 'Unsnoozed',
  delete: 'Deleted',
  spam: 'Marked as spam:',
};

export async function runTriageCommand(call: Caller, command: string, ids: string[], flags: TriageFlags, print: (text: string) => void, usage: Usage): Promise<number> {
  if (command === 'undo') {
    const result = await call('items.undo', {});
    if (result.undone === undefined) print('Nothing to undo.');
    else printResult(print, `Undid ${result.undone} on ${result.itemIds.length} item(s)`, result);
    return 0;
  }
  if (command === 'read' && flags.all) {
    const source = flags.source;
    if (source !== undefined && source !== 'mail' && source !== 'chat' && source !== 'feed') throw usage('--source takes mail, chat or feed.');
    const result = await call('items.markAllRead', { ...(source ? { source } : {}), ...(flags.account ? { accountId: flags.account } : {}) });
    printResult(print, `Marked ${result.itemIds.length} item(s) read`, result);
    return 0;
  }
  if (!(TRIAGE_ACTIONS as readonly string[]).includes(command)) throw usage(`Unknown command ${JSON.stringify(command)}.`);
  const action = command as TriageAction;
  if (ids.length === 0) throw usage(`${command} needs one or more item ids (see \`groundswell inbox\`).`);
  const until = action === 'snooze' ? snoozeUntil(flags, usage) : undefined;
  const result = await call('items.triage', {
    itemIds: ids,
    action,
    ...(until === undefined ? {} : { until }),
    ...(flags.yes ? { confirm: true } : {}),
  });
  printResult(print, `${DONE_WORDS[action]} ${result.itemIds.length} item(s)`, result);
  return 0;
}

function printResult(print: (text: string) => void, what: string, result: TriageResult): void {
  print(`${what}${result.waiting ? '; the server could not be reached, so it waits and goes when the account is back' : ''}.`);
  for (const notice of result.notices) print(notice);
}

export function parseView(raw: string, usage: Usage): TriageView {
  if (!(TRIAGE_VIEWS as readonly string[]).includes(raw)) throw usage(`--view takes ${TRIAGE_VIEWS.join(', ')}.`);
  return raw as TriageView;
}

const DURATION = /^(\d+)(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** --until 2026-12-04T09:00 or --for 2h / 30m / 1d. */
function snoozeUntil(flags: TriageFlags, usage: Usage): number {
  if ((flags.until === undefined) === (flags.for === undefined)) throw usage('snooze needs --until ISO-8601 or --for 2h|30m|1d (one of them).');
  if (flags.for !== undefined) {
    const match = DURATION.exec(flags.for);
    if (!match || Number(match[1]) === 0) throw usage('--for takes a number and m, h or d: 30m, 2h, 1d.');
    return Date.now() + Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  }
  const at = Date.parse(flags.until!);
  if (!Number.isFinite(at)) throw usage('--until takes a date and time in ISO-8601: 2026-12-04T09:00 (local time) or 2026-12-04T08:00Z.');
  if (at <= Date.now()) throw usage('--until must be in the future.');
  return at;
}

/** What --json prints for an item: times a person or a script reads, in ISO-8601. */
export function itemJson(item: InboxItem): Omit<InboxItem, 'snoozedUntil' | 'snoozeEnded'> & { snoozedUntil: string | null; snoozeEnded: string | null } {
  return {
    ...item,
    snoozedUntil: item.snoozedUntil === null ? null : new Date(item.snoozedUntil).toISOString(),
    snoozeEnded: item.snoozeEnded === null ? null : new Date(item.snoozeEnded).toISOString(),
  };
}
