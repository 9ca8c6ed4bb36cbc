import { isAccountOf } from '../../src-shared/domain.ts';
import { dismissToast } from '../state/actions.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { dismissVerificationPrompt, openSecurity } from '../state/securityActions.ts';
import { undoLast } from '../state/triageActions.ts';
import type { VerificationPrompt } from '../state/store.ts';
import { LockIcon } from './LockIcon.tsx';

export function Toasts() {
  const hub = useHub();
  const toasts = useApp((s) => s.toasts);
  const prompts = useApp((s) => s.verificationPrompts);
  return (
    <div className="toasts" aria-live="polite">
      {prompts.map((p) => (
        <VerificationPromptToast key={p.requestId} prompt={p} />
      ))}
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
          <span>{t.text}</span>
          {t.undo === true ? (
            <button
              type="button"
              className="link toast-action"
              onClick={() => {
                dismissToast(hub, t.id);
                void undoLast(hub);
              }}
            >
              Undo
            </button>
          ) : null}
          <button type="button" className="toast-close" aria-label="Dismiss" onClick={() => dismissToast(hub, t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

/**
 * Another device asked to verify this session while its Security dialog was closed. It stays until
 * the user opens it or dismisses it, or the request is answered elsewhere, cancelled or times out.
 */
function VerificationPromptToast({ prompt }: { prompt: VerificationPrompt }) {
  const hub = useHub();
  const accountName = useApp((s) => s.accounts.find((a) => a.account.id === prompt.accountId)?.account.displayName ?? '');
  const several = useApp((s) => s.accounts.filter((a) => isAccountOf(a.account, 'matrix')).length > 1);
  return (
    <div className="toast toast-verify" role="status">
      <LockIcon className="toast-icon" />
      <span className="toast-text">
        {prompt.from} wants to verify this session
        {several && accountName !== '' ? ` of ${accountName}` : ''} —{' '}
        <button type="button" className="link toast-action" aria-haspopup="dialog" onClick={() => void openSecurity(hub, prompt.accountId)}>
          Open
        </button>
      </span>
      <button type="button" className="toast-close" aria-label="Dismiss" onClick={() => dismissVerificationPrompt(hub, prompt.requestId)}>
        ×
      </button>
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

/** The Electron app's background service is restarting (a status) or could not start (an alert). */
export function ServiceBanner() {
  const service = useApp((s) => s.service);
  if (service.state === 'running') return null;
  return (
    <div className="banner" role={service.state === 'failed' ? 'alert' : 'status'}>
      {service.message}
    </div>
  );
}
