/**
 * "Add feed" inside the Add account dialog: an address (a page works too), how often to check,
 * how loudly to alert, and sign-in for internal feeds. OPML moves whole subscription lists in and out.
 */
import { useRef, useState } from 'react';
import type { FeedAccountInput } from '../../src-shared/api.ts';
import type { FeedAuth } from '../../src-shared/domain.ts';
import {
  FEED_AUTH_LABELS,
  checkFeedForm,
  emptyFeedForm,
  feedFieldOf,
  type FeedFormField,
  type FeedFormValues,
} from '../forms/feedForm.ts';
import { addAccount } from '../state/accountActions.ts';
import { exportOpml, importOpml } from '../state/feedActions.ts';
import { useHub } from '../state/hooks.ts';
import { AccountFormFrame } from './AccountFormFrame.tsx';
import { AlertLevelSelect } from './AlertLevelSelect.tsx';
import { Field } from './FormField.tsx';
import { useAccountForm } from './useAccountForm.ts';

function feedSecrets(input: FeedAccountInput): string[] {
  const credentials = input.credentials;
  if (credentials === undefined) return [];
  return [credentials.kind === 'basic' ? credentials.password : credentials.token];
}

export function AddFeedForm({ busy, setBusy }: { busy: boolean; setBusy: (busy: boolean) => void }) {
  const hub = useHub();
  const { form, values, errors, formError, set, onSubmit } = useAccountForm<FeedFormValues, FeedFormField, FeedAccountInput>({
    empty: emptyFeedForm,
    check: checkFeedForm,
    submit: (input) => addAccount(hub, { kind: 'feed', input, secrets: feedSecrets(input) }),
    placeError: (error, _input, shown) => {
      const named = feedFieldOf(error.field);
      // The hub names a refused secret "password"; in this form it may be the token, or there is none.
      const field = named === 'password' && shown.auth !== 'basic' ? (shown.auth === 'bearer' ? 'token' : undefined) : named;
      return { field, message: error.message };
    },
    busy,
    setBusy,
  });

  return (
    <AccountFormFrame form={form} onSubmit={onSubmit} formError={formError} busy={busy} submitLabel="Add feed" busyLabel="Checking the feed…">
      <Field field="url" label="Feed address" errors={errors} hint="The feed itself, or a web page that links to it.">
        {(a) => (
          <input {...a} type="url" autoFocus autoComplete="url" spellCheck={false} autoCapitalize="off" placeholder="https://status.example.com/history.rss" value={values.url} onChange={(e) => set('url', e.target.value)} />
        )}
      </Field>
      <div className="field-row">
        <Field field="displayName" label="Name" errors={errors} hint="Empty: the feed's own title.">
          {(a) => <input {...a} type="text" autoComplete="off" value={values.displayName} onChange={(e) => set('displayName', e.target.value)} />}
        </Field>
        <Field field="folder" label="Folder" errors={errors}>
          {(a) => <input {...a} type="text" autoComplete="off" placeholder="Status pages" value={values.folder} onChange={(e) => set('folder', e.target.value)} />}
        </Field>
      </div>
      <div className="field-row">
        <Field field="intervalMinutes" label="Check every (min)" errors={errors}>
          {(a) => <input {...a} type="text" inputMode="numeric" value={values.intervalMinutes} onChange={(e) => set('intervalMinutes', e.target.value)} />}
        </Field>
        <Field field="alertLevel" label="Alerts" errors={errors}>
          {(a) => <AlertLevelSelect {...a} value={values.alertLevel} onChange={(level) => set('alertLevel', level)} />}
        </Field>
      </div>
      <Field field="keywords" label="Priority keywords" errors={errors} hint="Comma-separated. An entry whose title or category contains one is marked priority.">
        {(a) => <input {...a} type="text" autoComplete="off" placeholder="outage, degraded, security" value={values.keywords} onChange={(e) => set('keywords', e.target.value)} />}
      </Field>
      <Field field="auth" label="Sign-in" errors={errors}>
        {(a) => (
          <select {...a} value={values.auth} onChange={(e) => set('auth', e.target.value as FeedAuth)}>
            {(Object.keys(FEED_AUTH_LABELS) as FeedAuth[]).map((auth) => (
              <option key={auth} value={auth}>
                {FEED_AUTH_LABELS[auth]}
              </option>
            ))}
          </select>
        )}
      </Field>
      {values.auth === 'basic' ? (
        <div className="field-row">
          <Field field="username" label="User name" errors={errors}>
            {(a) => <input {...a} type="text" autoComplete="username" value={values.username} onChange={(e) => set('username', e.target.value)} />}
          </Field>
          <Field field="password" label="Password" errors={errors}>
            {(a) => <input {...a} type="password" autoComplete="current-password" value={values.password} onChange={(e) => set('password', e.target.value)} />}
          </Field>
        </div>
      ) : null}
      {values.auth === 'bearer' ? (
        <Field field="token" label="Access token" errors={errors} hint="Sent as “Authorization: Bearer …”; kept in the system keychain.">
          {(a) => <input {...a} type="password" autoComplete="off" value={values.token} onChange={(e) => set('token', e.target.value)} />}
        </Field>
      ) : null}
      <OpmlButtons busy={busy} />
    </AccountFormFrame>
  );
}

function OpmlButtons({ busy }: { busy: boolean }) {
  const hub = useHub();
  const file = useRef<HTMLInputElement>(null);
  const [note, setNote] = useState<string | null>(null);

  const onFile = async (chosen: File | undefined): Promise<void> => {
    if (chosen === undefined) return;
    const result = await importOpml(hub, await chosen.text());
    if (file.current) file.current.value = '';
    if (!result.ok) setNote(result.error.message);
    else if (result.value.added === 0) setNote(`No new feeds in ${chosen.name}${result.value.skipped.length > 0 ? ` (${result.value.skipped.length} already followed or invalid)` : ''}.`);
  };

  const onExport = async (): Promise<void> => {
    const opml = await exportOpml(hub);
    if (opml === null) return;
    const url = URL.createObjectURL(new Blob([opml], { type: 'text/x-opml' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'groundswell-feeds.opml';
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <div className="opml">
      <label className="button">
        Import OPML…
        <input ref={file} type="file" accept=".opml,.xml,text/x-opml,application/xml,text/xml" className="visually-hidden" disabled={busy} onChange={(e) => void onFile(e.target.files?.[0])} />
      </label>
      <button type="button" disabled={busy} onClick={() => void onExport()}>
        Export OPML
      </button>
      {note !== null ? (
        <p className="field-error" role="alert">
          {note}
        </p>
      ) : null}
    </div>
  );
}
