/**
 * The last resort when no file or record names the servers: the usual names (imap. and mail. for
 * IMAP, smtp. and mail. for SMTP) on the usual ports, implicit TLS before STARTTLS. Every candidate
 * is first reached over TCP (TLS for the implicit-TLS ports, so the certificate is checked) side by
 * side; then, in order of preference, IMAP is logged into for real with the password, as the full
 * address and then as its local part. Unencrypted IMAP is tried only on this computer's own
 * addresses, as everywhere else in Groundswell.
 */
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { MailServerSetting } from '../../../../src-shared/api.ts';
import { isLocalHost } from '../../../../src-shared/domain.ts';
import type { ImapSecurity, ImapSettings } from '../../../../src-shared/domain.ts';
import { createLogger, silentSink } from '../../../common/logger.ts';
import { ConnectorError } from '../../connector.ts';
import { closeClient, openClient } from '../imap-client.ts';
import type { EmailParts } from './config-file.ts';

export const REACH_TIMEOUT_MS = 5_000;

/** Where the guess looks; tests aim it at their own servers (never a user setting). */
export interface GuessTargets {
  /** The host name for a prefix ('imap', 'mail', 'smtp') of the domain. */
  host(prefix: string, domain: string): string;
  imapPorts: { tls: number; starttls: number };
  smtpPorts: { tls: number; starttls: number };
}

export const USUAL_TARGETS: GuessTargets = {
  host: (prefix, domain) => `${prefix}.${domain}`,
  imapPorts: { tls: 993, starttls: 143 },
  smtpPorts: { tls: 465, starttls: 587 },
};

interface Candidate {
  host: string;
  port: number;
  security: ImapSecurity;
}

export interface GuessOutcome {
  imap?: MailServerSetting;
  smtp?: MailServerSetting;
  verified: boolean;
  /** One line per candidate tried, for the report. */
  tried: string[];
  warnings: string[];
}

function candidates(targets: GuessTargets, domain: string, prefixes: string[], ports: { tls: number; starttls: number }, allowPlain: boolean): Candidate[] {
  const list: Candidate[] = [];
  for (const prefix of prefixes) {
    const host = targets.host(prefix, domain);
    list.push({ host, port: ports.tls, security: 'tls' }, { host, port: ports.starttls, security: 'starttls' });
    if (allowPlain && isLocalHost(host)) list.push({ host, port: ports.starttls, security: 'plain' });
  }
  return list.filter((c, i) => list.findIndex((o) => o.host === c.host && o.port === c.port && o.security === c.security) === i);
}

/** Opens a TCP (or TLS) connection and closes it: does anything answer there? */
export function reach(candidate: Candidate, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket =
      candidate.security === 'tls'
        ? tlsConnect({ host: candidate.host, port: candidate.port, servername: isIp(candidate.host) ? '' : candidate.host, timeout: REACH_TIMEOUT_MS })
        : tcpConnect({ host: candidate.host, port: candidate.port, timeout: REACH_TIMEOUT_MS });
    const done = (problem: string | undefined) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(problem);
    };
    const onAbort = () => done('stopped');
    signal.addEventListener('abort', onAbort);
    socket.once(candidate.security === 'tls' ? 'secureConnect' : 'connect', () => done(undefined));
    socket.once('timeout', () => done(`no answer within ${REACH_TIMEOUT_MS / 1000} s`));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED' ? 'connection refused' : error.code === 'ENOTFOUND' ? 'no such host' : (error.code ?? error.message)));
  });
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

const where = (c: Candidate) => `${c.host}:${c.port} (${c.security === 'tls' ? 'TLS' : c.security === 'starttls' ? 'STARTTLS' : 'unencrypted'})`;

export async function guessServers(email: EmailParts, password: string | undefined, targets: GuessTargets, signal: AbortSignal): Promise<GuessOutcome> {
  const imapCandidates = candidates(targets, email.domain, ['imap', 'mail'], targets.imapPorts, true);
  const smtpCandidates = candidates(targets, email.domain, ['smtp', 'mail'], targets.smtpPorts, false);
  const [imapReach, smtpReach] = await Promise.all([
    Promise.all(imapCandidates.map((c) => reach(c, signal))),
    Promise.all(smtpCandidates.map((c) => reach(c, signal))),
  ]);
  const outcome: GuessOutcome = { verified: false, tried: [], warnings: [] };
  const users = [...new Set([email.address, email.localPart])];
  let refusedLogin: MailServerSetting | undefined;
  for (const [i, candidate] of imapCandidates.entries()) {
    const problem = imapReach[i];
    if (problem !== undefined) {
      outcome.tried.push(`IMAP ${where(candidate)}: ${problem}`);
      continue;
    }
    if (password === undefined) {
      outcome.tried.push(`IMAP ${where(candidate)}: answers (not logged in: no password was given)`);
      outcome.imap = { ...candidate, user: email.address, authentication: ['password-cleartext'] };
      break;
    }
    const login = await tryLogin(candidate, users, password);
    outcome.tried.push(`IMAP ${where(candidate)}: ${login.detail}`);
    if (login.user !== undefined) {
      outcome.imap = { ...candidate, user: login.user, authentication: ['password-cleartext'] };
      outcome.verified = true;
      break;
    }
    if (login.refused) refusedLogin ??= { ...candidate, user: email.address, authentication: ['password-cleartext'] };
  }
  if (!outcome.imap && refusedLogin) {
    outcome.imap = refusedLogin;
    outcome.warnings.push(`${refusedLogin.host} is a mail server, but it refused the password for ${users.join(' and ')}; check the user name and password.`);
  }
  for (const [i, candidate] of smtpCandidates.entries()) {
    const problem = smtpReach[i];
    outcome.tried.push(`SMTP ${where(candidate)}: ${problem ?? 'answers (not logged in)'}`);
    if (problem === undefined) {
      outcome.smtp = { ...candidate, user: outcome.imap?.user ?? email.address, authentication: ['password-cleartext'] };
      break;
    }
  }
  return outcome;
}

async function tryLogin(candidate: Candidate, users: string[], password: string): Promise<{ user?: string; refused: boolean; detail: string }> {
  let refused = false;
  let detail = '';
  for (const user of users) {
    const settings: ImapSettings = { ...candidate, user, syncWindowDays: 1, syncMaxMessages: 1 };
    try {
      const client = await openClient(settings, { password }, createLogger(silentSink));
      await closeClient(client);
      return { user, refused: false, detail: `logged in as ${user}` };
    } catch (error) {
      if (error instanceof ConnectorError && error.code === 'auth-failed') {
        refused = true;
        detail = `refused the password for ${users.join(' and ')}`;
        continue;
      }
      return { refused, detail: error instanceof Error ? error.message : String(error) };
    }
  }
  return { refused, detail };
}
