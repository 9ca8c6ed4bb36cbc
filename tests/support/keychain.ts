/**
 * Tests use the real keychain (gnome-keyring inside the dbus-run-session that
 * scripts/with-session-bus.ts starts) under a service name of their own, cleaned up afterwards.
 */
import { randomUUID } from 'node:crypto';
import { createKeychainSecretStore } from '../../src-main/secrets/secret-store.ts';
import type { SecretStore } from '../../src-main/secrets/secret-store.ts';

export interface TestKeychain {
  service: string;
  secrets: SecretStore;
  clear(): Promise<void>;
}

export function testKeychain(): TestKeychain {
  const service = `Groundswell-test-${randomUUID()}`;
  const secrets = createKeychainSecretStore(service);
  return {
    service,
    secrets,
    clear: async () => {
      for (const { account } of await secrets.findCredentials()) await secrets.deletePassword(account);
    },
  };
}
