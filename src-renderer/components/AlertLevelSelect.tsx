/** The alert-level choice of a feed, as adding a feed and its settings both offer it. */
import type { SelectHTMLAttributes } from 'react';
import { FEED_ALERT_LEVELS } from '../../src-shared/domain.ts';
import type { FeedAlertLevel } from '../../src-shared/domain.ts';
import { ALERT_LEVEL_LABELS } from '../forms/feedForm.ts';

export function AlertLevelSelect({ value, onChange, ...field }: Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'> & { value: FeedAlertLevel; onChange: (level: FeedAlertLevel) => void }) {
  return (
    <select {...field} value={value} onChange={(e) => onChange(e.target.value as FeedAlertLevel)}>
      {FEED_ALERT_LEVELS.map((level) => (
        <option key={level} value={level}>
          {ALERT_LEVEL_LABELS[level]}
        </option>
      ))}
    </select>
  );
}
