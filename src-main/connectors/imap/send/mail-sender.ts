/**
 * Sending for an IMAP account (the connector's `mail` capability): answers are prepared from the
 * original on the IMAP server, messages built once with MailComposer, delivered over SMTP, then a
 * copy filed in \Sent (RFC 6154) unless the server files one itself, and the original marked
 * \Answered or $Forwarded. Drafts go to \Drafts, replacing the previous copy of the same draft.
 */
import type { ImapFlow } from 'imapflow';
import type { ImapSettings, ItemOrigin } from '../../../../src-shared/domain.ts';
import type { MailDraft } from '../../../../src-shared/mail.ts';
import type { Logger } from '../../../common/logger.ts';
import { ConnectorError, type ComposedMail, type MailConnector, type PreparedDraft, type TriageTarget } from '../../connector.ts';
import { findByMessageId } from '../triage/move-messages.ts';
import { setFlag } from '../triage/set-flag.ts';
import { findSpecialMailbox, type SpecialUse } from '../triage/special-mailbox.ts';
import { SMTP_SECRET, fromAddressOf } from '../smtp-settings.ts';
import { composeMail } from './compose-mail.ts';
import { readOriginal, readOriginalSource } from './original.ts';
import { forwardQuote, forwardSubject, formatMailbox, replyQuote, replyRecipients, replySubject, threadOf } from './reply-headers.ts';
import { deliverOnce, type SmtpCredential } from './smtp-transport.ts';

type MailOrigin = Extract<ItemOrigin, { kind: 'mail' }>;
type WithMailbox = <T>(mailbox: string, work: (client: ImapFlow, uidValidity: number) => Promise<T>) => Promise<T>;
type WithClient = <T>(work: (client: ImapFlow) => Promise<T>) => Promise<T>;

export interface MailSenderDeps {
  settings: ImapSettings;
  withMailbox: WithMailbox;
  withClient: WithClient;
  readSecret(name?: string): Promise<string>;
  /** An OAuth2 account's current access token (refreshed when due); absent for a password account. */
  accessToken?: () => Promise<string>;
  log: Logger;
}

/**
 * Servers that put what their SMTP took into Sent by themselves: a copy of ours would be a second
 * one. Gmail says so with its capability; Microsoft's hosted mail by its host names.
 */
export function filesSentItself(settings: ImapSettings, capabilities: ReadonlyMap<string, unknown>): boolean {
  if (capabilities.has('X-GM-EXT-1')) return true;
  return /(^|\.)(gmail\.com|googlemail\.com|outlook\.office365\.com|outlook\.office\.com|outlook\.com|hotmail\.com)$/i.test(settings.host);
}

function originOf(target: TriageTarget): MailOrigin {
  if (target.item.origin.kind !== 'mail') throw new ConnectorError('invalid-input', 'Only a mail message can be answered or forwarded by mail.');
  return target.item.origin;
}

export function createMailSender(deps: MailSenderDeps): MailConnector {
  const { settings, log } = deps;
  const special = new Map<SpecialUse, string>();
  const specialPath = async (use: SpecialUse): Promise<string> => {
    const known = special.get(use);
    if (known) return known;
    const found = await deps.withClient((client) => findSpecialMailbox(client, use, settings.host));
    if (found.notice) log.info('created a special-use mailbox', { use, path: found.path });
    special.set(use, found.path);
    return found.path;
  };

  /** Work on the original in its mailbox, refusing a UID from before a UIDVALIDITY change (it may name another message). */
  const onOriginal = <T>(target: TriageTarget, work: (client: ImapFlow, uid: number) => Promise<T>): Promise<T> => {
    const origin = originOf(target);
    return deps.withMailbox(origin.mailbox, async (client, uidValidity) => {
      let uid: number | undefined = origin.uid;
      if (uidValidity !== origin.uidValidity) uid = origin.messageId ? await findByMessageId(client, origin.messageId) : undefined;
      if (uid === undefined) throw new ConnectorError('not-found', 'The message is no longer on the server (its mailbox was rebuilt).');
      return work(client, uid);
    });
  };

  const smtpCredential = async (): Promise<SmtpCredential> => {
    if (settings.smtp?.ownPassword) return { password: await deps.readSecret(SMTP_SECRET) };
    if (deps.accessToken) return { accessToken: await deps.accessToken() };
    return { password: await deps.readSecret() };
  };

  return {
    async prepare(mode, target): Promise<PreparedDraft> {
      const original = await onOriginal(target, (client, uid) => readOriginal(client, uid));
      const thread = threadOf(original.headers);
      if (mode === 'forward') {
        return { to: [], cc: [], subject: forwardSubject(original.headers.subject), quote: forwardQuote(original.headers, original.text), ...(thread ? { thread } : {}) };
      }
      const mine = [fromAddressOf(settings), settings.user, settings.smtp?.user].filter((a): a is string => typeof a === 'string' && a.includes('@'));
      const { to, cc } = replyRecipients(original.headers, mode === 'replyAll', mine);
      return {
        to: to.map(formatMailbox),
        cc: cc.map(formatMailbox),
        subject: replySubject(original.headers.subject),
        quote: replyQuote(original.headers, original.text),
        ...(thread ? { thread } : {}),
      };
    },

    async compose(draft: MailDraft, original, options = {}) {
      const attachedOriginal = draft.mode === 'forward' && draft.forwardAsAttachment && original ? await onOriginal(original, (client, uid) => readOriginalSource(client, uid)) : undefined;
      return composeMail({ draft, settings, ...(attachedOriginal ? { attachedOriginal } : {}), ...options });
    },

    async deliver(mail, handedOver) {
      // Read for each try: a changed password or a refreshed token is used from the next try on.
      return deliverOnce(settings, await smtpCredential(), mail, log.child('smtp'), handedOver);
    },

    async findSent(messageId) {
      const path = await specialPath('\\Sent');
      return deps.withMailbox(path, async (client) => (await findByMessageId(client, messageId)) !== undefined);
    },

    async file(mail: ComposedMail, original) {
      const notices: string[] = [];
      const itself = await deps.withClient(async (client) => filesSentItself(settings, client.capabilities));
      if (!itself) {
        const path = await specialPath('\\Sent');
        await deps.withMailbox(path, async (client) => {
          // A copy already there (filed by the server, or by us before a crash) is not filed twice.
          if ((await findByMessageId(client, mail.messageId)) !== undefined) return;
          await client.append(path, Buffer.from(mail.sentCopy ?? mail.raw), ['\\Seen']);
        });
      }
      if (original) {
        try {
          await onOriginal(original.target, (client, uid) => setFlag(client, [uid], original.flag === 'answered' ? '\\Answered' : '$Forwarded', true));
        } catch (error) {
          if (!(error instanceof ConnectorError) || error.code !== 'not-found') throw error;
          notices.push('The original is no longer on the server, so it was not marked as answered.');
        }
      }
      return { notices };
    },

    async saveDraft(mail) {
      const path = await specialPath('\\Drafts');
      await deps.withMailbox(path, async (client) => {
        const earlier = (await client.search({ header: { 'message-id': mail.messageId } }, { uid: true })) || [];
        await client.append(path, Buffer.from(mail.raw), ['\\Draft', '\\Seen']);
        if (earlier.length > 0) await client.messageDelete(earlier.join(','), { uid: true });
      });
    },
  };
}
