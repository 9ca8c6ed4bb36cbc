import { dismissToast } from '../state/actions.ts';
import { useApp, useHub } from '../state/hooks.ts';

export function Toasts() {
  const hub = useHub();
  const toasts = useApp((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
          <span>{t.text}</span>
          <button type="button" className="toast-close" aria-label="Dismiss" onClick={() => dismissToast(hub, t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

export function ConnectionBanner() {
  const connection = useApp((s) => s.connection);
  if (connection !== 'offline') return null;
  return (
    <div className="banner" role="alert">
      Lost connection to the Groundswell hub; retrying…
    </div>
  );
}
