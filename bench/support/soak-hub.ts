/**
 * The soak bench's hub, in a process of its own so the servers feeding it (the in-process
 * homeserver keeps every event in memory) never count in its figures. Adds the three kinds of
 * account it is given, runs them live, and answers: "poll" (every feed now, as its interval
 * would), "sample" (memory, active handles and timers) and "stop".
 */
import { readFileSync } from 'node:fs';
import { Hub } from '../../src-main/hub/hub.ts';
import { memorySecrets } from '../../tests/support/memory-secrets.ts';

export interface SoakSetup {
  profileDir: string;
  imap: { host: string; port: number; user: string; password: string };
  matrix: { userId: string; password: string };
  feeds: string[];
  feedIntervalSeconds: number;
  /** The profile already has the accounts (a second hub on the same profile): start them, add nothing. */
  resume?: boolean;
}

export interface SoakSample {
  rssMb: number;
  /** RSS split: anonymous (heaps, SQLite's cache) and file-backed (code, mapped files). */
  anonMb: number;
  fileMb: number;
  heapMb: number;
  handles: number;
  timers: number;
  /** What is stored per account kind, so the figures are known to come from a working hub. */
  unreadMail: number;
  unreadChat: number;
  unreadFeed: number;
  offline: string[];
}

const setup = JSON.parse(process.argv[2] as string) as SoakSetup;
const hub = Hub.open({ profileDir: setup.profileDir, secrets: memorySecrets() });

async function add(kind: string, input: object): Promise<string> {
  const added = await hub.call('accounts.add', { kind, input });
  if (!added.ok) throw new Error(`adding the ${kind} account failed: ${added.error.message}`);
  return added.value.account.id;
}

const feedIds: string[] = [];
if (setup.resume) {
  const listed = await hub.call('accounts.list', {});
  if (!listed.ok) throw new Error(listed.error.message);
  feedIds.push(...listed.value.filter((a) => a.account.kind === 'feed').map((a) => a.account.id));
} else {
  await add('imap', { ...setup.imap, security: 'plain', syncWindowDays: 3650, syncMaxMessages: 100_000 });
  await add('matrix', setup.matrix);
  for (const url of setup.feeds) feedIds.push(await add('feed', { url, intervalSeconds: setup.feedIntervalSeconds }));
}
hub.startConnectors();

async function sample(): Promise<SoakSample> {
  // Collected first, so the figure is what the hub keeps, not the garbage of the last second.
  globalThis.gc?.();
  globalThis.gc?.();
  const resources = process.getActiveResourcesInfo();
  const counts = await hub.call('inbox.counts', {});
  const accounts = await hub.call('accounts.list', {});
  if (!counts.ok || !accounts.ok) throw new Error('the hub did not answer inbox.counts / accounts.list');
  const status = readFileSync('/proc/self/status', 'utf8');
  const mb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return {
    rssMb: mb('VmRSS'),
    anonMb: mb('RssAnon'),
    fileMb: mb('RssFile'),
    heapMb: process.memoryUsage().heapUsed / 2 ** 20,
    handles: resources.length,
    timers: resources.filter((r) => r === 'Timeout').length,
    unreadMail: counts.value.bySource.mail,
    unreadChat: counts.value.bySource.chat,
    unreadFeed: counts.value.bySource.feed,
    offline: accounts.value.filter((a) => a.status.state === 'offline' || a.status.state === 'auth-failed').map((a) => `${a.account.kind}: ${a.status.state}`),
  };
}

process.on('message', async (message: { ask: string }) => {
  if (message.ask === 'poll') {
    const polled = await Promise.all(feedIds.map((accountId) => hub.call('sync.once', { accountId })));
    process.send!({ polled: polled.filter((p) => p.ok).length });
  } else if (message.ask === 'sample') {
    process.send!({ sample: await sample() });
  } else if (message.ask === 'stop') {
    await hub.dispose();
    process.exit(0);
  }
});
process.send!({ ready: true });
