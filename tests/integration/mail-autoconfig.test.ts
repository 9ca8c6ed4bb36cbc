/**
 * Mail autoconfig against local stand-ins for a provider: an HTTP server serving config-v1.1 files
 * for the domain's autoconfig host, its /.well-known copy and the ISP database; a real dnsmasq
 * serving RFC 6186 SRV records and MX records; the guess against a real Dovecot, logged into for
 * real. Hostile files (an XXE, 10 MB, wrong types, a web page) are refused in words and the search
 * goes on. An account added from what was found sends too: its domain's file names a real Postfix
 * (a private instance delivering into the test Dovecot over LMTP), and a message sent through it is
 * read back from the INBOX. Then the CLI: `account add mail --email` finds, prints and adds (sending
 * included, or saying it only receives), and `--imap-*` / `--smtp-*` override.
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
import { waitForDelivery } from '../support/mail-readback.ts';
import { startPostfix, type Postfix } from '../support/postfix.ts';
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
  let postfix: Postfix;
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
    dovecot = await startDovecot({ users: [user], lmtp: true });
    postfix = await startPostfix({ lmtpPort: dovecot.lmtpPort!, authPort: dovecot.authPort!, domain: 'own.test' });
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
    serveXml(domainPath('own.test'), configFile(local, { host: postfix.host, port: postfix.port, socketType: 'plain', username: '%EMAILLOCALPART%' }));
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
    await postfix?.stop();
    await dovecot?.stop();
    profile.remove();
  });

  it("takes the domain's own file first, sending the address to it, and the account it proposes logs in and sends", async () => {
    const found = await autoconfig('erin@own.test');
    expect(found).toMatchObject({ found: true, source: 'domain', providerName: 'Stand-in Mail', kind: 'imap', verified: false });
    expect(found.where).toBe(`${http.origin}${domainPath('own.test')}?emailaddress=erin%40own.test`);
    // The SMTP server found is in the input too (its user is the IMAP one, so not repeated), the address as the From.
    expect(found.input).toEqual({
      displayName: 'erin@own.test', host: '127.0.0.1', port: dovecot.port, security: 'plain', user: 'erin',
      address: 'erin@own.test', smtpHost: '127.0.0.1', smtpPort: postfix.port, smtpSecurity: 'plain',
    });
    expect(found.smtp).toEqual([{ host: '127.0.0.1', port: postfix.port, security: 'plain', user: 'erin', authentication: ['password-cleartext'] }]);
    // Unencrypted: said, and allowed only because 127.0.0.1 is this computer.
    expect(found.warnings.join(' ')).toMatch(/without encryption; that is allowed only because 127\.0\.0\.1 is this computer/);
    expect(outcomes(found)).toEqual(['domain:found', 'well-known:skipped', 'ispdb:skipped', 'srv:skipped', 'mx:skipped']);
    const request = http.requests.find((r) => r.path.startsWith(domainPath('own.test')));
    expect(request?.path).toContain('emailaddress=erin%40own.test');

    const added = await hub.call('accounts.add', { kind: found.kind, input: { ...found.input, password: user.password } });
    if (!added.ok) throw new Error(added.error.message);
    expect(added.value.account.settings).toMatchObject({ address: 'erin@own.test', smtp: { host: '127.0.0.1', port: postfix.port, security: 'plain' } });
    // It sends: through the Postfix the file named, into the INBOX of the address.
    const draft = await hub.call('mail.prepare', { mode: 'new', accountId: added.value.account.id });
    if (!draft.ok) throw new Error(draft.error.message);
    const sent = await hub.call('mail.send', { draft: { ...draft.value, to: ['erin@own.test'], subject: 'Sent from an account found by address', text: 'Autoconfig set up sending too.' } });
    if (!sent.ok) throw new Error(sent.error.message);
    expect(sent.value.state, sent.value.message).toBe('sent');
    const [copy] = await waitForDelivery(dovecot, user, 'INBOX', sent.value.messageId);
    expect(copy).toMatchObject({ subject: 'Sent from an account found by address', from: ['erin@own.test'], to: ['erin@own.test'] });
    expect(copy!.text).toContain('Autoconfig set up sending too.');
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
  const gwen: DovecotUser = { user: 'gwen', password: `cli-${randomBytes(8).toString('hex')}` };
  const profile = tempProfile();
  let dovecot: Dovecot;
  let postfix: Postfix;
  let http: FeedServer;
  let dns: DnsServer;
  let serve: ServeProcess;
  const cli = (args: string[], stdin?: string) => runCli([...args, '--profile', profile.dir], stdin === undefined ? {} : { stdin });

  beforeAll(async () => {
    dovecot = await startDovecot({ users: [user, gwen], lmtp: true });
    postfix = await startPostfix({ lmtpPort: dovecot.lmtpPort!, authPort: dovecot.authPort!, domain: 'own.test' });
    await appendMessages(dovecot, user, mailboxFixture(20));
    http = await startFeedServer();
    dns = await startDnsmasq({ domains: ['own.test', 'wrong.test', 'nowhere.test', 'oauth.test', 'given.test'] });
    // given.test names an IMAP server only: sending comes from the --smtp-* flags.
    http.route(domainPath('given.test'), (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' }).end(configFile({ host: '127.0.0.1', port: dovecot.port, socketType: 'plain' }));
    });
    http.route(domainPath('oauth.test'), (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' }).end(configFile({ host: 'imap.oauth.test', port: 993, socketType: 'SSL', authentication: ['OAuth2'] }));
    });
    const refusedPort = await closedPort();
    http.route(domainPath('own.test'), (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' }).end(configFile({ host: '127.0.0.1', port: dovecot.port, socketType: 'plain' }, { host: postfix.host, port: postfix.port, socketType: 'plain', username: '%EMAILLOCALPART%' }));
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
    await postfix?.stop();
    await dovecot?.stop();
    profile.remove();
  });

  /** Sends from the account with `groundswell compose` and reads the message back from the recipient's INBOX. */
  const composeArrives = async (accountId: string, recipient: DovecotUser, subject: string) => {
    const sent = await cli(['compose', '--account', accountId, '--to', `${recipient.user}@own.test`, '--subject', subject, '--text-stdin'], 'Sent from the command line.\n');
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const messageId = /^Sent (<[^>]+>)\./m.exec(sent.stdout)?.[1];
    expect(messageId, sent.stdout).toBeDefined();
    const [copy] = await waitForDelivery(dovecot, recipient, 'INBOX', messageId!);
    expect(copy).toMatchObject({ subject, to: [`${recipient.user}@own.test`] });
    return copy!;
  };

  it('prints what it found and where, adds the account through the normal path, and it syncs and sends', async () => {
    const run = await cli(['account', 'add', 'mail', '--email', 'finn@own.test', '--password-stdin'], `${user.password}\n`);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`found   domain     ${http.origin}${domainPath('own.test')}?emailaddress=finn%40own.test`);
    expect(run.stdout).toContain(`Found in the domain's own autoconfig file (Stand-in Mail): ${http.origin}`);
    expect(run.stdout).toContain(`IMAP: 127.0.0.1:${dovecot.port} unencrypted, user finn`);
    expect(run.stdout).toContain(`SMTP: 127.0.0.1:${postfix.port} unencrypted, user finn`);
    expect(run.stdout).toContain(`Sending through 127.0.0.1:${postfix.port} unencrypted, the IMAP user and password, from finn@own.test.`);
    expect(run.stdout).toMatch(/Note: .*allowed only because 127\.0\.0\.1 is this computer/);
    expect(run.stdout).toMatch(/^Added finn@own\.test \(/m);
    expect(run.stdout).not.toContain(user.password);
    const sync = await cli(['sync', '--once']);
    expect(sync.code).toBe(0);
    // Not a terminal: no progress line on stderr.
    expect(sync.stderr).toBe('');
    const items = JSON.parse((await cli(['inbox', '--json', '--limit', '100'])).stdout) as unknown[];
    expect(items).toHaveLength(20);
    const [account] = JSON.parse((await cli(['account', 'list', '--json'])).stdout) as { account: { id: string } }[];
    const copy = await composeArrives(account!.account.id, user, 'From the account found by address');
    expect(copy.from).toEqual(['finn@own.test']);
  });

  it('lets --imap-* flags override what was found, and refuses with the reason when nothing is found', async () => {
    const wrongPort = await cli(['account', 'add', 'mail', '--email', 'finn@wrong.test', '--password-stdin', '--json'], `${user.password}\n`);
    expect(wrongPort.code).toBe(2);
    expect(wrongPort.stderr).toMatch(/Connection refused by 127\.0\.0\.1/);
    // --json keeps stdout for the account alone; what was found went to stderr.
    expect(wrongPort.stdout).toBe('');
    expect(wrongPort.stderr).toContain(`Found in the domain's own autoconfig file (Stand-in Mail)`);
    // Its file names no SMTP server: said before adding, as receive only.
    expect(wrongPort.stderr).toContain('SMTP: none found (without one the account only receives mail)');
    expect(wrongPort.stderr).toContain('No outgoing (SMTP) server was found or given: the account will only receive mail.');
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

  it('lets --smtp-* flags give the sending side where the file names none, and the account sends through it', async () => {
    const run = await cli(
      ['account', 'add', 'mail', '--email', 'gwen@given.test', '--smtp-host', postfix.host, '--smtp-port', String(postfix.port), '--smtp-security', 'plain', '--smtp-user', 'gwen', '--address', 'gwen@own.test', '--password-stdin', '--json'],
      `${gwen.password}\n`,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('SMTP: none found');
    expect(run.stderr).toContain(`Sending through 127.0.0.1:${postfix.port} unencrypted, user gwen, from gwen@own.test.`);
    const view = JSON.parse(run.stdout) as { account: { id: string; settings: Record<string, unknown> } };
    expect(view.account.settings).toMatchObject({ address: 'gwen@own.test', smtp: { host: '127.0.0.1', port: postfix.port, security: 'plain', user: 'gwen' } });
    const copy = await composeArrives(view.account.id, user, 'From flags given');
    expect(copy.from).toEqual(['gwen@own.test']);
  });
});
