/**
 * The contract's mail.* calls: a composer prefilled for an answer or a forward, Send (built once by
 * the account's kind, queued, tried at once), drafts kept while typing and filed in the server's
 * Drafts when the composer closes unsent, and the outbox. No kind is named here: whatever account
 * offers the `mail` capability sends.
 */
import { randomUUID } from 'node:crypto';
import type { MailDraft, OutboxMessage, SendResult } from '../../src-shared/mail.ts';
import { COMPOSE_MODES, type ComposeMode } from '../../src-shared/mail.ts';
import { choice, InputError, record, text } from '../common/input.ts';
import type { Logger } from '../common/logger.ts';
import type { MailConnector, TriageTarget } from '../connectors/connector.ts';
import type { InboxStore } from '../store/inbox-store.ts';
import type { AccountBook } from './accounts.ts';
import { describe, NotFoundError, UnsupportedError } from './errors.ts';
import { toInboxItem } from './items.ts';
import { parseDraft } from './mail-draft-input.ts';
import type { MailOutbox } from './mail-outbox.ts';
import { isTransient } from './outbox.ts';
import type { ConnectorSupervision } from './supervision.ts';

export class MailCalls {
  readonly #store: InboxStore;
  readonly #accounts: AccountBook;
  readonly #supervision: ConnectorSupervision;
  readonly #outbox: MailOutbox;
  readonly #log: Logger;

  constructor(store: InboxStore, accounts: AccountBook, supervision: ConnectorSupervision, outbox: MailOutbox, log: Logger) {
    this.#store = store;
    this.#accounts = accounts;
    this.#supervision = supervision;
    this.#outbox = outbox;
    this.#log = log;
  }

  async prepare(raw: unknown): Promise<MailDraft> {
    const p = record(raw, 'the request');
    const mode = choice<ComposeMode>(p['mode'], 'mode', COMPOSE_MODES, 'The mode must be new, reply, replyAll or forward.');
    if (mode === 'new') {
      const accountId = text(p['accountId'], 'accountId', 'Account', { max: 400 });
      await this.#withMail(accountId, async () => undefined);
      return { accountId, mode, to: [], cc: [], bcc: [], subject: '', text: '', attachments: [] };
    }
    const itemId = text(p['itemId'], 'itemId', 'Item', { max: 1000 });
    const target = this.#target(itemId);
    const prepared = await this.#withMail(target.item.accountId, (mail) => mail.prepare(mode, target));
    return {
      accountId: target.item.accountId,
      mode,
      ...prepared,
      bcc: [],
      text: '',
      attachments: [],
      ...(mode === 'forward' ? { forward: itemId } : { inReplyTo: itemId }),
    };
  }

