/**
 * Mail settings from an email address, the way Thunderbird finds them, in this order of trust:
 *   1. the domain's own file, https://autoconfig.<domain>/mail/config-v1.1.xml?emailaddress=…
 *   2. its copy at https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml
 *   3. the public ISP database, https://autoconfig.thunderbird.net/v1.1/<domain> (only the domain is sent)
 *   4. RFC 6186 SRV records (_imaps, _imap, _submissions, _submission)
 *   5. the ISP database under the domain of the domain's MX host
 *   6. a guess, probed with a real connection and login (guess.ts)
 * Steps 1–5 run side by side and the first in that order that gives a usable IMAP server wins, so a
 * slow step costs nothing once a better one has answered. Nothing is saved here.
 */
import type { MailAutoconfig, MailAutoconfigSource, MailAutoconfigStep, MailServerSetting } from '../../../../src-shared/api.ts';
import { isLocalHost } from '../../../../src-shared/domain.ts';
import { InputError } from '../../../common/input.ts';
import { ConfigFileError, emailParts, parseConfigFile, type EmailParts, type MailConfigFile } from './config-file.ts';
import { domainsOfMxHost, lookUpMx, lookUpSrv, systemResolver, type MailDnsResolver } from './dns-records.ts';
import { fetchConfig } from './fetch-config.ts';
import { guessServers, USUAL_TARGETS, type GuessTargets } from './guess.ts';

/** Where autoconfig looks. The defaults are the real addresses; tests point them at their own servers. */
export interface AutoconfigEnvironment {
  /** URL templates; `{domain}` and `{email}` are filled in (URL-encoded). */
  urls: { domain: string; wellKnown: string; ispdb: string };
  resolver: () => MailDnsResolver;
  guess: GuessTargets;
}

export const REAL_ENVIRONMENT: AutoconfigEnvironment = {
  urls: {
    domain: 'https://autoconfig.{domain}/mail/config-v1.1.xml?emailaddress={email}',
    wellKnown: 'https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml',
    ispdb: 'https://autoconfig.thunderbird.net/v1.1/{domain}',
  },
  resolver: systemResolver,
  guess: USUAL_TARGETS,
};

