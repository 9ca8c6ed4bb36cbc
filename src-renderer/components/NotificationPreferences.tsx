/**
 * The Preferences dialog's attention sections: the rules in the order they are tried (move, level,
 * priority, remove), quiet hours, the pause. Each change is saved at once, like the other preferences.
 */
import { useEffect, useId, useState } from 'react';
import { ATTENTION_LEVELS, type AttentionLevel, type AttentionRule, type QuietHours } from '../../src-shared/attention.ts';
import { moveRule, removeRule, setQuietHours, updateRule } from '../state/attentionActions.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { describeMatch, LEVEL_LABELS } from '../format/rules.ts';
import { PauseButtons, TurnOnNotifications } from './PauseControl.tsx';

const DEFAULT_QUIET: QuietHours = { start: '22:00', end: '07:00', priorityBreaksThrough: true };
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

function RuleRow({ rule, index, count }: { rule: AttentionRule; index: number; count: number }) {
  const hub = useHub();
  const id = useId();
  const accounts = useApp((s) => s.accounts);
  const matches = describeMatch(rule.match, (accountId) => accounts.find((a) => a.account.id === accountId)?.account.displayName);
  return (
    <li className="rule" aria-labelledby={`${id}-name`} aria-describedby={`${id}-match`}>
      <div className="rule-text">
        <span id={`${id}-name`} className="rule-name">
          <bdi dir="auto">{rule.name}</bdi>
          {rule.builtIn ? <span className="tag">Default</span> : null}
        </span>
        <span id={`${id}-match`} className="rule-match">
          {matches}
        </span>
      </div>
      <div className="rule-controls">
        <select aria-label={`Level for ${rule.name}`} value={rule.level} onChange={(e) => void updateRule(hub, rule.id, { level: e.target.value as AttentionLevel })}>
          {ATTENTION_LEVELS.map((level) => (
            <option key={level} value={level}>
              {LEVEL_LABELS[level]}
            </option>
          ))}
        </select>
        <label className="check">
          <input type="checkbox" checked={rule.priority} onChange={(e) => void updateRule(hub, rule.id, { priority: e.target.checked })} />
          Priority<span className="visually-hidden"> for {rule.name}</span>
        </label>
        <button type="button" className="icon-button" aria-label={`Move ${rule.name} up`} title="Move up (tried earlier)" disabled={index === 0} onClick={() => void moveRule(hub, rule.id, -1)}>
          ↑
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label={`Move ${rule.name} down`}
          title="Move down (tried later)"
          disabled={index === count - 1}
          onClick={() => void moveRule(hub, rule.id, 1)}
        >
          ↓
        </button>
        {rule.builtIn ? null : (
          <button type="button" className="link" aria-label={`Remove ${rule.name}`} onClick={() => void removeRule(hub, rule.id)}>
            Remove
          </button>
        )}
      </div>
    </li>
  );
}

function QuietHoursFields() {
  const hub = useHub();
  const id = useId();
  const saved = useApp((s) => s.attention?.quietHours ?? null);
  const [draft, setDraft] = useState<QuietHours>(saved ?? DEFAULT_QUIET);
  // Shown at once; the hub's answer (or a refusal) settles it.
  const [on, setOn] = useState(saved !== null);
  useEffect(() => {
    if (saved !== null) setDraft(saved);
    setOn(saved !== null);
  }, [saved]);
  const turn = (wanted: boolean): void => {
    setOn(wanted);
    void setQuietHours(hub, wanted ? draft : null).then((ok) => {
      if (!ok) setOn(!wanted);
    });
  };
  const save = (next: QuietHours): void => {
    setDraft(next);
    if (HH_MM.test(next.start) && HH_MM.test(next.end)) void setQuietHours(hub, next);
  };
  return (
    <fieldset aria-describedby={`${id}-hint`}>
      <legend>Quiet hours</legend>
      <div className="preference">
        <label className="check">
          <input type="checkbox" checked={on} onChange={(e) => turn(e.target.checked)} />
          Hold notifications every day
        </label>
      </div>
      <div className="quiet-times">
        <label>
          From
          <input type="time" value={draft.start} disabled={!on} required onChange={(e) => save({ ...draft, start: e.target.value })} />
        </label>
        <label>
          to
          <input type="time" value={draft.end} disabled={!on} required onChange={(e) => save({ ...draft, end: e.target.value })} />
        </label>
      </div>
      <label className="check">
        <input type="checkbox" checked={draft.priorityBreaksThrough} disabled={!on} onChange={(e) => save({ ...draft, priorityBreaksThrough: e.target.checked })} />
        Priority items break through
      </label>
      <p id={`${id}-hint`} className="hint">
        Counts still move; the banners wait until quiet hours end. A start after the end spans midnight.
      </p>
    </fieldset>
  );
}

export function NotificationPreferences() {
  const id = useId();
  const rules = useApp((s) => s.rules);
  const error = useApp((s) => s.attentionError);
  return (
    <>
      {error !== null ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <TurnOnNotifications />
      <fieldset>
        <legend>Pause notifications</legend>
        <PauseButtons grouped={false} />
      </fieldset>
      <QuietHoursFields />
      <section className="rules-section" aria-labelledby={`${id}-rules`}>
        <h3 id={`${id}-rules`} className="rules-title">
          Rules
        </h3>
        <p className="hint">Tried from the top; the first that matches an item decides. Add rules from an item’s Why panel or with groundswell rules add.</p>
        {rules === null ? (
          <p className="hint">Loading the rules…</p>
        ) : (
          <ol className="rules" aria-label="Rules, in the order they are tried">
            {rules.map((rule, i) => (
              <RuleRow key={rule.id} rule={rule} index={i} count={rules.length} />
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
