/** Bundles the Electron main process and preload into dist/electron (CommonJS, as Electron loads them). */
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';

export const electronBundleOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  // Native modules and Electron itself load from node_modules at run time. So does the crypto wasm:
  // it finds its .wasm file beside its own module, which a bundle would not have (E2EE would fail).
  external: ['electron', 'better-sqlite3', '@napi-rs/keyring', 'bufferutil', 'utf-8-validate', '@matrix-org/matrix-sdk-crypto-wasm'],
};

if (import.meta.main) {
  await build({ ...electronBundleOptions, entryPoints: ['src-main/electron/main.ts'], outfile: 'dist/electron/main.cjs' });
  await build({ ...electronBundleOptions, entryPoints: ['src-main/electron/preload.ts'], outfile: 'dist/electron/preload.cjs' });
  console.log('built dist/electron/main.cjs and dist/electron/preload.cjs');
}
