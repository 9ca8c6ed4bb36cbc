/**
 * `groundswell account add mail --email ADDR [--password-stdin]`: the settings come from autoconfig
 * (`accounts.autoconfig`), printed with where they were found, and `--imap-*` / `--smtp-*` flags
 * override any of them; then the account is added the normal way (`accounts.add`, which logs in to
 * IMAP and SMTP first). Without an SMTP server, found or given, the account only receives, and says so.
 */
import type { ParseArgsConfig } from 'node:util';
import type { CallName, CallParams, HubCalls, MailAutoconfig, MailAutoconfigStep } from '../../src-shared/api.ts';
import { describeAutoconfigSource, describeMailServer as describeServer } from '../../src-shared/mail-autoconfig-words.ts';

export const MAIL_FLAGS = {
  email: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  'imap-host': { type: 'string' },
  'imap-port': { type: 'string' },
  'imap-security': { type: 'string' },
  'imap-user': { type: 'string' },
  'smtp-host': { type: 'string' },
  'smtp-port': { type: 'string' },
  'smtp-security': { type: 'string' },
  'smtp-user': { type: 'string' },
  'smtp-password-stdin': { type: 'boolean' },
  address: { type: 'string' },
  'from-name': { type: 'string' },
  'window-days': { type: 'string' },
  'max-messages': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const MAIL_USAGE = `account add mail --email ADDR [--password-stdin] [--name N]
  Finds the IMAP and SMTP settings of ADDR (the domain's autoconfig file, the public ISP database,
  SRV and MX records, then a guess tried with the password), prints what it found and where, and adds
  the account; where the provider signs in with OAuth2 (always, or when no password is given) the
  sign-in runs in the browser instead. Without --password-stdin and without OAuth2 it only looks the
  settings up and prints them (the guess then only connects). Any setting can be given instead:
  --imap-host H  --imap-port P  --imap-security tls|starttls|plain  --imap-user U
  --smtp-host H  --smtp-port P  --smtp-security tls|starttls|plain  --smtp-user U
  --smtp-password-stdin (a second line on stdin, after the password)  --address A  --from-name N
  --window-days D  --max-messages M
  The SMTP server found (or given) is checked with a login too; without one the account only
  receives mail until one is added with \`account update ID --smtp-host H\`.`;

type Call = <C extends CallName>(name: C, params: CallParams<C>) => Promise<HubCalls[C]['result']>;
type Values = Record<string, string | boolean | string[] | undefined>;

export class MailSetupFailure extends Error {}

function describeStep(step: MailAutoconfigStep): string {
  return `  ${step.outcome.padEnd(7)} ${step.source.padEnd(10)} ${step.where}${step.detail ? ` — ${step.detail}` : ''}`;
}

/** What autoconfig found, in lines for the terminal. */
export function describeAutoconfig(found: MailAutoconfig): string[] {
  const lines = [`Looked up the mail settings of ${found.email}:`, ...found.steps.map(describeStep)];
  if (!found.found) return [...lines, 'No settings were found.'];
  lines.push(`${describeAutoconfigSource(found)}: ${found.where}`);
  lines.push(`  IMAP: ${describeServer(found.imap[0]!)}${found.verified ? ' — logged in' : ''}`);
  for (const other of found.imap.slice(1)) lines.push(`        also offered: ${describeServer(other)}`);
  lines.push(found.smtp[0] ? `  SMTP: ${describeServer(found.smtp[0])}` : '  SMTP: none found (without one the account only receives mail)');
  if (found.oauth2Provider) lines.push(`  OAuth2: ${found.oauth2Provider.issuer}${found.oauth2Provider.authUrl ? ` (${found.oauth2Provider.authUrl})` : ''}`);
  for (const warning of found.warnings) lines.push(`  Note: ${warning}`);
  return lines;
}

function overrides(values: Values): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const map: [string, string][] = [
    ['imap-host', 'host'],
    ['imap-port', 'port'],
    ['imap-security', 'security'],
    ['imap-user', 'user'],
    ['smtp-host', 'smtpHost'],
    ['smtp-port', 'smtpPort'],
    ['smtp-security', 'smtpSecurity'],
    ['smtp-user', 'smtpUser'],
    ['address', 'address'],
    ['from-name', 'fromName'],
    ['window-days', 'syncWindowDays'],
    ['max-messages', 'syncMaxMessages'],
  ];
  for (const [flag, field] of map) if (typeof values[flag] === 'string') input[field] = values[flag];
  if (typeof values['name'] === 'string') input['displayName'] = values['name'];
  return input;
}

