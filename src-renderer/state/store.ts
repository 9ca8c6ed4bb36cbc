/**
 * One zustand store built from typed slices. Slices hold data only; the actions that change
 * it are plain functions in actions.ts, so the transport can update state outside React.
 */
import { createStore, type StateCreator, type StoreApi } from 'zustand/vanilla';
import type {
  ChatMessage,
  ChatTimeline,
  EncryptionStatus,
  HubEvents,
  InboxFilter,
  KindDescriptor,
  PageCursor,
  SearchHit,
  SearchOrder,
  SearchTerm,
  UnreadCounts,
} from '../../src-shared/api.ts';
import type { AccountView, InboxItem, ItemDetail, TriageView } from '../../src-shared/domain.ts';
import type { ComposeMode, MailDraft, OutboxMessage } from '../../src-shared/mail.ts';
import type { AttentionRule, AttentionSettings, ItemWhy } from '../../src-shared/attention.ts';
import { DEFAULT_PREFERENCES, type Preferences } from '../../src-shared/preferences.ts';

export interface AccountsSlice {
  accounts: AccountView[];
  /** False until the first `accounts.list` answered: the first run (no account yet) waits for it. */
  accountsLoaded: boolean;
  counts: UnreadCounts | null;
  /** The account kinds the hub can add (`kinds.list`); null until it answered. */
  kinds: KindDescriptor[] | null;
}

export type LoadState = 'idle' | 'loading' | 'error';

export interface InboxSlice {
  /** Which part of the inbox the list shows: {} is All. */
  view: InboxFilter;
  /** The stretch of the list that is loaded: newest first, starting at `windowStart` of the whole list. */
  items: InboxItem[];
  next: PageCursor | undefined;
  /** 0 unless the user jumped down the list (End, the scrollbar dragged far): then the rows above are not loaded. */
  windowStart: number;
  /** The page just newer than `items`, for scrolling back up; absent when `items` start at the newest. */
  previous: PageCursor | undefined;
  /** How many items the view holds in all, so the scrollbar spans the whole list; undefined until the hub said. */
  total: number | undefined;
  /** True while the loaded stretch is being replaced by one somewhere else in the list. */
  jumping: boolean;
  loadingNewer: boolean;
  listState: LoadState;
  loadingMore: boolean;
  listError: string | null;
}

export interface SelectionSlice {
  /** The row the keyboard points at. */
  selectedId: string | null;
  /** The item in the reading pane. */
  openId: string | null;
  detail: ItemDetail | null;
  detailState: LoadState;
  detailError: string | null;
  /** The open mail whose remote images the user asked for (Show images); null for none. */
  remoteContentFor: string | null;
  /** Items picked for a bulk action (x, Shift+click, Ctrl/Cmd+A); actions apply to these when there are any. */
  checkedIds: string[];
  /** Where a Shift+click range starts. */
  anchorId: string | null;
}

export interface SearchSlice {
  /** As typed; a query of only spaces counts as none. */
  query: string;
  /** Results for `resultsFor`; null while there are none for the current query yet. */
  results: InboxItem[] | null;
  resultsFor: string;
  searchError: string | null;
  /** The error is the query's own syntax (an unknown is: value), explained in words: shown as a hint, not a failure. */
  searchErrorIsSyntax: boolean;
  /** 'all': every source (the default); 'view': only the source or account the sidebar has selected. */
  searchScope: 'all' | 'view';
  searchOrder: SearchOrder;
  /** The count, the words looked for and where each result matched, for `resultsFor`. */
  searchMeta: SearchMeta | null;
}

export interface SearchMeta {
  total: number;
  totalCapped: boolean;
  stillIndexing?: number;
  terms: SearchTerm[];
  hits: Record<string, SearchHit>;
}

export type ToastKind = 'error' | 'info';
export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
  /** The toast of a triage action offers Undo. */
  undo?: boolean;
}

/** Deleting these needs the user's yes; `message` is the hub's reason. */
export interface DeleteConfirmation {
  itemIds: string[];
  message: string;
}

export interface TriageSlice {
  /** The items the Snooze menu is open for. */
  snoozeFor: string[] | null;
  confirmDelete: DeleteConfirmation | null;
  shortcutsOpen: boolean;
  /** A row's context menu, at the pointer (or the row, from the keyboard). */
  contextMenu: { itemId: string; x: number; y: number } | null;
}

