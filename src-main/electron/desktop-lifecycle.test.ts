import { describe, expect, it } from 'vitest';
import { autostartEntry, HIDDEN_FLAG, loginItemSettings, onWindowClose, showWindowAtStart } from './desktop-lifecycle.ts';

describe('the window, the tray and starting at login', () => {
  it('hides to the tray on close only when asked and a tray is there; Quit always quits', () => {
    expect(onWindowClose({ closeToTray: true }, { quitting: false, trayShown: true })).toBe('hide');
    expect(onWindowClose({ closeToTray: true }, { quitting: false, trayShown: false })).toBe('quit');
    expect(onWindowClose({ closeToTray: false }, { quitting: false, trayShown: true })).toBe('quit');
    expect(onWindowClose({ closeToTray: true }, { quitting: true, trayShown: true })).toBe('quit');
  });

  it('starts minimised to the tray, or hidden from the login item, but never with no way back', () => {
    expect(showWindowAtStart({ startMinimised: false }, { argv: [], trayShown: true })).toBe(true);
    expect(showWindowAtStart({ startMinimised: true }, { argv: [], trayShown: true })).toBe(false);
    expect(showWindowAtStart({ startMinimised: false }, { argv: ['app', HIDDEN_FLAG], trayShown: true })).toBe(false);
    expect(showWindowAtStart({ startMinimised: true }, { argv: [], trayShown: false })).toBe(true);
  });

  it('asks the OS to start it at login, in the tray when starting minimised', () => {
    expect(loginItemSettings({ startAtLogin: true, startMinimised: true })).toEqual({ openAtLogin: true, openAsHidden: true, args: [HIDDEN_FLAG] });
    expect(loginItemSettings({ startAtLogin: false, startMinimised: false })).toEqual({ openAtLogin: false, openAsHidden: false, args: [] });
    expect(autostartEntry({ startAtLogin: false, startMinimised: false }, '/opt/Groundswell/groundswell')).toBeNull();
    const entry = autostartEntry({ startAtLogin: true, startMinimised: true }, '/home/me/Apps/Ground swell.AppImage');
    expect(entry).toContain('[Desktop Entry]\nType=Application\nName=Groundswell\n');
    expect(entry).toContain('Exec="/home/me/Apps/Ground swell.AppImage" --hidden\n');
  });
});
