/**
 * The mail outbox and the composer's drafts as SQLite holds them (migration 011). The hub decides
 * what each state means (hub/mail-outbox.ts); this reads and writes rows, each change in one
 * statement or transaction so a crash leaves a row in one state or the next, never between.
 */
import type Database from 'better-sqlite3';
import type { MailDraft } from '../../src-shared/mail.ts';

export type OutboxState = 'queued' | 'sending' | 'handed' | 'unsure' | 'accepted';

export interface StoredOutgoing {
  id: string;
  accountId: string;
  messageId: string;
  raw: Uint8Array;
  sentCopy?: Uint8Array;
  envelope: { from: string; to: string[] };
  draft: MailDraft;
  originalItemId?: string;
  originalFlag?: 'answered' | 'forwarded';
  state: OutboxState;
  attempts: number;
  lastError?: string;
  createdAt: number;
}

export interface StoredDraft {
  id: string;
  accountId: string;
  messageId: string;
  draft: MailDraft;
  savedAt: number;
}

interface OutboxRow {
  id: string;
  account_id: string;
  message_id: string;
  raw: Buffer;
  sent_copy: Buffer | null;
  envelope: string;
  draft: string;
  original_item_id: string | null;
  original_flag: 'answered' | 'forwarded' | null;
  state: OutboxState;
  attempts: number;
  last_error: string | null;
  created_at: number;
}

function toOutgoing(row: OutboxRow): StoredOutgoing {
  const outgoing: StoredOutgoing = {
    id: row.id,
    accountId: row.account_id,
    messageId: row.message_id,
    raw: new Uint8Array(row.raw),
    envelope: JSON.parse(row.envelope) as StoredOutgoing['envelope'],
    draft: JSON.parse(row.draft) as MailDraft,
    state: row.state,
    attempts: row.attempts,
    createdAt: row.created_at,
  };
  if (row.sent_copy) outgoing.sentCopy = new Uint8Array(row.sent_copy);
  if (row.original_item_id) outgoing.originalItemId = row.original_item_id;
  if (row.original_flag) outgoing.originalFlag = row.original_flag;
  if (row.last_error !== null) outgoing.lastError = row.last_error;
  return outgoing;
}

interface DraftRow {
  id: string;
  account_id: string;
  message_id: string;
  draft: string;
  saved_at: number;
}

const toDraft = (row: DraftRow): StoredDraft => ({ id: row.id, accountId: row.account_id, messageId: row.message_id, draft: JSON.parse(row.draft) as MailDraft, savedAt: row.saved_at });

export class MailStore {
  readonly #db: Database.Database;
  readonly #prepare: (sql: string) => Database.Statement;

  constructor(db: Database.Database, prepare: (sql: string) => Database.Statement) {
    this.#db = db;
    this.#prepare = prepare;
  }

  /**
   * Queues a message and, in the same transaction, removes the draft it was sent from. False, and
   * nothing queued, when that draft is gone already (sent a moment ago by another call).
   */
  enqueue(outgoing: Omit<StoredOutgoing, 'state' | 'attempts'>, fromDraftId?: string): boolean {
    return this.#db.transaction(() => {
      if (fromDraftId !== undefined && this.#prepare('DELETE FROM mail_drafts WHERE id = ?').run(fromDraftId).changes === 0) return false;
      this.#prepare(
        `INSERT INTO mail_outbox (id, account_id, message_id, raw, sent_copy, envelope, draft, original_item_id, original_flag, state, attempts, created_at, updated_at)
         VALUES (@id, @accountId, @messageId, @raw, @sentCopy, @envelope, @draft, @originalItemId, @originalFlag, 'queued', 0, @createdAt, @createdAt)`,
      ).run({
        id: outgoing.id,
        accountId: outgoing.accountId,
        messageId: outgoing.messageId,
        raw: Buffer.from(outgoing.raw),
        sentCopy: outgoing.sentCopy ? Buffer.from(outgoing.sentCopy) : null,
        envelope: JSON.stringify(outgoing.envelope),
        draft: JSON.stringify(outgoing.draft),
        originalItemId: outgoing.originalItemId ?? null,
        originalFlag: outgoing.originalFlag ?? null,
        createdAt: outgoing.createdAt,
      });
      return true;
    })();
  }

  outgoing(accountId?: string): StoredOutgoing[] {
    const rows = accountId === undefined
      ? this.#prepare('SELECT * FROM mail_outbox ORDER BY created_at, id').all()
      : this.#prepare('SELECT * FROM mail_outbox WHERE account_id = ? ORDER BY created_at, id').all(accountId);
    return (rows as OutboxRow[]).map(toOutgoing);
  }

  getOutgoing(id: string): StoredOutgoing | undefined {
    const row = this.#prepare('SELECT * FROM mail_outbox WHERE id = ?').get(id) as OutboxRow | undefined;
    return row ? toOutgoing(row) : undefined;
  }

  outboxAccounts(): string[] {
    return (this.#prepare('SELECT DISTINCT account_id FROM mail_outbox').all() as { account_id: string }[]).map((r) => r.account_id);
  }

  /** Moves a message to its next state; a try that began counts as an attempt. */
  setState(id: string, state: OutboxState, lastError?: string): void {
    this.#prepare(
      `UPDATE mail_outbox SET state = @state, last_error = COALESCE(@lastError, last_error), updated_at = @now,
         attempts = attempts + (CASE WHEN @state = 'sending' THEN 1 ELSE 0 END) WHERE id = @id`,
    ).run({ id, state, lastError: lastError ?? null, now: Date.now() });
  }

  /** Done with it: the server has it and its copy is filed. */
  remove(id: string): void {
    this.#prepare('DELETE FROM mail_outbox WHERE id = ?').run(id);
  }

  /** Refused for good, or taken back by the user: it leaves the outbox and becomes a draft again, in one transaction. */
  returnToDrafts(id: string, draft: StoredDraft): void {
    this.#db.transaction(() => {
      this.#prepare('DELETE FROM mail_outbox WHERE id = ?').run(id);
      this.saveDraft(draft);
    })();
  }

  saveDraft(draft: StoredDraft): void {
    this.#prepare(
      `INSERT INTO mail_drafts (id, account_id, message_id, draft, saved_at) VALUES (@id, @accountId, @messageId, @draft, @savedAt)
       ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, draft = excluded.draft, saved_at = excluded.saved_at`,
    ).run({ id: draft.id, accountId: draft.accountId, messageId: draft.messageId, draft: JSON.stringify(draft.draft), savedAt: draft.savedAt });
  }

  getDraft(id: string): StoredDraft | undefined {
    const row = this.#prepare('SELECT * FROM mail_drafts WHERE id = ?').get(id) as DraftRow | undefined;
    return row ? toDraft(row) : undefined;
  }

  drafts(accountId?: string): StoredDraft[] {
    const rows = accountId === undefined
      ? this.#prepare('SELECT * FROM mail_drafts ORDER BY saved_at DESC').all()
      : this.#prepare('SELECT * FROM mail_drafts WHERE account_id = ? ORDER BY saved_at DESC').all(accountId);
    return (rows as DraftRow[]).map(toDraft);
  }

  deleteDraft(id: string): boolean {
    return this.#prepare('DELETE FROM mail_drafts WHERE id = ?').run(id).changes > 0;
  }
}
