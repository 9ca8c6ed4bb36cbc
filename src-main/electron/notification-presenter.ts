/**
 * Desktop notifications in the Electron app: each `attention.notification` the hub raises becomes one
 * Electron Notification, one per conversation (`group`, see NotificationGroups). A click brings the
 * window forward on that item. Electron comes in through `PresenterShell`, so this is tested in Node.
 */
import type { RaisedNotification } from '../../src-shared/attention.ts';
import { NotificationGroups } from '../../src-shared/notification-groups.ts';

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
  readonly #open = new NotificationGroups<ShownNotification>();
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
    if (!this.#enabled || !n.desktop) return 'off';
    if (!this.#shell.supported()) return 'unsupported';
    if (this.#shell.windowFocused()) return 'focused';
    const replaced = this.#open.replace(n.group, (forget) =>
      this.#shell.show(notificationContent(n), {
        clicked: () => {
          forget();
          this.#shell.openItem(n.itemId);
        },
        closed: forget,
      }),
    );
    return replaced ? 'replaced' : 'shown';
  }

  /** Closes every notification still shown (the app quits, notifications turned off). */
  dispose(): void {
    this.#open.closeAll();
  }
}

/** The title and body as the hub wrote them (previews already left out when the user hid them). */
export function notificationContent(n: RaisedNotification): NotificationContent {
  return { title: n.title, body: n.body, silent: !n.priority };
}
