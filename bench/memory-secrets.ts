/** A keychain in a Map, for benches: what addMatrix keeps is there for the connector and a restart. */
import type { SecretStore } from '../src-main/secrets/secret-store.ts';

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