export type ServiceStatus = HubEvents['service.status'];

/** How the page reaches the hub: the socket in `serve`, always 'online' in Electron. */
export type HubConnection = 'connecting' | 'online' | 'offline';

/** One account's settings dialog. The password typed there stays in the form, never here. */
export interface AccountSettings {
  accountId: string;
  /** 'password' when opened from "Sign in again": the password field takes the focus. */
  focus: 'password' | null;
  signingIn: boolean;
  /** The hub's answer to the last sign-in, shown under the password field. */
  passwordError: string | null;
  /** 'confirm' asks before anything is deleted; 'removing' while the hub works. */
  removeStep: 'idle' | 'confirm' | 'removing';
  removeError: string | null;
}

export interface PreferencesSlice {
  /** The defaults until `preferences.get` answers, so the page never waits on it to draw. */
  preferences: Preferences;
  preferencesOpen: boolean;
  /** Why the last change could not be saved, shown in the Preferences dialog. */
  preferencesError: string | null;
}

/** What the browser lets this page do with desktop notifications ('unsupported' in Electron, where the app notifies). */
export type BrowserNotifications = 'unsupported' | 'default' | 'granted' | 'denied';

/** The reading pane's "Why" panel for one item. */
export interface WhyView {
  itemId: string;
  why: ItemWhy | null;
  loadState: LoadState;
  error: string | null;
  /** The one-step rule just made from here ("Muted Engineering."), or why it failed. */
  outcome: { ok: boolean; text: string } | null;
  busy: boolean;
}

export interface AttentionSlice {
  /** Quiet hours, pause, flood limit; null until `attention.get` answers. */
  attention: AttentionSettings | null;
  /** In the order they are tried; null until `rules.list` answers. */
  rules: AttentionRule[] | null;
  /** Why the last change to rules, quiet hours or the pause failed, shown where it was made. */
  attentionError: string | null;
  why: WhyView | null;
  browserNotifications: BrowserNotifications;
}

export interface UiSlice {
  toasts: Toast[];
  addAccountOpen: boolean;
  /** The account whose settings dialog is open, or null. */
  accountSettings: AccountSettings | null;
  connection: HubConnection;
  /** The Electron app's background service; 'running' everywhere else. */
  service: ServiceStatus;
}

/** The message a reply answers, as the chip above the composer shows it. */
export type ChatReplyTarget = NonNullable<ChatMessage['replyTo']>;

/** The room in the reading pane; only one is open at a time. */
export interface ChatRoomView {
  itemId: string;
  timeline: ChatTimeline | null;
  loadState: LoadState;
  /** Why the first load failed; a failed reload keeps the messages already shown instead. */
  loadError: string | null;
  loadingOlder: boolean;
  replyTo: ChatReplyTarget | null;
  sending: boolean;
  /** The hub's answer to the last send; the text stays in the composer. */
  sendError: string | null;
  answeringInvite: boolean;
  /** A search hit's message: the timeline loads back to it, scrolls to it and marks it. */
  focusMessageId?: string;
}

export interface ChatSlice {
  chatRoom: ChatRoomView | null;
  /** What the user has typed per room, kept while they look at other items. */
  drafts: Record<string, string>;
}

/** One thing the Security dialog can be asked to do; each has its own busy state and its own error. */
export type SecurityTask =
  | 'cross-signing'
  | 'set-up-backup'
  | 'restore-backup'
  | 'reset-backup'
  | `verify-device:${string}`
  | `verification:${string}`;

/**
 * A Matrix account's Security dialog. The password and recovery keys stay in the form that shows
 * them, never here: a new recovery key is shown once and forgotten with the dialog.
 */
export interface SecurityView {
  accountId: string;
  /** Null until the first `security.status` answered. */
  status: EncryptionStatus | null;
  loadState: LoadState;
  /** Why the first load failed; a failed reload keeps what is shown. */
  loadError: string | null;
  /** Tasks the hub is working on: their buttons wait and say so. */
  busy: SecurityTask[];
  /** The hub's answer to each task's last failure, shown beside that task's button. */
  errors: Partial<Record<SecurityTask, string>>;
  /** Verifications whose emoji the user confirmed here; the other device has yet to. */
  confirmed: string[];
  /** What the last restore brought back. */
  restored: { imported: number; total: number } | null;
  /** "Reset backup…" asks before anything is deleted. */
  resetAsking: boolean;
}

