/**
 * A hub in a process of its own, as Electron's hub process or `serve` runs it, with an in-memory
 * keychain: adds one IMAP account, syncs it, then idles and answers "rss" with its resident memory.
 */
import { readFileSync } from 'node:fs';
import { Hub } from '../../src-main/hub/hub.ts';
import { memorySecrets } from '../memory-secrets.ts';

const [profileDir, host, port, user, password] = process.argv.slice(2) as [string, string, string, string, string];
const hub = Hub.open({ profileDir, secrets: memorySecrets() });
const added = await hub.call('accounts.add', { kind: 'imap', input: { host, port: Number(port), security: 'plain', user, password, syncWindowDays: 3650, syncMaxMessages: 100_000 } });
if (!added.ok) throw new Error(added.error.message);
hub.startConnectors();
const rssKb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
process.on('message', async (message: { ask: string }) => {
  if (message.ask === 'counts') {
    let stored = 0;
    let after: string | undefined;
    do {
      const page = await hub.call('inbox.list', { limit: 500, ...(after ? { after } : {}) });
      if (!page.ok) throw new Error(page.error.message);
      stored += page.value.items.length;
      after = page.value.next;
    } while (after);
    const list = await hub.call('accounts.list', {});
    process.send!({ counts: stored, state: list.ok ? list.value[0]?.status.state : 'unknown' });
  } else if (message.ask === 'rss') {
    global.gc?.();
    const status = readFileSync('/proc/self/status', 'utf8');
    const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    const { heapUsed, external } = process.memoryUsage();
    process.send!({ rssKb: rssKb(), anonKb: field('RssAnon'), fileKb: field('RssFile'), heapMb: heapUsed / 2 ** 20, externalMb: external / 2 ** 20 });
  } else if (message.ask === 'stop') {
    await hub.dispose();
    process.exit(0);
  }
});
process.send!({ ready: true });
