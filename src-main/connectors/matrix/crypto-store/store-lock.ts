/**
 * `dir/lock`: the crypto store of one device must have one writer, or two OlmMachines would hand out
 * the same one-time keys and overwrite each other's ratchets. The file names its holder; a holder
 * that no longer runs (a crash, a SIGKILL) leaves a stale lock that the next open takes over.
 */
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CryptoStoreError } from './crypto-store-error.ts';

interface LockHolder {
  pid: number;
  /** Linux only: with the boot id, tells a reused pid from the process that wrote the lock. */
  bootId?: string;
  startTicks?: string;
}

export interface StoreLock {
  release(): void;
}

/** Directories locked by this process: a second open here is refused rather than taken over. */
const heldHere = new Set<string>();

export function acquireStoreLock(dir: string): StoreLock {
  const lockPath = join(dir, 'lock');
  if (heldHere.has(lockPath)) {
    throw new CryptoStoreError('locked', `The crypto store in ${dir} is already open in this process. Close it before opening it again.`);
  }
  const me = describeProcess(process.pid);
  const candidatePath = `${lockPath}.${process.pid}`;
  writeFileSync(candidatePath, JSON.stringify(me), { mode: 0o600 });
  try {
    // Two attempts: the second after removing a stale lock. link() fails if `lock` exists, so of two
    // processes racing for a free store exactly one wins, and the file is never seen half written.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        linkSync(candidatePath, lockPath);
        heldHere.add(lockPath);
        return { release: () => release(lockPath) };
      } catch (error) {
        if (!isCode(error, 'EEXIST')) throw error;
      }
      const holderText = readTextOrUndefined(lockPath);
      if (holderText === undefined) continue;
      const holder = parseHolder(holderText);
      if (holder !== undefined && isRunning(holder)) {
        throw new CryptoStoreError(
          'locked',
          `The crypto store in ${dir} is in use by process ${holder.pid}. Quit the other Groundswell first.`,
        );
      }
      // Re-read just before removing, so a lock another process took over meanwhile is left alone.
      if (readTextOrUndefined(lockPath) === holderText) unlinkIfPresent(lockPath);
    }
    throw new CryptoStoreError('locked', `The crypto store in ${dir} was locked by another process while opening. Try again.`);
  } finally {
    unlinkIfPresent(candidatePath);
  }
}

function release(lockPath: string): void {
  if (!heldHere.delete(lockPath)) return;
  unlinkIfPresent(lockPath);
}

function describeProcess(pid: number): LockHolder {
  const bootId = readTextOrUndefined('/proc/sys/kernel/random/boot_id')?.trim();
  const startTicks = processStartTicks(pid);
  return { pid, ...(bootId !== undefined ? { bootId } : {}), ...(startTicks !== undefined ? { startTicks } : {}) };
}

/** Field 22 of /proc/PID/stat; the command name before it may hold spaces, so count from its ')'. */
function processStartTicks(pid: number): string | undefined {
  const stat = readTextOrUndefined(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function isRunning(holder: LockHolder): boolean {
  // Our own pid in a lock we do not hold is a previous run of a container that reuses pids.
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if (isCode(error, 'ESRCH')) return false;
    // EPERM: it runs, as another user.
  }
  const now = describeProcess(holder.pid);
  if (holder.bootId !== undefined && now.bootId !== undefined && holder.bootId !== now.bootId) return false;
  if (holder.startTicks !== undefined && now.startTicks !== undefined && holder.startTicks !== now.startTicks) return false;
  return true;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) return undefined;
    return {
      pid: value.pid,
      ...(typeof value.bootId === 'string' ? { bootId: value.bootId } : {}),
      ...(typeof value.startTicks === 'string' ? { startTicks: value.startTicks } : {}),
    };
  } catch {
    // A lock that is not ours to read names no live holder.
    return undefined;
  }
}

function readTextOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function unlinkIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
  }
}

export function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
