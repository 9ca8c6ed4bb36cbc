import { useEffect, useId, useRef, useState, type FormEvent, type RefObject } from 'react';
import type { KindDescriptor } from '../../src-shared/api.ts';
import { isAccountOf, type Account, type AccountView } from '../../src-shared/domain.ts';
import { describeActivity, describeStatus } from '../format/status.ts';
import {
  clearPasswordError,
  closeAccountSettings,
  confirmRemoveAccount,
  removeAccount,
  updateAccountPassword,
  type Hub,
} from '../state/actions.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { signInAgainWithBrowser } from '../state/browserSignIn.ts';
import { openSecurity } from '../state/securityActions.ts';
import type { AccountSettings } from '../state/store.ts';
import { ImapServerSection, KindSettingsSection, NameSection } from './AccountEditSections.tsx';
import { FeedSettingsSection } from './FeedSettingsSection.tsx';
import { SendingSection } from './SendingSection.tsx';
import { useNow } from './useNow.ts';

const OWN_SECTIONS: readonly string[] = ['imap', 'matrix', 'feed'];

/** Used until `kinds.list` answers, and for a kind the hub no longer lists. */
const KIND_LABELS: Partial<Record<string, string>> = { imap: 'IMAP mail', matrix: 'Matrix chat', feed: 'Feed' };

/**
 * Where the account lives, as the user typed it when adding it; another kind's one-line summary.
 * An IMAP account's server is in its Server section, where it can be changed.
 */
function connectionRows(view: AccountView): { name: string; value: string }[] {
  const { account } = view;
  if (isAccountOf(account, 'imap')) return [];
  if (isAccountOf(account, 'matrix')) {
    return [
      { name: 'User', value: account.settings.userId },
      { name: 'Homeserver', value: account.settings.homeserverUrl },
    ];
  }
  if (isAccountOf(account, 'feed')) return [{ name: 'Address', value: account.settings.url }];
  return view.summary === '' ? [] : [{ name: 'Where', value: view.summary }];
}

/** Whether "Sign in again" applies: an open feed keeps no secret; another kind does if it asks for one. */
function signsIn(account: Account, kinds: KindDescriptor[] | null): boolean {
  if (isAccountOf(account, 'feed')) return account.settings.auth !== 'none';
  if (isAccountOf(account, 'imap') || isAccountOf(account, 'matrix')) return true;
  return kinds?.find((k) => k.kind === account.kind)?.fields.some((f) => f.type === 'secret') ?? true;
}

export function AccountSettingsDialog() {
  const settings = useApp((s) => s.accountSettings);
  const view = useApp((s) => (settings === null ? undefined : s.accounts.find((a) => a.account.id === settings.accountId)));
  if (settings === null || view === undefined) return null;
  // Keyed by account: opening another account's settings starts a fresh form.
  return <AccountSettingsModal key={settings.accountId} settings={settings} view={view} />;
}

/**
 * Back to whatever opened the dialog; if that is gone (the "Sign in again" link after a successful
 * sign-in, the whole row after removal) to the account's settings button, else to the sidebar.
 */
export function returnFocus(opener: Element | null, accountId: string): void {
  if (opener instanceof HTMLElement && opener.isConnected && opener.getClientRects().length > 0) {
    opener.focus();
    return;
  }
  const fallback =
    document.querySelector<HTMLElement>(`[data-account-settings="${CSS.escape(accountId)}"]`) ??
    document.querySelector<HTMLElement>('nav[aria-label="Sources"] [aria-current="page"]') ??
    document.querySelector<HTMLElement>('nav[aria-label="Sources"] button');
  fallback?.focus();
}

