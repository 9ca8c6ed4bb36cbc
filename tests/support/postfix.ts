/**
 * A real Postfix (the Debian package) for integration tests: a private instance with its own
 * config_directory, queue_directory and data_directory in a temp dir, smtpd on 127.0.0.1 on a free
 * port, delivering every address of its domain into the test Dovecot over LMTP, with SMTP AUTH
 * checked by that Dovecot's auth service (so the IMAP password is the SMTP password, as at most
 * providers). Started as root with `postfix -c DIR start`, stopped with `postfix -c DIR stop` and by
 * the master's PID. `refuse` addresses are rejected at RCPT with a 5xx, as a server refuses a
 * mailbox for good.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForGreeting } from './server-ports.ts';

const POSTFIX = existsSync('/usr/sbin/postfix') ? '/usr/sbin/postfix' : 'postfix';

export interface PostfixOptions {
  /** Where mail for `domain` goes: Dovecot's LMTP listener. */
  lmtpPort: number;
  /** Dovecot's auth service for SMTP AUTH; without it any 127.0.0.1 client may send (mynetworks). */
  authPort?: number;
  /** The domain whose addresses are delivered locally (user@domain → Dovecot user "user"). */
  domain?: string;
  /** Recipients refused for good at RCPT, each with the text the server says. */
  refuse?: Record<string, string>;
}

export interface Postfix {
  host: '127.0.0.1';
  port: number;
  domain: string;
  dir: string;
  /** Stops the server but keeps its queue, as a server that went away; `resume` starts it on the same port. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Delivers what waits in the queue now (`postqueue -f`), instead of at the next queue run. */
  flush(): void;
  stop(): Promise<void>;
  /** The mail log, for failure messages. */
  log(): string;
}

export async function startPostfix(options: PostfixOptions): Promise<Postfix> {
  if (process.getuid?.() !== 0) throw new Error('startPostfix needs root: Postfix drops privileges to its postfix user.');
  if (spawnSync(POSTFIX, ['-c', '/etc/postfix', 'check'], { encoding: 'utf8' }).error) throw new Error('postfix is not installed (apt-get install -y postfix)');
  const domain = options.domain ?? 'example.test';
  const dir = mkdtempSync(join(tmpdir(), 'gs-postfix-'));
  chmodSync(dir, 0o755);
  const conf = join(dir, 'conf');
  const queue = join(dir, 'queue');
  const data = join(dir, 'data');
  mkdirSync(conf, { mode: 0o755 });
  mkdirSync(queue, { mode: 0o755 });
  mkdirSync(data, { mode: 0o700 });
  const owner = lookupUser('postfix');
  chownSync(data, owner.uid, owner.gid);
  const port = await freePort();
  const accessFile = join(conf, 'recipient_access');
  writeFileSync(accessFile, Object.entries(options.refuse ?? {}).map(([address, words]) => `${address} REJECT ${words}\n`).join(''), { mode: 0o644 });
  writeFileSync(join(conf, 'main.cf'), mainCf(dir, domain, options, accessFile), { mode: 0o644 });
  writeFileSync(join(conf, 'master.cf'), masterCf(port), { mode: 0o644 });
  const logPath = join(dir, 'postfix.log');
  const readLog = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');
  const run = (...args: string[]) => {
    const result = spawnSync(POSTFIX, ['-c', conf, ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`postfix ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}\n${readLog()}`);
  };
  const masterPid = () => {
    const file = join(queue, 'pid', 'master.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
  };

  const launch = async () => {
    run('start');
    await waitForGreeting(port, { ready: /^220 /, goodbye: 'QUIT', what: '220 banner', timeoutMs: 15_000 }).catch((error: Error) => {
      throw new Error(`Postfix did not start: ${error.message}\n${readLog()}`, { cause: error });
    });
  };
  const halt = async () => {
    const pid = masterPid();
    if (pid === undefined || !isAlive(pid)) return;
    spawnSync(POSTFIX, ['-c', conf, 'stop'], { encoding: 'utf8' });
    const deadline = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  };

  await launch();
  return {
    host: '127.0.0.1',
    port,
    domain,
    dir,
    pause: halt,
    resume: launch,
    flush() {
      spawnSync('/usr/sbin/postqueue', ['-c', conf, '-f'], { encoding: 'utf8' });
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
    log: readLog,
  };
}

function mainCf(dir: string, domain: string, options: PostfixOptions, accessFile: string): string {
  const sasl = options.authPort === undefined
    ? ''
    : `smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:${options.authPort}
smtpd_sasl_security_options = noanonymous
`;
  return `# Generated for a test run.
compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${dir}/data
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
command_directory = /usr/sbin
mail_owner = postfix
setgid_group = postdrop
maillog_file = ${dir}/postfix.log
maillog_file_prefixes = ${dir}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mail.${domain}
mydomain = ${domain}
myorigin = ${domain}
mydestination =
relayhost =
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = ${domain}
virtual_transport = lmtp:inet:127.0.0.1:${options.lmtpPort}
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access texthash:${accessFile}, permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_tls_security_level = none
smtp_tls_security_level = none
smtputf8_enable = no
biff = no
append_dot_mydomain = no
# Tests wait for delivery: retry a deferred message within a second or two, not in minutes.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
${sasl}`;
}

function masterCf(port: number): string {
  const row = (name: string, type: string, priv: string, wakeup: string, limit: string, command: string) =>
    `${name.padEnd(18)} ${type.padEnd(10)} ${priv} - n ${wakeup.padEnd(5)} ${limit.padEnd(3)} ${command}`;
  return [
    row(`127.0.0.1:${port}`, 'inet', 'n', '-', '-', 'smtpd'),
    row('pickup', 'unix', 'n', '60', '1', 'pickup'),
    row('cleanup', 'unix', 'n', '-', '0', 'cleanup'),
    row('qmgr', 'unix', 'n', '300', '1', 'qmgr'),
    row('rewrite', 'unix', '-', '-', '-', 'trivial-rewrite'),
    row('bounce', 'unix', '-', '-', '0', 'bounce'),
    row('defer', 'unix', '-', '-', '0', 'bounce'),
    row('trace', 'unix', '-', '-', '0', 'bounce'),
    row('verify', 'unix', '-', '-', '1', 'verify'),
    row('flush', 'unix', 'n', '1000?', '0', 'flush'),
    row('proxymap', 'unix', '-', '-', '-', 'proxymap'),
    row('smtp', 'unix', '-', '-', '-', 'smtp'),
    row('relay', 'unix', '-', '-', '-', 'smtp'),
    row('showq', 'unix', 'n', '-', '-', 'showq'),
    row('error', 'unix', '-', '-', '-', 'error'),
    row('retry', 'unix', '-', '-', '-', 'error'),
    row('discard', 'unix', '-', '-', '-', 'discard'),
    row('lmtp', 'unix', '-', '-', '-', 'lmtp'),
    row('anvil', 'unix', '-', '-', '1', 'anvil'),
    row('scache', 'unix', '-', '-', '1', 'scache'),
    row('postlog', 'unix-dgram', 'n', '-', '1', 'postlogd'),
    '',
  ].join('\n');
}

function lookupUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`user ${name} is missing (apt-get install -y postfix)`);
  const fields = line.split(':');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
