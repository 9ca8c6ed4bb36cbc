/**
 * "Sign in with …" buttons for the ways a kind signs in through the system browser (a mail
 * provider's OAuth2, a homeserver's identity providers, each by name and icon), and while one
 * runs, the address to open by hand should no browser tab have come up.
 */
import { useId, useState } from 'react';
import type { BrowserSignInOption, CallParams } from '../../src-shared/api.ts';
import { cancelBrowserSignIn, signInWithBrowser, type BrowserSignInOutcome } from '../state/browserSignIn.ts';
import type { Hub } from '../state/actions.ts';

export interface BrowserSignInState {
  /** The provider's page while the browser is out; null otherwise. */
  waitingAt: string | null;
  error: string | null;
}

/** One browser sign-in at a time for a form: what it waits for, and why the last one failed. */
export function useBrowserSignIn(hub: Hub) {
  const [state, setState] = useState<BrowserSignInState & { signInId: string | null }>({ waitingAt: null, error: null, signInId: null });
  return {
    state,
    async run(params: CallParams<'signIn.start'>): Promise<BrowserSignInOutcome> {
      setState({ waitingAt: null, error: null, signInId: null });
      const outcome = await signInWithBrowser(hub, params, (url, signInId) => setState({ waitingAt: url, error: null, signInId }));
      setState({ waitingAt: null, error: outcome.ok ? null : outcome.error.message, signInId: null });
      return outcome;
    },
    /** The error of what follows the sign-in (adding the account), shown in the same place. */
    fail(message: string) {
      setState({ waitingAt: null, error: message, signInId: null });
    },
    cancel() {
      if (state.signInId) void cancelBrowserSignIn(hub, state.signInId);
    },
  };
}

export function BrowserSignInButtons(props: {
  options: readonly BrowserSignInOption[];
  busy: boolean;
  state: BrowserSignInState;
  label: string;
  onPick(option: BrowserSignInOption): void;
  onCancel(): void;
}) {
  const id = useId();
  const usable = props.options.filter((o) => o.problem === undefined);
  if (usable.length === 0) return null;
  return (
    <div className="browser-sign-in" role="group" aria-label={props.label}>
      {usable.map((option) => (
        <button key={option.id} type="button" className="browser-sign-in-button" disabled={props.busy} aria-describedby={`${id}-note`} onClick={() => props.onPick(option)}>
          {option.icon ? <img src={option.icon} alt="" width={20} height={20} /> : null}
          <span>Sign in with {option.name}</span>
        </button>
      ))}
      <p id={`${id}-note`} className="hint">
        Opens the sign-in page in your browser; Groundswell never sees the password you type there.
      </p>
      {props.state.waitingAt !== null ? (
        <p className="hint" role="status">
          Waiting for the sign-in in your browser… If no page opened,{' '}
          <a href={props.state.waitingAt} target="_blank" rel="noopener noreferrer">
            open the sign-in page
          </a>
          .{' '}
          <button type="button" className="link-button" onClick={props.onCancel}>
            Cancel sign-in
          </button>
        </p>
      ) : null}
      {props.state.error !== null ? (
        <p className="form-error" role="alert">
          {props.state.error}
        </p>
      ) : null}
    </div>
  );
}
