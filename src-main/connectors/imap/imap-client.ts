/**
 * Opening an imapflow connection from account settings, and turning whatever goes wrong into a
 * ConnectorError that says what happened and what to do, with no secret in it.
 */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { isLocalHost } from '../../../src-shared/domain.ts';
import type { ImapSettings } from '../../../src-shared/domain.ts';
import { redact, type Logger } from '../../common/logger.ts';
import { ConnectorError } from '../connector.ts';

/** IDLE is restarted this often: well under the 29 minutes RFC 2177 allows, and often enough for NAT tables. */
export const MAX_IDLE_MS = 5 * 60_000;
/** How soon after the last command IDLE starts; short, so new mail is pushed to us almost at once. */
export const AUTO_IDLE_DELAY_MS = 300;
/**
 * A server that sends nothing for this long while we wait for its answer is taken for hung, and
 * the connection is dropped and retried (Thunderbird waits 100 s too, mailnews.tcptimeout). A quiet
 * IDLE is not hung: imapflow only probes it with a NOOP, which also keeps NAT tables fresh.
 */
export const STALL_TIMEOUT_MS = 100_000;
/** A server without IDLE is asked for news this often: within a couple of minutes, without hammering it. */
export const POLL_INTERVAL_MS = 2 * 60_000;

/** Tests and benches shorten these; the defaults are what users get. */
export interface ImapTiming {
  stallTimeoutMs?: number;
  pollIntervalMs?: number;
}

/** Plain IMAP sends the password in clear text, so it is only allowed to this machine. */
export function checkSettings(settings: ImapSettings): void {
  if (!settings.host || !settings.host.trim()) throw new ConnectorError('invalid-input', 'Enter the host name of the mail server.');
  if (!Number.isInteger(settings.port) || settings.port < 1 || settings.port > 65_535) {
    throw new ConnectorError('invalid-input', 'The port must be a number between 1 and 65535 (usually 993 for TLS, 143 for STARTTLS).');
  }
  if (!settings.user) throw new ConnectorError('invalid-input', 'Enter the user name for the mail account.');
  if (settings.security === 'plain' && !isLocalHost(settings.host)) {
    throw new ConnectorError(
      'invalid-input',
      `Plain IMAP without TLS is only allowed to this computer (127.0.0.1, localhost). Choose TLS (port 993) or STARTTLS (port 143) for ${settings.host}.`,
    );
  }
}

/** A password, or an OAuth2 access token (imapflow picks OAUTHBEARER, else XOAUTH2, from the server's capabilities). */
export type MailCredential = { password: string } | { accessToken: string };

function secretOf(credential: MailCredential): string {
  return 'password' in credential ? credential.password : credential.accessToken;
}

export function createClient(settings: ImapSettings, credential: MailCredential, log: Logger, timing: ImapTiming = {}): ImapFlow {
  checkSettings(settings);
  const password = secretOf(credential);
  const options: ImapFlowOptions = {
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    // Without an explicit false imapflow upgrades opportunistically; with true it refuses a server without STARTTLS.
    doSTARTTLS: settings.security === 'starttls',
    auth: 'accessToken' in credential ? { user: settings.user, accessToken: credential.accessToken } : { user: settings.user, pass: credential.password },
    logger: imapLogger(log, [password]),
    logRaw: false,
    qresync: true,
    maxIdleTime: MAX_IDLE_MS,
    autoIdleDelay: AUTO_IDLE_DELAY_MS,
    missingIdleCommand: 'NOOP',
    connectionTimeout: 30_000,
    greetingTimeout: 16_000,
    socketTimeout: timing.stallTimeoutMs ?? STALL_TIMEOUT_MS,
    // A server announcing a giant literal must not make us allocate it.
    maxLiteralSize: 64 * 1024 * 1024,
    clientInfo: { name: 'Groundswell' },
  };
  const client = new ImapFlow(options);
  // imapflow emits 'error' for socket trouble; without a listener Node would throw it.
  client.on('error', (error: unknown) => {
    reportedErrors.set(client, error);
    log.debug('imap connection error', { error: describeCause(error, [password]) });
  });
  return client;
}

