/**
 * Telling whether the hub that holds a profile lock still runs.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, mkdirSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Whether a lock's holder still runs is decided by the kernel, not by its pid. A hub that crashed
 * while its parent does not reap it stays a zombie, which kill(pid, 0) reports alive (and a pid can
 * be reused). So the holder keeps a FIFO of its own open for reading: the kernel closes that when
 * the process exits, zombie or not, and opening the write end without blocking then fails with
 * ENXIO. The probe is synchronous, which Hub.open and every CLI command need (a Unix socket or named
 * pipe can only be probed asynchronously), and needs no native addon (flock is not in Node's API).
 * Windows has no FIFOs (and no zombies of this kind): there, and for locks without a FIFO, the pid decides.
 *
 * The FIFO lives in the user's runtime folder, never in the profile: a backup or sync tool that reads
 * every file of the profile would wait forever on a FIFO nobody writes to.
 */
const ALIVE_NAME = /^hub\.lock\.[0-9a-f]+\.alive$/;

/** The user's own runtime folder for liveness FIFOs (XDG_RUNTIME_DIR, else the temp folder), private to them. */
function aliveDir(): string {
  const base = process.env['XDG_RUNTIME_DIR'] || tmpdir();
  const dir = join(base, `groundswell-${process.getuid?.() ?? 'user'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Whether the process that wrote a lock (its pid, and the FIFO it named) still runs. */
export function holderAlive(pid: number, alive: string | undefined): boolean {
  if (alive === undefined || !ALIVE_NAME.test(alive)) return isProcessAlive(pid);
  try {
    closeSync(openSync(join(aliveDir(), alive), constants.O_WRONLY | constants.O_NONBLOCK));
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENXIO: nobody reads it, the holder is gone. ENOENT: its FIFO was removed with it.
    return code === 'ENXIO' || code === 'ENOENT' ? false : isProcessAlive(pid);
  }
}

/** This process's liveness FIFO, held open for reading until release; undefined where FIFOs do not exist. */
export function openAliveFifo(): { name: string; fd: number } | undefined {
  if (process.platform === 'win32') return undefined;
  const name = `hub.lock.${randomBytes(6).toString('hex')}.alive`;
  let path: string | undefined;
  try {
    path = join(aliveDir(), name);
    // Node has no mkfifo; the POSIX tool is on every system that has FIFOs.
    execFileSync('mkfifo', ['-m', '600', path], { stdio: 'ignore' });
    // Node opens files close-on-exec, so a child the hub starts cannot keep the FIFO, and the lock, alive.
    return { name, fd: openSync(path, constants.O_RDONLY | constants.O_NONBLOCK) };
  } catch {
    if (path !== undefined) rmSync(path, { force: true });
    // Without it the lock still works, judged by pid as before.
    return undefined;
  }
}

export function removeAliveFifo(name: string | undefined): void {
  if (name !== undefined && ALIVE_NAME.test(name)) rmSync(join(aliveDir(), name), { force: true });
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
