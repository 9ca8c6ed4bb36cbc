import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempProfile } from '../../tests/support/profile.ts';
import type { TempProfile } from '../../tests/support/profile.ts';
import { acquireProfileLock, defaultProfileDir, ProfileLockedError, readLock, resolveProfileDir, runningHub } from './profile.ts';

describe('profile directory', () => {
  it('follows --profile, then GROUNDSWELL_PROFILE, then the OS app-data folder', () => {
    expect(resolveProfileDir('/tmp/a', { GROUNDSWELL_PROFILE: '/tmp/b' })).toBe('/tmp/a');
    expect(resolveProfileDir(undefined, { GROUNDSWELL_PROFILE: '/tmp/b' })).toBe('/tmp/b');
    expect(defaultProfileDir({ XDG_CONFIG_HOME: '/home/u/.config' }, 'linux')).toBe('/home/u/.config/Groundswell');
    expect(defaultProfileDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32')).toContain('Groundswell');
  });
});

describe('profile lock', () => {
  let profile: TempProfile;
  beforeEach(() => {
    profile = tempProfile();
  });
  afterEach(() => profile.remove());

  it('keeps nothing but plain files in the profile, so a backup that reads every file never waits on the lock', () => {
    const lock = acquireProfileLock(profile.dir);
    try {
      const entries = readdirSync(profile.dir, { recursive: true, withFileTypes: true });
      expect(entries.filter((e) => !e.isFile() && !e.isDirectory()).map((e) => e.name)).toEqual([]);
      expect(lock.info.alive).toMatch(/^hub\.lock\.[0-9a-f]+\.alive$/);
      expect(runningHub(profile.dir)).toBeUndefined(); // this process holds it
    } finally {
      lock.release();
    }
  });

  it('admits one holder and names it to the next', () => {
    const lock = acquireProfileLock(profile.dir);
    // Simulate a second process by writing a live foreign pid (our parent) into the lock.
    const lockPath = join(profile.dir, 'hub.lock');
    const foreign = { pid: process.ppid, startedAt: Date.now() };
    writeFileSync(lockPath, JSON.stringify(foreign));
    expect(() => acquireProfileLock(profile.dir)).toThrowError(ProfileLockedError);
    expect(() => acquireProfileLock(profile.dir)).toThrowError(new RegExp(`process ${process.ppid}`));
    writeFileSync(lockPath, JSON.stringify(lock.info));
    lock.release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it('takes over a lock left by a process that died', () => {
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout.trim());
    writeFileSync(join(profile.dir, 'hub.lock'), JSON.stringify({ pid: deadPid, startedAt: 0 }));
    const lock = acquireProfileLock(profile.dir);
    expect(JSON.parse(readFileSync(join(profile.dir, 'hub.lock'), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it.skipIf(process.platform !== 'linux')('takes over a lock whose holder crashed and is a zombie its parent never reaped', async () => {
    // sh starts the hub-like child, then becomes `sleep`, which never waits for it: the child's
    // crash leaves a zombie that kill(pid, 0) still reports as alive.
    const parent = spawn('sh', ['-c', `"${process.execPath}" tests/support/profile-lock-child.ts "${profile.dir}" & exec sleep 120`], { stdio: 'ignore' });
    try {
      const lockPath = join(profile.dir, 'hub.lock');
      let zombie: number | undefined;
      for (let tries = 0; zombie === undefined && tries < 400; tries++) {
        const pid = readLock(lockPath)?.pid;
        // A zombie once every thread is gone (the main thread shows Z while the others still exit).
        const status = pid === undefined ? '' : readFileSync(`/proc/${pid}/status`, 'utf8');
        if (/^State:\s+Z/m.test(status) && /^Threads:\s+1$/m.test(status)) zombie = pid;
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(zombie, 'the child took the lock and became a zombie').toBeDefined();
      expect(runningHub(profile.dir)).toBeUndefined();
      const lock = acquireProfileLock(profile.dir);
      expect(readLock(lockPath)?.pid).toBe(process.pid);
      lock.release();
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('advertises the endpoint for CLIs on the same profile', () => {
    const lock = acquireProfileLock(profile.dir);
    lock.advertise({ port: 4567, token: 't' });
    const info = JSON.parse(readFileSync(join(profile.dir, 'hub.lock'), 'utf8'));
    expect(info.endpoint).toEqual({ port: 4567, token: 't' });
    // runningHub ignores our own pid: it looks for *another* process.
    expect(runningHub(profile.dir)).toBeUndefined();
    lock.release();
  });
});
