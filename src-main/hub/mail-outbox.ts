/**
 * The mail outbox: each message handed to Send waits here until its server has it and its copy is
 * filed, one account's messages in the order they were sent. A row's state records how far it got
 * before each step that talks to a server, so a crash anywhere resumes without losing or doubling it:
 *
 * - `queued` → `sending` before the SMTP session; the SMTP client tells us the moment the whole
 *   message is on the socket and the row becomes `handed` in that instant; the server's answer makes
 *   it `accepted`; filing the Sent copy and flagging the original remove it.
 * - Found at start as `sending`: the message never went out whole, so no server can have taken it —
 *   it is simply sent again (same bytes, same Message-ID).
 * - Found as `handed` (the answer was lost with the process or the connection): the Sent mailbox is
 *   searched for its Message-ID (servers that file sent mail themselves, or our copy from before the
 *   crash, settle it). Not found: it becomes `unsure` and waits for the user (Send again or Keep as
 *   sent), because sending it again could deliver it twice and dropping it could lose it.
 * - A refusal for good (5xx) returns it to the drafts with the server's words; a server that cannot
 *   be reached keeps it, tried again when the account is back, on sync.once, at the next start, and
 *   on a backoff timer of its own (SMTP can be down while IMAP is up).
 */
import { randomUUID } from 'node:crypto';
import type { OutboxMessage, SendResult } from '../../src-shared/mail.ts';
import type { Logger } from '../common/logger.ts';
import type { Connector, ComposedMail, DeliveryOutcome, MailConnector } from '../connectors/connector.ts';
import type { InboxStore } from '../store/inbox-store.ts';
import type { StoredOutgoing } from '../store/mail-store.ts';
import type { AccountBook } from './accounts.ts';
import { describe, UnsupportedError } from './errors.ts';
import type { HubEventBus } from './events.ts';
import { isTransient } from './outbox.ts';
import { toInboxItem } from './items.ts';
import type { ConnectorSupervision } from './supervision.ts';

export const RETRY_FIRST_MS = 30_000;
export const RETRY_MAX_MS = 15 * 60_000;

export interface MailSendReport {
  waiting: boolean;
  refusals: string[];
  notices: string[];
}

export class MailOutbox {
  readonly #store: InboxStore;
  readonly #accounts: AccountBook;
  readonly #supervision: ConnectorSupervision;
  readonly #events: HubEventBus;
  readonly #log: Logger;
  readonly #running = new Map<string, Promise<MailSendReport>>();
  readonly #retry = new Map<string, { timer: ReturnType<typeof setTimeout>; delayMs: number }>();
  /** What the last try of each message said, for the call that handed it over. */
  readonly #notes = new Map<string, string>();
  readonly #retryFirstMs: number;
  #disposed = false;

  constructor(store: InboxStore, accounts: AccountBook, supervision: ConnectorSupervision, events: HubEventBus, log: Logger, retryFirstMs = RETRY_FIRST_MS) {
    this.#store = store;
    this.#accounts = accounts;
    this.#supervision = supervision;
    this.#events = events;
    this.#log = log;
    this.#retryFirstMs = retryFirstMs;
  }

