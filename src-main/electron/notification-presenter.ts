/**
 * Desktop notifications in the Electron app: each `attention.notification` the hub raises becomes one
 * Electron Notification, one per conversation (`group`): a newer one for the same group closes the
 * one before it, so a busy room shows its latest message, not a stack. A click brings the window
 * forward on that item. Electron comes in through `PresenterShell`, so this is tested in Node.
 */
import type { RaisedNotification } from '../../src-shared/attention.ts';

export interface ShownNotification {
  close(): void;
}

export interface NotificationContent {
  title: string;
  body: string;
  /** Priority items keep their sound; the rest are raised quietly where the platform allows. */
  silent: boolean;
}

export interface PresenterShell {
  supported(): boolean;
  /** The window shows the notice itself (a toast) when it has the focus. */
  windowFocused(): boolean;
  /** Raises a notification; `closed` is called when it goes away for any reason (dismissed, replaced, timed out). */
  show(content: NotificationContent, handlers: { clicked(): void; closed(): void }): ShownNotification;
  /** Shows, un-minimizes and focuses the window, and opens the item there. */
  openItem(itemId: string): void;
}

export type PresentOutcome = 'shown' | 'replaced' | 'off' | 'focused' | 'unsupported';

export class NotificationPresenter {
  readonly #shell: PresenterShell;
  readonly #open = new Map<string, ShownNotification>();
  #enabled = true;

  constructor(shell: PresenterShell) {
    this.#shell = shell;
  }

  /** The Preferences' "Desktop notifications": off closes what is shown and raises nothing more. */
  setEnabled(enabled: boolean): void {
    this.#enabled = enabled;
    if (!enabled) this.dispose();
  }

  /** How many notifications are on screen now (one per conversation at most). */
  get shown(): number {
    return this.#open.size;
  }

  present(n: RaisedNotification): PresentOutcome {
    if (!this.#enabled) return 'off';
    if (!this.#shell.supported()) return 'unsupported';
    if (this.#shell.windowFocused()) return 'focused';
    const before = this.#open.get(n.group);
    // Forget it first: its `closed` must not remove the one that replaces it.
    this.#open.delete(n.group);
    before?.close();
    const shown = this.#shell.show(notificationContent(n), {
      clicked: () => {
        this.#forget(n.group, shown);
        this.#shell.openItem(n.itemId);
      },
      closed: () => this.#forget(n.group, shown),
    });
    this.#open.set(n.group, shown);
    return before === undefined ? 'shown' : 'replaced';
  }

  #forget(group: string, which: ShownNotification): void {
    if (this.#open.get(group) === which) this.#open.delete(group);
  }

  /** Closes every notification still shown (the app quits, notifications turned off). */
  dispose(): void {
    const all = [...this.#open.values()];
    this.#open.clear();
    for (const n of all) n.close();
  }
}

/** The title and body as the hub wrote them (previews already left out when the user hid them). */
export function notificationContent(n: RaisedNotification): NotificationContent {
  return { title: n.title, body: n.body, silent: !n.priority };
}
