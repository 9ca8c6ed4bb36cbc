import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Account, MatrixSettings } from '../../../src-shared/domain.ts';
import { createMemoryContext } from '../../../tests/support/memory-context.ts';
import { cryptoStoreDir, deviceStorageKey } from './device-crypto.ts';

const account: Account<MatrixSettings> = {
  id: 'acc-1',
  kind: 'matrix',
  source: 'chat',
  displayName: 'alice',
  createdAt: 0,
  settings: { homeserverUrl: 'http://127.0.0.1:1', userId: '@alice:hs', deviceId: 'DEV1' },
};

describe('the crypto store key', () => {
  it('is made once and kept in the keychain beside the session', async () => {
    const ctx = createMemoryContext(account, JSON.stringify({ accessToken: 'tok' }));
    const key = await deviceStorageKey(ctx);
    expect(key.byteLength).toBe(32);
    const saved = JSON.parse(ctx.secret) as { accessToken: string; storageKey: string };
    expect(saved.accessToken).toBe('tok');
    expect(Buffer.from(saved.storageKey, 'base64')).toEqual(Buffer.from(key));
    expect(await deviceStorageKey(ctx)).toEqual(key);
  });

  it('refuses a damaged key instead of making a store nobody can open', async () => {
    const ctx = createMemoryContext(account, JSON.stringify({ accessToken: 'tok', storageKey: 'c2hvcnQ=' }));
    await expect(deviceStorageKey(ctx)).rejects.toThrow(/damaged/);
  });

  it('moves a store whose key is lost aside and forgets the device, so signing in again starts a new one', async () => {
    const ctx = createMemoryContext(account, JSON.stringify({ accessToken: 'tok' }));
    const dir = cryptoStoreDir(ctx.dataDir);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'snapshot'), 'keys encrypted with a key that is gone');
    await expect(deviceStorageKey(ctx)).rejects.toMatchObject({ code: 'auth-failed', message: expect.stringMatching(/Sign in again/) });
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(ctx.dataDir).some((name) => name.startsWith('crypto.unreadable-'))).toBe(true);
    expect(ctx.settingsUpdates.at(-1)).toEqual({ homeserverUrl: 'http://127.0.0.1:1', userId: '@alice:hs' });
    expect(JSON.parse(ctx.secret)).toEqual({ accessToken: 'tok' });
  });
});
