/**
 * Parameters of the hub's own calls arrive from a renderer or a socket and are untrusted. Each
 * check names the field that is wrong so the form can show the message beside it. Account input
 * is each kind's own (its `draft` and `applyChanges`).
 */
import type { InboxFilter, InboxQuery, SearchOrder, SearchQuery, VerificationAction } from '../../src-shared/api.ts';
import { TRIAGE_VIEWS } from '../../src-shared/domain.ts';
import type { SourceKind, TriageView } from '../../src-shared/domain.ts';
import { choice, InputError, integer, record, text } from '../common/input.ts';
import { MAX_OPML_CHARS } from '../../src-shared/limits.ts';

export { InputError } from '../common/input.ts';

const SOURCES: readonly SourceKind[] = ['mail', 'chat', 'feed'];

function parseFilter(input: Record<string, unknown>): InboxFilter {
  const filter: InboxFilter = {};
  const source = input['source'];
  if (source !== undefined) {
    if (typeof source !== 'string' || !SOURCES.includes(source as SourceKind)) {
      throw new InputError('Source must be mail, chat or feed.', 'source');
    }
    filter.source = source as SourceKind;
  }
  if (input['accountId'] !== undefined) filter.accountId = text(input['accountId'], 'accountId', 'Account', { max: 100 });
  if (input['unreadOnly'] !== undefined) filter.unreadOnly = input['unreadOnly'] === true;
  const view = input['view'];
  if (view !== undefined) {
    if (typeof view !== 'string' || !(TRIAGE_VIEWS as readonly string[]).includes(view)) {
      throw new InputError(`The view must be one of ${TRIAGE_VIEWS.join(', ')}.`, 'view');
    }
    filter.view = view as TriageView;
  }
  return filter;
}

export function parseInboxQuery(raw: unknown): InboxQuery {
  const input = record(raw ?? {}, 'the query');
  const query: InboxQuery = { ...parseFilter(input), limit: integer(input['limit'], 'limit', 'Limit', 1, 500, 50) };
  if (input['after'] !== undefined) query.after = text(input['after'], 'after', 'Page cursor', { max: 500 });
  if (input['before'] !== undefined) query.before = text(input['before'], 'before', 'Page cursor', { max: 500 });
  if (input['from'] !== undefined) query.from = choice(input['from'], 'from', ['oldest'] as const, 'A page can start from the oldest item only ("oldest").');
  if (input['offset'] !== undefined) query.offset = integer(input['offset'], 'offset', 'Offset', 0, 100_000_000);
  // Each names where the page starts; two at once would contradict each other.
  const starts = ['after', 'before', 'from', 'offset'].filter((key) => input[key] !== undefined);
  if (starts.length > 1) throw new InputError(`Give only one of ${starts.join(' and ')}: each says where the page starts.`, starts[1]);
  return query;
}

export function parseInboxFilter(raw: unknown): InboxFilter {
  return parseFilter(record(raw ?? {}, 'the filter'));
}

export function parseSearchQuery(raw: unknown): SearchQuery {
  const input = record(raw, 'the search');
  return {
    ...parseFilter(input),
    text: text(input['text'], 'text', 'Search text', { max: 2_000 }),
    limit: integer(input['limit'], 'limit', 'Limit', 1, 500, 50),
    ...(input['order'] === undefined ? {} : { order: searchOrder(input['order']) }),
  };
}

function searchOrder(value: unknown): SearchOrder {
  if (value === 'best' || value === 'newest') return value;
  throw new InputError('order must be "best" or "newest".', 'order');
}

export function parseId(raw: unknown, key: string, label: string): string {
  return text(record(raw, 'the request')[key], key, label, { max: 400 });
}

export function parsePassword(raw: unknown): string {
  return text(record(raw, 'the request')['password'], 'password', 'Password', { max: 4096 });
}

export function parseIds(raw: unknown): string[] {
  const ids = record(raw, 'the request')['itemIds'];
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > 10_000 || !ids.every((id) => typeof id === 'string')) {
    throw new InputError('itemIds must be a list of 1 to 10,000 item ids.', 'itemIds');
  }
  return ids as string[];
}

/** OPML files from other readers run to a few hundred kB; 5 MB is far beyond any real one. */
export function parseOpmlText(raw: unknown): string {
  return text(record(raw, 'the request')['opml'], 'opml', 'OPML file', { max: MAX_OPML_CHARS });
}

/** What a message may be: Matrix servers refuse events over 64 KiB, and the body is most of one. */
const MAX_MESSAGE_LENGTH = 30_000;

export function parseChatText(raw: unknown): string {
  const value = text(record(raw, 'the message')['text'], 'text', 'Message', { max: MAX_MESSAGE_LENGTH });
  if (value.trim() === '') throw new InputError('Write something first.', 'text');
  return value;
}

export function parseOptionalId(raw: unknown, field: string, label: string): string | undefined {
  const value = record(raw, 'the request')[field];
  if (value === undefined || value === null || value === '') return undefined;
  return parseId(raw, field, label);
}

export function parseBoolean(raw: unknown, field: string, label: string): boolean {
  const value = record(raw, 'the request')[field];
  if (typeof value !== 'boolean') throw new InputError(`${label} must be true or false.`, field);
  return value;
}

/** An mxc:// URI: the server name and media id, nothing else (no path tricks through the media API). */
export function parseMxc(raw: unknown): string {
  const value = text(record(raw, 'the request')['mxc'], 'mxc', 'Media address', { max: 500 });
  if (!/^mxc:\/\/[a-z0-9.\-[\]:]+\/[A-Za-z0-9_-]+$/i.test(value)) throw new InputError('That is not a Matrix media address (mxc://…).', 'mxc');
  return value;
}

/** A room id (`!opaque:server`) from the CLI. */
export function parseRoomId(raw: unknown): string {
  const value = text(record(raw, 'the request')['roomId'], 'roomId', 'Room', { max: 512 }).trim();
  if (!/^![^\s:]+:\S+$/.test(value)) throw new InputError('A Matrix room id looks like !abc123:example.org.', 'roomId');
  return value;
}

const VERIFICATION_ACTIONS: readonly VerificationAction[] = ['accept', 'start', 'confirm', 'mismatch', 'cancel'];

export function parseVerificationAction(raw: unknown): VerificationAction {
  const value = record(raw, 'the request')['action'];
  if (typeof value !== 'string' || !(VERIFICATION_ACTIONS as readonly string[]).includes(value)) {
    throw new InputError(`The action must be one of ${VERIFICATION_ACTIONS.join(', ')}.`, 'action');
  }
  return value as VerificationAction;
}

/** A recovery key as people copy it: groups of four base58 characters; spaces and line breaks are dropped. */
export function parseRecoveryKey(raw: unknown): string {
  const value = text(record(raw, 'the request')['recoveryKey'], 'recoveryKey', 'Recovery key', { max: 200 }).replace(/\s+/g, '');
  if (!/^[1-9A-HJ-NP-Za-km-z]{40,70}$/.test(value)) {
    throw new InputError('That is not a recovery key. It is 48 letters and digits in groups of four, as shown when backup was set up.', 'recoveryKey');
  }
  return value;
}

/** An attachment's place in a mail's list, from 1. */
export function parseAttachmentIndex(raw: unknown): number {
  const index = record(raw, 'the request')['index'];
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 1 || index > 10_000) {
    throw new InputError('index must be the number of an attachment, from 1 (see the message’s attachment list).', 'index');
  }
  return index;
}
