import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../connectors/connector.ts';
import { InputError } from '../common/input.ts';
import { hubParts, eventually } from '../../tests/support/hub-parts.ts';
import type { HubParts } from '../../tests/support/hub-parts.ts';
import { scriptedKind, scriptedServer } from '../../tests/support/kinds/scripted/kind.ts';
import type { ScriptedServer } from '../../tests/support/kinds/scripted/kind.ts';
import { NotFoundError, UnsupportedError } from './errors.ts';

let server: ScriptedServer;
let parts: HubParts;
const input = { server: 'mail.example.test', user: 'ann', password: 'right' };

beforeEach(() => {
  server = scriptedServer();
  server.passwords.set('ann', 'right');
  parts = hubParts([scriptedKind(server)]);
});
afterEach(() => parts.dispose());

describe('adding accounts', () => {
  it('saves only what the server accepted, the secret in the keychain and the settings in the store', async () => {
    const view = await parts.accounts.add({ kind: 'scripted', input });
    expect(view.account).toMatchObject({ kind: 'scripted', source: 'mail', displayName: 'ann on mail.example.test', settings: { server: 'mail.example.test', user: 'ann' } });
    expect(view.summary).toBe('ann@mail.example.test');
    expect(parts.keychain.get(view.account.id)).toBe('right');
    expect(JSON.stringify(parts.store.getAccount(view.account.id))).not.toContain('right');
    expect(parts.seen('accounts.changed')).toHaveLength(1);
  });

  it('refuses a wrong password and a duplicate, and an unknown kind, saving nothing', async () => {
    await expect(parts.accounts.add({ kind: 'scripted', input: { ...input, password: 'wrong' } })).rejects.toThrow(ConnectorError);
    expect(parts.store.listAccounts()).toEqual([]);
    await parts.accounts.add({ kind: 'scripted', input });
    await expect(parts.accounts.add({ kind: 'scripted', input })).rejects.toMatchObject({ field: 'user', message: expect.stringContaining('Already here') });
    await expect(parts.accounts.add({ kind: 'caldav', input })).rejects.toThrow(UnsupportedError);
    await expect(parts.accounts.add({ kind: 'scripted', input: { user: 'ann' } })).rejects.toMatchObject({ field: 'server' });
    expect(parts.store.listAccounts()).toHaveLength(1);
  });

  it('starts an added account live once connectors run, not before', async () => {
    await parts.accounts.add({ kind: 'scripted', input });
    expect(server.created).toBe(0);
    parts.accounts.startAll();
    await parts.accounts.add({ kind: 'scripted', input: { ...input, server: 'other.example.test' } });
    await eventually('two connectors', () => server.created === 2);
  });
});

describe('changing accounts', () => {
  it('renames without asking the server, and checks a new server before saving it', async () => {
    const { account } = await parts.accounts.add({ kind: 'scripted', input });
    const renamed = await parts.accounts.update({ accountId: account.id, changes: { displayName: '  Work  ' } });
    expect(renamed.account.displayName).toBe('Work');

    server.passwords.delete('ann');
    await expect(parts.accounts.update({ accountId: account.id, changes: { server: 'new.example.test' } })).rejects.toThrow(ConnectorError);
    expect(parts.accounts.get(account.id).account.settings).toMatchObject({ server: 'mail.example.test' });

    server.passwords.set('ann', 'right');
    const moved = await parts.accounts.update({ accountId: account.id, changes: { server: 'new.example.test' } });
    expect(moved.account.settings).toMatchObject({ server: 'new.example.test' });
    await expect(parts.accounts.update({ accountId: account.id, changes: { displayName: ' ' } })).rejects.toMatchObject({ field: 'displayName' });
    await expect(parts.accounts.update({ accountId: account.id, changes: { colour: 'red' } })).rejects.toBeInstanceOf(InputError);
    await expect(parts.accounts.update({ accountId: 'nobody', changes: {} })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('restarts a live connector when its settings change, and not for a rename', async () => {
    parts.accounts.startAll();
    const { account } = await parts.accounts.add({ kind: 'scripted', input });
    await eventually('started', () => server.created === 1);
    await parts.accounts.update({ accountId: account.id, changes: { displayName: 'Work' } });
    expect(server.created).toBe(1);
    await parts.accounts.update({ accountId: account.id, changes: { server: 'new.example.test' } });
    await eventually('restarted', () => server.created === 2 && server.stopped === 1);
  });

  it('signs in again only with a password the server accepts', async () => {
    const { account } = await parts.accounts.add({ kind: 'scripted', input });
    await expect(parts.accounts.updatePassword(account.id, 'wrong')).rejects.toThrow(ConnectorError);
    expect(parts.keychain.get(account.id)).toBe('right');
    server.passwords.set('ann', 'new');
    await parts.accounts.updatePassword(account.id, 'new');
    expect(parts.keychain.get(account.id)).toBe('new');
  });
});

describe('removing accounts', () => {
  it('stops the connector, deletes the secret and the rows, and says so twice (accounts and inbox)', async () => {
    parts.accounts.startAll();
    const { account } = await parts.accounts.add({ kind: 'scripted', input });
    await eventually('started', () => server.created === 1);
    parts.emitted.length = 0;
    await parts.accounts.remove(account.id);
    expect(server.stopped).toBe(1);
    expect(parts.keychain.has(account.id)).toBe(false);
    expect(parts.store.getAccount(account.id)).toBeUndefined();
    expect(parts.emitted.map((e) => e.name)).toEqual(['accounts.changed', 'inbox.changed']);
    await expect(parts.accounts.remove(account.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
