/**
 * One unread truth: a random sequence of 500 actions (read, unread, done, undone, snooze, unsnooze,
 * star, new mail, new chat messages, new feed entries, rules that mute a conversation and their
 * removal) against the real hub, the renderer's store following it as the ui does. After every
 * step the sidebar's figures, the document title, the tray's model, the badge (macOS/Linux count
 * and the Windows overlay) must all agree with an independent count of the unread Inbox items; at
 * checkpoints `groundswell inbox --counts --json`, run as a user would against the running hub, too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnreadCounts } from '../../src-shared/api.ts';
import type { AccountView, InboxItem, SourceKind, TriageView } from '../../src-shared/domain.ts';
import { badgeText, SOURCE_ORDER, type UnreadSummary } from '../../src-shared/unread-summary.ts';
import { runCli } from '../../tests/support/cli.ts';
import { desktopSurfaces, serveForCli } from '../../tests/support/desktop-surfaces.ts';
import { chatMessage, fakeRoom } from '../../tests/support/fake-kinds/chat.ts';
import { feedEntries } from '../../tests/support/fake-kinds/feeds.ts';
import { mailBatch, type FakeMail } from '../../tests/support/fake-kinds/mail.ts';
import { eventually, openHubHarness, type HubHarness } from '../../tests/support/hub-harness.ts';
import { createHub, followHubEvents, markRead, markUnread, refreshAll, type Hub } from './actions.ts';
import { createAppStore } from './store.ts';
import { triage } from './triageActions.ts';
import { documentTitle, sidebarFigures } from './unread.ts';

const STEPS = 500;
const CHECKPOINT = 50;
const SEED = Number(process.env['UNREAD_TRUTH_SEED'] ?? 20261207);
const ME = '@me:example.org';
const FEED = 'https://status.example.com/feed.xml';

/** mulberry32: the same sequence for the same seed, so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let h: HubHarness;
let server: { close(): Promise<void> };
let ui: Hub;
let accounts: AccountView[];

async function value<T>(result: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function list(view: TriageView): Promise<InboxItem[]> {
  const items: InboxItem[] = [];
  let after: string | undefined;
  do {
    const page = await value(h.direct.call('inbox.list', { view, limit: 500, ...(after === undefined ? {} : { after }) }));
    items.push(...page.items);
    after = page.next;
  } while (after !== undefined);
  return items;
}

/** The oracle: counted here from the Inbox items themselves, not from any count the hub keeps. */
interface Expected {
  unread: number;
  priority: number;
  sources: Record<SourceKind, number>;
  accounts: Record<string, { unread: number; priority: number }>;
}

function expectedFrom(inbox: InboxItem[]): Expected {
  const e: Expected = { unread: 0, priority: 0, sources: { mail: 0, chat: 0, feed: 0 }, accounts: {} };
  for (const a of accounts) e.accounts[a.account.id] = { unread: 0, priority: 0 };
  for (const item of inbox) {
    if (!item.unread) continue;
    e.unread++;
    e.sources[item.source]++;
    const of = (e.accounts[item.accountId] ??= { unread: 0, priority: 0 });
    of.unread++;
    if (item.priority) {
      e.priority++;
      of.priority++;
    }
  }
  return e;
}

/** Every surface, as it reads now. */
async function surfaces() {
  const counts: UnreadCounts = await value(h.direct.call('inbox.counts', {}));
  return {
    sidebar: sidebarFigures(ui.store.getState()),
    title: documentTitle(ui.store.getState()),
    ...desktopSurfaces(counts),
  };
}

function expectedSurfaces(e: Expected) {
  const label: Record<SourceKind, string> = { mail: 'Mail', chat: 'Chat', feed: 'Feeds' };
  return {
    sidebar: { unread: e.unread, priority: e.priority, sources: e.sources, accounts: e.accounts },
    title: e.unread > 0 ? `(${e.unread}) Groundswell` : 'Groundswell',
    tray: {
      icon: badgeText(e.unread),
      lines: [
        e.unread === 0 ? 'Nothing unread' : `${e.unread} unread${e.priority > 0 ? `, ${e.priority} priority` : ''}`,
        ...SOURCE_ORDER.map((s) => `${label[s]}: ${e.sources[s] > 0 ? `${e.sources[s]} unread` : 'no unread'}`),
      ],
    },
    mac: { shown: { via: 'badge-count', count: e.unread, shown: true }, asked: [e.unread] },
    windows: { shown: { via: 'overlay', text: badgeText(e.unread) }, asked: e.unread === 0 ? [null, ''] : [badgeText(e.unread), expect.stringMatching(new RegExp(`^${e.unread} unread`))] },
  };
}

