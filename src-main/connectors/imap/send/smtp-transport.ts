/**
 * The SMTP side of an IMAP account, through nodemailer: a transport from the settings, the probe
 * behind "Add account", and one delivery of a message built beforehand. What went wrong becomes a
 * ConnectorError (probe) or a DeliveryOutcome (delivery) that says what to do, with the server's
 * own words where it refused something and never a password.
 */
import { createTransport } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { ImapSettings, SmtpSettings } from '../../../../src-shared/domain.ts';
import { isLocalHost } from '../../../../src-shared/domain.ts';
import { createLogger, redact, silentSink, type Logger } from '../../../common/logger.ts';
import { ConnectorError, type ComposedMail, type DeliveryOutcome } from '../../connector.ts';

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  permanent?: boolean;
  rejected?: string[];
  rejectedErrors?: SmtpFailure[];
  recipient?: string;
  message?: string;
}

/** How long each wait may take: a server that does not answer fails the try, and the outbox tries again later. */
const TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };

export function smtpUser(settings: ImapSettings, smtp: SmtpSettings): string {
  return smtp.user ?? settings.user;
}

/** A password, or (an OAuth2 account without an SMTP password of its own) the access token, sent as XOAUTH2. */
export type SmtpCredential = { password: string } | { accessToken: string };

function transportOptions(settings: ImapSettings, smtp: SmtpSettings, credential: SmtpCredential, log: Logger, onHandedOver?: () => void): SMTPTransport.Options {
  if (smtp.security === 'plain' && !isLocalHost(smtp.host)) {
    throw new ConnectorError('invalid-input', `Plain SMTP without TLS is only allowed to this computer. Choose TLS (port 465) or STARTTLS (port 587) for ${smtp.host}.`);
  }
  const secrets = ['password' in credential ? credential.password : credential.accessToken];
  const write = (level: string) => (...args: unknown[]) => {
    const data = typeof args[0] === 'object' && args[0] !== null ? (args[0] as Record<string, unknown>) : undefined;
    // nodemailer says so once the whole message and its final dot are on the socket (SMTPConnection's data stream ended).
    if (data?.['tnx'] === 'message' && level === 'info') onHandedOver?.();
    const text = args.filter((a) => typeof a === 'string').join(' ');
    log.debug(redact(text, secrets), { level });
  };
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'plain',
    auth: 'password' in credential ? { user: smtpUser(settings, smtp), pass: credential.password } : { type: 'OAuth2', user: smtpUser(settings, smtp), accessToken: credential.accessToken },
    name: 'groundswell.localhost',
    logger: { trace: write('trace'), debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), fatal: write('fatal') } as never,
    ...TIMEOUTS,
  };
}

function where(smtp: SmtpSettings): string {
  return `${smtp.host}:${smtp.port}`;
}

/** The server's reply, on one line and without any password: what the user is shown when it refuses. */
export function serverWords(error: SmtpFailure): string {
  const response = (error.response ?? '').replace(/\s+/g, ' ').trim();
  return response === '' ? (error.message ?? 'no reason given') : response;
}

function connectionProblem(error: SmtpFailure, smtp: SmtpSettings): string {
  const code = error.code ?? '';
  const original = (error as { originalCode?: string }).originalCode ?? '';
  if (original === 'ECONNREFUSED' || /ECONNREFUSED/.test(error.message ?? '')) return `Connection refused by ${where(smtp)}: the outgoing mail server is not running or the port is wrong.`;
  if (original === 'ENOTFOUND' || code === 'EDNS') return `Host not found: ${smtp.host}. Check the outgoing server's name and your network connection.`;
  if (code === 'ETIMEDOUT') return `Timed out talking to ${where(smtp)}. Check the port and security (465 is TLS, 587 is STARTTLS) and whether a firewall blocks it.`;
  if (code === 'ETLS' || /TLS|SSL|certificate/i.test(error.message ?? '')) return `The TLS connection to ${where(smtp)} failed. Check the security setting: port 465 uses TLS, port 587 uses STARTTLS; a self-signed certificate is not accepted.`;
  return `Could not talk to the outgoing mail server at ${where(smtp)} (${code || 'connection error'}).`;
}

/** A probe's failure, for the add-account form: a wrong password says so beside the field. */
export function toSmtpConnectorError(failure: unknown, smtp: SmtpSettings): ConnectorError {
  const error = (failure ?? {}) as SmtpFailure;
  if (error.code === 'EAUTH') return new ConnectorError('auth-failed', `The outgoing server ${smtp.host} refused the user name or password (${serverWords(error)}).`, { cause: failure });
  if (error.responseCode !== undefined) return new ConnectorError('protocol', `The outgoing server ${where(smtp)} answered: ${serverWords(error)}`, { cause: failure });
  return new ConnectorError('connection-failed', connectionProblem(error, smtp), { cause: failure });
}

/** "Add account" and a changed SMTP setting: connect, greet, log in (where offered), and leave. */
export async function verifySmtp(settings: ImapSettings, credential: SmtpCredential, log: Logger = createLogger(silentSink)): Promise<void> {
  const smtp = settings.smtp;
  if (!smtp) return;
  const transport = createTransport(transportOptions(settings, smtp, credential, log));
  try {
    await transport.verify();
  } catch (error) {
    throw toSmtpConnectorError(error, smtp);
  } finally {
    transport.close();
  }
}

/**
 * One try to hand the message over. `onHandedOver` is told the moment the whole message is on the
 * socket, so the caller can record that from then on a lost answer leaves it unsure, not unsent.
 */
export async function deliverOnce(settings: ImapSettings, credential: SmtpCredential, mail: ComposedMail, log: Logger, onHandedOver: () => void): Promise<DeliveryOutcome> {
  const smtp = settings.smtp;
  if (!smtp) return { status: 'failed', transient: false, message: 'This account has no outgoing (SMTP) server. Add one in the account settings, then send again.' };
  let handedOver = false;
  const transport = createTransport(
    transportOptions(settings, smtp, credential, log, () => {
      if (handedOver) return;
      handedOver = true;
      onHandedOver();
    }),
  );
  try {
    const info = await transport.sendMail({ envelope: mail.envelope, raw: Buffer.from(mail.raw) });
    const rejectedErrors = ((info as unknown as { rejectedErrors?: SmtpFailure[] }).rejectedErrors ?? []).map((e) => ({ address: e.recipient ?? '', reason: serverWords(e) }));
    const rejected = info.rejected.map((address) => rejectedErrors.find((r) => r.address === String(address)) ?? { address: String(address), reason: 'refused by the server' });
    return { status: 'accepted', response: info.response, rejected };
  } catch (failure) {
    const error = (failure ?? {}) as SmtpFailure;
    if (error.code === 'EAUTH') return { status: 'failed', transient: true, message: `The outgoing server ${smtp.host} refused the user name or password (${serverWords(error)}). Check them in the account settings.` };
    if (error.responseCode !== undefined) {
      const words = serverWords(error);
      const permanent = error.permanent ?? (error.responseCode >= 500 && error.responseCode !== 503);
      return permanent
        ? { status: 'failed', transient: false, message: `The outgoing server refused the message: ${words}` }
        : { status: 'failed', transient: true, message: `The outgoing server cannot take the message now: ${words}` };
    }
    if (handedOver) return { status: 'unsure', message: `The connection to ${where(smtp)} broke after the whole message went out and before the server answered, so it may have been sent.` };
    return { status: 'failed', transient: true, message: connectionProblem(error, smtp) };
  } finally {
    transport.close();
  }
}
