/**
 * Bundles the Electron main process, the preload and the hub process into dist/electron
 * (CommonJS, as Electron loads them).
 */
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

/** main.ts forks dist/electron/hub-process.cjs (its own __dirname) with utilityProcess.fork. */
export const electronEntries: readonly { entryPoint: string; outfile: string }[] = [
  { entryPoint: 'src-main/electron/main.ts', outfile: 'dist/electron/main.cjs' },
  { entryPoint: 'src-main/electron/preload.ts', outfile: 'dist/electron/preload.cjs' },
  { entryPoint: 'src-main/hub-process/child.ts', outfile: 'dist/electron/hub-process.cjs' },
];

if (import.meta.main) {
  for (const { entryPoint, outfile } of electronEntries) await build({ ...electronBundleOptions, entryPoints: [entryPoint], outfile });
  console.log(`built ${electronEntries.map((e) => e.outfile).join(', ')}`);
}
