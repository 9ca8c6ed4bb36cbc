/**
 * Triage on a kind without a server for it (the notes plug-in from tests/support/kinds/notes, as
 * feeds are): every action applies here and nowhere else, the views and counts follow, Undo puts
 * the last action back, a snooze that ended while the hub was closed wakes on the next start, and
 * the CLI prints the triage fields. Nothing here needs a network.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboxItem, TriageView } from '../../src-shared/domain.ts';
import { main } from '../../src-main/cli/main.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { memorySecrets } from '../support/memory-secrets.ts';
import { notesKind } from '../support/kinds/notes/kind.ts';

let dir: string;
let profileDir: string;
let hub: Hub;
const events: { name: string; payload: unknown }[] = [];

async function value<T>(result: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function open(): Hub {
  hub = Hub.open({ profileDir, secrets: memorySecrets(), kinds: [notesKind] });
  hub.on((name, payload) => events.push({ name, payload }));
  return hub;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gs-local-triage-'));
  profileDir = join(dir, 'profile');
  const notes = join(dir, 'notes');
  mkdirSync(notes);
  for (const name of ['alpha', 'beta', 'gamma']) writeFileSync(join(notes, `${name}.txt`), `${name} body`);
  events.length = 0;
  open();
  const added = await value(hub.call('accounts.add', { kind: 'notes', input: { folder: notes } }));
  await value(hub.call('sync.once', { accountId: added.account.id }));
});

afterEach(async () => {
  await hub.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const ids = async (view: TriageView) => (await value(hub.call('inbox.list', { view }))).items.map((i) => i.id);
const unread = async () => (await value(hub.call('inbox.counts', {}))).all;
const items = async () => (await value(hub.call('inbox.list', {}))).items;

describe('triage on a kind with no server for it', () => {
  it('moves items between views here, counts only the unread Inbox, and undoes the last action', async () => {
    const [a, b, c] = await items();
    expect(await unread()).toBe(3);
    const done = await value(hub.call('items.triage', { itemIds: [a!.id, b!.id], action: 'done' }));
    expect(done).toEqual({ itemIds: [a!.id, b!.id], waiting: false, notices: [] });
    expect(await ids('inbox')).toEqual([c!.id]);
    expect((await ids('done')).sort()).toEqual([a!.id, b!.id].sort());
    expect(await unread()).toBe(1);

    const undo = await value(hub.call('items.undo', {}));
    expect(undo.undone).toBe('done');
    expect((await ids('inbox')).length).toBe(3);
    expect(await unread()).toBe(3);
    expect((await value(hub.call('items.undo', {}))).undone).toBeUndefined();

    await value(hub.call('items.triage', { itemIds: [c!.id], action: 'star' }));
    await value(hub.call('items.triage', { itemIds: [b!.id], action: 'delete' }));
    expect(await ids('starred')).toEqual([c!.id]);
    expect(await ids('all')).not.toContain(b!.id);
    expect((await items()).every((i) => !i.pending)).toBe(true);
    await value(hub.call('items.undo', {}));
    expect(await ids('all')).toContain(b!.id);
  });

  it('keeps triage through a sync that sends the items again', async () => {
    const [a] = await items();
    await value(hub.call('items.triage', { itemIds: [a!.id], action: 'done' }));
    await value(hub.call('sync.once', {}));
    expect(await ids('done')).toEqual([a!.id]);
  });

  it('marks a whole view read, and Undo makes it unread again', async () => {
    const result = await value(hub.call('items.markAllRead', {}));
    expect(result.itemIds).toHaveLength(3);
    expect(await unread()).toBe(0);
    await value(hub.call('items.undo', {}));
    expect(await unread()).toBe(3);
  });

  it('wakes a snooze that ended while the hub was closed, unread, marked and announced', async () => {
    const [a] = await items();
    await value(hub.call('items.triage', { itemIds: [a!.id], action: 'read' }));
    const until = Date.now() + 200;
    await value(hub.call('items.triage', { itemIds: [a!.id], action: 'snooze', until }));
    expect(await ids('snoozed')).toEqual([a!.id]);
    await hub.dispose();
    await new Promise((resolve) => setTimeout(resolve, 250));
    open();
    const woke = await new Promise<InboxItem>((resolve) => {
      const off = hub.on(async (name) => {
        if (name !== 'attention.notification') return;
        off();
        resolve((await items()).find((i) => i.id === a!.id)!);
      });
    });
    expect(woke).toMatchObject({ unread: true, snoozedUntil: null, snoozeEnded: until });
    expect(await ids('snoozed')).toEqual([]);
  });

  it('refuses what it cannot do, naming the field', async () => {
    const [a] = await items();
    const noTime = await hub.call('items.triage', { itemIds: [a!.id], action: 'snooze' });
    expect(noTime.ok ? undefined : noTime.error).toMatchObject({ code: 'invalid-input', field: 'until' });
    const past = await hub.call('items.triage', { itemIds: [a!.id], action: 'snooze', until: Date.now() - 1 });
    expect(past.ok ? undefined : past.error).toMatchObject({ code: 'invalid-input', field: 'until' });
    const unknown = await hub.call('items.triage', { itemIds: [a!.id], action: 'archive' as never });
    expect(unknown.ok ? undefined : unknown.error).toMatchObject({ code: 'invalid-input', field: 'action' });
    const gone = await hub.call('items.triage', { itemIds: ['nope'], action: 'done' });
    expect(gone.ok ? undefined : gone.error.code).toBe('not-found');
    const view = await hub.call('inbox.list', { view: 'trash' as never });
    expect(view.ok ? undefined : view.error).toMatchObject({ code: 'invalid-input', field: 'view' });
  });
});

describe('triage from the CLI', () => {
  async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const io = { stdout, stderr, stdin: new PassThrough() } as unknown as Parameters<typeof main>[1];
    const code = await main([...argv, '--profile', profileDir], io, { kinds: [notesKind] });
    return { code, stdout: out, stderr: err };
  }

  it('takes the commands by their names and prints the triage fields in --json', async () => {
    const [a, b] = await items();
    await hub.dispose();
    expect((await cli('done', a!.id)).code).toBe(0);
    expect((await cli('star', b!.id)).code).toBe(0);
    const snoozed = await cli('snooze', b!.id, '--until', new Date(Date.now() + 86_400_000).toISOString());
    expect(snoozed.code).toBe(0);
    const json = JSON.parse((await cli('inbox', '--view', 'all', '--json')).stdout) as Record<string, unknown>[];
    const byId = new Map(json.map((i) => [i['id'], i]));
    expect(byId.get(a!.id)).toMatchObject({ done: true, starred: false, snoozedUntil: null, pending: false });
    expect(byId.get(b!.id)).toMatchObject({ done: false, starred: true, pending: false });
    expect(String(byId.get(b!.id)!['snoozedUntil'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(JSON.parse((await cli('inbox', '--json')).stdout)).toHaveLength(1);

    expect((await cli('snooze', a!.id, '--for', '3w')).stderr).toMatch(/--for takes/);
    expect((await cli('inbox', '--view', 'trash')).code).toBe(1);
    const readAll = await cli('read', '--all');
    expect(readAll.stdout).toMatch(/Marked 1 item\(s\) read/);
    expect((await cli('undo')).stdout).toMatch(/Undid read/);
    expect((await cli('unsnooze', b!.id)).code).toBe(0);
    expect((await cli('undone', a!.id)).code).toBe(0);
    expect(JSON.parse((await cli('inbox', '--json')).stdout)).toHaveLength(3);
    open();
  });
});
