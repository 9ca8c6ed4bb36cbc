/**
 * What a person sees before any account exists: one sentence on what Groundswell does, and the
 * fastest way in for each source — an email address (the settings are looked up), a Matrix ID
 * (the homeserver is found from it), a feed's address or an OPML file. Adding one lands on the
 * inbox as it fills. The Add account dialog keeps every other choice.
 */
import { useId, useRef, useState, type ReactNode } from 'react';
import type { FeedAccountInput, MatrixAccountInput } from '../../src-shared/api.ts';
import { checkFeedForm, emptyFeedForm, feedFieldOf, type FeedFormField, type FeedFormValues } from '../forms/feedForm.ts';
import { checkMatrixForm, emptyMatrixForm, matrixFieldOf, type MatrixFormField, type MatrixFormValues } from '../forms/matrixForm.ts';
import { addAccount } from '../state/accountActions.ts';
import { openAddAccount } from '../state/actions.ts';
import { importOpml } from '../state/feedActions.ts';
import { useHub } from '../state/hooks.ts';
import { AccountFormFrame } from './AccountFormFrame.tsx';
import { AddMailByAddress } from './AddMailByAddress.tsx';
import { Field } from './FormField.tsx';
import { SourceIcon } from './SourceIcon.tsx';
import { useAccountForm } from './useAccountForm.ts';

export function FirstRun() {
  const hub = useHub();
  const titleId = useId();
  return (
    <main className="first-run" aria-labelledby={titleId}>
      <div className="first-run-inner">
        <h1 id={titleId}>Welcome to Groundswell</h1>
        <p className="first-run-lead">Groundswell gathers your team chat, your mail and your feed alerts into one inbox, newest first, with one unread count per source.</p>
        <div className="first-run-sources">
          <Source kind="mail" title="Mail" hint="Your address and password: Groundswell looks up the servers and shows you what it found before adding.">
            {(busy, setBusy) => <AddMailByAddress busy={busy} setBusy={setBusy} place="section" autoFocus />}
          </Source>
          <Source kind="chat" title="Matrix chat" hint="Your Matrix ID: the homeserver is found from it.">
            {(busy, setBusy) => <MatrixQuickForm busy={busy} setBusy={setBusy} />}
          </Source>
          <Source kind="feed" title="Feeds" hint="A feed's address, a web page that links to one, or an OPML list of feeds.">
            {(busy, setBusy) => <FeedQuickForm busy={busy} setBusy={setBusy} />}
          </Source>
        </div>
        <p className="first-run-more">
          An IMAP server typed by hand, a homeserver of your own or a feed behind a sign-in:{' '}
          <button type="button" className="link-button" onClick={() => openAddAccount(hub)}>
            more ways to add an account…
          </button>
        </p>
      </div>
    </main>
  );
}

function Source({ kind, title, hint, children }: { kind: 'mail' | 'chat' | 'feed'; title: string; hint: string; children: (busy: boolean, setBusy: (busy: boolean) => void) => ReactNode }) {
  const [busy, setBusy] = useState(false);
  const id = useId();
  return (
    <section className="first-run-source" aria-labelledby={`${id}-title`} aria-describedby={`${id}-hint`}>
      <h2 id={`${id}-title`}>
        <SourceIcon kind={kind} decorative /> {title}
      </h2>
      <p id={`${id}-hint`} className="hint">
        {hint}
      </p>
      {children(busy, setBusy)}
    </section>
  );
}

function MatrixQuickForm({ busy, setBusy }: { busy: boolean; setBusy: (busy: boolean) => void }) {
  const hub = useHub();
  const { form, values, errors, formError, set, onSubmit } = useAccountForm<MatrixFormValues, MatrixFormField, MatrixAccountInput>({
    empty: emptyMatrixForm,
    check: checkMatrixForm,
    submit: (input) => addAccount(hub, { kind: 'matrix', input, secrets: [input.password] }),
    placeError: (error) => {
      // No homeserver field here: its errors belong beside the user ID, which it was found from.
      const field = matrixFieldOf(error.field);
      return { field: field === 'homeserverUrl' ? 'userId' : field, message: error.message };
    },
    busy,
    setBusy,
  });
  return (
    <AccountFormFrame form={form} onSubmit={onSubmit} formError={formError} busy={busy} submitLabel="Sign in" busyLabel="Signing in…" place="section">
      <Field field="userId" label="Matrix ID" errors={errors}>
        {(a) => <input {...a} type="text" autoComplete="username" spellCheck={false} autoCapitalize="off" placeholder="@you:example.org" value={values.userId} onChange={(e) => set('userId', e.target.value)} />}
      </Field>
      <Field field="password" label="Matrix password" errors={errors}>
        {(a) => <input {...a} type="password" autoComplete="current-password" value={values.password} onChange={(e) => set('password', e.target.value)} />}
      </Field>
    </AccountFormFrame>
  );
}

function FeedQuickForm({ busy, setBusy }: { busy: boolean; setBusy: (busy: boolean) => void }) {
  const hub = useHub();
  const file = useRef<HTMLInputElement>(null);
  const [note, setNote] = useState<string | null>(null);
  const { form, values, errors, formError, set, onSubmit } = useAccountForm<FeedFormValues, FeedFormField, FeedAccountInput>({
    empty: emptyFeedForm,
    check: checkFeedForm,
    submit: (input) => addAccount(hub, { kind: 'feed', input, secrets: [] }),
    placeError: (error) => {
      const field = feedFieldOf(error.field);
      return { field: field === 'url' ? 'url' : undefined, message: error.message };
    },
    busy,
    setBusy,
  });
  const onFile = async (chosen: File | undefined): Promise<void> => {
    if (chosen === undefined) return;
    setNote(null);
    const result = await importOpml(hub, await chosen.text());
    if (file.current) file.current.value = '';
    if (!result.ok) setNote(result.error.message);
    else if (result.value.added === 0) setNote(`No new feeds in ${chosen.name}.`);
  };
  return (
    <AccountFormFrame form={form} onSubmit={onSubmit} formError={formError} busy={busy} submitLabel="Follow feed" busyLabel="Checking the feed…" place="section">
      <Field field="url" label="Feed address" errors={errors}>
        {(a) => <input {...a} type="url" autoComplete="url" spellCheck={false} autoCapitalize="off" placeholder="https://status.example.com" value={values.url} onChange={(e) => set('url', e.target.value)} />}
      </Field>
      <div className="opml">
        <label className="button">
          Import OPML file…
          <input ref={file} type="file" accept=".opml,.xml,text/x-opml,application/xml,text/xml" className="visually-hidden" disabled={busy} onChange={(e) => void onFile(e.target.files?.[0])} />
        </label>
        {note !== null ? (
          <p className="field-error" role="alert">
            {note}
          </p>
        ) : null}
      </div>
    </AccountFormFrame>
  );
}