/**
 * Prints what was found to `print`, then adds the account: with the password, or, where the
 * provider signs in with OAuth2 (always, or when no password was given), through `signIn` (the
 * browser sign-in, which resolves with the finished sign-in's id).
 */
/**
 * The secrets on standard input: the password, then (with --smtp-password-stdin) the SMTP password
 * on the next line. Undefined where not asked for.
 */
export function mailSecretsOf(values: Values, stdinText: string | undefined): { password?: string; smtpPassword?: string } {
  const lines = (stdinText ?? '').replace(/\r?\n$/, '');
  if (values['smtp-password-stdin'] !== true) return values['password-stdin'] === true ? { password: lines } : {};
  if (values['password-stdin'] !== true) throw new MailSetupFailure('--smtp-password-stdin reads the second line of standard input: give --password-stdin (the first line) with it.');
  const [password = '', ...rest] = lines.split(/\r?\n/);
  return { password, smtpPassword: rest.join('\n') };
}

/** The sending side as it will be saved, in words: the server, or that the account only receives. */
export function describeSending(input: Record<string, unknown>): string {
  if (typeof input['smtpHost'] !== 'string' || input['smtpHost'] === '') {
    return 'No outgoing (SMTP) server was found or given: the account will only receive mail. To send from it, give --smtp-host H, or later `groundswell account update ID --smtp-host H`.';
  }
  const user = typeof input['smtpUser'] === 'string' ? `, user ${input['smtpUser']}` : ', the IMAP user and password';
  const security = ({ tls: 'TLS', starttls: 'STARTTLS', plain: 'unencrypted' } as Record<string, string>)[String(input['smtpSecurity'] ?? 'tls')] ?? String(input['smtpSecurity']);
  return `Sending through ${input['smtpHost']}${input['smtpPort'] !== undefined ? `:${String(input['smtpPort'])}` : ''} ${security}${user}${typeof input['address'] === 'string' ? `, from ${input['address']}` : ''}.`;
}

export async function addMailByAddress(
  call: Call, values: Values, password: string | undefined, print: (line: string) => void, signIn: (kind: string, input: Record<string, unknown>) => Promise<string>, smtpPassword?: string,
): Promise<HubCalls['accounts.add']['result']> {
  const email = values['email'];
  if (typeof email !== 'string' || email.trim() === '') throw new MailSetupFailure('account add mail needs --email ADDR.');
  const given = overrides(values);
  const found = await call('accounts.autoconfig', { email, ...(password !== undefined ? { password } : {}) });
  for (const line of describeAutoconfig(found)) print(line);
  if (!found.found && given['host'] === undefined) {
    throw new MailSetupFailure(`No mail settings were found for ${found.email}. Give the IMAP server with --imap-host H (and --imap-port, --imap-security if it is not TLS on 993).`);
  }
  const browser = given['host'] === undefined && (found.oauth2 === 'required' || (found.oauth2 === 'offered' && password === undefined));
  if (browser) {
    print(`${found.imap[0]!.host} signs in with OAuth2: signing in through the provider's page in the browser${password !== undefined ? ' (the password given is not used)' : ''}.`);
    print(describeSending({ ...found.input, ...given }));
    const signInId = await signIn(found.kind, { ...found.input, ...given });
    return call('accounts.add', { kind: found.kind, input: { ...found.input, ...given, signInId } });
  }
  if (password === undefined) throw new MailSetupFailure('To add this account, pass its password on standard input with --password-stdin (it never goes on the command line).');
  if (Object.keys(given).length > 0) print(`Using ${Object.entries(given).map(([k, v]) => `${k} ${String(v)}`).join(', ')} as given.`);
  const input = { ...found.input, ...given, password, ...(smtpPassword !== undefined && smtpPassword !== '' ? { smtpPassword } : {}) };
  print(describeSending(input));
  return call('accounts.add', { kind: found.kind, input });
}
