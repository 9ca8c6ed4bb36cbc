/**
 * The attention commands as a user types them, on a hub in this process with the notes plug-in
 * (a kind without a network): rules listed, added (placed, named, refused with what to give),
 * moved, changed and removed; quiet hours and pauses set and read back; `why` in words and JSON.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttentionRule } from '../../src-shared/attention.ts';
import { main } from '../../src-main/cli/main.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { memorySecrets } from '../support/memory-secrets.ts';
import { notesKind } from '../support/kinds/notes/kind.ts';

let dir: string;
let profileDir: string;
let itemId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gs-attention-cli-'));
  profileDir = join(dir, 'profile');
  const notes = join(dir, 'notes');
  mkdirSync(notes);
  writeFileSync(join(notes, 'standup.txt'), 'standup notes');
  const hub = Hub.open({ profileDir, secrets: memorySecrets(), kinds: [notesKind] });
  try {
    const added = await hub.call('accounts.add', { kind: 'notes', input: { folder: notes } });
    if (!added.ok) throw new Error(added.error.message);
    await hub.call('sync.once', {});
    const page = await hub.call('inbox.list', {});
    if (!page.ok) throw new Error(page.error.message);
    itemId = page.value.items[0]!.id;
  } finally {
    await hub.dispose();
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

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

const rules = async () => JSON.parse((await cli('rules', 'list', '--json')).stdout) as AttentionRule[];

describe('groundswell rules', () => {
  it('lists the defaults in order, with their levels', async () => {
    const listed = await cli('rules', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n').slice(0, 5)).toEqual([
      expect.stringMatching(/^ {2}1\. mail-inbox +notify +Mail: Inbox \(default\) — source mail, mailbox INBOX$/),
      expect.stringMatching(/^ {2}2\. chat-mentions +notify priority +Chat: mentions \(default\) — source chat, mentions only$/),
      expect.stringMatching(/^ {2}3\. chat-direct +notify +Chat: direct messages/),
      expect.stringMatching(/^ {2}4\. chat-rooms +badge +Chat: room messages/),
      expect.stringMatching(/^ {2}5\. feeds +badge +Feeds/),
    ]);
  });

  it('adds rules ahead of less specific ones, from flags and from an item, and moves, changes and removes them', async () => {
    const word = await cli('rules', 'add', '--source', 'chat', '--keyword', 'deploy', '--keyword', 'rollout plan', '--level', 'notify', '--priority');
    expect(word.stdout).toMatch(/^Added rule r[0-9a-f]{6} 'Notify for "deploy", "rollout plan" \(priority\)' \(notify, priority\), tried 1st\.\n$/);
    const muted = await cli('rules', 'add', '--conversation', itemId, '--level', 'silent');
    expect(muted.code).toBe(0);
    const list = await rules();
    expect(list[0]).toMatchObject({ name: 'Mute standup', match: { conversation: { key: expect.any(String), name: 'standup' } }, level: 'silent' });
    expect(list[1]!.name).toMatch(/^Notify for "deploy"/);

    const moved = await cli('rules', 'move', list[0]!.id, '--before', 'feeds');
    expect(moved.stdout).toBe(`Moved rule ${list[0]!.id}; it is tried 6th of 7.\n`);
    expect((await cli('rules', 'move', list[1]!.id, '--last')).stdout).toMatch(/tried 7th of 7/);
    expect((await cli('rules', 'update', 'chat-rooms', '--level', 'silent', '--name', 'Rooms: quiet')).stdout).toBe("Rule chat-rooms 'Rooms: quiet' is now silent.\n");
    expect((await cli('rules', 'remove', list[0]!.id)).stdout).toBe(`Removed rule ${list[0]!.id}.\n`);
    expect((await rules()).some((r) => r.id === list[0]!.id)).toBe(false);
  });

  it('refuses what cannot be a rule, saying what to give', async () => {
    const cases: [string[], RegExp][] = [
      [['rules', 'add', '--level', 'notify'], /needs at least one of --source, --account/],
      [['rules', 'add', '--source', 'fax', '--level', 'notify'], /--source takes mail, chat or feed/],
      [['rules', 'add', '--source', 'mail'], /needs --level notify, badge or silent/],
      [['rules', 'add', '--source', 'mail', '--level', 'loud'], /--level takes notify, badge or silent/],
      [['rules', 'add', '--source', 'mail', '--source', 'chat', '--level', 'notify'], /Give --source once/],
      [['rules', 'add', '--sender', 'tom', '--level', 'silent'], /neither an address nor a domain/],
      [['rules', 'add', '--conversation', 'nope', '--level', 'silent'], /No item has that id/],
      [['rules', 'add', '--account', 'nope', '--level', 'silent'], /No account has that id/],
      [['rules', 'add', '--source', 'mail', '--level', 'silent', '--colour', 'red'], /Unknown option '--colour'/],
      [['rules', 'remove', 'mail-inbox'], /one of the defaults: it can be changed or moved but not removed/],
      [['rules', 'remove', 'r000000'], /No rule has the id r000000/],
      [['rules', 'move', 'mail-inbox'], /needs --before RULE_ID/],
      [['rules', 'frobnicate'], /rules takes list, add, update, remove or move/],
    ];
    for (const [argv, message] of cases) {
      const run = await cli(...argv);
      expect(run.code, argv.join(' ')).toBe(1);
      expect(run.stderr, argv.join(' ')).toMatch(message);
    }
    const duplicate = await cli('rules', 'add', '--source', 'mail', '--mentions-only', '--level', 'notify');
    expect(duplicate.code).toBe(0);
    expect((await cli('rules', 'add', '--mentions-only', '--source', 'mail', '--level', 'badge')).stderr).toMatch(/matches exactly this already/);
  });
});

describe('groundswell quiet, pause and why', () => {
  it('sets quiet hours and a pause, and reads them back', async () => {
    expect((await cli('quiet', 'set', '22:00-7:00', '--priority-breaks-through')).stdout).toMatch(/^Quiet hours: 22:00–07:00 every day; priority items still notify\.\n/);
    const settings = JSON.parse((await cli('quiet', '--json')).stdout) as Record<string, unknown>;
    expect(settings).toMatchObject({ quietHours: { start: '22:00', end: '07:00', priorityBreaksThrough: true }, pausedUntil: null, floodLimit: 5 });
    expect((await cli('quiet', 'set', '25:00-07:00')).stderr).toMatch(/HH:MM-HH:MM/);
    expect((await cli('quiet', 'set', '07:00-07:00')).stderr).toMatch(/different times/);
    expect((await cli('quiet', 'off')).stdout).toMatch(/^Quiet hours: off\./);

    const paused = await cli('pause', '--for', '1h');
    expect(paused.stdout).toMatch(/^Notifications paused until (tomorrow )?\d\d:\d\d; counts still move\. Resume with: groundswell pause --resume\n$/);
    const until = (JSON.parse((await cli('quiet', '--json')).stdout) as { pausedUntil: number }).pausedUntil;
    expect(until - Date.now()).toBeGreaterThan(59 * 60_000);
    expect((await cli('pause', '--until', 'tomorrow')).stdout).toMatch(/until tomorrow 08:00/);
    expect((await cli('pause', '--for', '90s')).stderr).toMatch(/--for takes a number and m, h or d/);
    expect((await cli('pause', '--for', '1h', '--resume')).stderr).toMatch(/pause needs one of/);
    expect((await cli('pause', '--until', '2001-01-01T00:00')).stderr).toMatch(/must be in the future/);
    expect((await cli('pause', '--for', '90d')).stderr).toMatch(/at most 31 days/);
    expect((await cli('pause', '--resume')).stdout).toBe('Notifications resumed.\n');
  });

  it('explains an item in words and in JSON', async () => {
    const why = await cli('why', itemId);
    expect(why.code).toBe(0);
    expect(why.stdout).toContain('Counted without a notification because: ');
    expect(why.stdout).toMatch(/Unread: |Read: /);
    const json = JSON.parse((await cli('why', itemId, '--json')).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ itemId, reason: { level: 'badge', notified: false }, unread: expect.any(Boolean), counted: expect.any(Boolean) });
    expect((await cli('why')).stderr).toMatch(/why needs an item id/);
    expect((await cli('why', 'nope')).stderr).toMatch(/No item has that id/);
  });
});