  list(): OutboxMessage[] {
    return this.#store.mail.outgoing().map((o) => ({
      id: o.id,
      accountId: o.accountId,
      subject: o.draft.subject,
      to: [...o.draft.to, ...o.draft.cc, ...o.draft.bcc],
      state: o.state === 'queued' ? 'waiting' : o.state === 'accepted' ? 'filing' : o.state === 'handed' ? 'sending' : o.state,
      attempts: o.attempts,
      ...(o.lastError !== undefined ? { lastError: o.lastError } : {}),
      createdAt: o.createdAt,
      messageId: o.messageId,
    }));
  }

  /**
   * Queues a composed message (the draft it came from leaves the drafts in the same transaction);
   * undefined when that draft was sent meanwhile by another call, which is then the only one.
   */
  enqueue(entry: Omit<StoredOutgoing, 'id' | 'state' | 'attempts' | 'createdAt'>, fromDraftId?: string): string | undefined {
    const id = randomUUID();
    if (!this.#store.mail.enqueue({ ...entry, id, createdAt: Date.now() }, fromDraftId)) return undefined;
    this.#changed(entry.accountId);
    return id;
  }

  /** Sends what waits for these accounts (all unless given); resolves once each has tried. */
  async send(accountIds: string[] = this.#store.mail.outboxAccounts()): Promise<MailSendReport> {
    const reports = await Promise.all([...new Set(accountIds)].map((id) => this.#sendAccount(id)));
    return { waiting: reports.some((r) => r.waiting), refusals: reports.flatMap((r) => r.refusals), notices: reports.flatMap((r) => r.notices) };
  }

  /** Tries the account's outbox and says what became of one message. */
  async sendOne(id: string, accountId: string): Promise<SendResult> {
    await this.#sendAccount(accountId);
    return this.resultOf(id);
  }

  resultOf(id: string): SendResult {
    const row = this.#store.mail.getOutgoing(id);
    const note = this.#notes.get(id);
    if (!row) {
      const refused = this.#refusedDrafts.get(id);
      this.#notes.delete(id);
      if (refused) {
        this.#refusedDrafts.delete(id);
        return { outboxId: id, state: 'refused', messageId: refused.messageId, message: refused.message, draftId: refused.draftId };
      }
      const messageId = this.#sentIds.get(id) ?? '';
      this.#sentIds.delete(id);
      return { outboxId: id, state: 'sent', messageId, ...(note ? { message: note } : {}) };
    }
    const state = row.state === 'unsure' ? 'unsure' : row.state === 'accepted' ? 'sent' : 'waiting';
    const message = row.lastError ?? note;
    return { outboxId: id, state, messageId: row.messageId, ...(message ? { message } : {}) };
  }

  /** The user's word on an unsure message: send it again, or take it as sent. */
  resolveUnsure(id: string, sent: boolean): void {
    const row = this.#store.mail.getOutgoing(id);
    if (!row || row.state !== 'unsure') return;
    this.#store.mail.setState(id, sent ? 'accepted' : 'queued');
    this.#changed(row.accountId);
  }

  /**
   * The hub is closing: no further message is started, and one being handed over is given a few
   * seconds to finish, so its state (handed, accepted) is recorded before the store closes rather
   * than left at `sending`, which the next start would send again.
   */
  async dispose(graceMs = 5_000): Promise<void> {
    this.#closing = true;
    for (const { timer } of this.#retry.values()) clearTimeout(timer);
    this.#retry.clear();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled([...this.#running.values()]),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
    this.#disposed = true;
  }

  /** Set when the hub starts closing: the message under way finishes its step, nothing new starts. */
  #closing = false;

  /** Refusals of messages whose call is still waiting for the answer, by outbox id. */
  readonly #refusedDrafts = new Map<string, { messageId: string; message: string; draftId: string }>();
  readonly #sentIds = new Map<string, string>();

  #sendAccount(accountId: string): Promise<MailSendReport> {
    const previous = this.#running.get(accountId) ?? Promise.resolve(undefined);
    const next = previous.catch(() => undefined).then(() => this.#drain(accountId));
    this.#running.set(accountId, next);
    void next.finally(() => {
      if (this.#running.get(accountId) === next) this.#running.delete(accountId);
    });
    return next;
  }

  async #drain(accountId: string): Promise<MailSendReport> {
    const report: MailSendReport = { waiting: false, refusals: [], notices: [] };
    if (this.#disposed || this.#closing) return report;
    const found = this.#accounts.find(accountId);
    for (const row of this.#store.mail.outgoing(accountId)) {
      if (this.#disposed || this.#closing) break;
      if (row.state === 'unsure') continue;
      if (!found?.kind) {
        report.waiting = true;
        break;
      }
      const { account, kind } = found;
      try {
        const outcome = await this.#supervision.withConnector(account, kind, (connector) => this.#advance(connector, row, report));
        if (outcome === 'waiting') {
          report.waiting = true;
          break;
        }
      } catch (error) {
        if (this.#disposed) break;
        if (isTransient(error)) {
          if (row.state === 'queued' || row.state === 'sending') this.#store.mail.setState(row.id, 'queued', describe(error));
          this.#log.info('a message waits for its server', { accountId, attempts: row.attempts, error });
          report.waiting = true;
          break;
        }
        // Something about this account or message that no retry changes: back to the drafts, said in words.
        this.#refuse(row, describe(error), report);
      } finally {
        this.#changed(accountId);
      }
    }
    if (!this.#disposed && !this.#closing) this.#scheduleRetry(accountId, report.waiting);
    return report;
  }

  /** One message, as far as it can go now: 'waiting' stops the account's queue until the server is back. */
  async #advance(connector: Connector, row: StoredOutgoing, report: MailSendReport): Promise<'done' | 'waiting'> {
    const mail = connector.mail;
    if (!mail) throw new UnsupportedError('This account cannot send mail.');
    const composed: ComposedMail = { messageId: row.messageId, raw: row.raw, envelope: row.envelope, ...(row.sentCopy ? { sentCopy: row.sentCopy } : {}) };
    let state = row.state;
    if (state === 'handed') {
      // The last try was cut short after the whole message went out: only the Sent mailbox can say.
      if (await mail.findSent(row.messageId)) state = 'accepted';
      else {
        const message = 'Groundswell stopped while this message was being handed to the outgoing server, and it is not in Sent, so it may or may not have gone out. Send it again, or keep it as sent.';
        this.#store.mail.setState(row.id, 'unsure', message);
        this.#log.warn('a message may have been sent before a crash; asking the user', { messageId: row.messageId });
        return 'done';
      }
      this.#store.mail.setState(row.id, 'accepted');
    }
    if (state === 'queued' || state === 'sending') {
      this.#store.mail.setState(row.id, 'sending');
      const outcome: DeliveryOutcome = await mail.deliver(composed, () => {
        // Recorded even while the hub closes (the store closes only after this send's grace): it is what stops a resend.
        if (!this.#disposed) this.#store.mail.setState(row.id, 'handed');
      });
      if (this.#disposed) return 'waiting';
      if (outcome.status === 'failed' && outcome.transient) {
        this.#store.mail.setState(row.id, 'queued', outcome.message);
        this.#notes.set(row.id, outcome.message);
        return 'waiting';
      }
      if (outcome.status === 'failed') {
        this.#refuse(row, outcome.message, report);
        return 'done';
      }
      if (outcome.status === 'unsure') {
        this.#store.mail.setState(row.id, 'handed', outcome.message);
        return this.#advance(connector, { ...row, state: 'handed' }, report);
      }
      this.#store.mail.setState(row.id, 'accepted');
      this.#log.info('message sent', { accountId: row.accountId, messageId: row.messageId, response: outcome.response });
      if (outcome.rejected.length > 0) {
        const note = `Not delivered to ${outcome.rejected.map((r) => `${r.address} (${r.reason})`).join(', ')}; the others have it.`;
        this.#notes.set(row.id, note);
        report.notices.push(note);
      }
    }
    return this.#file(mail, row, composed, report);
  }

  /** The Sent copy and the original's flag; the message is already sent, so a server away only delays these. */
  async #file(mail: MailConnector, row: StoredOutgoing, composed: ComposedMail, report: MailSendReport): Promise<'done' | 'waiting'> {
    const original = row.originalItemId ? this.#store.getItems([row.originalItemId])[0] : undefined;
    try {
      const { notices } = await mail.file(composed, original && row.originalFlag ? { target: { item: toInboxItem(original), externalId: original.externalId }, flag: row.originalFlag } : undefined);
      report.notices.push(...notices);
      if (notices.length > 0) this.#notes.set(row.id, [this.#notes.get(row.id), ...notices].filter(Boolean).join(' '));
    } catch (error) {
      if (isTransient(error)) {
        this.#store.mail.setState(row.id, 'accepted', `Sent. Its copy in Sent waits for the mail server: ${describe(error)}`);
        return 'waiting';
      }
      this.#log.warn('sent, but the copy could not be filed', { messageId: row.messageId, error });
      const note = `Sent, but its copy could not be put in Sent: ${describe(error)}`;
      this.#notes.set(row.id, note);
      report.notices.push(note);
    }
    this.#sentIds.set(row.id, row.messageId);
    this.#store.mail.remove(row.id);
    return 'done';
  }

  #refuse(row: StoredOutgoing, message: string, report: MailSendReport): void {
    const draftId = row.draft.draftId ?? randomUUID();
    const savedAt = Date.now();
    this.#store.mail.returnToDrafts(row.id, { id: draftId, accountId: row.accountId, messageId: row.messageId, draft: { ...row.draft, draftId, problem: message, savedAt }, savedAt });
    this.#refusedDrafts.set(row.id, { messageId: row.messageId, message, draftId });
    this.#log.warn('the server refused a message; it is a draft again', { accountId: row.accountId, messageId: row.messageId });
    report.refusals.push(message);
  }

  #scheduleRetry(accountId: string, waiting: boolean): void {
    const current = this.#retry.get(accountId);
    if (current) clearTimeout(current.timer);
    if (!waiting) {
      this.#retry.delete(accountId);
      return;
    }
    const delayMs = current ? Math.min(current.delayMs * 2, RETRY_MAX_MS) : this.#retryFirstMs;
    const timer = setTimeout(() => void this.#sendAccount(accountId).catch((error: unknown) => this.#log.warn('could not send the mail outbox', { accountId, error })), delayMs);
    timer.unref();
    this.#retry.set(accountId, { timer, delayMs });
  }

  #changed(accountId: string): void {
    if (!this.#disposed) this.#events.emit('mail.outboxChanged', { accountIds: [accountId] });
  }
}
