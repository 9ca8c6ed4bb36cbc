import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { electronBundleOptions, electronEntries } from '../../scripts/build-electron.ts';
import { hubProcessArgs } from '../../src-main/hub-process/protocol.ts';
import { HubSupervisor } from '../../src-main/hub-process/supervisor.ts';
import { forkWithNode } from '../support/hub-process-fork.ts';
import { tempProfile } from '../support/profile.ts';

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

  it('runs the hub process from its bundle: it opens a profile, answers a call and shuts down cleanly', async () => {
    const entry = electronEntries.find((e) => e.entryPoint === 'src-main/hub-process/child.ts');
    expect(entry?.outfile).toBe('dist/electron/hub-process.cjs');
    const outfile = resolve(dir, 'hub-process.cjs');
    await build({ ...electronBundleOptions, sourcemap: false, entryPoints: [entry!.entryPoint], outfile });
    const profile = tempProfile();
    let exitCode: number | undefined;
    const supervisor = new HubSupervisor({
      fork: (modulePath, args) => {
        const child = forkWithNode(modulePath, args);
        child.on('exit', (code) => (exitCode = code));
        return child;
      },
      modulePath: outfile,
      args: hubProcessArgs({ profileDir: profile.dir, uiDir: resolve(dir, 'no-ui') }),
    });
    try {
      supervisor.start();
      expect(await supervisor.call('accounts.list', {})).toEqual({ ok: true, value: [] });
      expect(supervisor.status).toEqual({ state: 'running' });
    } finally {
      await supervisor.stop();
      profile.remove();
    }
    expect(exitCode).toBe(0);
  }, 90_000);
});
