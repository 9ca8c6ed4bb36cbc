/**
 * Mail autoconfig against local stand-ins for a provider: an HTTP server serving config-v1.1 files
 * for the domain's autoconfig host, its /.well-known copy and the ISP database; a real dnsmasq
 * serving RFC 6186 SRV records and MX records; the guess against a real Dovecot, logged into for
 * real. Hostile files (an XXE, 10 MB, wrong types, a web page) are refused in words and the search
 * goes on. Then the CLI: `account add mail --email` finds, prints and adds, and `--imap-*` override.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailAutoconfig } from '../../src-shared/api.ts';
import { imapKindWith } from '../../src-main/connectors/imap/kind.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { defaultKinds } from '../../src-main/hub/kinds.ts';
import { autoconfigEnvironment, configFile, domainPath, ispdbPath, wellKnownPath, type AutoconfigWorld } from '../support/autoconfig-world.ts';
import { removeAllAccounts, runCli } from '../support/cli.ts';
import { startDnsmasq, type DnsServer } from '../support/dnsmasq.ts';
import { startDovecot, type Dovecot, type DovecotUser } from '../support/dovecot.ts';
import { startFeedServer, type FeedServer } from '../support/feed-server.ts';
import { appendMessages, mailboxFixture } from '../support/mail-fixtures.ts';
import { memorySecrets } from '../support/memory-secrets.ts';
import { tempProfile } from '../support/profile.ts';
import { startServe, type ServeProcess } from '../support/serve-process.ts';

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

describe('mail autoconfig against local stand-ins', () => {
  const user: DovecotUser = { user: 'erin', password: `ac-${randomBytes(8).toString('hex')}` };
  const profile = tempProfile();
  let dovecot: Dovecot;
  let http: FeedServer;
  let dns: DnsServer;
  let world: AutoconfigWorld;
  let hub: Hub;
  const serveXml = (path: string, body: string, contentType = 'application/xml') =>
    http.route(path, (_req, res) => {
      res.writeHead(200, { 'content-type': contentType }).end(body);
    });
  const autoconfig = async (email: string, password?: string): Promise<MailAutoconfig> => {
    const result = await hub.call('accounts.autoconfig', { email, ...(password !== undefined ? { password } : {}) });
    if (!result.ok) throw new Error(result.error.message);
    return result.value;
  };
  const outcomes = (found: MailAutoconfig) => found.steps.map((s) => `${s.source}:${s.outcome}`);

  beforeAll(async () => {
    dovecot = await startDovecot({ users: [user] });
    await appendMessages(dovecot, user, mailboxFixture(30));
    http = await startFeedServer();
    dns = await startDnsmasq({
      domains: ['srv.test', 'mx.test', 'hosted.test', 'own.test', 'wk.test', 'isp.test', 'guess.test', 'hostile.test', 'nowhere.test', 'plain.test'],
      srv: [
        { name: '_imaps._tcp.srv.test', target: 'imap-b.srv.test', port: 993, priority: 20, weight: 0 },
        { name: '_imaps._tcp.srv.test', target: 'imap-a.srv.test', port: 993, priority: 10, weight: 0 },
        { name: '_imap._tcp.srv.test', target: '.', port: 0 },
        { name: '_submissions._tcp.srv.test', target: 'smtp.srv.test', port: 465 },
        { name: '_submission._tcp.srv.test', target: 'smtp.srv.test', port: 587 },
      ],
      mx: [{ domain: 'mx.test', host: 'mx1.mail.hosted.test', preference: 10 }],
    });
    world = { origin: http.origin, dns: dns.address, imapPorts: { tls: await closedPort(), starttls: dovecot.port }, smtpPorts: { tls: await closedPort(), starttls: await closedPort() } };
    const local = { host: '127.0.0.1', port: dovecot.port, socketType: 'plain' };
    serveXml(domainPath('own.test'), configFile(local, { host: 'smtp.own.test', port: 587, socketType: 'STARTTLS' }));
    serveXml(wellKnownPath('wk.test'), configFile(local));
    serveXml(ispdbPath('isp.test'), configFile({ host: 'imap.isp.test', port: 993, socketType: 'SSL', username: '%EMAILADDRESS%', authentication: ['OAuth2', 'password-cleartext'] }));
    serveXml(ispdbPath('hosted.test'), configFile({ host: 'imap.hosted.test', port: 993, socketType: 'SSL', authentication: ['OAuth2'] }));
    serveXml(domainPath('plain.test'), configFile({ host: 'imap.plain.test', port: 143, socketType: 'plain' }));
    // Hostile: an XXE at the domain's host, 10 MB at /.well-known, a parked-domain page and a file of wrong types in the ISP database.
    serveXml(domainPath('hostile.test'), `<?xml version="1.0"?><!DOCTYPE clientConfig [<!ENTITY x SYSTEM "file:///etc/shadow">]><clientConfig>&x;</clientConfig>`);
    http.route(wellKnownPath('hostile.test'), (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 10 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => {});
      pump();
    });
    serveXml(ispdbPath('hostile.test'), '<!DOCTYPE html><html><body>This domain is for sale</body></html>', 'text/html');
    const imap = imapKindWith(autoconfigEnvironment(world));
    hub = Hub.open({ profileDir: profile.dir, secrets: memorySecrets(), kinds: defaultKinds().map((k) => (k.kind === 'imap' ? imap : k)) });
  }, 60_000);

  afterAll(async () => {
    await hub?.dispose();
    await dns?.stop();
    await http?.stop();
    await dovecot?.stop();
    profile.remove();
  });

  it("takes the domain's own file first, sending the address to it, and the account it proposes logs in", async () => {
    const found = await autoconfig('erin@own.test');
    expect(found).toMatchObject({ found: true, source: 'domain', providerName: 'Stand-in Mail', kind: 'imap', verified: false });
    expect(found.where).toBe(`${http.origin}${domainPath('own.test')}?emailaddress=erin%40own.test`);
    expect(found.input).toEqual({ displayName: 'erin@own.test', host: '127.0.0.1', port: dovecot.port, security: 'plain', user: 'erin' });
    expect(found.smtp).toEqual([{ host: 'smtp.own.test', port: 587, security: 'starttls', user: 'erin@own.test', authentication: ['password-cleartext'] }]);
    // Unencrypted: said, and allowed only because 127.0.0.1 is this computer.
    expect(found.warnings.join(' ')).toMatch(/without encryption; that is allowed only because 127\.0\.0\.1 is this computer/);
    expect(outcomes(found)).toEqual(['domain:found', 'well-known:skipped', 'ispdb:skipped', 'srv:skipped', 'mx:skipped']);
    const request = http.requests.find((r) => r.path.startsWith(domainPath('own.test')));
    expect(request?.path).toContain('emailaddress=erin%40own.test');

    const added = await hub.call('accounts.add', { kind: found.kind, input: { ...found.input, password: user.password } });
    expect(added.ok).toBe(true);
  });

  it('falls back to /.well-known, then the ISP database, which is sent the domain only', async () => {
    const wk = await autoconfig('erin@wk.test');
    expect(wk).toMatchObject({ found: true, source: 'well-known' });
    expect(outcomes(wk).slice(0, 2)).toEqual(['domain:nothing', 'well-known:found']);
    expect(wk.steps[0]!.detail).toBe('no file there (HTTP 404)');

    const isp = await autoconfig('Erin.Smith@isp.test');
    expect(isp).toMatchObject({ found: true, source: 'ispdb', oauth2: 'offered' });
    expect(isp.imap[0]).toEqual({ host: 'imap.isp.test', port: 993, security: 'tls', user: 'Erin.Smith@isp.test', authentication: ['OAuth2', 'password-cleartext'] });
    expect(isp.warnings.join(' ')).toMatch(/also signs in with OAuth2 .* an app password/);
    const asked = http.requests.filter((r) => r.path.startsWith('/ispdb/'));
    expect(asked.some((r) => r.path === ispdbPath('isp.test'))).toBe(true);
    expect(asked.every((r) => !r.path.includes('?') && !r.path.includes('Erin'))).toBe(true);
  });

  it('reads RFC 6186 SRV records from a real DNS server: priority order, "." not offered, submissions before submission', async () => {
    const found = await autoconfig('erin@srv.test');
    expect(found).toMatchObject({ found: true, source: 'srv' });
    expect(found.imap.map((s) => `${s.host}:${s.port}:${s.security}:${s.user}`)).toEqual(['imap-a.srv.test:993:tls:erin@srv.test', 'imap-b.srv.test:993:tls:erin@srv.test']);
    expect(found.smtp.map((s) => `${s.host}:${s.port}:${s.security}`)).toEqual(['smtp.srv.test:465:tls', 'smtp.srv.test:587:starttls']);
    const srv = found.steps.find((s) => s.source === 'srv')!;
    expect(srv.detail).toContain('_imap._tcp.srv.test: not offered (target ".")');
  });

  it("finds a hosted domain through its MX host's domain in the ISP database, and says when OAuth2 is required", async () => {
    const found = await autoconfig('erin@mx.test');
    expect(found).toMatchObject({ found: true, source: 'mx', oauth2: 'required' });
    expect(found.where).toBe(`${http.origin}${ispdbPath('hosted.test')}`);
    expect(found.steps.find((s) => s.source === 'mx')!.detail).toContain('MX of mx.test: mx1.mail.hosted.test');
    expect(found.warnings.join(' ')).toMatch(/signs in only with OAuth2/);
  });

  it('guesses last, logging in to the real Dovecot: TLS refused, STARTTLS not offered, then unencrypted on this computer as the local part', async () => {
    const found = await autoconfig('erin@guess.test', user.password);
    expect(found).toMatchObject({ found: true, source: 'guess', verified: true });
    expect(found.input).toMatchObject({ host: '127.0.0.1', port: dovecot.port, security: 'plain', user: 'erin' });
    const guess = found.steps.find((s) => s.source === 'guess')!;
    expect(guess.detail).toMatch(new RegExp(`IMAP 127\\.0\\.0\\.1:${world.imapPorts.tls} \\(TLS\\): connection refused`));
    expect(guess.detail).toMatch(/STARTTLS\): .*does not offer STARTTLS/);
    expect(guess.detail).toContain(`IMAP 127.0.0.1:${dovecot.port} (unencrypted): logged in as erin`);
    expect(found.warnings.join(' ')).toMatch(/only without encryption; that is allowed because 127\.0\.0\.1 is this computer/);
    expect(outcomes(found).slice(0, 5)).toEqual(['domain:nothing', 'well-known:nothing', 'ispdb:nothing', 'srv:nothing', 'mx:nothing']);

    const wrong = await autoconfig('erin@guess.test', 'not-the-password');
    expect(wrong).toMatchObject({ found: true, source: 'guess', verified: false });
    expect(wrong.warnings.join(' ')).toMatch(/refused the password for erin@guess\.test and erin/);
  });

  it('refuses hostile files in words and goes on: an XXE, 10 MB, a web page', async () => {
    const found = await autoconfig('erin@hostile.test', user.password);
    const [domain, wellKnown, ispdb] = found.steps;
    expect(domain).toMatchObject({ source: 'domain', outcome: 'refused' });
    expect(domain!.detail).toMatch(/DOCTYPE or entities, which a mail configuration never needs/);
    expect(wellKnown).toMatchObject({ source: 'well-known', outcome: 'refused' });
    expect(wellKnown!.detail).toMatch(/larger than the 1 MB a mail configuration may be/);
    expect(ispdb).toMatchObject({ source: 'ispdb', outcome: 'refused' });
    expect(ispdb!.detail).toMatch(/answered with text\/html, not a mail configuration/);
    // Nothing answers the guess for this domain (127.0.0.2 has no mail server).
    expect(found).toMatchObject({ found: false, imap: [] });
  });

  it('leaves out an unencrypted server off this computer, saying so, and reports nothing found for an unknown domain', async () => {
    const plain = await autoconfig('erin@plain.test');
    expect(plain.steps[0]).toMatchObject({ source: 'domain', outcome: 'refused' });
    expect(plain.steps[0]!.detail).toMatch(/imap\.plain\.test:143 is unencrypted; Groundswell sends passwords unencrypted only to this computer/);
    expect(plain.found).toBe(false);

    const nowhere = await autoconfig('erin@nowhere.test');
    expect(nowhere.found).toBe(false);
    expect(outcomes(nowhere)).toEqual(['domain:nothing', 'well-known:nothing', 'ispdb:nothing', 'srv:nothing', 'mx:nothing', 'guess:nothing']);
  });

  it('refuses what is not an email address, naming the field', async () => {
    const result = await hub.call('accounts.autoconfig', { email: 'erin at own.test' });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'email' } });
  });
});

describe('account add mail --email (the CLI)', () => {
  const user: DovecotUser = { user: 'finn', password: `cli-${randomBytes(8).toString('hex')}` };
  const profile = tempProfile();
  let dovecot: Dovecot;
  let http: FeedServer;
  let dns: DnsServer;
  let serve: ServeProcess;
  const cli = (args: string[], stdin?: string) => runCli([...args, '--profile', profile.dir], stdin === undefined ? {} : { stdin });

  beforeAll(async () => {
    dovecot = await startDovecot({ users: [user] });
    await appendMessages(dovecot, user, mailboxFixture(20));
    http = await startFeedServer();
    dns = await startDnsmasq({ domains: ['own.test', 'wrong.test', 'nowhere.test', 'oauth.test'] });
    http.route(domainPath('oauth.test'), (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' }).end(configFile({ host: 'imap.oauth.test', port: 993, socketType: 'SSL', authentication: ['OAuth2'] }));
    });
    const refusedPort = await closedPort();
    http.route(domainPath('own.test'), (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' }).end(configFile({ host: '127.0.0.1', port: dovecot.port, socketType: 'plain' }, { host: 'smtp.own.test', port: 465, socketType: 'SSL' }));
    });
    http.route(domainPath('wrong.test'), (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' }).end(configFile({ host: '127.0.0.1', port: refusedPort, socketType: 'plain' }));
    });
    const world: AutoconfigWorld = { origin: http.origin, dns: dns.address, imapPorts: { tls: await closedPort(), starttls: await closedPort() }, smtpPorts: { tls: await closedPort(), starttls: await closedPort() } };
    serve = await startServe(profile.dir, 30_000, ['tests/support/serve-with-autoconfig.ts', profile.dir, JSON.stringify(world)]);
  }, 60_000);

  afterAll(async () => {
    await removeAllAccounts(profile.dir);
    await serve?.stop();
    await dns?.stop();
    await http?.stop();
    await dovecot?.stop();
    profile.remove();
  });

  it('prints what it found and where, adds the account through the normal path, and it syncs', async () => {
    const run = await cli(['account', 'add', 'mail', '--email', 'finn@own.test', '--password-stdin'], `${user.password}\n`);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`found   domain     ${http.origin}${domainPath('own.test')}?emailaddress=finn%40own.test`);
    expect(run.stdout).toContain(`Found in the domain's own autoconfig file (Stand-in Mail): ${http.origin}`);
    expect(run.stdout).toContain(`IMAP: 127.0.0.1:${dovecot.port} unencrypted, user finn`);
    expect(run.stdout).toContain('SMTP: smtp.own.test:465 TLS, user finn@own.test');
    expect(run.stdout).toMatch(/Note: .*allowed only because 127\.0\.0\.1 is this computer/);
    expect(run.stdout).toMatch(/^Added finn@own\.test \(/m);
    expect(run.stdout).not.toContain(user.password);
    const sync = await cli(['sync', '--once']);
    expect(sync.code).toBe(0);
    // Not a terminal: no progress line on stderr.
    expect(sync.stderr).toBe('');
    const items = JSON.parse((await cli(['inbox', '--json', '--limit', '100'])).stdout) as unknown[];
    expect(items).toHaveLength(20);
  });

  it('lets --imap-* flags override what was found, and refuses with the reason when nothing is found', async () => {
    const wrongPort = await cli(['account', 'add', 'mail', '--email', 'finn@wrong.test', '--password-stdin', '--json'], `${user.password}\n`);
    expect(wrongPort.code).toBe(2);
    expect(wrongPort.stderr).toMatch(/Connection refused by 127\.0\.0\.1/);
    // --json keeps stdout for the account alone; what was found went to stderr.
    expect(wrongPort.stdout).toBe('');
    expect(wrongPort.stderr).toContain(`Found in the domain's own autoconfig file (Stand-in Mail)`);
    const fixed = await cli(['account', 'add', 'mail', '--email', 'finn@wrong.test', '--imap-port', String(dovecot.port), '--imap-user', 'finn', '--name', 'Finn again', '--password-stdin'], `${user.password}\n`);
    // The same mailbox as the first test's account: refused as a duplicate, which proves the override reached the server's identity.
    expect(fixed.stderr).toMatch(/already here as "finn@own\.test"/);
    expect(fixed.stdout).toContain(`Using port ${dovecot.port}, user finn, displayName Finn again as given.`);

    const none = await cli(['account', 'add', 'mail', '--email', 'finn@nowhere.test', '--password-stdin'], `${user.password}\n`);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('No settings were found.');
    expect(none.stderr).toMatch(/No mail settings were found for finn@nowhere\.test\. Give the IMAP server with --imap-host H/);
    // A provider that signs in only with OAuth2 goes to the browser sign-in, which names what it lacks here.
    const oauth = await cli(['account', 'add', 'mail', '--email', 'finn@oauth.test']);
    expect(oauth.code).toBe(1);
    expect(oauth.stdout).toContain("imap.oauth.test signs in with OAuth2: signing in through the provider's page in the browser.");
    expect(oauth.stderr).toMatch(/No OAuth2 provider is known for imap\.oauth\.test/);

    // Without a password: looked up and printed, not added.
    const lookOnly = await cli(['account', 'add', 'mail', '--email', 'finn@own.test']);
    expect(lookOnly.code).toBe(1);
    expect(lookOnly.stdout).toContain(`IMAP: 127.0.0.1:${dovecot.port} unencrypted, user finn`);
    expect(lookOnly.stderr).toMatch(/To add this account, pass its password on standard input with --password-stdin/);
  });
});