const EMAIL = /^[^\s@]{1,64}@[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;

export function parseEmail(value: unknown): EmailParts {
  const address = typeof value === 'string' ? value.trim() : '';
  if (address === '') throw new InputError('Enter your email address.', 'email');
  if (address.length > 254 || !EMAIL.test(address)) throw new InputError(`"${address.slice(0, 80)}" is not an email address such as ann@example.com.`, 'email');
  return emailParts(address);
}

interface StepResult {
  step: MailAutoconfigStep;
  imap: MailServerSetting[];
  smtp: MailServerSetting[];
  providerName?: string;
  oauth2Provider?: MailConfigFile['oauth2'];
  notes: string[];
}

const fill = (template: string, email: EmailParts, domain = email.domain) =>
  template.replace(/\{domain\}/g, encodeURIComponent(domain)).replace(/\{email\}/g, encodeURIComponent(email.address));

/** Servers Groundswell may use: IMAP over TLS or STARTTLS, or unencrypted to this computer only. */
function usable(servers: MailServerSetting[], notes: string[], what: string): MailServerSetting[] {
  return servers.filter((server) => {
    if (server.security !== 'plain' || isLocalHost(server.host)) return true;
    notes.push(`The ${what} server ${server.host}:${server.port} is unencrypted; Groundswell sends passwords unencrypted only to this computer, so it was left out.`);
    return false;
  });
}

function fromFile(source: MailAutoconfigSource, where: string, file: MailConfigFile): StepResult {
  const notes: string[] = [];
  const imap = usable(file.imap, notes, 'IMAP');
  const smtp = usable(file.smtp, notes, 'SMTP');
  const left = file.skipped.length > 0 ? ` (left out: ${file.skipped.join('; ')})` : '';
  const step: MailAutoconfigStep =
    imap.length > 0
      ? { source, where, outcome: 'found', detail: `${imap.length} IMAP and ${smtp.length} SMTP server(s)${left}` }
      : { source, where, outcome: 'refused', detail: `it names no IMAP server Groundswell can use${left}${notes.length ? ` (${notes.join(' ')})` : ''}` };
  return { step, imap, smtp, ...(file.providerName ? { providerName: file.providerName } : {}), ...(file.oauth2 ? { oauth2Provider: file.oauth2 } : {}), notes };
}

async function fileStep(source: MailAutoconfigSource, url: string, email: EmailParts, signal: AbortSignal): Promise<StepResult> {
  try {
    const fetched = await fetchConfig(url, signal);
    if (fetched.kind === 'nothing') return { step: { source, where: url, outcome: 'nothing', detail: fetched.detail }, imap: [], smtp: [], notes: [] };
    return fromFile(source, url, parseConfigFile(fetched.text, email));
  } catch (error) {
    if (error instanceof ConfigFileError) return { step: { source, where: url, outcome: 'refused', detail: `Refused: ${error.message}.` }, imap: [], smtp: [], notes: [] };
    throw error;
  }
}

async function srvStep(resolver: MailDnsResolver, email: EmailParts): Promise<StepResult> {
  const where = `SRV records of ${email.domain}`;
  const found = await lookUpSrv(resolver, email.domain, email.address);
  const notes: string[] = [];
  const imap = usable(found.imap, notes, 'IMAP');
  const detail = found.asked.join('; ');
  return {
    step: { source: 'srv', where, outcome: imap.length > 0 ? 'found' : 'nothing', detail },
    imap,
    smtp: usable(found.smtp, notes, 'SMTP'),
    notes,
  };
}

async function mxStep(resolver: MailDnsResolver, env: AutoconfigEnvironment, email: EmailParts, signal: AbortSignal): Promise<StepResult> {
  const mx = await lookUpMx(resolver, email.domain);
  if (mx.host === undefined) return { step: { source: 'mx', where: `MX of ${email.domain}`, outcome: 'nothing', detail: mx.detail }, imap: [], smtp: [], notes: [] };
  const domains = domainsOfMxHost(mx.host).filter((d) => d !== email.domain);
  const tried: string[] = [];
  for (const domain of domains) {
    const url = fill(env.urls.ispdb, email, domain);
    const result = await fileStep('mx', url, email, signal);
    if (result.step.outcome === 'found') return { ...result, step: { ...result.step, detail: `${mx.detail}; ${result.step.detail}` } };
    tried.push(`${url}: ${result.step.detail}`);
  }
  return { step: { source: 'mx', where: `MX of ${email.domain} (${mx.host})`, outcome: 'nothing', detail: [mx.detail, ...tried].join('; ') || mx.detail }, imap: [], smtp: [], notes: [] };
}

export async function discoverMailSettings(rawEmail: unknown, password: string | undefined, env: AutoconfigEnvironment = REAL_ENVIRONMENT): Promise<MailAutoconfig> {
  const email = parseEmail(rawEmail);
  const controller = new AbortController();
  const resolver = env.resolver();
  const failed = (source: MailAutoconfigSource, where: string) => (error: unknown): StepResult => ({
    step: { source, where, outcome: 'nothing', detail: `the lookup failed: ${error instanceof Error ? error.message : String(error)}` },
    imap: [],
    smtp: [],
    notes: [],
  });
  const domainUrl = fill(env.urls.domain, email);
  const wellKnownUrl = fill(env.urls.wellKnown, email);
  const ispdbUrl = fill(env.urls.ispdb, email);
  const started: { source: MailAutoconfigSource; where: string; result: Promise<StepResult> }[] = [
    { source: 'domain', where: domainUrl, result: fileStep('domain', domainUrl, email, controller.signal) },
    { source: 'well-known', where: wellKnownUrl, result: fileStep('well-known', wellKnownUrl, email, controller.signal) },
    { source: 'ispdb', where: ispdbUrl, result: fileStep('ispdb', ispdbUrl, email, controller.signal) },
    { source: 'srv', where: `SRV records of ${email.domain}`, result: srvStep(resolver, email) },
    { source: 'mx', where: `MX of ${email.domain}`, result: mxStep(resolver, env, email, controller.signal) },
  ];
  const running = started.map((r) => ({ ...r, result: r.result.catch(failed(r.source, r.where)) }));

  const steps: MailAutoconfigStep[] = [];
  let winner: StepResult | undefined;
  for (const entry of running) {
    if (winner) {
      steps.push({ source: entry.source, where: entry.where, outcome: 'skipped', detail: 'not needed: an earlier step found the settings' });
      continue;
    }
    const result = await entry.result;
    steps.push(result.step);
    if (result.step.outcome === 'found') winner = result;
  }
  controller.abort();

  if (winner) return report(email, winner, steps, false);

  const guess = await guessServers(email, password, env.guess, new AbortController().signal);
  const guessStep: MailAutoconfigStep = {
    source: 'guess',
    where: `${env.guess.host('imap', email.domain)}, ${env.guess.host('mail', email.domain)}, ${env.guess.host('smtp', email.domain)}`,
    outcome: guess.imap ? 'found' : 'nothing',
    detail: guess.tried.join('; '),
  };
  steps.push(guessStep);
  if (!guess.imap) {
    return { email: email.address, found: false, imap: [], smtp: [], verified: false, warnings: [], steps, kind: 'imap', input: { displayName: email.address, user: email.address, address: email.address } };
  }
  const plainNote = guess.imap.security === 'plain' ? [`The guess reached ${guess.imap.host}:${guess.imap.port} only without encryption; that is allowed because ${guess.imap.host} is this computer.`] : [];
  return report(email, { step: guessStep, imap: [guess.imap], smtp: guess.smtp ? [guess.smtp] : [], notes: [...plainNote, ...guess.warnings] }, steps, guess.verified);
}

function report(email: EmailParts, winner: StepResult, steps: MailAutoconfigStep[], verified: boolean): MailAutoconfig {
  const imap = winner.imap[0]!;
  const warnings = [...winner.notes];
  if (imap.security === 'plain' && !warnings.some((w) => w.includes('without encryption'))) {
    warnings.push(`${imap.host}:${imap.port} is reached without encryption; that is allowed only because ${imap.host} is this computer.`);
  }
  const passwordWays = imap.authentication.some((a) => a === 'password-cleartext' || a === 'password-encrypted');
  const oauth2 = imap.authentication.includes('OAuth2') ? (passwordWays ? 'offered' : 'required') : undefined;
  if (oauth2 === 'required') warnings.push(`${imap.host} signs in only with OAuth2 (through the provider's login page); a password will be refused.`);
  else if (oauth2 === 'offered') {
    warnings.push(`${imap.host} also signs in with OAuth2 (the provider's login page); should it refuse your password, the provider may want an app password or that sign-in.`);
  } else if (!passwordWays && !imap.authentication.includes('none')) {
    warnings.push(`${imap.host} signs in with ${imap.authentication.join(', ')}, not with a password; Groundswell signs in with a password, which the server may refuse.`);
  }
  return {
    email: email.address,
    found: true,
    source: winner.step.source,
    where: winner.step.where,
    ...(winner.providerName ? { providerName: winner.providerName } : {}),
    imap: winner.imap,
    smtp: winner.smtp,
    ...(oauth2 ? { oauth2 } : {}),
    ...(oauth2 && winner.oauth2Provider ? { oauth2Provider: winner.oauth2Provider } : {}),
    verified,
    warnings,
    steps,
    kind: 'imap',
    input: { displayName: email.address, host: imap.host, port: imap.port, security: imap.security, user: imap.user, ...sendingInput(email.address, imap, winner.smtp[0]) },
  };
}

/**
 * The sending half of the input (smtp-settings.ts's keys): the first SMTP server found, its user only
 * where it is not the IMAP one, and the address as the From. Without an SMTP server the account only
 * receives; whoever shows the result says so.
 */
export function sendingInput(address: string, imap: MailServerSetting, smtp: MailServerSetting | undefined): Record<string, unknown> {
  if (!smtp) return { address };
  return { address, smtpHost: smtp.host, smtpPort: smtp.port, smtpSecurity: smtp.security, ...(smtp.user !== imap.user ? { smtpUser: smtp.user } : {}) };
}
