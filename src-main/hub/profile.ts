/**
 * A profile is one directory: the SQLite store, logs and the hub lock. Secrets never live here
 * (they are in the OS keychain). One hub per profile at a time: the lock names the holder.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { holderAlive, openAliveFifo, removeAliveFifo } from './lock-liveness.ts';

export { APP_NAME, defaultProfileDir, resolveProfileDir } from '../common/profile-dir.ts';

export interface ProfilePaths {
  dir: string;
  database: string;
  lock: string;
  log: string;
  /** One folder per account for what a connector keeps beyond the store (Matrix crypto). */
  accounts: string;
}

export function profilePaths(dir: string): ProfilePaths {
  return {
    dir,
    database: join(dir, 'groundswell.sqlite'),
    lock: join(dir, 'hub.lock'),
    log: join(dir, 'logs', 'hub.log'),
    accounts: join(dir, 'accounts'),
  };
}

/** What the running hub advertises so a CLI on the same profile can talk to it instead. */
export interface LockInfo {
  pid: number;
  startedAt: number;
  /** Present once the hub listens for clients (serve, or the Electron app's local endpoint). */
  endpoint?: { port: number; token: string };
  /** The holder's liveness FIFO, in the user's runtime folder (see lock-liveness.ts). */
  alive?: string;
}

export class ProfileLockedError extends Error {
  readonly holder: LockInfo;
  constructor(lockPath: string, holder: LockInfo) {
    super(
      `This profile is already in use by Groundswell process ${holder.pid} (started ${new Date(holder.startedAt).toLocaleString()}). ` +
        `Quit that process, or pass --profile DIR to use another profile. Lock file: ${lockPath}`,
    );
    this.name = 'ProfileLockedError';
    this.holder = holder;
  }
}

export interface ProfileLock {
  readonly info: LockInfo;
  advertise(endpoint: { port: number; token: string }): void;
  release(): void;
}

export { isProcessAlive } from './lock-liveness.ts';

export function readLock(lockPath: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(lockPath, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' ? info : undefined;
  } catch {
    return undefined;
  }
}

/** The running hub on this profile, if any (a lock whose process is alive). */
export function runningHub(dir: string): LockInfo | undefined {
  const lockPath = profilePaths(dir).lock;
  const info = readLock(lockPath);
  return info && info.pid !== process.pid && holderAlive(info.pid, info.alive) ? info : undefined;
}

/** Lock files this process holds, so a second open in the same process is refused too. */
const heldLocks = new Set<string>();

export function acquireProfileLock(dir: string): ProfileLock {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lockPath = profilePaths(dir).lock;
  // Opened before the lock file exists, so whoever finds the lock file finds its holder alive.
  const fifo = openAliveFifo();
  const info: LockInfo = { pid: process.pid, startedAt: Date.now(), ...(fifo ? { alive: fifo.name } : {}) };
  const dropFifo = () => {
    if (!fifo) return;
    closeSync(fifo.fd);
    removeAliveFifo(fifo.name);
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // 'wx' makes creation atomic: of two hubs starting together, one wins.
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      heldLocks.add(lockPath);
      let released = false;
      return {
        info,
        advertise(endpoint) {
          info.endpoint = endpoint;
          const tmp = `${lockPath}.${process.pid}`;
          const fd2 = openSync(tmp, 'w', 0o600);
          writeSync(fd2, JSON.stringify(info));
          closeSync(fd2);
          // rename is atomic, so a reader never sees half a lock file.
          renameSync(tmp, lockPath);
        },
        release() {
          if (released) return;
          released = true;
          heldLocks.delete(lockPath);
          const current = readLock(lockPath);
          if (current?.pid === process.pid) rmSync(lockPath, { force: true });
          dropFifo();
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        dropFifo();
        throw error;
      }
      const holder = readLock(lockPath);
      const heldHere = holder?.pid === process.pid && heldLocks.has(lockPath);
      if (holder && (heldHere || (holder.pid !== process.pid && holderAlive(holder.pid, holder.alive)))) {
        dropFifo();
        throw new ProfileLockedError(lockPath, holder);
      }
      // A lock left by a crashed process: take it over, with the FIFO it left.
      removeAliveFifo(holder?.alive);
      rmSync(lockPath, { force: true });
    }
  }
  dropFifo();
  throw new Error(`Could not take the profile lock at ${lockPath}; remove the file if no Groundswell is running.`);
}
