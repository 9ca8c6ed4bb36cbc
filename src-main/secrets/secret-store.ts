/**
 * The only code that touches the OS keychain. Secrets are stored per account id under one
 * service name. There is no plaintext fallback: without a keychain the caller gets an error that
 * says how to get one.
 */
import type * as Keytar from '@napi-rs/keyring/keytar.js';

/** The native keychain binding loads on first use: listing accounts or reading the inbox never needs it. */
let keytarModule: Promise<typeof Keytar> | undefined;
const keytar = () => (keytarModule ??= import('@napi-rs/keyring/keytar.js'));

export const KEYCHAIN_SERVICE = 'Groundswell';

/** The keytar API, so another backend (Electron safeStorage, a test keychain) can slot in. */
export interface SecretStore {
  getPassword(account: string): Promise<string | null>;
  setPassword(account: string, password: string): Promise<void>;
  deletePassword(account: string): Promise<boolean>;
  findCredentials(): Promise<{ account: string; password: string }[]>;
}

export class KeychainUnavailableError extends Error {
  constructor(operation: string, cause: unknown) {
    super(
      `The system keychain is not available, so Groundswell cannot ${operation} the account's password. ` +
        keychainHint(),
      { cause },
    );
    this.name = 'KeychainUnavailableError';
  }
}

function keychainHint(platform = process.platform): string {
  if (platform === 'linux') {
    return 'Start a Secret Service provider (GNOME Keyring or KWallet) in your desktop session and unlock it; ' +
      'on a headless machine run Groundswell inside `dbus-run-session` with `gnome-keyring-daemon --unlock`.';
  }
  if (platform === 'darwin') return 'Unlock your login keychain in Keychain Access and try again.';
  return 'Make sure Windows Credential Manager is available for your user and try again.';
}

/** Keychain errors from the native layer mention neither the password nor the user's data, only the backend. */
export function createKeychainSecretStore(service = KEYCHAIN_SERVICE): SecretStore {
  const guard = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw new KeychainUnavailableError(operation, error);
    }
  };
  return {
    getPassword: (account) => guard('read', async () => (await keytar()).getPassword(service, account)),
    setPassword: (account, password) => guard('save', async () => (await keytar()).setPassword(service, account, password)),
    deletePassword: (account) => guard('delete', async () => (await keytar()).deletePassword(service, account)),
    findCredentials: () => guard('list', async () => (await keytar()).findCredentials(service)),
  };
}
