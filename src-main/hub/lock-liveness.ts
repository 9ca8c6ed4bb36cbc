/**
 * Telling whether the hub that holds a profile lock still runs.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Whether a lock's holder still runs is decided by the kernel, not by its pid. A hub that crashed
 * while its parent does not reap it stays a zombie, which kill(pid, 0) reports alive (and a pid can
 * be reused). So the holder keeps a FIFO of its own open for reading: the kernel closes that when
 * the process exits, zombie or not, and opening the write end without blocking then fails with
 * ENXIO. The probe is synchronous, which Hub.open and every CLI command need (a Unix socket or named
 * pipe can only be probed asynchronously), and needs no native addon (flock is not in Node's API).
 * Windows has no FIFOs (and no zombies of this kind): there, and for locks without a FIFO, the pid decides.
 */
const ALIVE_NAME = /^hub\.lock\.[0-9a-f]+\.alive$/;

/** Whether the process that wrote a lock (its pid, and the FIFO it named) still runs. */
export function holderAlive(lockPath: string, pid: number, alive: string | undefined): boolean {
  if (alive === undefined || !ALIVE_NAME.test(alive)) return isProcessAlive(pid);
  try {
    closeSync(openSync(join(dirname(lockPath), alive), constants.O_WRONLY | constants.O_NONBLOCK));
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENXIO: nobody reads it, the holder is gone. ENOENT: its FIFO was removed with it.
    return code === 'ENXIO' || code === 'ENOENT' ? false : isProcessAlive(pid);
  }
}

/** This process's liveness FIFO, held open for reading until release; undefined where FIFOs do not exist. */
export function openAliveFifo(dir: string): { name: string; fd: number } | undefined {
  if (process.platform === 'win32') return undefined;
  const name = `hub.lock.${randomBytes(6).toString('hex')}.alive`;
  const path = join(dir, name);
  try {
    // Node has no mkfifo; the POSIX tool is on every system that has FIFOs.
    execFileSync('mkfifo', ['-m', '600', path], { stdio: 'ignore' });
    // Node opens files close-on-exec, so a child the hub starts cannot keep the FIFO, and the lock, alive.
    return { name, fd: openSync(path, constants.O_RDONLY | constants.O_NONBLOCK) };
  } catch {
    rmSync(path, { force: true });
    // Without it the lock still works, judged by pid as before.
    return undefined;
  }
}

export function removeAliveFifo(dir: string, name: string | undefined): void {
  if (name !== undefined && ALIVE_NAME.test(name)) rmSync(join(dir, name), { force: true });
}

/** A pid check alone: a zombie or a reused pid counts as alive. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
