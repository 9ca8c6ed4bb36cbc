import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../../src-shared/domain.ts';
import type { AnyConnectorKind } from '../connectors/kind.ts';
import { eventually, hubParts } from '../../tests/support/hub-parts.ts';
import type { HubParts } from '../../tests/support/hub-parts.ts';
import { scriptedItem, scriptedKind, scriptedServer } from '../../tests/support/kinds/scripted/kind.ts';
import type { ScriptedServer } from '../../tests/support/kinds/scripted/kind.ts';

let server: ScriptedServer;
let kind: AnyConnectorKind;
let parts: HubParts;
let account: Account;

beforeEach(async () => {
  server = scriptedServer();
  server.passwords.set('ann', 'pw');
  kind = scriptedKind(server);
  parts = hubParts([kind]);
  account = (await parts.accounts.add({ kind: 'scripted', input: { server: 's', user: 'ann', password: 'pw' } })).account;
});
afterEach(() => parts.dispose());

describe('connector supervision', () => {
  it('starts a live connector, whose reports reach the store and come out as one batched event', async () => {
    server.items.set(account.id, [scriptedItem('m1'), scriptedItem('m2'), scriptedItem('m3')]);
    parts.supervision.start(account, kind);
    parts.supervision.start(account, kind);
    await eventually('online', () => parts.supervision.status(account.id).state === 'online');
    expect(server.created).toBe(1);
    expect(parts.store.listInbox({ limit: 10 }).items.map((i) => i.id)).toEqual([`${account.id}:m3`, `${account.id}:m2`, `${account.id}:m1`]);
    await eventually('inbox.changed', () => parts.seen('inbox.changed').length === 1);
    expect(parts.seen('inbox.changed')).toEqual([{ accountIds: [account.id] }]);
  });

  it('says why an account could not start, as its status', async () => {
    const broken: AnyConnectorKind = { ...kind, create: async () => Promise.reject(new Error('the protocol library is missing')) };
    parts.supervision.start(account, broken);
    const status = await eventually('offline', () => {
      const s = parts.supervision.status(account.id);
      return s.state === 'offline' ? s : undefined;
    });
    expect(status.reason).toContain('the protocol library is missing');
    expect(parts.supervision.isLive(account.id)).toBe(false);
  });

  it('runs a call on a short-lived connector when none is live, and stops it after', async () => {
    const answer = await parts.supervision.withConnector(account, kind, async (c) => (await c.loadDetail({ title: 'x', sender: 'y' } as never)).bodyText);
    expect(answer).toBe('The whole of x.');
    expect(server.created).toBe(1);
    expect(server.stopped).toBe(1);
  });

  it('uses the live connector for a call, and stops every one on dispose', async () => {
    parts.supervision.start(account, kind);
    await eventually('online', () => parts.supervision.status(account.id).state === 'online');
    await parts.supervision.withConnector(account, kind, (c) => c.syncOnce());
    expect(server.created).toBe(1);
    await parts.supervision.dispose();
    expect(server.stopped).toBe(1);
  });

  it('drops what a connector reports after the hub stopped it', async () => {
    parts.supervision.start(account, kind);
    await eventually('online', () => parts.supervision.status(account.id).state === 'online');
    const ctx = server.contexts[0]!;
    await parts.supervision.dispose();
    ctx.upsert([scriptedItem('late')]);
    expect(parts.store.listInbox({ limit: 10 }).items).toEqual([]);
  });
});
