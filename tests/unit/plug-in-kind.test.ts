/**
 * The plug-in seam, proved by a kind that lives only in tests/support/kinds/notes: registered through
 * `Hub.open({ kinds })` and nothing else, it is listed, added, changed, synced, shown and removed through
 * the contract, its stored settings are upgraded by its own decoder, and the CLI offers its flags.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView } from '../../src-shared/domain.ts';
import { main } from '../../src-main/cli/main.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { defaultKinds } from '../../src-main/hub/kinds.ts';
import { InboxStore } from '../../src-main/store/inbox-store.ts';
import { memorySecrets } from '../support/memory-secrets.ts';
import { notesKind } from '../support/kinds/notes/kind.ts';

const kinds = [...defaultKinds(), notesKind];
let dir: string;
let profileDir: string;
let notesDir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gs-plugin-'));
  profileDir = join(dir, 'profile');
  notesDir = join(dir, 'notes');
  writeNote('groceries', 'milk, eggs', 1);
  writeNote('ideas', 'a fourth source kind', 2);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeNote(name: string, body: string, minutesAgo: number): void {
  mkdirSync(notesDir, { recursive: true });
  const path = join(notesDir, `${name}.txt`);
  writeFileSync(path, body);
  const when = new Date(Date.now() - minutesAgo * 60_000);
  utimesSync(path, when, when);
}

async function value<T>(result: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const io = { stdout, stderr, stdin: new PassThrough() } as unknown as Parameters<typeof main>[1];
  const code = await main([...argv, '--profile', profileDir], io, { kinds });
  return { code, stdout: out, stderr: err };
}

describe('a connector kind from outside src-main', () => {
  it('is listed, added, synced, changed and removed through the contract', async () => {
    const hub = Hub.open({ profileDir, secrets: memorySecrets(), kinds });
    try {
      const listed = await value(hub.call('kinds.list', {}));
      expect(listed.map((k) => k.kind)).toEqual(['imap', 'matrix', 'feed', 'notes']);
      expect(listed.find((k) => k.kind === 'notes')).toMatchObject({ source: 'feed', label: 'Notes folder' });

      const missing = await hub.call('accounts.add', { kind: 'notes', input: { folder: join(dir, 'nowhere') } });
      expect(missing.ok || missing.error).toMatchObject({ code: 'invalid-input', field: 'folder' });

      const added: AccountView = await value(hub.call('accounts.add', { kind: 'notes', input: { folder: notesDir, displayName: 'My notes' } }));
      expect(added.account).toMatchObject({ kind: 'notes', source: 'feed', displayName: 'My notes', settings: { folder: notesDir, maxNotes: 100 } });
      expect(added.summary).toBe(notesDir);

      const twice = await hub.call('accounts.add', { kind: 'notes', input: { folder: notesDir } });
      expect(twice.ok || twice.error).toMatchObject({ code: 'invalid-input', field: 'folder', message: 'This folder is already here as "My notes".' });

      await value(hub.call('sync.once', { accountId: added.account.id }));
      const page = await value(hub.call('inbox.list', { source: 'feed' }));
      expect(page.items.map((i) => i.title)).toEqual(['groceries', 'ideas']);
      expect((await value(hub.call('inbox.counts', {}))).byAccount[added.account.id]).toBe(2);

      const changed = await value(hub.call('accounts.update', { accountId: added.account.id, changes: { displayName: 'Notes', maxNotes: 1 } }));
      expect(changed.account).toMatchObject({ displayName: 'Notes', settings: { maxNotes: 1 } });
      const wrong = await hub.call('accounts.update', { accountId: added.account.id, changes: { colour: 'red' } });
      expect(wrong.ok || wrong.error).toMatchObject({ code: 'invalid-input', field: 'colour' });

      await value(hub.call('accounts.remove', { accountId: added.account.id }));
      expect(await value(hub.call('accounts.list', {}))).toEqual([]);
    } finally {
      await hub.dispose();
    }
  });

  it('decodes its own stored settings: an older version gets defaults, a newer one is refused and kept', async () => {
    const hub = Hub.open({ profileDir, secrets: memorySecrets(), kinds });
    await hub.dispose();
    const store = InboxStore.open(join(profileDir, 'groundswell.sqlite'));
    store.insertAccount({ id: 'old', kind: 'notes', displayName: 'Old', createdAt: 1, settings: { folder: notesDir }, settingsVersion: 1 });
    store.insertAccount({ id: 'future', kind: 'notes', displayName: 'Future', createdAt: 2, settings: { folder: notesDir, colour: 'red' }, settingsVersion: 9 });
    store.insertAccount({ id: 'alien', kind: 'caldav', displayName: 'Calendar', createdAt: 3, settings: {}, settingsVersion: 1 });
    store.close();

    const again = Hub.open({ profileDir, secrets: memorySecrets(), kinds });
    try {
      again.startConnectors();
      const views = await value(again.call('accounts.list', {}));
      expect(views.map((v) => v.account.id)).toEqual(['old', 'future', 'alien']);
      expect(views[0]!.account.settings).toEqual({ folder: notesDir, maxNotes: 100 });
      expect(views[1]!.status).toMatchObject({ state: 'offline', reason: expect.stringContaining('saved by a newer Groundswell') });
      expect(views[2]!.status).toMatchObject({ state: 'offline', reason: 'caldav accounts are not supported by this version of Groundswell.' });
      const refused = await again.call('accounts.update', { accountId: 'future', changes: { displayName: 'x' } });
      expect(refused.ok || refused.error).toMatchObject({ code: 'unsupported', message: expect.stringContaining('newer Groundswell') });
      // Nothing was rewritten: the newer row keeps what this version does not understand.
      await value(again.call('accounts.remove', { accountId: 'alien' }));
    } finally {
      await again.dispose();
    }
    const reopened = InboxStore.open(join(profileDir, 'groundswell.sqlite'));
    expect(reopened.getAccount('future')).toMatchObject({ settings: { folder: notesDir, colour: 'red' }, settingsVersion: 9 });
    reopened.close();
  });

  it('gets its flags in the CLI from its own fields', async () => {
    const help = await cli('account', 'add', 'notes', '--help');
    expect(help.stdout).toContain('--folder VALUE');
    expect(help.stdout).toContain('--max-notes N');

    const added = await cli('account', 'add', 'notes', '--folder', notesDir, '--name', 'Notes');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const id = /\(([0-9a-f-]{36})\)/.exec(added.stdout)![1]!;
    expect((await cli('sync', '--once')).code).toBe(0);
    expect((await cli('inbox')).stdout).toContain('groceries');

    const updated = await cli('account', 'update', id, '--max-notes', '5', '--name', 'Renamed');
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain('Updated Renamed');
    const wrongFlag = await cli('account', 'update', id, '--host', 'x');
    expect(wrongFlag.code).toBe(1);
    expect(wrongFlag.stderr).toContain("Unknown option '--host'");
    const list = JSON.parse((await cli('account', 'list', '--json')).stdout) as AccountView[];
    expect(list[0]!.account).toMatchObject({ displayName: 'Renamed', settings: { maxNotes: 5 } });
  });
});

describe('setting up from an email address, a capability a kind may lack', () => {
  it('refuses accounts.autoconfig with "unsupported" on a hub none of whose kinds sets itself up from an address', async () => {
    const hub = Hub.open({ profileDir, secrets: memorySecrets(), kinds: [notesKind] });
    try {
      expect((await hub.call('kinds.list', {})).ok).toBe(true);
      const result = await hub.call('accounts.autoconfig', { email: 'ann@example.org' });
      expect(result).toEqual({ ok: false, error: { code: 'unsupported', message: 'This Groundswell has no source that sets itself up from an email address.' } });
    } finally {
      await hub.dispose();
    }
  });

  it('names the address field when the address is not one, before anything is looked up', async () => {
    const hub = Hub.open({ profileDir, secrets: memorySecrets(), kinds });
    try {
      const kindsListed = await hub.call('kinds.list', {});
      expect(kindsListed.ok && kindsListed.value.find((k) => k.kind === 'imap')?.capabilities).toContain('autoconfig');
      const result = await hub.call('accounts.autoconfig', { email: 'not an address' });
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'email' } });
      const password = await hub.call('accounts.autoconfig', { email: 'ann@example.org', password: 42 } as never);
      expect(password).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'password' } });
    } finally {
      await hub.dispose();
    }
  });
});
