/**
 * The triage half of the store: views as walks of one index, the outbox counting what waits,
 * server facts that never override an action still on its way, and moves that keep the item's id.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboxFilter } from '../../src-shared/api.ts';
import { InboxStore, itemId, type NewItem } from './inbox-store.ts';
import { UNTRIAGED } from './triage-store.ts';

let dir: string;
let store: InboxStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'groundswell-triage-store-'));
  store = InboxStore.open(join(dir, 'profile.sqlite'));
  store.insertAccount({ id: 'm', kind: 'imap', displayName: 'Mail', createdAt: 1, settings: {}, settingsVersion: 1 });
  store.upsertItems(Array.from({ length: 6 }, (_, n) => mail(n + 1)));
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function mail(uid: number, fields: Partial<NewItem> = {}): NewItem {
  return {
    id: itemId('m', `INBOX:1:${uid}`),
    accountId: 'm',
    externalId: `INBOX:1:${uid}`,
    scope: 'INBOX',
    source: 'mail',
    conversationKey: `c${uid}`,
    sender: 'Ada',
    title: `Mail ${uid}`,
    snippet: '',
    timestamp: 1_700_000_000_000 + uid,
    unread: true,
    priority: false,
    origin: { kind: 'mail', mailbox: 'INBOX', uidValidity: 1, uid, messageId: `<${uid}@x>` },
    ...fields,
  };
}

const ids = (filter: InboxFilter) => store.listInbox({ ...filter, limit: 50 }).items.map((i) => i.id);
const id = (uid: number) => itemId('m', `INBOX:1:${uid}`);

describe('triage in the store', () => {
  it('sorts items into views and counts only unread Inbox items', () => {
    store.triage.write(
      new Map([
        [id(1), { ...UNTRIAGED, doneAt: 5, doneThrough: 1 }],
        [id(2), { ...UNTRIAGED, snoozedUntil: 9_999_999_999_999 }],
        [id(3), { ...UNTRIAGED, starred: true }],
        [id(4), { ...UNTRIAGED, removed: 'deleted' }],
      ]),
    );
    expect(ids({})).toEqual([id(6), id(5), id(3)]);
    expect(ids({ view: 'done' })).toEqual([id(1)]);
    expect(ids({ view: 'snoozed' })).toEqual([id(2)]);
    expect(ids({ view: 'starred' })).toEqual([id(3)]);
    expect(ids({ view: 'all' })).toEqual([id(6), id(5), id(3), id(2), id(1)]);
    expect(store.unreadCounts().all).toBe(3);
    expect(store.unreadIdsIn({ view: 'inbox' })).toEqual([id(6), id(5), id(3)]);
  });

  it.each<InboxFilter>([{}, { view: 'done' }, { view: 'snoozed', unreadOnly: true }, { accountId: 'm' }, { source: 'mail', unreadOnly: true }, { view: 'starred' }])(
    'pages a view off one index with no sort: %o',
    (filter) => {
      const plan = store.explainInbox(filter);
      expect(plan[0]).toMatch(/^SEARCH items USING INDEX items_(unread_)?(by_shelf|starred)/);
      expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
    },
  );

  it('counts what waits in the outbox and takes server facts only for items with nothing waiting', () => {
    store.triage.writeAndQueue(new Map([[id(1), { ...UNTRIAGED, starred: true }]]), new Map(), [{ accountId: 'm', action: 'star', data: { itemIds: [id(1)] }, itemIds: [id(1)] }]);
    expect(store.getItem(id(1))).toMatchObject({ starred: true, pending: true });
    // Another client's older view of the flag must not undo the star on its way.
    expect(store.triage.applyFacts('m', [{ externalId: 'INBOX:1:1', starred: false }, { externalId: 'INBOX:1:2', starred: true }])).toEqual([id(2)]);
    expect(store.getItem(id(1))?.starred).toBe(true);
    const [entry] = store.triage.outbox('m');
    store.triage.finish(entry!.id, [id(1)]);
    expect(store.getItem(id(1))).toMatchObject({ starred: true, pending: false });
    expect(store.triage.outbox()).toEqual([]);
  });

  it('keeps an item moving on the server from being removed, and moves it keeping its id', () => {
    store.triage.writeAndQueue(new Map([[id(1), { ...UNTRIAGED, doneAt: 1, doneThrough: 1 }]]), new Map(), [{ accountId: 'm', action: 'done', data: {}, itemIds: [id(1)] }]);
    expect(store.removeItems('m', ['INBOX:1:1'])).toBe(0);
    // A sync that saw the message in its new mailbox first stored a second row for it.
    store.upsertItems([mail(40, { externalId: 'Archive:7:40', scope: 'Archive', id: itemId('m', 'Archive:7:40') })]);
    const [entry] = store.triage.outbox('m');
    store.triage.finish(entry!.id, [id(1)], {
      relocations: [{ itemId: id(1), externalId: 'Archive:7:40', scope: 'Archive', origin: { kind: 'mail', mailbox: 'Archive', uidValidity: 7, uid: 40 } }],
    });
    expect(store.getItem(itemId('m', 'Archive:7:40'))).toBeUndefined();
    expect(store.findByExternalId('m', 'Archive:7:40')).toMatchObject({ id: id(1), scope: 'Archive', done: true });
    // Later facts and upserts by the new external id reach the same row.
    expect(store.setUnreadByExternalId('m', [{ externalId: 'Archive:7:40', unread: false }])).toBe(1);
    store.upsertItems([mail(1, { externalId: 'Archive:7:40', scope: 'Archive', title: 'edited' })]);
    expect(store.getItem(id(1))).toMatchObject({ title: 'edited', done: true });
    expect(store.listInbox({ view: 'all', limit: 50 }).items).toHaveLength(6);
  });

  it('finds the next snooze to end and the ones due', () => {
    store.triage.write(new Map([[id(1), { ...UNTRIAGED, snoozedUntil: 2_000 }], [id(2), { ...UNTRIAGED, snoozedUntil: 1_000 }]]));
    expect(store.triage.nextWake()).toBe(1_000);
    expect(store.triage.dueSnoozes(1_500)).toEqual([{ itemId: id(2), until: 1_000 }]);
  });
});
