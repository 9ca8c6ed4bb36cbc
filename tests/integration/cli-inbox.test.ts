/**
 * `groundswell inbox` over more items than one page: any --limit, rows streamed page by page, and
 * --after with the cursor it printed on stderr to go on where it stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxItem } from '../../src-shared/domain.ts';
import { runCli } from '../support/cli.ts';
import { rssFeed, statusEntries } from '../support/feed-fixtures.ts';
import { startFeedServer } from '../support/feed-server.ts';
import type { FeedServer } from '../support/feed-server.ts';
import { tempProfile } from '../support/profile.ts';

const TOTAL = 1_234;

describe('the CLI pages through the inbox', () => {
  const profile = tempProfile();
  let feeds: FeedServer;
  const cli = (...args: string[]) => runCli([...args, '--profile', profile.dir]);

  beforeAll(async () => {
    feeds = await startFeedServer();
    feeds.serveFeed('/status.xml', { body: rssFeed(statusEntries(TOTAL)), contentType: 'application/rss+xml' });
    expect((await cli('account', 'add', 'feed', '--url', feeds.url('/status.xml'))).code).toBe(0);
    expect((await cli('sync', '--once')).code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await feeds?.stop();
    profile.remove();
  });

  it('prints more than one page for --limit, newest first, each item once, and says where to go on', async () => {
    const run = await cli('inbox', '--json', '--limit', '1100');
    expect(run.code, run.stderr).toBe(0);
    const items = JSON.parse(run.stdout) as InboxItem[];
    expect(items).toHaveLength(1100);
    expect(new Set(items.map((i) => i.id)).size).toBe(1100);
    const times = items.map((i) => i.timestamp);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const cursor = /^next: (\S+)$/m.exec(run.stderr)?.[1];
    expect(cursor, run.stderr).toBeDefined();

    const rest = await cli('inbox', '--json', '--limit', '1000', '--after', cursor!);
    expect(rest.code, rest.stderr).toBe(0);
    const remaining = JSON.parse(rest.stdout) as InboxItem[];
    expect(remaining).toHaveLength(TOTAL - 1100);
    // The end was reached: nothing more to offer.
    expect(rest.stderr).toBe('');
    expect(new Set([...items, ...remaining].map((i) => i.id)).size).toBe(TOTAL);
    expect(remaining[0]!.timestamp).toBeLessThanOrEqual(items.at(-1)!.timestamp);
  });

  it('prints the whole inbox as text rows with a large --limit', async () => {
    const run = await cli('inbox', '--limit', '5000');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(TOTAL);
    expect(run.stderr).toBe('');
  });

  it('prints an empty JSON array when nothing is left, and refuses a limit that is not a count', async () => {
    const none = await cli('inbox', '--json', '--source', 'mail', '--limit', '900');
    expect(none.stdout).toBe('[]\n');
    const bad = await cli('inbox', '--limit', '0');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--limit takes a whole number');
  });
});