  async send(raw: unknown): Promise<SendResult> {
    const draft = parseDraft(raw);
    // A draft leaves the drafts in the transaction that queues it: sending it a second time (a double
    // click, a retried call) finds it gone and is refused instead of making a second message.
    if (draft.draftId !== undefined && this.#store.mail.getDraft(draft.draftId) === undefined) {
      throw new InputError('This draft was already sent or discarded; it is not sent again.', 'draftId');
    }
    const originalId = draft.inReplyTo ?? draft.forward;
    const target = originalId === undefined ? undefined : this.#target(originalId);
    if (target && target.item.accountId !== draft.accountId) throw new InputError('Answer or forward a message from the account it came to.', 'accountId');
    const composed = await this.#withMail(draft.accountId, (mail) => mail.compose(draft, target));
    const id = this.#outbox.enqueue(
      {
        accountId: draft.accountId,
        messageId: composed.messageId,
        raw: composed.raw,
        ...(composed.sentCopy ? { sentCopy: composed.sentCopy } : {}),
        envelope: composed.envelope,
        draft,
        ...(target ? { originalItemId: target.item.id, originalFlag: draft.forward !== undefined ? ('forwarded' as const) : ('answered' as const) } : {}),
      },
      draft.draftId,
    );
    if (id === undefined) throw new InputError('This draft was already sent or discarded; it is not sent again.', 'draftId');
    this.#log.info('message queued', { accountId: draft.accountId, messageId: composed.messageId });
    return this.#outbox.sendOne(id, draft.accountId);
  }

  saveDraft(raw: unknown): { draftId: string; savedAt: number } {
    const draft = parseDraft(raw);
    this.#accounts.get(draft.accountId);
    const id = draft.draftId ?? randomUUID();
    const savedAt = Date.now();
    const existing = this.#store.mail.getDraft(id);
    this.#store.mail.saveDraft({ id, accountId: draft.accountId, messageId: existing?.messageId ?? '', draft: { ...draft, draftId: id, savedAt }, savedAt });
    return { draftId: id, savedAt };
  }

  drafts(raw: unknown): MailDraft[] {
    const accountId = raw && typeof raw === 'object' ? (raw as { accountId?: unknown }).accountId : undefined;
    return this.#store.mail.drafts(typeof accountId === 'string' ? accountId : undefined).map((d) => ({ ...d.draft, draftId: d.id, savedAt: d.savedAt }));
  }

  /** The composer closes unsent: kept in the server's Drafts (the local copy goes once it is there), or thrown away. */
  async closeDraft(raw: unknown): Promise<{ savedOnServer: boolean; message?: string }> {
    const p = record(raw, 'the request');
    const draftId = text(p['draftId'], 'draftId', 'Draft', { max: 400 });
    const stored = this.#store.mail.getDraft(draftId);
    if (!stored) throw new NotFoundError('That draft is gone (sent or discarded already).');
    if (p['keep'] !== true) {
      this.#store.mail.deleteDraft(draftId);
      return { savedOnServer: false };
    }
    try {
      await this.#withMail(stored.accountId, async (mail) => {
        const composed = await mail.compose(stored.draft, undefined, { asDraft: true, ...(stored.messageId ? { messageId: stored.messageId } : {}) });
        await mail.saveDraft(composed);
      });
    } catch (error) {
      if (!isTransient(error)) throw error;
      this.#log.info('the draft stays here until its server is back', { draftId, error });
      return { savedOnServer: false, message: `The draft is kept on this computer; the mail server could not be reached (${describe(error)}).` };
    }
    this.#store.mail.deleteDraft(draftId);
    return { savedOnServer: true };
  }

  outbox(): OutboxMessage[] {
    return this.#outbox.list();
  }

  /** Send now (a waiting message) or send again (one left unsure after a crash, on the user's word). */
  async retry(raw: unknown): Promise<SendResult> {
    const row = this.#outgoing(raw);
    if (row.state === 'unsure') this.#outbox.resolveUnsure(row.id, false);
    return this.#outbox.sendOne(row.id, row.accountId);
  }

  /** An unsure message the user knows arrived: it is filed as sent, not sent again. */
  async markSent(raw: unknown): Promise<SendResult> {
    const row = this.#outgoing(raw);
    if (row.state !== 'unsure') throw new InputError('Only a message that may or may not have gone out can be marked as sent.', 'outboxId');
    this.#outbox.resolveUnsure(row.id, true);
    return this.#outbox.sendOne(row.id, row.accountId);
  }

  #outgoing(raw: unknown) {
    const id = text(record(raw, 'the request')['outboxId'], 'outboxId', 'Outbox message', { max: 400 });
    const row = this.#store.mail.getOutgoing(id);
    if (!row) throw new NotFoundError('That message is no longer in the outbox (it was sent).');
    return row;
  }

  #target(itemId: string): TriageTarget {
    const stored = this.#store.getItems([itemId])[0];
    if (!stored) throw new NotFoundError('No item has that id; it may have been removed.');
    const item = toInboxItem(stored);
    if (item.source !== 'mail') throw new UnsupportedError('Only mail can be answered by mail; a chat item is answered in its room.');
    return { item, externalId: stored.externalId };
  }

  #withMail<T>(accountId: string, run: (mail: MailConnector) => Promise<T>): Promise<T> {
    const { account, kind } = this.#accounts.get(accountId);
    return this.#supervision.withConnector(account, kind, (connector) => {
      if (!connector.mail) throw new UnsupportedError(`${account.displayName} cannot send mail.`);
      return run(connector.mail);
    });
  }
}
