/** Throwaway profiles for tests: a temp directory removed when the test is done. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempProfile {
  dir: string;
  remove(): void;
}

export function tempProfile(prefix = 'gs-profile-'): TempProfile {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
