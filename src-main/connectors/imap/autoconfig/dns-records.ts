/**
 * The DNS side of autoconfig: RFC 6186 SRV records (with RFC 8314's _submissions) and the domain's
 * MX host, whose own domain may be in the ISP database (a company whose mail Google or Microsoft
 * hosts). The resolver is node:dns's, with the system's servers; tests hand in one aimed at their
 * own DNS server.
 */
import { Resolver } from 'node:dns/promises';
import type { MailServerSetting } from '../../../../src-shared/api.ts';
import type { ImapSecurity } from '../../../../src-shared/domain.ts';

/** The two lookups autoconfig makes; node:dns/promises' Resolver has both. */
export interface MailDnsResolver {
  resolveSrv(name: string): Promise<{ name: string; port: number; priority: number; weight: number }[]>;
  resolveMx(name: string): Promise<{ exchange: string; priority: number }[]>;
}

export function systemResolver(): MailDnsResolver {
  return new Resolver({ timeout: 3_000, tries: 2 });
}

/** Which SRV name gives which server: implicit TLS first (RFC 8314 prefers it), then STARTTLS. */
const SRV_NAMES: { service: string; protocol: 'imap' | 'smtp'; security: ImapSecurity }[] = [
  { service: '_imaps._tcp', protocol: 'imap', security: 'tls' },
  { service: '_imap._tcp', protocol: 'imap', security: 'starttls' },
  { service: '_submissions._tcp', protocol: 'smtp', security: 'tls' },
  { service: '_submission._tcp', protocol: 'smtp', security: 'starttls' },
];

export interface SrvFindings {
  imap: MailServerSetting[];
  smtp: MailServerSetting[];
  /** One line per name asked. */
  asked: string[];
}

/** "No record" answers, as opposed to a resolver that could not be reached. */
const ABSENT = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'ESERVFAIL', 'EREFUSED']);

export async function lookUpSrv(resolver: MailDnsResolver, domain: string, email: string): Promise<SrvFindings> {
  const found: SrvFindings = { imap: [], smtp: [], asked: [] };
  const answers = await Promise.all(
    SRV_NAMES.map(async (entry) => {
      const name = `${entry.service}.${domain}`;
      try {
        return { entry, name, records: await resolver.resolveSrv(name) };
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        return { entry, name, records: [], problem: ABSENT.has(code) ? 'no record' : `the lookup failed (${code || (error as Error).message})` };
      }
    }),
  );
  for (const { entry, name, records, problem } of answers) {
    // RFC 2782: lowest priority first, then the heavier weight; "." means "not offered here" (RFC 6186 §3.4).
    const usable = records.filter((r) => r.name !== '' && r.name !== '.' && r.port > 0).sort((a, b) => a.priority - b.priority || b.weight - a.weight);
    const offered = records.length > 0 && usable.length === 0 ? 'not offered (target ".")' : undefined;
    found.asked.push(`${name}: ${problem ?? offered ?? usable.map((r) => `${r.name}:${r.port}`).join(', ')}`);
    for (const record of usable) {
      // RFC 6186 §4: the user name to try first is the whole address.
      found[entry.protocol].push({ host: record.name.toLowerCase().replace(/\.$/, ''), port: record.port, security: entry.security, user: email, authentication: ['password-cleartext'] });
    }
  }
  return found;
}

/** The domains whose ISP database entry may describe the mail of an MX host (mx1.mail.example.net → mail.example.net, example.net). */
export function domainsOfMxHost(host: string): string[] {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  const candidates: string[] = [];
  for (let i = 1; i <= labels.length - 2; i++) candidates.push(labels.slice(i).join('.'));
  // Nearest first, but the registrable part (last two labels) is the one the ISP database usually lists.
  return [...new Set(candidates)].slice(-2).reverse();
}

export async function lookUpMx(resolver: MailDnsResolver, domain: string): Promise<{ host?: string; detail: string }> {
  try {
    const records = (await resolver.resolveMx(domain)).filter((r) => r.exchange !== '' && r.exchange !== '.').sort((a, b) => a.priority - b.priority);
    const first = records[0];
    if (!first) return { detail: `${domain} has no MX record` };
    return { host: first.exchange.toLowerCase().replace(/\.$/, ''), detail: `MX of ${domain}: ${first.exchange}` };
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    return { detail: ABSENT.has(code) ? `${domain} has no MX record` : `the MX lookup for ${domain} failed (${code || (error as Error).message})` };
  }
}
