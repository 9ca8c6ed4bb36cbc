/**
 * The window's life in the desktop app: whether closing it hides it to the tray or quits, whether
 * the app starts with it hidden, and what "start at login" asks of the OS. Plain decisions, tested
 * in Node; main.ts applies them.
 */
import type { Preferences } from '../../src-shared/preferences.ts';

/** Passed by the login item so that a start at login opens in the tray when the user wants it. */
export const HIDDEN_FLAG = '--hidden';

export type CloseDecision = 'hide' | 'quit';

/** Closing the window: hidden to the tray when asked and there is a tray to come back from; quit when the user chose Quit. */
export function onWindowClose(prefs: Pick<Preferences, 'closeToTray'>, state: { quitting: boolean; trayShown: boolean }): CloseDecision {
  if (state.quitting) return 'quit';
  return prefs.closeToTray && state.trayShown ? 'hide' : 'quit';
}

/** Whether the window shows when the app starts: not when starting minimised to a tray that exists, or started hidden by the login item. */
export function showWindowAtStart(prefs: Pick<Preferences, 'startMinimised'>, state: { argv: readonly string[]; trayShown: boolean }): boolean {
  if (!state.trayShown) return true; // nothing else to open it from
  return !(prefs.startMinimised || state.argv.includes(HIDDEN_FLAG));
}

/** What app.setLoginItemSettings gets (macOS and Windows). */
export interface LoginItemSettings {
  openAtLogin: boolean;
  /** macOS: start with no window. */
  openAsHidden: boolean;
  /** Windows: the flag that starts it in the tray. */
  args: string[];
}

export function loginItemSettings(prefs: Pick<Preferences, 'startAtLogin' | 'startMinimised'>): LoginItemSettings {
  return { openAtLogin: prefs.startAtLogin, openAsHidden: prefs.startAtLogin && prefs.startMinimised, args: prefs.startMinimised ? [HIDDEN_FLAG] : [] };
}

/**
 * Linux has no login-item API in Electron: the XDG autostart entry (~/.config/autostart) does it.
 * Returns the .desktop file's text, or null when it should be removed.
 */
export function autostartEntry(prefs: Pick<Preferences, 'startAtLogin' | 'startMinimised'>, executable: string): string | null {
  if (!prefs.startAtLogin) return null;
  const exec = [executable, ...(prefs.startMinimised ? [HIDDEN_FLAG] : [])].map(desktopExecArg).join(' ');
  return ['[Desktop Entry]', 'Type=Application', 'Name=Groundswell', 'Comment=One inbox for team chat, mail and feeds', `Exec=${exec}`, 'X-GNOME-Autostart-enabled=true', ''].join('\n');
}

/** Quotes an argument for a .desktop Exec line (the spec's reserved characters inside double quotes). */
function desktopExecArg(arg: string): string {
  if (/^[\w./+,:=@-]+$/.test(arg)) return arg;
  return `"${arg.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`;
}