/** Another device asked to verify this session while no Security dialog for the account was open. */
export interface VerificationPrompt {
  accountId: string;
  requestId: string;
  /** Which device asks, as the status named it: "Element on phone (PHONE42)" or "Another device". */
  from: string;
}

export interface SecuritySlice {
  security: SecurityView | null;
  verificationPrompts: VerificationPrompt[];
}

/** The mail composer (one at a time): the draft as typed, kept here so it survives re-renders and is saved while typed. */
export interface ComposerView {
  mode: ComposeMode;
  /** Null while `mail.prepare` reads the original. */
  draft: MailDraft | null;
  loadError: string | null;
  sending: boolean;
  /** The hub's answer to the last send (refused: the server's words); the draft stays. */
  sendError: string | null;
  /** Escape or Close asked: save as a draft, discard, or keep writing. */
  confirmClose: boolean;
  /** Changed since it was last saved here. */
  dirty: boolean;
}

export interface MailSlice {
  composer: ComposerView | null;
  /** Messages waiting to send (or unsure after a crash), as `mail.outbox` lists them. */
  outbox: OutboxMessage[];
  /** Drafts kept on this computer (a composer closed by a crash, a message the server refused), newest first. */
  mailDrafts: MailDraft[];
}

export type AppState = AccountsSlice & InboxSlice & SelectionSlice & SearchSlice & UiSlice & ChatSlice & SecuritySlice & PreferencesSlice & TriageSlice & AttentionSlice & MailSlice;
export type AppStore = StoreApi<AppState>;

const accountsSlice: StateCreator<AppState, [], [], AccountsSlice> = () => ({
  accounts: [],
  accountsLoaded: false,
  counts: null,
  kinds: null,
});

const inboxSlice: StateCreator<AppState, [], [], InboxSlice> = () => ({
  view: {},
  items: [],
  next: undefined,
  windowStart: 0,
  previous: undefined,
  total: undefined,
  jumping: false,
  loadingNewer: false,
  listState: 'idle',
  loadingMore: false,
  listError: null,
});

const selectionSlice: StateCreator<AppState, [], [], SelectionSlice> = () => ({
  selectedId: null,
  openId: null,
  detail: null,
  detailState: 'idle',
  detailError: null,
  remoteContentFor: null,
  checkedIds: [],
  anchorId: null,
});

const triageSlice: StateCreator<AppState, [], [], TriageSlice> = () => ({
  snoozeFor: null,
  confirmDelete: null,
  shortcutsOpen: false,
  contextMenu: null,
});

const searchSlice: StateCreator<AppState, [], [], SearchSlice> = () => ({
  query: '',
  results: null,
  resultsFor: '',
  searchError: null,
  searchErrorIsSyntax: false,
  searchScope: 'all',
  searchOrder: 'best',
  searchMeta: null,
});

const uiSlice: StateCreator<AppState, [], [], UiSlice> = () => ({
  toasts: [],
  addAccountOpen: false,
  accountSettings: null,
  connection: 'connecting',
  service: { state: 'running' },
});

const chatSlice: StateCreator<AppState, [], [], ChatSlice> = () => ({
  chatRoom: null,
  drafts: {},
});

const preferencesSlice: StateCreator<AppState, [], [], PreferencesSlice> = () => ({
  preferences: { ...DEFAULT_PREFERENCES },
  preferencesOpen: false,
  preferencesError: null,
});

const attentionSlice: StateCreator<AppState, [], [], AttentionSlice> = () => ({
  attention: null,
  rules: null,
  attentionError: null,
  why: null,
  browserNotifications: 'unsupported',
});

const securitySlice: StateCreator<AppState, [], [], SecuritySlice> = () => ({
  security: null,
  verificationPrompts: [],
});

const mailSlice: StateCreator<AppState, [], [], MailSlice> = () => ({
  composer: null,
  outbox: [],
  mailDrafts: [],
});

export function createAppStore(): AppStore {
  return createStore<AppState>()((...a) => ({
    ...accountsSlice(...a),
    ...inboxSlice(...a),
    ...selectionSlice(...a),
    ...searchSlice(...a),
    ...uiSlice(...a),
    ...chatSlice(...a),
    ...securitySlice(...a),
    ...preferencesSlice(...a),
    ...triageSlice(...a),
    ...mailSlice(...a),
    ...attentionSlice(...a),
  }));
}

