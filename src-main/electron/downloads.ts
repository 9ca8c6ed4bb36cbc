/**
 * Saving an attachment from the window: Electron asks where, in a save dialog that starts in the
 * Downloads folder under the attachment's name (cleaned by the hub, and cleaned again here, since
 * the name arrives from the page). Plain Node: main.ts hands in Electron's values.
 */
import { basename, join } from 'node:path';
import { APP_ORIGIN } from './app-protocol.ts';

export function saveDialogFor(suggested: string, downloadsDir: string): { title: string; defaultPath: string; buttonLabel: string } {
  const name = basename(suggested.replace(/[\\/]/g, '_')).split('').filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f).join('').replace(/^[.\s]+/, '').trim() || 'attachment';
  return { title: 'Save attachment', defaultPath: join(downloadsDir, name), buttonLabel: 'Save' };
}

/** What a window.open from the page becomes: a link for the browser, an attachment of ours to save, or nothing. */
export function windowOpenAction(url: string, opensInBrowser: (url: string) => boolean): 'browser' | 'download' | 'deny' {
  if (opensInBrowser(url)) return 'browser';
  // An attachment the page made into a blob: never shown in a window of ours, only saved.
  if (url.startsWith(`blob:${APP_ORIGIN}/`)) return 'download';
  return 'deny';
}
