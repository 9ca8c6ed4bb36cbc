/** A feed's own settings in its Account settings dialog: folder, interval and alert rules (the name is the dialog's Name). */
import { useId, useState } from 'react';
import type { FeedAccountChanges } from '../../src-shared/api.ts';
import type { AccountOf } from '../../src-shared/domain.ts';
import {
  checkFeedSettings,
  feedFieldOf,
  feedSettingsValuesOf,
  type FeedSettingsField,
  type FeedSettingsValues,
} from '../forms/feedForm.ts';
import { updateAccount } from '../state/accountActions.ts';
import { useHub } from '../state/hooks.ts';
import { AccountFormFrame } from './AccountFormFrame.tsx';
import { AlertLevelSelect } from './AlertLevelSelect.tsx';
import { Field } from './FormField.tsx';
import { useAccountForm } from './useAccountForm.ts';

const SETTINGS_FIELDS: readonly string[] = ['folder', 'intervalMinutes', 'alertLevel', 'keywords'] satisfies FeedSettingsField[];

export function FeedSettingsSection({ account }: { account: AccountOf<'feed'> }) {
  const hub = useHub();
  const id = useId();
  const [busy, setBusy] = useState(false);
  const { form, values, errors, formError, set, onSubmit } = useAccountForm<FeedSettingsValues, FeedSettingsField, FeedAccountChanges>({
    empty: () => feedSettingsValuesOf(account.settings),
    check: checkFeedSettings,
    submit: (changes) => updateAccount(hub, account.id, changes),
    placeError: (error) => {
      const named = feedFieldOf(error.field);
      return { field: named !== undefined && SETTINGS_FIELDS.includes(named) ? (named as FeedSettingsField) : undefined, message: error.message };
    },
    busy,
    setBusy,
  });

  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Feed</h3>
      <AccountFormFrame form={form} onSubmit={onSubmit} formError={formError} busy={busy} submitLabel="Save feed settings" busyLabel="Saving…" place="section">
        <Field field="folder" label="Folder" errors={errors}>
          {(a) => <input {...a} type="text" autoComplete="off" value={values.folder} onChange={(e) => set('folder', e.target.value)} />}
        </Field>
        <div className="field-row">
          <Field field="intervalMinutes" label="Check every (minutes)" errors={errors}>
            {(a) => <input {...a} type="text" inputMode="numeric" value={values.intervalMinutes} onChange={(e) => set('intervalMinutes', e.target.value)} />}
          </Field>
          <Field field="alertLevel" label="Alerts" errors={errors}>
            {(a) => <AlertLevelSelect {...a} value={values.alertLevel} onChange={(level) => set('alertLevel', level)} />}
          </Field>
        </div>
        <Field field="keywords" label="Priority keywords" errors={errors} hint="Comma-separated; matched as whole words in titles and categories, from the next check on.">
          {(a) => <input {...a} type="text" autoComplete="off" value={values.keywords} onChange={(e) => set('keywords', e.target.value)} />}
        </Field>
      </AccountFormFrame>
    </section>
  );
}