const reportedErrors = new WeakMap<ImapFlow, unknown>();

/**
 * Why the connection itself failed, when it did: a command cut short by it only says "no
 * connection", while the connection's error says it timed out or was reset.
 */
export function connectionErrorOf(client: ImapFlow): unknown {
  return reportedErrors.get(client);
}

/** imapflow logs pino-style objects; only the message and a few plain fields pass, at debug level. */
export function imapLogger(log: Logger, secrets: string[]) {
  const write = (entry: unknown) => {
    if (!entry || typeof entry !== 'object') return;
    const record = entry as Record<string, unknown>;
    const fields: Record<string, unknown> = {};
    for (const key of ['cid', 'src', 'code', 'path']) {
      const value = record[key];
      if (typeof value === 'string' || typeof value === 'number') fields[key] = typeof value === 'string' ? redact(value, secrets) : value;
    }
    if (record.err !== undefined) fields.error = describeCause(record.err, secrets);
    log.debug(typeof record.msg === 'string' ? redact(record.msg, secrets) : 'imap', fields);
  };
  return { debug: write, info: write, warn: write, error: write };
}

function describeCause(error: unknown, secrets: string[]): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return redact(`${typeof code === 'string' ? code + ': ' : ''}${error.message}`, secrets);
  }
  return redact(String(error), secrets);
}

const TLS_CODES = /^(?:ERR_SSL_|ERR_TLS_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(?:VERIFY|GET)_|ClosedAfterConnectTLS|HOSTNAME_MISMATCH)/;

/**
 * RFC 5530 codes on a refused login that are about the server, not the password: imapflow flags
 * every refused login as an authentication failure, and retrying those is right.
 */
const REFUSED_FOR_NOW = new Set(['LIMIT', 'INUSE', 'UNAVAILABLE', 'SERVERBUG']);

function responseCodeOf(error: unknown): string {
  const code = error && typeof error === 'object' ? (error as { serverResponseCode?: unknown }).serverResponseCode : undefined;
  return typeof code === 'string' ? code.toUpperCase() : '';
}

export function isAuthFailure(error: unknown): boolean {
  if (REFUSED_FOR_NOW.has(responseCodeOf(error))) return false;
  return !!error && typeof error === 'object' && (error as { authenticationFailed?: unknown }).authenticationFailed === true;
}