/** Waits for the ui to catch up with the hub (its events arrive and are coalesced), then compares every surface. */
async function agree(step: string): Promise<Expected> {
  let expected: Expected | undefined;
  await eventually(`the ui to follow the hub after ${step}`, async () => {
    expected = expectedFrom(await list('inbox'));
    const now = await surfaces();
    const want = expectedSurfaces(expected);
    return now.title === want.title && JSON.stringify(now.sidebar) === JSON.stringify(want.sidebar);
  }, 10_000).catch(() => undefined);
  expected = expectedFrom(await list('inbox'));
  expect(await surfaces(), `after ${step}`).toEqual(expectedSurfaces(expected));
  return expected;
}

async function cliAgrees(step: string, e: Expected): Promise<void> {
  const run = await runCli(['inbox', '--counts', '--json', '--profile', h.profileDir]);
  expect(run.code, run.stderr).toBe(0);
  const printed = JSON.parse(run.stdout) as UnreadSummary;
  expect(
    { unread: printed.unread, priority: printed.priority, title: printed.title, badge: printed.badge, sources: printed.sources.map((s) => [s.source, s.unread]) },
    `groundswell inbox --counts --json after ${step}`,
  ).toEqual({ unread: e.unread, priority: e.priority, title: expectedSurfaces(e).title, badge: e.unread, sources: SOURCE_ORDER.map((s) => [s, e.sources[s]]) });
}

beforeAll(async () => {
  h = await openHubHarness();
  h.mail.user('work', 'work password', mailBatch(30, { prefix: 'w', unread: (i) => i % 2 === 0 }));
  h.mail.user('home', 'home password', mailBatch(8, { prefix: 'h' }));
  h.chat.user(ME, 'matrix password', [fakeRoom('General', { count: 4 }), fakeRoom('Incidents', { count: 3 }), fakeRoom('Random', { count: 2 })]);
  h.feeds.feed(FEED, 'Status', feedEntries(6));
  await h.addAccount('imap', { displayName: 'Work', host: 'imap.example.com', user: 'work', password: 'work password' });
  await h.addAccount('imap', { displayName: 'Home', host: 'imap.example.com', user: 'home', password: 'home password' });
  await h.addAccount('matrix', { displayName: 'Team chat', userId: ME, password: 'matrix password' });
  await h.addAccount('feed', { url: FEED });
  accounts = await value(h.direct.call('accounts.list', {}));
  // The CLI attaches to this hub as it would to `serve`'s.
  server = await serveForCli(h.hub);
  ui = createHub(h.client, createAppStore());
  followHubEvents(ui, (flush) => void setTimeout(flush, 0));
  await refreshAll(ui);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await h?.dispose();
});

