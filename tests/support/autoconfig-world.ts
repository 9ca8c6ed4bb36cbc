/**
 * Autoconfig aimed at local stand-ins instead of the real autoconfig hosts, the ISP database and
 * the system's DNS: one HTTP server (tests/support/feed-server.ts) serves every domain's files under
 * its own path, a dnsmasq answers the SRV and MX questions, and the guess finds 127.0.0.1 (this
 * computer, so unencrypted IMAP may be tried) as imap.guess.test and 127.0.0.2, where nothing
 * listens, under every other name.
 */
import { Resolver } from 'node:dns/promises';
import type { AutoconfigEnvironment } from '../../src-main/connectors/imap/autoconfig/discover.ts';

export interface AutoconfigWorld {
  /** The HTTP stand-in, http://127.0.0.1:PORT */
  origin: string;
  /** dnsmasq's 127.0.0.1:PORT */
  dns: string;
  /** The ports the guess tries on 127.0.0.1 (a test points one at Dovecot). */
  imapPorts: { tls: number; starttls: number };
  smtpPorts: { tls: number; starttls: number };
}

export const domainPath = (domain: string) => `/autoconfig.${domain}/mail/config-v1.1.xml`;
export const wellKnownPath = (domain: string) => `/${domain}/.well-known/autoconfig/mail/config-v1.1.xml`;
export const ispdbPath = (domain: string) => `/ispdb/v1.1/${domain}`;

export function autoconfigEnvironment(world: AutoconfigWorld): AutoconfigEnvironment {
  return {
    urls: {
      domain: `${world.origin}/autoconfig.{domain}/mail/config-v1.1.xml?emailaddress={email}`,
      wellKnown: `${world.origin}/{domain}/.well-known/autoconfig/mail/config-v1.1.xml`,
      ispdb: `${world.origin}/ispdb/v1.1/{domain}`,
    },
    resolver: () => {
      const resolver = new Resolver({ timeout: 2_000, tries: 1 });
      resolver.setServers([world.dns]);
      return resolver;
    },
    guess: {
      host: (prefix, domain) => (domain === 'guess.test' && prefix === 'imap' ? '127.0.0.1' : '127.0.0.2'),
      imapPorts: world.imapPorts,
      smtpPorts: world.smtpPorts,
    },
  };
}

/** A config-v1.1 file with one IMAP server (and optionally an SMTP one, whose user is the address unless given). */
export function configFile(
  imap: { host: string; port: number; socketType: string; username?: string; authentication?: string[] },
  smtp?: { host: string; port: number; socketType: string; username?: string },
): string {
  const auth = (imap.authentication ?? ['password-cleartext']).map((a) => `<authentication>${a}</authentication>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="stand-in">
    <domain>stand-in</domain>
    <displayName>Stand-in Mail</displayName>
    <incomingServer type="imap">
      <hostname>${imap.host}</hostname>
      <port>${imap.port}</port>
      <socketType>${imap.socketType}</socketType>
      <username>${imap.username ?? '%EMAILLOCALPART%'}</username>
      ${auth}
    </incomingServer>
    ${smtp ? `<outgoingServer type="smtp"><hostname>${smtp.host}</hostname><port>${smtp.port}</port><socketType>${smtp.socketType}</socketType><username>${smtp.username ?? '%EMAILADDRESS%'}</username><authentication>password-cleartext</authentication></outgoingServer>` : ''}
  </emailProvider>
</clientConfig>
`;
}
