/** Remembers the window's size and position between runs, in the profile. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WindowState {
  width: number;
  height: number;
  x?: number;
  y?: number;
  maximized?: boolean;
}

const DEFAULT_STATE: WindowState = { width: 1280, height: 800 };

export function loadWindowState(profileDir: string): WindowState {
  try {
    const state = JSON.parse(readFileSync(join(profileDir, 'window-state.json'), 'utf8')) as Partial<WindowState>;
    if (typeof state.width === 'number' && typeof state.height === 'number' && state.width >= 400 && state.height >= 300) {
      return { ...DEFAULT_STATE, ...state };
    }
  } catch {
    // First run, or a damaged file: the default size is fine.
  }
  return DEFAULT_STATE;
}

export function saveWindowState(profileDir: string, state: WindowState): void {
  writeFileSync(join(profileDir, 'window-state.json'), JSON.stringify(state), { mode: 0o600 });
}
