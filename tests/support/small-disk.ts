/**
 * A small disk of its own for tests that fill it: a tmpfs mounted on a temp folder (needs root),
 * grown in place with `remount`, unmounted and removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  dir: string;
  /** Makes room: the same mount, now this big, its files untouched. */
  grow(sizeMb: number): void;
  remove(): void;
}

function run(args: string[]): void {
  const result = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
}

export function smallDisk(sizeMb: number): SmallDisk {
  if (process.getuid?.() !== 0) throw new Error('smallDisk needs root to mount a tmpfs.');
  const dir = mkdtempSync(join(tmpdir(), 'gs-small-disk-'));
  run(['mount', '-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', dir]);
  return {
    dir,
    grow: (size) => run(['mount', '-o', `remount,size=${size}m`, dir]),
    remove: () => {
      run(['umount', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
