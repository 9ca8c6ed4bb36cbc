/**
 * The only code that touches the OS keychain. Secrets are stored per account id under one
 * service name. There is no plaintext fallback: without a keychain the caller gets an error that
 * says how to get one.
 */
import type * as Keytar from '@napi-rs/keyring/keytar.js';
import { missingCase } from '../../src-shared/domain.ts';

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

/** Why the keychain cannot be used, as far as the native layer tells: each asks something else of the user. */
export type KeychainProblem = 'locked' | 'not-running' | 'unavailable';

export class KeychainUnavailableError extends Error {
  readonly problem: KeychainProblem;
  constructor(operation: string, cause: unknown) {
    const problem = keychainProblem(cause);
    super(keychainMessage(problem, operation), { cause });
    this.name = 'KeychainUnavailableError';
    this.problem = problem;
  }
}

/** The native layer names the Secret Service's answer in its message (no code to read). */
function keychainProblem(cause: unknown): KeychainProblem {
  const text = cause instanceof Error ? cause.message : String(cause);
  if (/prompt was dismissed|is locked|\blocked\b/i.test(text)) return 'locked';
  if (/ServiceUnknown|not provided by any|Failed to connect|No such file|not running/i.test(text)) return 'not-running';
  return 'unavailable';
}

function keychainMessage(problem: KeychainProblem, operation: string): string {
  const what = `so Groundswell cannot ${operation} the account's password.`;
  // Reading happens as an account connects: the hub tries again by itself (supervision.ts).
  const reading = operation === 'read';
  switch (problem) {
    case 'locked':
      return `The system keychain is locked, ${what} Unlock it${reading ? '; the account connects again by itself, or choose Sign in again.' : ' and try again.'}`;
    case 'not-running':
      return `The system keychain is not available: it is not running, ${what} ${keychainHint()}${reading ? ' The account connects again by itself once it runs.' : ''}`;
    case 'unavailable':
      return `The system keychain is not available, ${what} ${keychainHint()}`;
    default:
      return missingCase(problem);
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
    getPassword: (account) =>
      guard('read', async () => {
        const native = await keytar();
        const password = await native.getPassword(service, account);
        // The Secret Service binding answers "no such entry" when no keychain runs at all; listing
        // fails in that case, so a missing password is only reported as missing when the keychain answers.
        if (password === null) await native.findCredentials(service);
        return password;
      }),
    setPassword: (account, password) => guard('save', async () => (await keytar()).setPassword(service, account, password)),
    deletePassword: (account) => guard('delete', async () => (await keytar()).deletePassword(service, account)),
    findCredentials: () => guard('list', async () => (await keytar()).findCredentials(service)),
  };
}
