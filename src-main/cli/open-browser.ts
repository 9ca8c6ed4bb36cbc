/**
 * Opening the system browser from the command line, for a sign-in: the desktop's own opener when
 * there is a desktop to open it on. Where there is none (a server, an SSH session) the caller
 * prints the address for the user to open wherever they like.
 */
import { spawn } from 'node:child_process';

export type BrowserOpener = (url: string) => Promise<boolean>;

function opener(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): { command: string; args: string[] } | undefined {
  if (platform === 'darwin') return { command: 'open', args: [] };
  if (platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler'] };
  // Without a display, xdg-open falls back to a text browser in this very terminal: better to print.
  if (!env['DISPLAY'] && !env['WAYLAND_DISPLAY']) return undefined;
  return { command: 'xdg-open', args: [] };
}

/** Resolves true once the opener started without an error; false when no browser can be opened here. */
export const openSystemBrowser: BrowserOpener = (url, platform = process.platform, env = process.env) => {
  const found = opener(platform, env);
  if (!found || !/^https?:\/\//i.test(url)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(found.command, [...found.args, url], { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
};