/** Maps imapflow and socket errors to what the user can act on. Never includes server text verbatim. */
export function toConnectorError(error: unknown, settings: ImapSettings): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const where = `${settings.host}:${settings.port}`;
  const code = error && typeof error === 'object' ? String((error as { code?: unknown }).code ?? '') : '';
  const options = { cause: error };
  const responseCode = responseCodeOf(error);
  if (responseCode === 'LIMIT' || responseCode === 'INUSE') {
    return new ConnectorError(
      'connection-failed',
      `The server refuses more connections from this computer: too many are open for ${settings.user} (other mail programs or devices). Groundswell keeps retrying; closing another mail program on this computer frees one.`,
      options,
    );
  }
  if (responseCode === 'UNAVAILABLE' || responseCode === 'SERVERBUG') {
    return new ConnectorError('connection-failed', `The mail server at ${where} is temporarily unable to log you in. Groundswell keeps retrying; nothing needs changing.`, options);
  }
  if (isAuthFailure(error)) {
    if (settings.oauth) {
      return new ConnectorError('auth-failed', `The mail server turned down the sign-in with ${settings.oauth.providerName}${oauthReason(error)}.`, options);
    }
    return new ConnectorError('auth-failed', 'Authentication failed: the server rejected the user name or password.', options);
  }
  if (code === 'ECONNREFUSED') {
    return new ConnectorError('connection-failed', `Connection refused by ${where}. Check the host name and port, and that the mail server is running.`, options);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return new ConnectorError('connection-failed', `Host not found: ${settings.host}. Check the spelling of the server name and your network connection.`, options);
  }
  if (code === 'ETIMEOUT' && /socket timeout/i.test(error instanceof Error ? error.message : '')) {
    return new ConnectorError('connection-failed', `The mail server at ${where} stopped answering in the middle of a command. The connection was dropped and will be retried.`, options);
  }
  if (code === 'CONNECT_TIMEOUT' || code === 'GREETING_TIMEOUT' || code === 'UPGRADE_TIMEOUT' || code === 'ETIMEDOUT' || code === 'ETIMEOUT') {
    return new ConnectorError(
      'connection-failed',
      `Timed out connecting to ${where}. Check the host and port, and whether a firewall blocks the connection; a TLS port answered without TLS (or the reverse) also looks like this.`,
      options,
    );
  }
  if (TLS_CODES.test(code) || (error instanceof Error && /\b(?:SSL|TLS|certificate)\b/i.test(error.message))) {
    return new ConnectorError(
      'connection-failed',
      `The TLS connection to ${where} failed (${code || 'handshake error'}). Check the security setting: port 993 uses TLS, port 143 uses STARTTLS; a self-signed certificate is not accepted.`,
      options,
    );
  }
  if (/STARTTLS/i.test(error instanceof Error ? error.message : '')) {
    return new ConnectorError('connection-failed', `${where} does not offer STARTTLS. Choose TLS on port 993 instead.`, options);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'NoConnection' || code === 'EConnectionClosed' || code === 'ClosedAfterConnectText') {
    return new ConnectorError('connection-failed', `The connection to ${where} was closed unexpectedly. It will be retried; if it keeps happening, check the security setting and port.`, options);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENETDOWN') {
    return new ConnectorError('connection-failed', `${where} cannot be reached from this network. Check your network connection.`, options);
  }
  return new ConnectorError('connection-failed', `Could not talk to the mail server at ${where}${code ? ` (${code})` : ''}. Check the account settings and try again.`, options);
}

/** RFC 7628's error the server sends back (`{"status":"invalid_token",…}`), as a few words. */
function oauthReason(error: unknown): string {
  const status = error && typeof error === 'object' ? (error as { oauthError?: { status?: unknown } }).oauthError?.status : undefined;
  return typeof status === 'string' && /^[\w.-]{1,40}$/.test(status) ? ` (${status.replace(/_/g, ' ')})` : '';
}

/** Set on the error when the server offers no OAuth2 mechanism at all: a new token cannot help. */
export const NO_OAUTH_MECHANISM = 'no-oauth-mechanism';

/** Connects and logs in; throws a ConnectorError. */
export async function openClient(settings: ImapSettings, credential: MailCredential, log: Logger, timing: ImapTiming = {}): Promise<ImapFlow> {
  const client = createClient(settings, credential, log, timing);
  try {
    await client.connect();
    if (!client.capabilities.has('IDLE')) {
      // imapflow polls at its own interval capped by maxIdleTime; ours is set, not inherited.
      client.maxIdleTime = timing.pollIntervalMs ?? POLL_INTERVAL_MS;
      log.info('the server has no IDLE; polling for new mail', { intervalMs: client.maxIdleTime });
    }
    return client;
  } catch (error) {
    // Read before close: imapflow sends OAUTHBEARER or XOAUTH2, whichever the server lists.
    const caps = new Map(client.capabilities);
    client.close();
    if ('accessToken' in credential && caps.size > 0 && !caps.has('AUTH=OAUTHBEARER') && !caps.has('AUTH=XOAUTH2') && !caps.has('AUTH=XOAUTH')) {
      const refused = new ConnectorError('auth-failed', `${settings.host} does not offer OAuth2 sign-in (neither OAUTHBEARER nor XOAUTH2). Check the server name, or sign in with a password.`, { cause: error });
      (refused as ConnectorError & { reason?: string }).reason = NO_OAUTH_MECHANISM;
      throw refused;
    }
    throw toConnectorError(error, settings);
  }
}

/** Logs out politely but never waits long for a server that went away. */
export async function closeClient(client: ImapFlow, timeoutMs = 2_000): Promise<void> {
  if (!client.usable) {
    client.close();
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    client.logout().catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  client.close();
}
