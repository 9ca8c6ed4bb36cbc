/**
 * The IMAP connector: one long-lived connection that idles on INBOX and keeps the store in step,
 * reconnecting with backoff; short-lived connections for syncOnce and for actions while offline.
 */
import type { ImapFlow } from 'imapflow';
import type { ImapSettings, InboxItem } from '../../../src-shared/domain.ts';
import { ConnectorError, type Connector, type ConnectorContext, type ConnectorDetail } from '../connector.ts';
import { createReconnectLoop, type ReconnectOptions } from '../reconnect.ts';
import { closeClient, connectionErrorOf, toConnectorError, type ImapTiming as ClientTiming } from './imap-client.ts';
import { mailSignIn } from './mail-sign-in.ts';
import { MailboxSync } from './mailbox-sync.ts';
import { externalIdOf } from './message-item.ts';
import { createMailTriage } from './triage/mail-triage.ts';
import { setFlag } from './triage/set-flag.ts';
import { createMailSender } from './send/mail-sender.ts';

export { verifyImapLogin } from './verify-login.ts';

const INBOX = 'INBOX';

interface LiveConnection {
  client: ImapFlow;
  sync: MailboxSync;
}

type MailOrigin = Extract<InboxItem['origin'], { kind: 'mail' }>;

/** Tests and benches shorten the waits; users get the defaults. */
export interface ImapTiming extends ClientTiming {
  reconnect?: Pick<ReconnectOptions, 'initialDelayMs' | 'maxDelayMs' | 'random'>;
}

