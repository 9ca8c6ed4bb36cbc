/**
 * This device's end-to-end encryption: matrix-js-sdk's Rust crypto over the durable IndexedDB in the
 * account's folder, encrypted at rest with a 32-byte key the keychain keeps beside the session.
 * The key is in the keychain before anything is encrypted with it, so a crash in between cannot
 * leave a store nobody can open.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { MatrixClient } from 'matrix-js-sdk';
import type { CryptoCallbacks } from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { SecretStorageKeyDescription } from 'matrix-js-sdk/lib/secret-storage.js';
import { ConnectorError } from '../connector.ts';
import type { MatrixSettings } from '../../../src-shared/domain.ts';
import type { ConnectorContext } from '../connector.ts';
import { CryptoStoreError } from './crypto-store/crypto-store-error.ts';
import { openDurableIndexedDb } from './crypto-store/durable-indexeddb.ts';
import type { DurableIndexedDb } from './crypto-store/durable-indexeddb.ts';
import { parseSession } from './matrix-session.ts';

const STORAGE_KEY_BYTES = 32;

/** Where the store lives inside the account's folder. */
export function cryptoStoreDir(dataDir: string): string {
  return join(dataDir, 'crypto');
}

/** Each account owns its databases in the process's one IndexedDB by this prefix. */
function databasePrefixOf(accountId: string): string {
  return `groundswell-${accountId}`;
}

/** The store key from the keychain, made and saved there on the first start. */
export async function deviceStorageKey(ctx: ConnectorContext<MatrixSettings>): Promise<Uint8Array> {
  const secret = await ctx.readSecret();
  const session = parseSession(secret);
  if (session.storageKey) {
    const key = Buffer.from(session.storageKey, 'base64');
    if (key.byteLength === STORAGE_KEY_BYTES) return new Uint8Array(key);
    throw new ConnectorError('auth-failed', 'The encryption key saved for this Matrix account is damaged. Remove the account and add it again.');
  }
  const dir = cryptoStoreDir(ctx.dataDir);
  if (existsSync(join(dir, 'snapshot')) || existsSync(join(dir, 'journal'))) await retireUnopenableStore(ctx, dir);
  const key = new Uint8Array(randomBytes(STORAGE_KEY_BYTES));
  await ctx.writeSecret(JSON.stringify({ ...session, storageKey: Buffer.from(key).toString('base64') }));
  return key;
}

/**
 * Secret-storage keys (the recovery key, decoded) held in memory while a backup is set up or
 * restored; the SDK asks for them through its crypto callbacks. Nothing here reaches the disk.
 */
export class SecretStorageKeys {
  readonly #keys = new Map<string, Uint8Array<ArrayBuffer>>();
  /** A key the user typed whose id is not known yet: offered for whichever key the SDK asks for. */
  #offered: Uint8Array<ArrayBuffer> | undefined;

  offer(key: Uint8Array<ArrayBuffer>): void {
    this.#offered = key;
  }

  remember(keyId: string, key: Uint8Array<ArrayBuffer>): void {
    this.#keys.set(keyId, key);
  }

  forget(): void {
    this.#keys.clear();
    this.#offered = undefined;
  }

  readonly callbacks: CryptoCallbacks = {
    getSecretStorageKey: async ({ keys }: { keys: Record<string, SecretStorageKeyDescription> }) => {
      for (const keyId of Object.keys(keys)) {
        const known = this.#keys.get(keyId);
        if (known) return [keyId, known];
      }
      const first = Object.keys(keys)[0];
      return first !== undefined && this.#offered ? [first, this.#offered] : null;
    },
    cacheSecretStorageKey: (keyId: string, _info: SecretStorageKeyDescription, key: Uint8Array<ArrayBuffer>) => this.remember(keyId, key),
  };
}

/**
 * A store whose key is gone (a keychain reset, say) can never be opened again, and the same device
 * must not start over with new keys the server would refuse. The files are moved aside, not deleted,
 * and the account forgets its device, so signing in again makes a new one.
 */
async function retireUnopenableStore(ctx: ConnectorContext<MatrixSettings>, dir: string): Promise<never> {
  const aside = `${dir}.unreadable-${Date.now()}`;
  renameSync(dir, aside);
  const { deviceId: _lost, ...settings } = ctx.account.settings;
  ctx.updateSettings(settings);
  ctx.log.warn('the crypto store key is missing from the keychain; the store was moved aside', { aside });
  throw new ConnectorError(
    'auth-failed',
    'The key that protects this device’s encryption keys is missing from the system keychain. Sign in again: Groundswell starts a new device, and a key backup restores your encrypted history.',
  );
}

/** Opens the account's store and starts the Rust crypto on it; call before startClient. */
export async function startDeviceCrypto(client: MatrixClient, ctx: ConnectorContext<MatrixSettings>): Promise<DurableIndexedDb> {
  const storageKey = await deviceStorageKey(ctx);
  let store: DurableIndexedDb;
  try {
    store = await openDurableIndexedDb(cryptoStoreDir(ctx.dataDir), {
      databasePrefix: databasePrefixOf(ctx.account.id),
      onBackgroundError: (error) => ctx.log.warn('crypto store background write failed', { error: error.message }),
    });
  } catch (error) {
    throw cryptoStoreFailure(error);
  }
  try {
    store.install();
    await client.initRustCrypto(store.rustCryptoOptions(storageKey));
  } catch (error) {
    await store.close().catch(() => undefined);
    throw cryptoStoreFailure(error);
  }
  ctx.log.info('encryption ready', { loadMs: Math.round(store.loaded.loadMs), replayedCommits: store.loaded.replayedCommits });
  return store;
}

function cryptoStoreFailure(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  if (error instanceof CryptoStoreError && error.code === 'locked') {
    return new ConnectorError('connection-failed', `The encryption keys of this account are in use by another Groundswell process (${error.message}). Quit it and try again.`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectorError('protocol', `End-to-end encryption could not start: ${message.slice(0, 200)}. Restart Groundswell; if it keeps failing, remove the account and add it again.`, { cause: error });
}
