/** What autoconfig found, in the same words in the window and on the command line. */
import type { MailAutoconfig, MailAutoconfigSource, MailServerSetting } from './api.ts';

export const AUTOCONFIG_SOURCE_WORDS: Record<MailAutoconfigSource, string> = {
  domain: "the domain's own autoconfig file",
  'well-known': "the domain's autoconfig file under /.well-known",
  ispdb: 'the public ISP database',
  srv: 'SRV records (RFC 6186)',
  mx: "the ISP database, under the domain of the domain's mail exchanger (MX)",
  guess: 'a guess, tried with a real connection',
};

const SECURITY_WORDS: Record<MailServerSetting['security'], string> = { tls: 'TLS', starttls: 'STARTTLS', plain: 'unencrypted' };

/** "imap.example.com:993 TLS, user ann@example.com (signs in with OAuth2, password-cleartext)" */
export function describeMailServer(server: MailServerSetting): string {
  const special = server.authentication.some((a) => a !== 'password-cleartext');
  return `${server.host}:${server.port} ${SECURITY_WORDS[server.security]}, user ${server.user}${special ? ` (signs in with ${server.authentication.join(', ')})` : ''}`;
}

/** "Found in the public ISP database (Example Mail)", or that nothing was found. */
export function describeAutoconfigSource(found: MailAutoconfig): string {
  if (!found.found || found.source === undefined) return `No settings were found for ${found.email}.`;
  return `Found in ${AUTOCONFIG_SOURCE_WORDS[found.source]}${found.providerName ? ` (${found.providerName})` : ''}`;
}
