import { useEffect, useId, useState } from 'react';
import type { KindDescriptor } from '../../src-shared/api.ts';
import type { AccountKind } from '../../src-shared/domain.ts';
import { loadKinds } from '../state/accountActions.ts';
import { closeAddAccount } from '../state/actions.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { AddFeedForm } from './AddFeedForm.tsx';
import { AddImapForm } from './AddImapForm.tsx';
import { AddKindForm } from './AddKindForm.tsx';
import { AddMailByAddress } from './AddMailByAddress.tsx';
import { AddMatrixForm } from './AddMatrixForm.tsx';
import { useModalDialog } from './useModalDialog.ts';

/** Not a kind: the email-address path to the kind that sets itself up from an address (IMAP). */
const MAIL_BY_ADDRESS = 'mail-by-address';

/** The kinds that ship with Groundswell have forms of their own; any other kind the hub lists gets one drawn from its fields. */
const OWN_FORMS = [
  { kind: MAIL_BY_ADDRESS, label: 'Mail by address', hint: 'Your email address and password; the server settings are looked up' },
  { kind: 'imap', label: 'IMAP mail', hint: 'Any mail provider that offers IMAP, its server typed in' },
  { kind: 'matrix', label: 'Matrix chat', hint: 'Rooms and direct messages on any Matrix homeserver' },
  { kind: 'feed', label: 'Feed', hint: 'RSS, Atom or JSON Feed: status pages, CI, announcements' },
] as const;

interface AccountType {
  kind: AccountKind;
  label: string;
  hint: string;
  /** Set for a kind drawn from its fields. */
  descriptor?: KindDescriptor;
}

/** Until the hub answers, the three that ship; then what it runs, in its order after those three. */
function accountTypes(kinds: KindDescriptor[] | null): AccountType[] {
  if (kinds === null) return [...OWN_FORMS];
  const own = OWN_FORMS.filter((o) => (o.kind === MAIL_BY_ADDRESS ? kinds.some((k) => k.capabilities.includes('autoconfig')) : kinds.some((k) => k.kind === o.kind)));
  const others = kinds.filter((k) => !OWN_FORMS.some((o) => o.kind === k.kind));
  return [...own, ...others.map((k) => ({ kind: k.kind, label: k.label, hint: k.description, descriptor: k }))];
}

export function AddAccountDialog() {
  const open = useApp((s) => s.addAccountOpen);
  return open ? <AddAccountModal /> : null;
}

function AddAccountModal() {
  const hub = useHub();
  const dialog = useModalDialog();
  const kinds = useApp((s) => s.kinds);
  const [picked, setKind] = useState<AccountKind>(MAIL_BY_ADDRESS);
  const [busy, setBusy] = useState(false);
  const hintId = useId();
  const types = accountTypes(kinds);
  // A hub without the kind picked (or without mail by address, the first choice) starts on the first it runs.
  const chosen = types.find((t) => t.kind === picked) ?? types[0];
  const kind = chosen?.kind;

  useEffect(() => {
    // Asked on every opening: a hub started with another plug-in since offers it at once.
    void loadKinds(hub);
  }, [hub]);

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-label="Add account"
      onCancel={(e) => {
        // The store decides whether the dialog is open; the browser must not close it behind React's back.
        e.preventDefault();
        closeAddAccount(hub);
      }}
    >
      <h2 className="dialog-title">Add account</h2>
      <fieldset className="account-types">
        <legend>Account type</legend>
        {types.map((t, i) => (
          <label key={t.kind} className="account-type">
            {/* Named by the type alone; the hint is its description, so "Matrix chat" finds the radio exactly. */}
            <input
              type="radio"
              name="account-type"
              value={t.kind}
              aria-label={t.label}
              aria-describedby={`${hintId}-${i}`}
              checked={kind === t.kind}
              disabled={busy}
              onChange={() => setKind(t.kind)}
            />
            <span>
              {t.label}
              <small id={`${hintId}-${i}`}>{t.hint}</small>
            </span>
          </label>
        ))}
      </fieldset>
      {kind === MAIL_BY_ADDRESS ? <AddMailByAddress busy={busy} setBusy={setBusy} /> : null}
      {kind === 'imap' ? <AddImapForm busy={busy} setBusy={setBusy} /> : null}
      {kind === 'matrix' ? <AddMatrixForm busy={busy} setBusy={setBusy} /> : null}
      {kind === 'feed' ? <AddFeedForm busy={busy} setBusy={setBusy} /> : null}
      {chosen?.descriptor !== undefined ? <AddKindForm key={chosen.kind} descriptor={chosen.descriptor} busy={busy} setBusy={setBusy} /> : null}
    </dialog>
  );
}
