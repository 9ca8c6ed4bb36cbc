import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigFileError, emailParts, MAX_CONFIG_BYTES, parseConfigFile } from './config-file.ts';
import { domainsOfMxHost } from './dns-records.ts';
import { parseEmail } from './discover.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const ann = emailParts('Ann.Lee@Example.ORG');

function refusal(xml: string): string {
  try {
    parseConfigFile(xml, ann);
  } catch (error) {
    if (error instanceof ConfigFileError) return error.message;
    throw error;
  }
  throw new Error('the file was accepted');
}

const wrap = (servers: string) => `<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="x"><domain>example.org</domain>${servers}</emailProvider></clientConfig>`;

describe('config-v1.1 files', () => {
  it("reads a large provider's file: IMAP servers in order, POP3 left out, OAuth2 kept as an authentication", () => {
    const file = parseConfigFile(fixture('big-provider.xml'), ann);
    expect(file.providerName).toBe('Example Mail');
    expect(file.domains).toEqual(['mail.example', 'webmail.example']);
    expect(file.imap).toEqual([
      { host: 'imap.mail.example', port: 993, security: 'tls', user: 'Ann.Lee@Example.ORG', authentication: ['OAuth2', 'password-cleartext'] },
      { host: 'imap2.mail.example', port: 143, security: 'starttls', user: 'Ann.Lee', authentication: ['password-cleartext'] },
    ]);
    expect(file.smtp).toEqual([{ host: 'smtp.mail.example', port: 465, security: 'tls', user: 'Ann.Lee@Example.ORG', authentication: ['OAuth2', 'password-cleartext'] }]);
    expect(file.skipped).toEqual(['an incoming server of type "pop3" (Groundswell reads mail over IMAP)']);
    expect(file.oauth2).toEqual({ issuer: 'accounts.mail.example', scopes: ['https://mail.example/'], authUrl: 'https://accounts.mail.example/o/oauth2/auth', tokenUrl: 'https://accounts.mail.example/token' });
  });

  it("fills %EMAILDOMAIN% into host names too, and reads the old authentication names", () => {
    const file = parseConfigFile(fixture('hosting-company.xml'), ann);
    expect(file.imap.map((s) => `${s.host}:${s.port}:${s.security}:${s.user}`)).toEqual(['mail.example.org:143:starttls:Ann.Lee', 'mail.example.org:143:plain:Ann.Lee']);
    expect(file.imap[0]!.authentication).toEqual(['password-encrypted']);
    // No <authentication>: the format's default.
    expect(file.imap[1]!.authentication).toEqual(['password-cleartext']);
    expect(file.providerName).toBe('%EMAILDOMAIN% mail');
  });

  it('leaves out a server whose values have the wrong type, saying why, and keeps the others', () => {
    const file = parseConfigFile(
      wrap(`
        <incomingServer type="imap"><hostname>imap.example.org</hostname><port>nine-nine-three</port><socketType>SSL</socketType></incomingServer>
        <incomingServer type="imap"><hostname>imap.example.org</hostname><port>993</port><socketType>SSLv2</socketType></incomingServer>
        <incomingServer type="imap"><hostname>http://imap.example.org/</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
        <incomingServer type="imap"><hostname><b>imap</b></hostname><port>993</port><socketType>SSL</socketType></incomingServer>
        <incomingServer type="imap"><hostname>imap.example.org</hostname><port>70000</port><socketType>SSL</socketType></incomingServer>
        <incomingServer type="imap"><hostname>imap.example.org</hostname><port>993</port><socketType>SSL</socketType><authentication>magic</authentication></incomingServer>`),
      ann,
    );
    expect(file.imap).toEqual([{ host: 'imap.example.org', port: 993, security: 'tls', user: 'Ann.Lee@Example.ORG', authentication: ['password-cleartext'] }]);
    expect(file.skipped).toHaveLength(5);
    expect(file.skipped[0]).toContain('its port "nine-nine-three" is not a number');
    expect(file.skipped[1]).toContain('socketType "SSLv2" is not SSL, STARTTLS or plain');
    expect(file.skipped[2]).toContain('is not a host name');
    expect(file.skipped[4]).toContain('"70000"');
  });

  it('refuses an external entity (XXE) before any parser sees it', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE clientConfig [<!ENTITY host SYSTEM "file:///etc/passwd">]><clientConfig><emailProvider><incomingServer type="imap"><hostname>&host;</hostname><port>993</port><socketType>SSL</socketType></incomingServer></emailProvider></clientConfig>`;
    expect(refusal(xxe)).toMatch(/DOCTYPE or entities/);
  });

  it('refuses an entity bomb and a lower-case doctype', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><clientConfig>&lol2;</clientConfig>`;
    expect(refusal(bomb)).toMatch(/DOCTYPE or entities/);
    expect(refusal('<!doctype clientConfig><clientConfig/>')).toMatch(/DOCTYPE/);
  });

  it('refuses a file over the size cap without parsing it', () => {
    const huge = wrap(`<!-- ${'x'.repeat(10 * 1024 * 1024)} -->`);
    expect(huge.length).toBeGreaterThan(MAX_CONFIG_BYTES);
    expect(refusal(huge)).toMatch(/larger than 1 MB/);
  });

  it('refuses a web page, broken XML and XML of another kind, each in words', () => {
    expect(refusal('<!-- login --><html><body>Sign in</body></html>')).toMatch(/web page/);
    expect(refusal('<!DOCTYPE html>\n<html lang="en"><head><title>Parked domain</title></head></html>')).toMatch(/web page/);
    expect(refusal('<clientConfig><emailProvider></clientConfig>')).toMatch(/not well-formed XML \(line 1/);
    expect(refusal('<rss version="2.0"><channel/></rss>')).toMatch(/no <clientConfig>/);
    expect(refusal('<clientConfig version="1.1"/>')).toMatch(/no <emailProvider>/);
  });

  it('keeps XML character entities in text as text', () => {
    const file = parseConfigFile(wrap('<displayName>Smith &amp; Sons</displayName><incomingServer type="imap"><hostname>imap.example.org</hostname><port>993</port><socketType>SSL</socketType></incomingServer>'), ann);
    expect(file.providerName).toBe('Smith & Sons');
  });
});

describe('email addresses and MX hosts', () => {
  it('takes an address apart and refuses what is not one, naming the field', () => {
    expect(parseEmail(' ann@example.org ')).toEqual({ address: 'ann@example.org', localPart: 'ann', domain: 'example.org' });
    for (const bad of ['', 'ann', 'ann@', '@example.org', 'ann@localhost', 'ann@exa mple.org', 'a b@example.org']) {
      expect(() => parseEmail(bad), bad).toThrow(expect.objectContaining({ field: 'email' }));
    }
  });

  it("gives the MX host's own domains, registrable part first", () => {
    expect(domainsOfMxHost('aspmx.l.mail.example.')).toEqual(['mail.example', 'l.mail.example']);
    expect(domainsOfMxHost('mx.provider.test')).toEqual(['provider.test']);
    expect(domainsOfMxHost('example.org')).toEqual([]);
  });
});