function AccountSettingsModal({ settings, view }: { settings: AccountSettings; view: AccountView }) {
  const hub = useHub();
  const dialog = useRef<HTMLDialogElement>(null);
  const password = useRef<HTMLInputElement>(null);
  const [opener] = useState(() => document.activeElement);
  const kinds = useApp((s) => s.kinds);
  const { account } = view;
  // A kind without screens of its own here has its changeable fields drawn from its description.
  const plugIn = OWN_SECTIONS.includes(account.kind) ? undefined : kinds?.find((k) => k.kind === account.kind);

  useEffect(() => {
    const d = dialog.current;
    if (d !== null && !d.open) d.showModal();
    if (settings.focus === 'password') password.current?.focus();
    else d?.focus();
    return () => {
      d?.close();
      returnFocus(opener, account.id);
    };
    // Once per opening (the component is keyed by account): focus moves when the dialog appears, not on every change.
  }, []);

  return (
    <dialog
      ref={dialog}
      className="dialog account-settings"
      aria-label="Account settings"
      tabIndex={-1}
      onCancel={(e) => {
        // The store decides whether the dialog is open; the browser must not close it behind React's back.
        e.preventDefault();
        closeAccountSettings(hub);
      }}
    >
      <header className="settings-header">
        <p className="dialog-kicker">Account settings</p>
        <h2 className="dialog-title">
          {account.displayName}
        </h2>
      </header>
      <AccountFacts view={view} />
      <NameSection account={account} />
      {isAccountOf(account, 'imap') ? <ImapServerSection account={account} /> : null}
      {isAccountOf(account, 'imap') ? <SendingSection account={account} /> : null}
      {isAccountOf(account, 'feed') ? <FeedSettingsSection account={account} /> : null}
      {isAccountOf(account, 'matrix') ? <EncryptionSection hub={hub} view={view} /> : null}
      {plugIn !== undefined ? <KindSettingsSection account={account} descriptor={plugIn} /> : null}
      {signsIn(account, kinds) ? <SignInSection hub={hub} settings={settings} view={view} passwordRef={password} /> : null}
      <RemoveSection hub={hub} settings={settings} view={view} />
      <div className="dialog-buttons">
        <button type="button" onClick={() => closeAccountSettings(hub)}>
          Close
        </button>
      </div>
    </dialog>
  );
}

function AccountFacts({ view }: { view: AccountView }) {
  const { account } = view;
  const unread = useApp((s) => s.counts?.byAccount[account.id] ?? view.unread);
  const now = useNow(1000, view.status.state === 'offline' || view.activity !== undefined);
  const status = describeStatus(view.status, now, view.activity);
  const reason = view.status.state === 'offline' || view.status.state === 'auth-failed' ? view.status.reason : undefined;
  const label = useApp((s) => s.kinds?.find((k) => k.kind === account.kind)?.label ?? KIND_LABELS[account.kind] ?? account.kind);
  const rows = [{ name: 'Type', value: label }, ...connectionRows(view)];
  return (
    <dl className="facts">
      {rows.map((r) => (
        <div key={r.name} className="fact">
          <dt>{r.name}</dt>
          <dd>{r.value}</dd>
        </div>
      ))}
      <div className="fact">
        <dt>Status</dt>
        <dd>
          <span className={`account-status-inline tone-${status.tone}`} data-state={view.status.state}>
            <span className="dot" aria-hidden="true" />
            {status.text}
          </span>
          {reason !== undefined ? <span className="status-reason">{reason}</span> : null}
        </dd>
      </div>
      {view.activity !== undefined ? (
        <div className="fact">
          <dt>Checks</dt>
          <dd className="activity">
            {describeActivity(view.activity, now).map((line) => (
              <span key={line} className="activity-line">
                {line}
              </span>
            ))}
          </dd>
        </div>
      ) : null}
      <div className="fact">
        <dt>Unread</dt>
        <dd>{unread}</dd>
      </div>
    </dl>
  );
}

interface SectionProps {
  hub: Hub;
  settings: AccountSettings;
  view: AccountView;
}

/** The way into the Security dialog, which stacks over this one and gives the focus back here when it closes. */
function EncryptionSection({ hub, view }: { hub: Hub; view: AccountView }) {
  const id = useId();
  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Encryption</h3>
      <p className="hint">This device’s keys, verifying your other sessions, and the key backup that lets a new device read your encrypted history.</p>
      <div className="section-buttons">
        <button type="button" aria-haspopup="dialog" onClick={() => void openSecurity(hub, view.account.id)}>
          Security and encryption…
        </button>
      </div>
    </section>
  );
}

function passwordHint(account: Account): string {
  if (isAccountOf(account, 'feed')) return 'The new password or token is checked with the feed server before it replaces the saved one.';
  if (isAccountOf(account, 'imap')) return `Checked with ${account.settings.host} before it replaces the saved one.`;
  return 'Checked with the server before it replaces the saved one.';
}

/** "Sign in again" for an account that signs in through the browser (OAuth2, single sign-on): no password here. */
function BrowserSignInSection({ hub, view }: SectionProps) {
  const id = useId();
  const [waitingAt, setWaitingAt] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const onClick = async (): Promise<void> => {
    setRunning(true);
    setError(null);
    const result = await signInAgainWithBrowser(hub, view.account.id, (url) => setWaitingAt(url));
    setRunning(false);
    setWaitingAt(null);
    if (!result.ok) setError(result.error.message);
  };
  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Sign in again</h3>
      <p className="hint">Opens the provider's sign-in page in your browser; the account keeps the new sign-in once you are back.</p>
      {waitingAt !== null ? (
        <p className="hint" role="status">
          Waiting for the sign-in in your browser… If no page opened,{' '}
          <a href={waitingAt} target="_blank" rel="noopener noreferrer">
            open the sign-in page
          </a>
          .
        </p>
      ) : null}
      {error !== null ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="section-buttons">
        <button type="button" className={view.status.state === 'auth-failed' ? 'primary' : undefined} disabled={running} onClick={() => void onClick()}>
          {running ? 'Signing in…' : 'Sign in again'}
        </button>
      </div>
    </section>
  );
}

