/**
 * A mail server in memory behind the real IMAP kind: the kind's own input rules, identity, settings
 * decoder and changes, with only the network replaced. The test says which users and passwords the
 * server knows, what is in each mailbox, and when the next server call fails; the connector reports
 * it to the hub through the real ConnectorContext, like the IMAP connector does.
 */
import type { ImapSettings, InboxItem } from '../../../src-shared/domain.ts';
import { ConnectorError } from '../../../src-main/connectors/connector.ts';
import type { ComposedMail, Connector, ConnectorContext, ConnectorItem, MailConnector } from '../../../src-main/connectors/connector.ts';
import { composeMail } from '../../../src-main/connectors/imap/send/compose-mail.ts';
import { forwardSubject, replySubject } from '../../../src-main/connectors/imap/send/reply-headers.ts';
import type { ConnectorKind } from '../../../src-main/connectors/kind.ts';
import { imapKind } from '../../../src-main/connectors/imap/kind.ts';
import { ScriptedFailures, Sessions } from './scripted.ts';

export interface FakeMail {
  /** Unique in the mailbox; the hub's item id is `${accountId}:${id}`. */
  id: string;
  sender: string;
  title: string;
  snippet: string;
  /** The reading pane's text; the snippet when not given. */
  body?: string;
  timestamp: number;
  unread: boolean;
  priority: boolean;
}

export type MailOperation = 'login' | 'markRead' | 'markUnread' | 'fetchBody' | 'send';

/** A message the fake server took for delivery (its SMTP side), with where its copy and flag went. */
export interface SentMail {
  user: string;
  mail: ComposedMail;
}

const REFUSED = 'The server refused this user name or password.';
const MAILBOX = 'INBOX';

interface MailSession {
  /** The server's state for this login changed: new mail, a new password, an outage. */
  changed(change: { kind: 'mail'; mail: FakeMail[] } | { kind: 'dropped'; reason: string; offline: boolean }): void;
}

export class FakeMailServer extends ScriptedFailures<MailOperation> {
  /** The password the server accepts per user name; a user not here does not exist. */
  readonly passwords = new Map<string, string>();
  readonly #mailboxes = new Map<string, FakeMail[]>();
  readonly #sessions = new Sessions<string, MailSession>();
  readonly #outages = new Map<string, string>();
  /** What the SMTP side accepted, what went to Sent and Drafts, and the flags set on originals. */
  readonly sent: SentMail[] = [];
  readonly sentFolder: SentMail[] = [];
  readonly draftsFolder: SentMail[] = [];
  readonly answered = new Set<string>();

  /** A user the server knows, with the password it accepts and the mail already there. */
  user(user: string, password: string, mail: FakeMail[] = []): void {
    this.passwords.set(user, password);
    this.#mailboxes.set(user, mail.map((m) => ({ ...m })));
  }

