import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { electronBundleOptions } from '../../scripts/build-electron.ts';

// Inside the repository, so the packages the bundle leaves out resolve from node_modules as in the app.
mkdirSync('dist', { recursive: true });
const dir = mkdtempSync(join('dist', 'bundle-probe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the Electron main-process bundle', () => {
  it('starts the Rust crypto from inside the bundle', async () => {
    const outfile = resolve(dir, 'probe.cjs');
    await build({ ...electronBundleOptions, sourcemap: false, entryPoints: ['tests/support/electron-bundle-probe.ts'], outfile });
    const run = spawnSync(process.execPath, [outfile], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stdout.trim().split('\n').at(-1)).toBe('CRYPTO ok');
  }, 90_000);
});
