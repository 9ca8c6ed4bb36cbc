/**
 * Bundled the way the Electron main process is (tests/unit/electron-bundle.test.ts), then run: the
 * Rust crypto must start from inside the bundle, as it does in the app.
 */
import { createClient } from 'matrix-js-sdk';
import { silenceSdkConsoleLogging } from '../../src-main/connectors/matrix/sdk-logging.ts';

silenceSdkConsoleLogging();

async function probe(): Promise<void> {
  const client = createClient({ baseUrl: 'http://127.0.0.1:9', userId: '@probe:localhost', deviceId: 'PROBE', accessToken: 'probe' });
  await client.initRustCrypto({ useIndexedDB: false });
  const keys = await client.getCrypto()!.getOwnDeviceKeys();
  process.stdout.write(`CRYPTO ${keys.ed25519.length > 0 ? 'ok' : 'no keys'}\n`);
  process.exit(0);
}

probe().catch((error: unknown) => {
  process.stdout.write(`CRYPTO failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
