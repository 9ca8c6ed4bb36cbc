/**
 * Where a profile lives. Apart from the lock and the store because the Electron main process needs
 * it before anything else (app.setPath('userData')) and must not load the hub to get it.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { APP_NAME } from './app-info.ts';

export { APP_NAME };

/** Same folder Electron's app.getPath('userData') gives for our app name. */
export function defaultProfileDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), APP_NAME);
}

/** --profile beats GROUNDSWELL_PROFILE beats the OS default. */
export function resolveProfileDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env['GROUNDSWELL_PROFILE'] ?? defaultProfileDir(env);
}
