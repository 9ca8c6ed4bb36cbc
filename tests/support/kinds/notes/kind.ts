/**
 * A test-only connector kind: each text file in a folder is an inbox item. It proves the plug-in seam —
 * registered with `Hub.open({ kinds: [...defaultKinds(), notesKind] })` and nothing else, it shows up in
 * `kinds.list`, is added, changed, synced and removed through the contract, and gets its flags in the CLI.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Account } from '../../../../src-shared/domain.ts';
import { displayName, InputError, integer, onlyKeys, record, text } from '../../../../src-main/common/input.ts';
import { ConnectorError } from '../../../../src-main/connectors/connector.ts';
import type { Connector, ConnectorContext, ConnectorItem } from '../../../../src-main/connectors/connector.ts';
import { SettingsTooNewError } from '../../../../src-main/connectors/kind.ts';
import type { ConnectorKind } from '../../../../src-main/connectors/kind.ts';

export interface NotesSettings {
  folder: string;
  /** Only the newest this many notes are shown. */
  maxNotes: number;
}

const SCOPE = 'notes';

async function checkFolder(folder: string): Promise<void> {
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory()) throw new InputError(`${folder} is not a folder.`, 'folder');
}

async function readNotes(settings: NotesSettings): Promise<ConnectorItem[]> {
  const names = (await readdir(settings.folder)).filter((n) => n.endsWith('.txt'));
  const notes = await Promise.all(
    names.map(async (name) => {
      const path = join(settings.folder, name);
      const [body, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
      return { name, body, timestamp: Math.floor(info.mtimeMs) };
    }),
  );
  return notes
    .sort((a, b) => b.timestamp - a.timestamp)
    .slice(0, settings.maxNotes)
    .map(({ name, body, timestamp }) => ({
      externalId: name,
      scope: SCOPE,
      source: 'feed' as const,
      conversationKey: `notes:${name}`,
      sender: 'Notes',
      title: name.replace(/\.txt$/, ''),
      snippet: body.slice(0, 200),
      timestamp,
      unread: true,
      priority: false,
      origin: { kind: 'feed' as const, guid: name },
      detail: { headers: [], bodyText: body },
    }));
}

function createNotesConnector(ctx: ConnectorContext<NotesSettings>): Connector {
  const sync = async () => {
    const notes = await readNotes(ctx.account.settings).catch((error: unknown) => {
      throw new ConnectorError('connection-failed', `The notes folder cannot be read (${(error as Error).message}).`);
    });
    const known = ctx.knownReadState(SCOPE);
    // A note read here stays read; only new ones arrive unread.
    ctx.upsert(notes.map((note) => ({ ...note, unread: known.get(note.externalId) ?? true })));
    const present = new Set(notes.map((n) => n.externalId));
    ctx.remove([...known.keys()].filter((id) => !present.has(id)));
  };
  return {
    start: () => {
      ctx.status({ state: 'connecting' });
      sync().then(
        () => ctx.status({ state: 'online', since: Date.now() }),
        (error: unknown) => ctx.status({ state: 'offline', reason: (error as Error).message, nextRetryAt: 0 }),
      );
    },
    stop: async () => undefined,
    syncOnce: sync,
    markRead: async () => undefined,
    markUnread: async () => undefined,
    loadDetail: async (item) => ({ headers: [], bodyText: item.snippet }),
  };
}

export const notesKind: ConnectorKind<NotesSettings> = {
  kind: 'notes',
  source: 'feed',
  label: 'Notes folder',
  description: 'Each text file in a folder',
  settingsVersion: 2,
  capabilities: [],
  fields: [
    { name: 'folder', label: 'Folder', type: 'text', required: true, flag: 'folder', changeable: true },
    { name: 'maxNotes', label: 'Notes shown', type: 'number', required: false, flag: 'max-notes', changeable: true },
  ],
  draft(raw) {
    const input = record(raw, 'the notes folder');
    const folder = text(input['folder'], 'folder', 'Folder', { max: 4000 });
    return { displayName: displayName(input) || folder, settings: { folder, maxNotes: integer(input['maxNotes'], 'maxNotes', 'Notes shown', 1, 1000, 100) }, secret: undefined };
  },
  identity: (settings) => settings.folder,
  duplicate: (name) => ({ message: `This folder is already here as "${name}".`, field: 'folder' }),
  // Version 1 had no maxNotes: it reads as the default.
  decodeSettings(stored, version) {
    if (version > 2) throw new SettingsTooNewError('notes', version);
    const s = record(stored, 'the stored notes settings');
    return { folder: String(s['folder'] ?? ''), maxNotes: version >= 2 && typeof s['maxNotes'] === 'number' ? s['maxNotes'] : 100 };
  },
  applyChanges(settings, changes) {
    onlyKeys(changes, ['folder', 'maxNotes'], 'A notes folder');
    const next = { ...settings };
    if (changes['folder'] !== undefined) next.folder = text(changes['folder'], 'folder', 'Folder', { max: 4000 });
    if (changes['maxNotes'] !== undefined) next.maxNotes = integer(changes['maxNotes'], 'maxNotes', 'Notes shown', 1, 1000);
    return { settings: next, recheck: next.folder !== settings.folder };
  },
  describe: (account: Account<NotesSettings>) => account.settings.folder,
  signsIn: () => false,
  async verify(account) {
    await checkFolder(account.settings.folder);
    return { account, secret: undefined };
  },
  create: async (ctx) => createNotesConnector(ctx),
};
