/**
 * A real Dovecot (the Debian binary) for integration tests and benches: generated config in a
 * temp dir, listening on 127.0.0.1 on a free port, run in the foreground as our child and stopped
 * by PID. Written for Dovecot 2.3 config syntax (2.4 renamed most settings); startDovecot checks.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForGreeting } from './server-ports.ts';

const DOVECOT = existsSync('/usr/sbin/dovecot') ? '/usr/sbin/dovecot' : 'dovecot';
const DOVEADM = existsSync('/usr/bin/doveadm') ? '/usr/bin/doveadm' : 'doveadm';

export interface DovecotUser {
  user: string;
  password: string;
}

export interface Dovecot {
  host: '127.0.0.1';
  port: number;
  /** With `lmtp`: where an MTA delivers (user@any-domain goes to user), and the auth service SMTP AUTH can ask. */
  lmtpPort?: number;
  authPort?: number;
  users: DovecotUser[];
  dir: string;
  /** Adds a passwd-file user; resolves once Dovecot will see it. */
  addUser(user: string, password: string): Promise<DovecotUser>;
  /** Stops and starts the server on the same port; open connections are cut. */
  restart(): Promise<void>;
  /** Stops the server but keeps its mail, as a server that went away; `resume` starts it again on the same port. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Deletes a user's maildir while the server is down, so INBOX comes back with a new UIDVALIDITY. */
  recreateMailbox(user: string): Promise<void>;
  /** Gives a user's INBOX a new UIDVALIDITY with the server running, as a restore from backup does; returns it. */
  changeUidValidity(user: string): number;
  /**
   * Removes a user's index and UID list with the server running, as a restore of the mail files
   * alone leaves them: INBOX gets a new UIDVALIDITY (the time in seconds), and an idling session
   * hears one "* NO Internal error" and then nothing.
   */
  dropIndex(user: string): void;
  stop(): Promise<void>;
  /** The server's log, for failure messages. */
  log(): string;
}

interface Ids {
  dovecotUid: number;
  dovecotGid: number;
}

export interface DovecotOptions {
  users?: DovecotUser[];
  /** false: the server announces no IDLE, as some hosted servers do, so clients must poll. */
  idle?: boolean;
  /** Dovecot's per user and address limit; 1 makes a second connection of the same user refused. */
  maxConnectionsPerUser?: number;
  /**
   * Archive, Trash and Junk exist from the first login and carry the RFC 6154 attributes (\Archive,
   * \Trash, \Junk); without it the server advertises none.
   */
  specialUse?: boolean;
  /** Sent and Drafts exist from the first login and carry \\Sent and \\Drafts. */
  sentAndDrafts?: boolean;
  /** An LMTP listener (mail delivered by Postfix) and an auth listener (Postfix's SMTP AUTH), on free ports. */
  lmtp?: boolean;
  /**
   * Also accept OAuth2 bearer tokens (Dovecot's oauth2 passdb), checked by RFC 7662 introspection
   * at `introspectionUrl` (POST); the server announces only the SASL mechanisms listed.
   */
  oauth2?: { introspectionUrl: string; mechanisms: readonly ('xoauth2' | 'oauthbearer')[] };
}

/** Dovecot 2.3's own list after login, so leaving one out changes nothing else. */
const CAPABILITIES =
  'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY';

