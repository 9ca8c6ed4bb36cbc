/**
 * A keychain in a Map, for tests and benches: what an account keeps (a password, a Matrix session)
 * is there for its connector and for a hub opened again on the same profile.
 */
import type { SecretStore } from '../../src-main/secrets/secret-store.ts';

export function memorySecrets(secrets = new Map<string, string>()): SecretStore {
  return {
    getPassword: async (account) => secrets.get(account) ?? null,
    setPassword: async (account, password) => {
      secrets.set(account, password);
    },
    deletePassword: async (account) => secrets.delete(account),
    findCredentials: async () => [...secrets].map(([account, password]) => ({ account, password })),
  };
}