  /** New mail arrives; connected clients hear of it (IDLE). */
  deliver(user: string, mail: FakeMail[]): void {
    this.mailbox(user).push(...mail.map((m) => ({ ...m })));
    for (const session of this.#sessions.of(user)) session.changed({ kind: 'mail', mail });
  }

  /** The mailbox as the server holds it, flags included. */
  mailbox(user: string): FakeMail[] {
    const mailbox = this.#mailboxes.get(user);
    if (mailbox === undefined) throw new Error(`The fake mail server has no user ${user}; add it with user() first.`);
    return mailbox;
  }

  /** The password was changed elsewhere: connected clients are logged out and cannot log in again. */
  changePassword(user: string, password: string): void {
    this.passwords.set(user, password);
    for (const session of this.#sessions.of(user)) session.changed({ kind: 'dropped', reason: REFUSED, offline: false });
  }

  /** The server stops answering this user's clients until `comeBack`. */
  goAway(user: string, reason = 'The mail server stopped answering.'): void {
    this.#outages.set(user, reason);
    for (const session of this.#sessions.of(user)) session.changed({ kind: 'dropped', reason, offline: true });
  }

  comeBack(user: string): void {
    this.#outages.delete(user);
  }

  /** Throws while the server is away for this user. */
  reach(user: string): void {
    const outage = this.#outages.get(user);
    if (outage !== undefined) throw new ConnectorError('connection-failed', outage);
  }

  login(user: string, password: string | undefined): void {
    this.reach(user);
    this.check('login');
    if (password === undefined || this.passwords.get(user) !== password) throw new ConnectorError('auth-failed', REFUSED);
  }

  open(user: string, session: MailSession): () => void {
    return this.#sessions.open(user, session);
  }
}

/** `fresh`: delivered while the client was connected (IDLE), as the IMAP connector reports it. */
function toItem(mail: FakeMail, uid: number, fresh = false): ConnectorItem {
  return {
    externalId: mail.id,
    scope: MAILBOX,
    source: 'mail',
    conversationKey: mail.id,
    sender: mail.sender,
    title: mail.title,
    snippet: mail.snippet,
    timestamp: mail.timestamp,
    unread: mail.unread,
    priority: mail.priority,
    origin: { kind: 'mail', mailbox: MAILBOX, uidValidity: 1, uid },
    attention: {
      fresh,
      fromMe: false,
      mentionsMe: false,
      direct: false,
      conversationName: mail.title,
      place: MAILBOX,
      mailbox: MAILBOX,
      text: { title: mail.title, categories: [], body: mail.body ?? mail.snippet },
    },
  };
}

function createMailConnector(server: FakeMailServer, ctx: ConnectorContext<ImapSettings>): Connector {
  const { user } = ctx.account.settings;
  let close: (() => void) | undefined;
  let stopped = false;
  const items = (mail: FakeMail[], fresh = false) => mail.map((m) => toItem(m, server.mailbox(user).indexOf(m) + 1, fresh));
  const setFlags = (which: InboxItem[], unread: boolean, operation: MailOperation) => {
    server.reach(user);
    server.check(operation);
    const ids = new Set(which.map((item) => item.id.slice(ctx.account.id.length + 1)));
    for (const mail of server.mailbox(user)) if (ids.has(mail.id)) mail.unread = unread;
  };

  const connect = async () => {
    ctx.status({ state: 'connecting' });
    try {
      server.login(user, await ctx.readSecret());
    } catch (error) {
      if (stopped) return;
      if (error instanceof ConnectorError && error.code === 'auth-failed') ctx.status({ state: 'auth-failed', reason: error.message });
      else ctx.status({ state: 'offline', reason: error instanceof Error ? error.message : String(error), nextRetryAt: Date.now() + 60_000 });
      return;
    }
    if (stopped) return;
    ctx.upsert(items(server.mailbox(user)));
    close = server.open(user, {
      changed(change) {
        if (change.kind === 'mail') {
          ctx.upsert(items(server.mailbox(user).filter((m) => change.mail.some((n) => n.id === m.id)), true));
          return;
        }
        close?.();
        close = undefined;
        ctx.status(change.offline ? { state: 'offline', reason: change.reason, nextRetryAt: Date.now() + 60_000 } : { state: 'auth-failed', reason: change.reason });
      },
    });
    ctx.status({ state: 'online', since: Date.now() });
  };

  const mailbox = (externalId: string) => server.mailbox(user).find((m) => m.id === externalId);
  const sending: MailConnector = {
    async prepare(mode, target) {
      server.reach(user);
      const original = mailbox(target.externalId);
      if (original === undefined) throw new ConnectorError('not-found', 'The message is no longer on the server.');
      const quote = `${original.sender} wrote:\n> ${(original.body ?? original.snippet).split('\n').join('\n> ')}`;
      if (mode === 'forward') return { to: [], cc: [], subject: forwardSubject(original.title), quote };
      return { to: [`${original.sender.toLowerCase().replace(/\s+/g, '.')}@example.test`], cc: [], subject: replySubject(original.title), quote };
    },
    compose: (draft, _original, options = {}) => composeMail({ draft, settings: ctx.account.settings, ...options }),
    async deliver(mail, handedOver) {
      try {
        server.reach(user);
        server.check('send');
      } catch (error) {
        return { status: 'failed', transient: !(error instanceof ConnectorError) || error.code === 'connection-failed', message: error instanceof Error ? error.message : String(error) };
      }
      handedOver();
      server.sent.push({ user, mail });
      return { status: 'accepted', response: '250 2.0.0 Ok: queued', rejected: [] };
    },
    async file(mail, original) {
      server.reach(user);
      server.sentFolder.push({ user, mail });
      if (original) server.answered.add(original.target.externalId);
      return { notices: [] };
    },
    async findSent(messageId) {
      server.reach(user);
      return server.sentFolder.some((s) => s.mail.messageId === messageId);
    },
    async saveDraft(mail) {
      server.reach(user);
      server.draftsFolder.push({ user, mail });
    },
  };

  return {
    mail: sending,
    start() {
      void connect();
    },
    async stop() {
      stopped = true;
      close?.();
      close = undefined;
    },
    async syncOnce() {
      server.login(user, await ctx.readSecret());
      ctx.upsert(items(server.mailbox(user)));
    },
    async markRead(which) {
      setFlags(which, false, 'markRead');
    },
    async markUnread(which) {
      setFlags(which, true, 'markUnread');
    },
    async loadDetail(item) {
      server.reach(user);
      server.check('fetchBody');
      const mail = server.mailbox(user).find((m) => `${ctx.account.id}:${m.id}` === item.id);
      if (mail === undefined) throw new ConnectorError('not-found', 'The message is no longer on the server.');
      return {
        headers: [
          { name: 'From', value: mail.sender },
          { name: 'To', value: `${user}@${ctx.account.settings.host}` },
          { name: 'Subject', value: mail.title },
        ],
        bodyText: mail.body ?? mail.snippet,
      };
    },
  };
}

/** The IMAP kind with this server in place of the network. */
export function fakeMailKind(server: FakeMailServer): ConnectorKind<ImapSettings> {
  return {
    ...imapKind,
    async verify(account, secret) {
      server.login(account.settings.user, secret);
      return { account, secret };
    },
    async create(ctx) {
      return createMailConnector(server, ctx);
    },
  };
}

/**
 * `count` messages, newest first from `newest`, one minute apart: "Subject 0" is the newest. Every
 * third is unread and every tenth a priority, so counts and filters have something to count.
 */
export function mailBatch(count: number, options: { newest?: number; prefix?: string; unread?: (i: number) => boolean } = {}): FakeMail[] {
  const { newest = Date.UTC(2025, 2, 3, 12), prefix = 'm', unread = (i: number) => i % 3 === 0 } = options;
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}${i}`,
    sender: `Sender ${i}`,
    title: `Subject ${i}`,
    snippet: `Body of message ${i}`,
    timestamp: newest - i * 60_000,
    unread: unread(i),
    priority: i % 10 === 0,
  }));
}