export async function startDovecot(options: DovecotOptions = {}): Promise<Dovecot> {
  if (process.getuid?.() !== 0) throw new Error('startDovecot needs root: Dovecot drops privileges to dovecot/dovenull.');
  const version = spawnSync(DOVECOT, ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) throw new Error(`dovecot not runnable (apt-get install -y dovecot-imapd): ${version.stderr}`);
  if (!/^2\.3\./.test(version.stdout.trim())) {
    throw new Error(`Dovecot ${version.stdout.trim()} found; this harness writes 2.3 config syntax.`);
  }
  const ids = lookupIds();

  const dir = mkdtempSync(join(tmpdir(), 'gs-dovecot-'));
  // The login and mail processes run as dovenull/dovecot and must be able to walk into the dir.
  chmodSync(dir, 0o755);
  for (const sub of ['base', 'state']) mkdirSync(join(dir, sub), { mode: 0o755 });
  const mailRoot = join(dir, 'mail');
  mkdirSync(mailRoot, { mode: 0o755 });
  chownSync(mailRoot, ids.dovecotUid, ids.dovecotGid);

  const users: DovecotUser[] = [...(options.users ?? [{ user: 'alice', password: 'alice-pass-9f3k' }])];
  const usersFile = join(dir, 'users');
  writeFileSync(usersFile, users.map(passwdLine).join(''), { mode: 0o644 });
  let usersStamp = Math.floor(Date.now() / 1000);
  utimesSync(usersFile, usersStamp, usersStamp);

  const port = await freePort();
  const delivery = options.lmtp ? { lmtpPort: await freePort(), authPort: await freePort() } : undefined;
  const configPath = join(dir, 'dovecot.conf');
  writeFileSync(configPath, config(dir, port, ids, options) + namespace(options) + (delivery ? lmtpConfig(delivery) : ''), { mode: 0o644 });
  if (options.oauth2) writeFileSync(join(dir, 'dovecot-oauth2.conf.ext'), oauth2Config(options.oauth2.introspectionUrl), { mode: 0o644 });

  let child: ChildProcess | undefined;
  const logPath = join(dir, 'dovecot.log');
  const readLog = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');

  const launch = async () => {
    const proc = spawn(DOVECOT, ['-F', '-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child = proc;
    try {
      // Ready means the greeting says so: right after start Dovecot greets with "Waiting for authentication".
      await waitForGreeting(port, {
        ready: /^\* OK .*ready/i,
        goodbye: 'x LOGOUT',
        what: 'ready greeting',
        timeoutMs: 15_000,
        stillRunning: () => {
          if (proc.exitCode !== null) throw new Error(`dovecot exited with ${proc.exitCode}`);
        },
      });
    } catch (error) {
      await terminate(proc);
      throw new Error(`Dovecot did not start: ${(error as Error).message}\n${stderr}\n${readLog()}`, { cause: error });
    }
  };

  const stopChild = async () => {
    if (child) await terminate(child);
    child = undefined;
  };

  await launch();

  return {
    host: '127.0.0.1',
    port,
    ...delivery,
    users,
    dir,
    async addUser(user, password) {
      const entry = { user, password };
      // Dovecot looks at the passwd-file at most once per second and compares its mtime in whole
      // seconds. So every change gets a new mtime, and we wait for the next second to begin.
      appendFileSync(usersFile, passwdLine(entry));
      usersStamp = Math.max(usersStamp + 1, Math.ceil(Date.now() / 1000));
      utimesSync(usersFile, usersStamp, usersStamp);
      users.push(entry);
      await new Promise((resolve) => setTimeout(resolve, 1_050 - (Date.now() % 1_000)));
      return entry;
    },
    async restart() {
      await stopChild();
      await launch();
    },
    pause: stopChild,
    resume: launch,
    async recreateMailbox(user) {
      await stopChild();
      rmSync(join(mailRoot, user), { recursive: true, force: true });
      await launch();
    },
    changeUidValidity(user) {
      // Dovecot's own are the creation time in seconds, so one far ahead of now is new.
      const uidValidity = Math.floor(Date.now() / 1000) + 100_000;
      const run = spawnSync(DOVEADM, ['-c', configPath, 'mailbox', 'update', '-u', user, '--uid-validity', String(uidValidity), 'INBOX'], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`doveadm mailbox update failed (${run.status}): ${run.stderr}`);
      return uidValidity;
    },
    dropIndex(user) {
      const maildir = join(mailRoot, user);
      for (const name of readdirSync(maildir)) if (name.startsWith('dovecot')) rmSync(join(maildir, name), { force: true });
    },
    async stop() {
      await stopChild();
      rmSync(dir, { recursive: true, force: true });
    },
    log: readLog,
  };
}

function passwdLine(u: DovecotUser): string {
  if (/[:\n]/.test(u.user + u.password)) throw new Error('user names and passwords must not contain ":" or newlines');
  return `${u.user}:{PLAIN}${u.password}::::::\n`;
}

function lookupIds(): Ids {
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n');
  const find = (name: string) => passwd.find((l) => l.startsWith(`${name}:`))?.split(':');
  const dovecot = find('dovecot');
  if (!dovecot || !find('dovenull')) throw new Error('users dovecot and dovenull are missing (apt-get install -y dovecot-imapd)');
  return { dovecotUid: Number(dovecot[2]), dovecotGid: Number(dovecot[3]) };
}

function namespace(options: DovecotOptions): string {
  if (!options.specialUse && !options.sentAndDrafts) return '';
  return `namespace inbox {
  inbox = yes
  separator = /
${options.specialUse ? SPECIAL_USE_MAILBOXES : ''}${options.sentAndDrafts ? SENT_AND_DRAFTS : ''}}
`;
}

const SENT_AND_DRAFTS = `  mailbox Sent {
    special_use = \\Sent
    auto = create
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = create
  }
`;

/** LMTP for Postfix's deliveries (the recipient's local part is the user) and auth for its SMTP AUTH. */
function lmtpConfig(ports: { lmtpPort: number; authPort: number }): string {
  return `protocols = imap lmtp
protocol lmtp {
  auth_username_format = %Ln
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${ports.lmtpPort}
  }
}
service auth {
  inet_listener auth-client {
    address = 127.0.0.1
    port = ${ports.authPort}
  }
}
`;
}

const SPECIAL_USE_MAILBOXES = `  mailbox Archive {
    special_use = \\Archive
    auto = create
  }
  mailbox Trash {
    special_use = \\Trash
    auto = create
  }
  mailbox Junk {
    special_use = \\Junk
    auto = create
  }
`;

/** Dovecot 2.3's oauth2 passdb: the token is POSTed as token=… and the answer's username must be the login's. */
function oauth2Config(introspectionUrl: string): string {
  return `introspection_mode = post
introspection_url = ${introspectionUrl}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
`;
}

function oauth2Passdb(dir: string, options: DovecotOptions): string {
  if (!options.oauth2) return '';
  return `passdb {
  driver = oauth2
  mechanisms = ${options.oauth2.mechanisms.join(' ')}
  args = ${dir}/dovecot-oauth2.conf.ext
}
`;
}

function config(dir: string, port: number, ids: Ids, options: DovecotOptions): string {
  const idle = options.idle === false ? CAPABILITIES.replace(' IDLE', '') : undefined;
  const capability = idle ? `imap_capability = ${idle}\n` : '';
  return `# Generated for a test run; Dovecot 2.3 syntax.
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/base
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login${options.oauth2 ? ` ${options.oauth2.mechanisms.join(' ')}` : ''}
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = ${Math.min(ids.dovecotUid, 100)}
first_valid_gid = ${Math.min(ids.dovecotGid, 100)}
mail_uid = dovecot
mail_gid = dovecot
mail_location = maildir:${dir}/mail/%u
# Tests hold several connections per user (connector, second client, fixtures).
mail_max_userip_connections = ${options.maxConnectionsPerUser ?? 200}
${capability}# Test mail is disposable: skipping fsync makes appending thousands of messages fast.
mail_fsync = never
${oauth2Passdb(dir, options)}passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = passwd-file
  args = username_format=%u ${dir}/users
  default_fields = home=${dir}/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`;
}

/**
 * SIGTERM lets the master stop; SIGKILL only if it hangs. Dovecot 2.3 leaves running imap
 * sessions alive after the master exits, so the master's descendants, noted by PID beforehand,
 * are ended too: a restart must cut client connections like a real server restart does.
 */
async function terminate(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return;
  const descendants = descendantsOf(proc.pid);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5_000));
  if ((await Promise.race([exited, timer])) === 'timeout') {
    proc.kill('SIGKILL');
    await exited;
  }
  for (const pid of descendants) signal(pid, 'SIGTERM');
  const deadline = Date.now() + 3_000;
  while (descendants.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const pid of descendants.filter(isAlive)) signal(pid, 'SIGKILL');
}

function descendantsOf(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/PID/stat is the parent; the name before it may contain spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parents) {
      if (parent === pid) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return found;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
