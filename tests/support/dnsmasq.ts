/**
 * A real DNS server (Debian's dnsmasq) for autoconfig tests: its own config in a temp dir with the
 * SRV and MX records a test asks for, answering on 127.0.0.1 on a free port, no upstream servers, no
 * /etc/hosts, authoritative for the test's domains (anything else there is NXDOMAIN), run in the
 * foreground as our child and stopped by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DNSMASQ = existsSync('/usr/sbin/dnsmasq') ? '/usr/sbin/dnsmasq' : 'dnsmasq';

export interface SrvRecord {
  /** `_imaps._tcp.example.test` */
  name: string;
  /** "." for "not offered here" (RFC 6186 §3.4). */
  target: string;
  port: number;
  priority?: number;
  weight?: number;
}

export interface MxRecord {
  domain: string;
  host: string;
  preference?: number;
}

export interface DnsServer {
  /** `127.0.0.1:PORT`, for Resolver.setServers. */
  address: string;
  port: number;
  resolver(): Resolver;
  stop(): Promise<void>;
}

export async function startDnsmasq(records: { srv?: SrvRecord[]; mx?: MxRecord[]; domains: string[] }): Promise<DnsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gs-dnsmasq-'));
  const port = await freePort();
  const pidFile = join(dir, 'dnsmasq.pid');
  const conf = [
    '# Generated for a test run.',
    `port=${port}`,
    'listen-address=127.0.0.1',
    'bind-interfaces',
    'no-resolv',
    'no-hosts',
    'no-poll',
    `pid-file=${pidFile}`,
    'log-queries',
    ...records.domains.map((domain) => `local=/${domain}/`),
    ...(records.srv ?? []).map((r) => (r.target === '.' ? `srv-host=${r.name}` : `srv-host=${r.name},${r.target},${r.port},${r.priority ?? 0},${r.weight ?? 0}`)),
    ...(records.mx ?? []).map((r) => `mx-host=${r.domain},${r.host},${r.preference ?? 10}`),
  ].join('\n');
  const confFile = join(dir, 'dnsmasq.conf');
  writeFileSync(confFile, conf + '\n');
  const child: ChildProcess = spawn(DNSMASQ, ['--no-daemon', `--conf-file=${confFile}`, `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts', `--pid-file=${pidFile}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const address = `127.0.0.1:${port}`;
  const resolver = () => {
    const r = new Resolver({ timeout: 2_000, tries: 1 });
    r.setServers([address]);
    return r;
  };
  // Ready once it answers (NXDOMAIN counts as an answer).
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dnsmasq exited with ${child.exitCode}:\n${stderr}`);
    const answered = await resolver()
      .resolveSoa(`ready.${records.domains[0] ?? 'test'}`)
      .then(() => true)
      .catch((error: NodeJS.ErrnoException) => error.code === 'ENOTFOUND' || error.code === 'ENODATA');
    if (answered) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`dnsmasq did not answer on ${address}:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    address,
    port,
    resolver,
    async stop() {
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : child.pid;
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        try {
          process.kill(pid ?? child.pid!, 'SIGTERM');
        } catch {
          child.kill('SIGTERM');
        }
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A port free for both UDP and TCP on 127.0.0.1 (dnsmasq listens on both). */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const found = server.address();
        server.close(() => resolve(typeof found === 'object' && found ? found.port : 0));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free port for dnsmasq');
}