describe('one unread truth', () => {
  it(`keeps the sidebar, title, tray, badge and CLI in agreement over ${STEPS} random actions (seed ${SEED})`, async () => {
    const rand = random(SEED);
    const pick = <T>(from: readonly T[]): T | undefined => (from.length === 0 ? undefined : from[Math.floor(rand() * from.length)]);
    /** Mute rules this run made, by the conversation they mute (one rule per conversation). */
    const mutes = new Map<string, string>();
    const conversation = (item: InboxItem): string => `${item.accountId}\u0000${item.conversationKey}`;
    let fresh = 0;
    const done: Record<string, number> = {};
    const note = (kind: string) => void (done[kind] = (done[kind] ?? 0) + 1);
    let expected = await agree('the start');
    await cliAgrees('the start', expected);

    for (let step = 1; step <= STEPS; step++) {
      const inbox = await list('inbox');
      const roll = rand();
      let what = 'nothing';
      if (roll < 0.2) {
        const item = pick(inbox.filter((i) => i.unread));
        if (item) {
          what = `read ${item.id}`;
          await markRead(ui, [item.id]);
        }
      } else if (roll < 0.35) {
        const item = pick(inbox.filter((i) => !i.unread));
        if (item) {
          what = `unread ${item.id}`;
          await markUnread(ui, [item.id]);
        }
      } else if (roll < 0.45) {
        const item = pick(inbox);
        if (item) {
          what = `done ${item.id}`;
          await triage(ui, [item.id], 'done');
        }
      } else if (roll < 0.5) {
        const item = pick(await list('done'));
        if (item) {
          what = `undone ${item.id}`;
          await triage(ui, [item.id], 'undone');
        }
      } else if (roll < 0.56) {
        const item = pick(inbox);
        if (item) {
          what = `snooze ${item.id}`;
          await triage(ui, [item.id], 'snooze', { until: Date.now() + 86_400_000 });
        }
      } else if (roll < 0.6) {
        const item = pick(await list('snoozed'));
        if (item) {
          what = `unsnooze ${item.id}`;
          await triage(ui, [item.id], 'unsnooze');
        }
      } else if (roll < 0.64) {
        const item = pick(inbox);
        if (item) {
          what = `star ${item.id}`;
          await triage(ui, [item.id], item.starred ? 'unstar' : 'star');
        }
      } else if (roll < 0.74) {
        const n = ++fresh;
        const user = rand() < 0.7 ? 'work' : 'home';
        const mail: FakeMail = { id: `${user}-new-${n}`, sender: 'Tom Becker', title: `Fresh ${n}`, snippet: 'new', timestamp: Date.now(), unread: true, priority: rand() < 0.2 };
        what = `new mail ${mail.id}`;
        const accountId = accounts.find((a) => a.account.displayName === (user === 'work' ? 'Work' : 'Home'))!.account.id;
        h.mail.deliver(user, [mail]);
        await eventually(`mail ${mail.id} to be stored`, async () => (await list('all')).some((i) => i.id === `${accountId}:${mail.id}`));
      } else if (roll < 0.82) {
        const n = ++fresh;
        const room = pick(h.chat.rooms(ME))!;
        what = `new chat message in ${room.name}`;
        const before = (await list('all')).find((i) => i.origin.kind === 'chat' && i.origin.roomId === room.roomId);
        h.chat.receive(ME, room.roomId, chatMessage(`$new-${n}`, 'Priya', `message ${n}`, Date.now()));
        await eventually(`the message in ${room.name} to be stored`, async () => {
          const now = (await list('all')).find((i) => i.origin.kind === 'chat' && i.origin.roomId === room.roomId);
          return now !== undefined && (before === undefined || now.timestamp > before.timestamp || now.snippet !== before.snippet);
        });
      } else if (roll < 0.88) {
        const n = ++fresh;
        const entry = { ...feedEntries(1, Date.now(), `entry-${n}`)[0]! };
        what = `new feed entry ${n}`;
        const count = (await list('all')).filter((i) => i.source === 'feed').length;
        h.feeds.publish(FEED, [entry]);
        await eventually(`feed entry ${n} to be stored`, async () => (await list('all')).filter((i) => i.source === 'feed').length > count);
      } else if (roll < 0.95) {
        const item = pick(inbox.filter((i) => !mutes.has(conversation(i))));
        if (item) {
          what = `mute the conversation of ${item.id}`;
          const rule = await value(h.direct.call('rules.add', { match: {}, conversationOfItem: item.id, level: 'silent' }));
          mutes.set(conversation(item), rule.id);
        }
      } else if (mutes.size > 0) {
        const [key, ruleId] = [...mutes.entries()][Math.floor(rand() * mutes.size)]!;
        mutes.delete(key);
        what = `remove mute rule ${ruleId}`;
        await value(h.direct.call('rules.remove', { ruleId }));
      }
      note(what.split(' ')[0]!);
      expected = await agree(`step ${step}: ${what}`);
      if (step % CHECKPOINT === 0) await cliAgrees(`step ${step}: ${what}`, expected);
    }
    // The sequence really did each kind of thing, and the counts moved both ways.
    for (const kind of ['read', 'unread', 'done', 'undone', 'snooze', 'unsnooze', 'star', 'new', 'mute', 'remove']) expect(done[kind] ?? 0, kind).toBeGreaterThan(0);
  }, 600_000);
});
