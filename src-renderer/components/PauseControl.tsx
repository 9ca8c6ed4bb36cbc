/**
 * Pausing notifications from the window (the tray offers the same choices): "Pause notifications"
 * for 1 hour or until tomorrow, and "Resume notifications" while paused. Counts keep moving; only the
 * banners wait. In `serve` it also offers "Turn on desktop notifications", which must be a click.
 */
import { useState } from 'react';
import { isPaused, pausedText, PAUSE_CHOICES } from '../../src-shared/pause-options.ts';
import { enableBrowserNotifications, pauseNotifications, resumeNotifications } from '../state/attentionActions.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { useNow } from './useNow.ts';

/** `grouped`: a group of its own, named; false inside a fieldset that names it already. */
export function PauseButtons({ onDone, grouped = true }: { onDone?: () => void; grouped?: boolean }) {
  const hub = useHub();
  const pausedUntil = useApp((s) => s.attention?.pausedUntil ?? null);
  const now = useNow(30_000, pausedUntil !== null);
  if (isPaused(pausedUntil, now)) {
    return (
      <div className="pause-buttons">
        <span className="pause-state">{pausedText(pausedUntil!, now)}</span>
        <button type="button" onClick={() => void resumeNotifications(hub).then(onDone)}>
          Resume notifications
        </button>
      </div>
    );
  }
  return (
    <div className="pause-buttons" {...(grouped ? { role: 'group', 'aria-label': 'Pause notifications' } : {})}>
      {PAUSE_CHOICES.map(({ choice, label }) => (
        <button key={choice} type="button" onClick={() => void pauseNotifications(hub, choice).then(onDone)}>
          {label}
        </button>
      ))}
    </div>
  );
}

export function TurnOnNotifications() {
  const hub = useHub();
  const permission = useApp((s) => s.browserNotifications);
  const wanted = useApp((s) => s.preferences.desktopNotifications);
  if (!wanted) return null;
  if (permission === 'default') {
    return (
      <button type="button" className="turn-on-notifications" onClick={() => void enableBrowserNotifications(hub)}>
        Turn on desktop notifications
      </button>
    );
  }
  if (permission === 'denied') return <p className="hint">This browser blocks notifications from Groundswell; allow them in its site settings.</p>;
  return null;
}

/** The sidebar's control: the pause state at a glance, the choices one click away. */
export function PauseControl() {
  const attention = useApp((s) => s.attention);
  const [choosing, setChoosing] = useState(false);
  const now = useNow(30_000, attention?.pausedUntil != null);
  if (attention === null) return null;
  const paused = isPaused(attention.pausedUntil, now);
  return (
    <div className="pause-control">
      {paused ? (
        <PauseButtons />
      ) : (
        <>
          {attention.holding ? <p className="pause-state">Quiet hours: notifications held</p> : null}
          <button type="button" className="link" aria-expanded={choosing} onClick={() => setChoosing(!choosing)}>
            Pause notifications
          </button>
          {choosing ? <PauseButtons onDone={() => setChoosing(false)} /> : null}
        </>
      )}
      <TurnOnNotifications />
    </div>
  );
}
