/**
 * What the tray shows: its icon's count, its tooltip and its menu, from the one unread summary and
 * the hub's attention settings. main.ts turns the model into Electron's Tray and Menu; a click on
 * an item comes back as a TrayAction.
 */
import type { AttentionSettings } from '../../src-shared/attention.ts';
import { isPaused, pausedText, PAUSE_CHOICES, pauseUntil } from '../../src-shared/pause-options.ts';
import type { UnreadSummary } from '../../src-shared/unread-summary.ts';

export type TrayAction = { kind: 'open' } | { kind: 'quit' } | { kind: 'pause'; until: number } | { kind: 'resume' };

export type TrayMenuItem =
  | { type: 'separator' }
  | { type: 'item'; label: string; enabled: boolean; action?: TrayAction }
  | { type: 'submenu'; label: string; items: TrayMenuItem[] };

export interface TrayModel {
  /** Drawn on the icon: "12", "99+", or "" for the bare icon. */
  iconText: string;
  tooltip: string;
  menu: TrayMenuItem[];
}

export function trayModel(summary: UnreadSummary, attention: Pick<AttentionSettings, 'pausedUntil' | 'holding'> | null, now: number): TrayModel {
  const paused = attention !== null && isPaused(attention.pausedUntil, now);
  const pauseLine = paused ? pausedText(attention.pausedUntil!, now) : undefined;
  const tooltip = ['Groundswell', summary.headline, ...(pauseLine === undefined ? [] : [`notifications ${pauseLine.charAt(0).toLowerCase()}${pauseLine.slice(1)}`])].join(' — ');
  const pauseItems: TrayMenuItem[] = paused
    ? [{ type: 'item', label: pauseLine!, enabled: false }, { type: 'item', label: 'Resume notifications', enabled: true, action: { kind: 'resume' } }]
    : PAUSE_CHOICES.map(({ choice, label }) => ({ type: 'item', label, enabled: true, action: { kind: 'pause', until: pauseUntil(choice, now) } }));
  return {
    iconText: summary.badgeText,
    tooltip,
    menu: [
      { type: 'item', label: summary.headline, enabled: false },
      ...summary.sources.map((line): TrayMenuItem => ({ type: 'item', label: line.text, enabled: false })),
      { type: 'separator' },
      { type: 'submenu', label: paused ? 'Notifications paused' : 'Pause notifications', items: pauseItems },
      { type: 'separator' },
      { type: 'item', label: 'Open Groundswell', enabled: true, action: { kind: 'open' } },
      { type: 'item', label: 'Quit', enabled: true, action: { kind: 'quit' } },
    ],
  };
}

/** When the tray must be drawn again even if nothing changed: the moment a pause runs out. */
export function nextTrayRefresh(attention: Pick<AttentionSettings, 'pausedUntil'> | null, now: number): number | undefined {
  return attention !== null && isPaused(attention.pausedUntil, now) ? attention.pausedUntil! : undefined;
}
