/** Bundles the Electron main process and preload into dist/electron (CommonJS, as Electron loads them). */
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  // Native modules and Electron itself load from node_modules at run time.
  external: ['electron', 'better-sqlite3', '@napi-rs/keyring', 'bufferutil', 'utf-8-validate'],
};

await build({ ...common, entryPoints: ['src-main/electron/main.ts'], outfile: 'dist/electron/main.cjs' });
await build({ ...common, entryPoints: ['src-main/electron/preload.ts'], outfile: 'dist/electron/preload.cjs' });
console.log('built dist/electron/main.cjs and dist/electron/preload.cjs');