function SignInSection(props: SectionProps & { passwordRef: RefObject<HTMLInputElement | null> }) {
  return props.view.signsInWithBrowser ? <BrowserSignInSection {...props} /> : <PasswordSignInSection {...props} />;
}

function PasswordSignInSection({ hub, settings, view, passwordRef }: SectionProps & { passwordRef: RefObject<HTMLInputElement | null> }) {
  const id = useId();
  const [value, setValue] = useState('');
  const { signingIn, passwordError } = settings;
  const accountId = view.account.id;
  const described = [`${id}-hint`, passwordError !== null ? `${id}-error` : ''].filter(Boolean).join(' ');

  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (signingIn) return;
    const result = await updateAccountPassword(hub, accountId, value);
    // The dialog closes on success; on a refusal the user retypes, so the field takes the focus again.
    if (!result.ok) passwordRef.current?.select();
  };

  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Sign in again</h3>
      <form className="account-form" noValidate onSubmit={(e) => void onSubmit(e)} aria-busy={signingIn ? 'true' : undefined}>
        <div className={`field${passwordError !== null ? ' invalid' : ''}`}>
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            ref={passwordRef}
            id={`${id}-password`}
            type="password"
            autoComplete="current-password"
            aria-invalid={passwordError !== null}
            aria-describedby={described}
            value={value}
            onChange={(e) => {
              setValue(e.target.value);
              clearPasswordError(hub, accountId);
            }}
          />
          <p id={`${id}-hint`} className="hint">
            {passwordHint(view.account)}
          </p>
          {passwordError !== null ? (
            <p id={`${id}-error`} className="field-error" role="alert">
              {passwordError}
            </p>
          ) : null}
        </div>
        <div className="section-buttons">
          {/* The main action only while the account actually needs it; a healthy account keeps it quiet. */}
          <button type="submit" className={view.status.state === 'auth-failed' ? 'primary' : undefined} disabled={signingIn}>
            {signingIn ? 'Signing in…' : 'Sign in again'}
          </button>
        </div>
      </form>
    </section>
  );
}

/** What removing leaves alone, in the account's own terms. */
function removalNote(account: Account): string {
  if (isAccountOf(account, 'feed')) return 'The feed itself is not affected.';
  if (isAccountOf(account, 'imap') || isAccountOf(account, 'matrix')) return 'Nothing is deleted on the server.';
  return 'Nothing is deleted where it comes from.';
}

function RemoveSection({ hub, settings, view }: SectionProps) {
  const id = useId();
  const { removeStep, removeError } = settings;
  const { account } = view;
  const keep = useRef<HTMLButtonElement>(null);
  const ask = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);

  // Focus follows the step: onto the safe choice when asked, back to "Remove account" when the user keeps it.
  useEffect(() => {
    if (removeStep === 'confirm' && !wasAsking.current) keep.current?.focus();
    if (removeStep === 'idle' && wasAsking.current) ask.current?.focus();
    wasAsking.current = removeStep !== 'idle';
  }, [removeStep]);

  const where = removalNote(account);
  return (
    <section className="settings-section remove-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Remove account</h3>
      {removeStep === 'idle' ? (
        <>
          <p className="hint">Removes {account.displayName} and its items from Groundswell. {where}</p>
          <div className="section-buttons">
            <button ref={ask} type="button" className="danger-outline" onClick={() => confirmRemoveAccount(hub, account.id, true)}>
              Remove account
            </button>
          </div>
        </>
      ) : (
        <div className="confirm" role="group" aria-labelledby={`${id}-ask`}>
          <p id={`${id}-ask`} className="confirm-question">
            Remove {account.displayName} and all its items from Groundswell? {where}
          </p>
          {removeError !== null ? (
            <p className="field-error" role="alert">
              Could not remove: {removeError}
            </p>
          ) : null}
          <div className="section-buttons">
            <button ref={keep} type="button" disabled={removeStep === 'removing'} onClick={() => confirmRemoveAccount(hub, account.id, false)}>
              Keep account
            </button>
            <button type="button" className="danger" disabled={removeStep === 'removing'} onClick={() => void removeAccount(hub, account.id)}>
              {removeStep === 'removing' ? 'Removing…' : `Remove ${account.displayName} and its items`}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