export function createImapConnector(ctx: ConnectorContext<ImapSettings>, timing: ImapTiming = {}): Connector {
  const settings: ImapSettings = ctx.account.settings;
  const log = ctx.log.child('imap');
  const signIn = mailSignIn(settings, ctx, log);
  const open = () => signIn.open(timing);
  // A command cut short by a dead connection only says "no connection"; the connection's own error says why.
  const failure = (client: ImapFlow, error: unknown) => toConnectorError(error instanceof ConnectorError ? error : (connectionErrorOf(client) ?? error), settings);

  let live: LiveConnection | undefined;
  // The connection still catching up, so stop() can cut a long initial sync short.
  let connecting: ImapFlow | undefined;
  let running = false;

  const connectLive = async () => {
    const client = await open();
    if (!running) {
      await closeClient(client);
      return;
    }
    connecting = client;
    const sync = new MailboxSync(client, ctx, settings, INBOX);
    const connection: LiveConnection = { client, sync };
    client.on('close', () => {
      if (live !== connection) return;
      live = undefined;
      if (running) loop.lost(`The connection to ${settings.host} was lost; reconnecting.`);
    });
    sync.watch();
    try {
      await sync.catchUp();
    } catch (error) {
      client.close();
      throw failure(client, error);
    } finally {
      if (connecting === client) connecting = undefined;
    }
    if (!running || !client.usable) {
      await closeClient(client);
      if (running) throw new ConnectorError('connection-failed', `The connection to ${settings.host} closed during the sync.`);
      return;
    }
    live = connection;
    ctx.status({ state: 'online', since: Date.now() });
    log.info('connected and idling', { mailbox: INBOX });
  };

  const loop = createReconnectLoop({
    ...timing.reconnect,
    connect: connectLive,
    status: (state) => ctx.status(state),
    isAuthFailure: (error) => error instanceof ConnectorError && error.code === 'auth-failed',
    describe: (error) => (error instanceof ConnectorError ? error.message : toConnectorError(error, settings).message),
  });

  /** Runs `work` with the mailbox selected: on the live connection if there is one, else on a short one. */
  const withMailbox = async <T>(mailbox: string, work: (client: ImapFlow, uidValidity: number) => Promise<T>): Promise<T> => {
    const current = live;
    if (current && current.client.usable) {
      try {
        const lock = await current.client.getMailboxLock(mailbox);
        try {
          return await work(current.client, Number(current.client.mailbox ? current.client.mailbox.uidValidity : 0));
        } finally {
          lock.release();
          // The live connection idles on whatever is selected: back to INBOX, catching up on what
          // arrived while another mailbox (the archive, the trash) was open.
          if (mailbox !== INBOX) await current.sync.catchUp().catch((error: unknown) => log.debug('could not return to INBOX', { error }));
        }
      } catch (error) {
        throw failure(current.client, error);
      }
    }
    const client = await open();
    try {
      const lock = await client.getMailboxLock(mailbox);
      try {
        return await work(client, Number(client.mailbox ? client.mailbox.uidValidity : 0));
      } finally {
        lock.release();
      }
    } catch (error) {
      throw failure(client, error);
    } finally {
      await closeClient(client);
    }
  };

  /** A connection without a mailbox selected for it (LIST, CREATE): the live one if usable, else a short one. */
  const withClient = async <T>(work: (client: ImapFlow) => Promise<T>): Promise<T> => {
    const current = live;
    if (current && current.client.usable) {
      try {
        return await work(current.client);
      } catch (error) {
        throw toConnectorError(error, settings);
      }
    }
    const client = await signIn.open();
    try {
      return await work(client);
    } catch (error) {
      throw toConnectorError(error, settings);
    } finally {
      await closeClient(client);
    }
  };

  const setSeen = async (items: InboxItem[], seen: boolean) => {
    const byMailbox = new Map<string, MailOrigin[]>();
    for (const item of items) {
      if (item.origin.kind !== 'mail') continue;
      const list = byMailbox.get(item.origin.mailbox) ?? [];
      list.push(item.origin);
      byMailbox.set(item.origin.mailbox, list);
    }
    for (const [mailbox, origins] of byMailbox) {
      await withMailbox(mailbox, async (client, uidValidity) => {
        // A UID from an older UIDVALIDITY may now name another message: leave those alone.
        const current = origins.filter((o) => o.uidValidity === uidValidity);
        if (current.length === 0) return;
        await setFlag(client, current.map((o) => o.uid), '\\Seen', seen);
        ctx.setUnread(current.map((o) => ({ externalId: externalIdOf(mailbox, o.uidValidity, o.uid), unread: !seen })));
      });
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      loop.start();
    },

    async stop() {
      const wasRunning = running;
      running = false;
      loop.stop();
      const current = live;
      live = undefined;
      connecting?.close();
      connecting = undefined;
      if (current) await closeClient(current.client);
      if (wasRunning) ctx.status({ state: 'stopped' });
    },

    async syncOnce() {
      const current = live;
      if (current && current.client.usable) {
        await current.sync.catchUp();
        await current.sync.settled();
        return;
      }
      const client = await open();
      try {
        await new MailboxSync(client, ctx, settings, INBOX).catchUp();
      } catch (error) {
        throw failure(client, error);
      } finally {
        await closeClient(client);
      }
      if (!running) ctx.status({ state: 'stopped' });
    },

    triage: createMailTriage({ withMailbox, withClient, host: settings.host, log }),
    mail: createMailSender({
      settings,
      withMailbox,
      withClient,
      readSecret: (name) => ctx.readSecret(name),
      ...(signIn.tokens ? { accessToken: () => signIn.tokens!.accessToken() } : {}),
      log: log.child('send'),
    }),

    markRead: (items) => setSeen(items, true),
    markUnread: (items) => setSeen(items, false),

    attachments: {
      fetch(item, ref, maxBytes) {
        if (item.origin.kind !== 'mail') throw new ConnectorError('invalid-input', 'This item is not a mail message.');
        const origin = item.origin;
        return withMailbox(origin.mailbox, async (client, uidValidity) => {
          if (uidValidity !== origin.uidValidity) throw new ConnectorError('not-found', 'This message is no longer on the server (the mailbox was rebuilt).');
          const { loadAttachment } = await import('./message-detail.ts');
          return new Uint8Array(await loadAttachment(client, origin.uid, ref, maxBytes));
        });
      },
    },

    async loadDetail(item): Promise<ConnectorDetail> {
      if (item.origin.kind !== 'mail') throw new ConnectorError('invalid-input', 'This item is not a mail message.');
      const origin = item.origin;
      // The reading pane's parser (mailparser) loads on the first message opened, not with the sync.
      const { loadMessageDetail } = await import('./message-detail.ts');
      return withMailbox(origin.mailbox, (client, uidValidity) => {
        if (uidValidity !== origin.uidValidity) {
          throw new ConnectorError('not-found', 'This message is no longer on the server (the mailbox was rebuilt). It will disappear after the next sync.');
        }
        return loadMessageDetail(client, origin.uid, log);
      });
    },
  };
}
