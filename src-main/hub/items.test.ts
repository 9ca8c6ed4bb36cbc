import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../../src-shared/domain.ts';
import { ConnectorError } from '../connectors/connector.ts';
import { hubParts } from '../../tests/support/hub-parts.ts';
import type { HubParts } from '../../tests/support/hub-parts.ts';
import { scriptedItem, scriptedKind, scriptedServer } from '../../tests/support/kinds/scripted/kind.ts';
import type { ScriptedServer } from '../../tests/support/kinds/scripted/kind.ts';
import { NotFoundError } from './errors.ts';

let server: ScriptedServer;
let parts: HubParts;
let account: Account;
const id = (externalId: string) => `${account.id}:${externalId}`;

beforeEach(async () => {
  server = scriptedServer();
  server.passwords.set('ann', 'pw');
  parts = hubParts([scriptedKind(server)]);
  account = (await parts.accounts.add({ kind: 'scripted', input: { server: 's', user: 'ann', password: 'pw' } })).account;
  server.items.set(account.id, [scriptedItem('m1'), scriptedItem('m2')]);
  const { supervision } = parts;
  await supervision.withConnector(account, parts.accounts.get(account.id).kind, (c) => c.syncOnce());
});
afterEach(() => parts.dispose());

describe('the reading pane', () => {
  it('fetches a body once and keeps it', async () => {
    const first = await parts.items.detail(id('m1'));
    expect(first.bodyText).toBe('The whole of Message m1.');
    server.failures.push(new ConnectorError('connection-failed', 'away'));
    const again = await parts.items.detail(id('m1'));
    expect(again.bodyText).toBe('The whole of Message m1.');
    expect(server.failures).toHaveLength(1);
  });

  it('shows the preview with the reason when the body cannot be fetched', async () => {
    server.failures.push(new ConnectorError('connection-failed', 'The server is away.'));
    const detail = await parts.items.detail(id('m2'));
    expect(detail.bodyText).toBe('About m2');
    expect(detail.bodyError).toContain('The server is away.');
    await expect(parts.items.detail('nobody:x')).rejects.toBeInstanceOf(NotFoundError);
  });
});
