/**
 * App preferences, each saved as soon as it is changed: there is no Save button to forget. The
 * window and tray choices take effect in the desktop app; in a browser tab they are only kept.
 */
import { useEffect, useId, useState, type ReactNode } from 'react';
import { THEME_PREFERENCES, type Preferences, type ThemePreference } from '../../src-shared/preferences.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { closePreferences, setPreferences } from '../state/preferenceActions.ts';
import { NotificationPreferences } from './NotificationPreferences.tsx';
import { useModalDialog } from './useModalDialog.ts';

const THEME_LABELS: Record<ThemePreference, string> = { system: 'System', light: 'Light', dark: 'Dark' };

type Switch = keyof { [K in keyof Preferences as Preferences[K] extends boolean ? K : never]: true };

export function PreferencesDialog() {
  const open = useApp((s) => s.preferencesOpen);
  return open ? <PreferencesModal /> : null;
}

function PreferencesModal() {
  const hub = useHub();
  const dialog = useModalDialog();
  const id = useId();
  const [opener] = useState(() => document.activeElement);
  const preferences = useApp((s) => s.preferences);
  const error = useApp((s) => s.preferencesError);

  useEffect(() => {
    dialog.current?.focus();
    return () => {
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
    // Once per opening.
  }, []);

  const toggle = (name: Switch, label: string, hint?: string, disabled = false): ReactNode => (
    <div className="preference">
      <label className="check">
        <input
          type="checkbox"
          checked={preferences[name]}
          disabled={disabled}
          aria-describedby={hint === undefined ? undefined : `${id}-${name}-hint`}
          onChange={(e) => void setPreferences(hub, { [name]: e.target.checked })}
        />
        {label}
      </label>
      {hint !== undefined ? (
        <p id={`${id}-${name}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
    </div>
  );

  return (
    <dialog
      ref={dialog}
      className="dialog preferences-dialog"
      aria-label="Preferences"
      tabIndex={-1}
      onCancel={(e) => {
        // The store decides whether the dialog is open; the browser must not close it behind React's back.
        e.preventDefault();
        closePreferences(hub);
      }}
    >
      <h2 className="dialog-title">Preferences</h2>
      {error !== null ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <fieldset aria-describedby={`${id}-theme-hint`}>
        <legend>Theme</legend>
        <div className="segmented">
          {THEME_PREFERENCES.map((theme) => (
            <label key={theme}>
              <input type="radio" name={`${id}-theme`} value={theme} checked={preferences.theme === theme} onChange={() => void setPreferences(hub, { theme })} />
              {THEME_LABELS[theme]}
            </label>
          ))}
        </div>
        <p id={`${id}-theme-hint`} className="hint">
          System follows your desktop’s light or dark setting.
        </p>
      </fieldset>
      <fieldset>
        <legend>Window</legend>
        {toggle('startMinimised', 'Start minimised to the tray', 'The desktop app opens with its window hidden; the tray icon brings it back.')}
        {toggle('closeToTray', 'Close to tray instead of quitting', 'Closing the window keeps Groundswell running and checking.')}
        {toggle('startAtLogin', 'Start at login', 'The desktop app starts when you log in; in the tray when Start minimised is on too.')}
      </fieldset>
      <fieldset>
        <legend>Notifications</legend>
        {toggle('desktopNotifications', 'Desktop notifications', 'Off keeps the unread counts and the notices inside this window.')}
        {toggle(
          'notificationPreviews',
          'Show message previews in notifications',
          preferences.desktopNotifications ? 'Off shows only that something arrived, not who wrote what.' : 'Applies once desktop notifications are on.',
          !preferences.desktopNotifications,
        )}
      </fieldset>
      <fieldset>
        <legend>Mail</legend>
        {toggle('groupConversations', 'Group mail into conversations', 'One row per conversation, with how many messages and who wrote; off shows every message as its own row.')}
      </fieldset>
      <NotificationPreferences />
      <div className="dialog-buttons">
        <button type="button" onClick={() => closePreferences(hub)}>
          Close
        </button>
      </div>
    </dialog>
  );
}
