import { describe, expect, it } from 'vitest';
import type { RaisedNotification } from '../../src-shared/attention.ts';
import { NotificationPresenter, type NotificationContent, type PresenterShell } from './notification-presenter.ts';

const raised = (n: number, group: string, extra: Partial<RaisedNotification> = {}): RaisedNotification => ({
  itemId: `item-${n}`,
  accountId: 'acc',
  source: 'chat',
  level: 'notify',
  priority: false,
  title: 'Priya Raman in Engineering',
  body: `message ${n}`,
  reason: 'you were mentioned in Engineering',
  conversation: 'Engineering',
  group,
  at: n,
  desktop: true,
  ...extra,
});

/** Electron's side as a record: what is on screen, and what the user can click. */
function desktop(options: { focused?: boolean; supported?: boolean } = {}) {
  const screen: { content: NotificationContent; clicked(): void; closed(): void; open: boolean }[] = [];
  const opened: string[] = [];
  const shell: PresenterShell = {
    supported: () => options.supported ?? true,
    windowFocused: () => options.focused ?? false,
    show: (content, handlers) => {
      const entry = { content, ...handlers, open: true };
      screen.push(entry);
      return {
        close: () => {
          if (!entry.open) return;
          entry.open = false;
          handlers.closed(); // Electron emits 'close' on close()
        },
      };
    },
    openItem: (id) => void opened.push(id),
  };
  return { shell, screen, opened, onScreen: () => screen.filter((s) => s.open).map((s) => s.content.body) };
}

describe('desktop notifications in the app', () => {
  it('shows one per conversation, replacing the one before it', () => {
    const d = desktop();
    const presenter = new NotificationPresenter(d.shell);
    expect(presenter.present(raised(1, 'acc:room-a'))).toBe('shown');
    expect(presenter.present(raised(2, 'acc:room-b'))).toBe('shown');
    expect(presenter.present(raised(3, 'acc:room-a'))).toBe('replaced');
    expect(d.onScreen()).toEqual(['message 2', 'message 3']);
    expect(presenter.shown).toBe(2);
    expect(d.screen.map((s) => s.content.silent)).toEqual([true, true, true]);
    expect(presenter.present(raised(4, 'acc:room-c', { priority: true }))).toBe('shown');
    expect(d.screen.at(-1)?.content.silent).toBe(false);
  });

  it('opens the window on the item a click came from', () => {
    const d = desktop();
    const presenter = new NotificationPresenter(d.shell);
    presenter.present(raised(1, 'g1'));
    presenter.present(raised(2, 'g1'));
    d.screen.at(-1)!.clicked();
    expect(d.opened).toEqual(['item-2']);
    expect(presenter.shown).toBe(0);
    // A dismissed one is forgotten; the next for that group is new, not a replacement.
    presenter.present(raised(3, 'g2'));
    d.screen.at(-1)!.closed();
    expect(presenter.present(raised(4, 'g2'))).toBe('shown');
  });

  it('raises none while the window has the focus, notifications are off or unsupported', () => {
    expect(new NotificationPresenter(desktop({ focused: true }).shell).present(raised(1, 'g'))).toBe('focused');
    expect(new NotificationPresenter(desktop({ supported: false }).shell).present(raised(1, 'g'))).toBe('unsupported');
    const d = desktop();
    const presenter = new NotificationPresenter(d.shell);
    presenter.present(raised(1, 'g'));
    presenter.setEnabled(false);
    expect(d.onScreen()).toEqual([]);
    expect(presenter.present(raised(2, 'g'))).toBe('off');
    presenter.setEnabled(true);
    expect(presenter.present(raised(3, 'g'))).toBe('shown');
    // The hub marks one the desktop must not show (desktop notifications off in the preferences it read).
    expect(presenter.present(raised(4, 'h', { desktop: false }))).toBe('off');
  });
});
