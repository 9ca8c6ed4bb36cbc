/** A feed's own settings in its Account settings dialog: name, folder, interval and alert rules. */
import { useId, useState, type FormEvent } from 'react';
import type { Account, FeedAlertLevel } from '../../src-shared/domain.ts';
import { ALERT_LEVEL_LABELS, splitKeywords } from '../forms/feedForm.ts';
import { updateFeedSettings } from '../state/feedActions.ts';
import { useHub } from '../state/hooks.ts';

export function FeedSettingsSection({ account }: { account: Account & { kind: 'feed' } }) {
  const hub = useHub();
  const id = useId();
  const { settings } = account;
  const [name, setName] = useState(account.displayName);
  const [folder, setFolder] = useState(settings.folder);
  const [minutes, setMinutes] = useState(String(settings.intervalSeconds / 60));
  const [alertLevel, setAlertLevel] = useState<FeedAlertLevel>(settings.alertLevel);
  const [keywords, setKeywords] = useState(settings.keywords.join(', '));
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const interval = Math.round(Number(minutes) * 60);
    if (!Number.isFinite(interval) || interval < 60) {
      setError('Check every 1 minute at the most often.');
      return;
    }
    setSaving(true);
    setError(null);
    const result = await updateFeedSettings(hub, {
      accountId: account.id,
      displayName: name.trim(),
      folder: folder.trim(),
      intervalSeconds: interval,
      alertLevel,
      keywords: splitKeywords(keywords),
    });
    setSaving(false);
    if (!result.ok) setError(result.error.message);
  };

  return (
    <section className="settings-section" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Feed</h3>
      <form className="account-form" noValidate onSubmit={(e) => void onSubmit(e)} aria-busy={saving ? 'true' : undefined}>
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-name`}>Name</label>
            <input id={`${id}-name`} type="text" value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-folder`}>Folder</label>
            <input id={`${id}-folder`} type="text" value={folder} onChange={(e) => setFolder(e.target.value)} />
          </div>
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-interval`}>Check every (minutes)</label>
            <input id={`${id}-interval`} type="text" inputMode="numeric" className="port" value={minutes} onChange={(e) => setMinutes(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-level`}>Alerts</label>
            <select id={`${id}-level`} value={alertLevel} onChange={(e) => setAlertLevel(e.target.value as FeedAlertLevel)}>
              {(Object.keys(ALERT_LEVEL_LABELS) as FeedAlertLevel[]).map((level) => (
                <option key={level} value={level}>
                  {ALERT_LEVEL_LABELS[level]}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="field">
          <label htmlFor={`${id}-keywords`}>Priority keywords</label>
          <input id={`${id}-keywords`} type="text" aria-describedby={`${id}-keywords-hint`} value={keywords} onChange={(e) => setKeywords(e.target.value)} />
          <p id={`${id}-keywords-hint`} className="hint">
            Comma-separated; matched as whole words in titles and categories, from the next check on.
          </p>
        </div>
        {error !== null ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="section-buttons">
          <button type="submit" disabled={saving}>
            {saving ? 'Saving…' : 'Save feed settings'}
          </button>
        </div>
      </form>
    </section>
  );
}