/** The search text that is in force, or '' when the list shows the inbox. */
export function activeQuery(state: AppState): string {
  return state.query.trim();
}

/** One shared empty list: selectors must return the same value for the same state, or React re-renders forever. */
const NO_ITEMS: InboxItem[] = [];

/** What the middle pane shows: search results while a query is present, else the inbox page(s). */
/** How many rows the list has, loaded or not: the whole view once its total is known. */
export function listLength(state: AppState): number {
  const loadedEnd = state.windowStart + state.items.length;
  // Past the last page the loaded rows are the truth, whatever the count said a moment ago.
  if (state.next === undefined) return loadedEnd;
  return Math.max(state.total ?? 0, loadedEnd);
}

export function visibleItems(state: AppState): InboxItem[] {
  // Search finds messages: its results are never grouped.
  if (activeQuery(state) !== '') return state.results ?? NO_ITEMS;
  return state.preferences.groupConversations ? grouped(state.items).rows : state.items;
}

/** A mail conversation as one list row: its newest message stands for it. */
export interface ConversationRow {
  /** Every loaded message of it, newest first; the row's item is the first. */
  itemIds: string[];
  /** Who wrote in it, newest first, each once. */
  participants: string[];
  unread: boolean;
}

interface Grouping {
  rows: InboxItem[];
  byItem: Map<string, ConversationRow>;
}

const groupings = new WeakMap<InboxItem[], Grouping>();

/** Mail of one account and conversation collapses into its newest row; chat rooms and feeds are rows already. */
function grouped(items: InboxItem[]): Grouping {
  const cached = groupings.get(items);
  if (cached) return cached;
  const rows: InboxItem[] = [];
  const byKey = new Map<string, ConversationRow>();
  const byItem = new Map<string, ConversationRow>();
  for (const item of items) {
    if (item.source !== 'mail') {
      rows.push(item);
      continue;
    }
    const key = `${item.accountId}\u0000${item.conversationKey}`;
    const row = byKey.get(key);
    if (row === undefined) {
      const fresh: ConversationRow = { itemIds: [item.id], participants: [item.sender], unread: item.unread };
      byKey.set(key, fresh);
      byItem.set(item.id, fresh);
      rows.push(item);
    } else {
      row.itemIds.push(item.id);
      if (!row.participants.includes(item.sender)) row.participants.push(item.sender);
      row.unread ||= item.unread;
      byItem.set(item.id, row);
    }
  }
  // Nothing to collapse: the list is the items themselves, so selectors keep seeing the same array.
  const grouping = { rows: rows.length === items.length ? items : rows, byItem };
  groupings.set(items, grouping);
  return grouping;
}

/** The conversation a row stands for, when the list groups them and it has more than one message. */
export function conversationRow(state: AppState, itemId: string): ConversationRow | undefined {
  if (!state.preferences.groupConversations || activeQuery(state) !== '') return undefined;
  const row = grouped(state.items).byItem.get(itemId);
  return row !== undefined && row.itemIds.length > 1 ? row : undefined;
}

/** The triage view a filter shows: the Inbox unless it names another. */
export function triageViewOf(filter: InboxFilter): TriageView {
  return filter.view ?? 'inbox';
}

export function sameView(a: InboxFilter, b: InboxFilter): boolean {
  return (
    a.source === b.source && a.accountId === b.accountId && Boolean(a.unreadOnly) === Boolean(b.unreadOnly) && triageViewOf(a) === triageViewOf(b)
  );
}

/** The words to highlight in the reading pane: those of the search in force, while its results show. */
export function searchTermsInForce(state: AppState): SearchTerm[] | null {
  if (activeQuery(state) === '' || state.searchMeta === null || state.resultsFor !== activeQuery(state)) return null;
  return state.searchMeta.terms;
}

/** What a search in the box covers: the sidebar's source or account when the user narrowed it, else everything. */
export function searchFilter(state: AppState): InboxFilter {
  if (state.searchScope === 'all') return {};
  return {
    ...(state.view.source !== undefined ? { source: state.view.source } : {}),
    ...(state.view.accountId !== undefined ? { accountId: state.view.accountId } : {}),
  };
}
