/**
 * Desktop notifications in `serve`: the browser's Notification API, asked for on a user gesture
 * ("Turn on desktop notifications"), one per conversation (`tag` = the group, and the one before it
 * closed, as the Electron app does). Inside Electron the main process notifies and this stays off.
 * The page's Notification comes in through `PageNotifications`, so this is tested without a browser.
 */
import type { RaisedNotification } from '../../src-shared/attention.ts';
import { NotificationGroups, type Closable } from '../../src-shared/notification-groups.ts';
import type { BrowserNotifications } from './store.ts';

export interface PageNotifications {
  permission(): BrowserNotifications;
  /** Must run inside a click: browsers refuse a request made without one. */
  requestPermission(): Promise<BrowserNotifications>;
  show(title: string, options: { body: string; tag: string; silent: boolean }, onClick: () => void): Closable;
  /** Brings the tab forward (window.focus()). */
  focusPage(): void;
}

export class BrowserNotifier {
  readonly #page: PageNotifications | undefined;
  readonly #groups = new NotificationGroups<Closable>();

  constructor(page: PageNotifications | undefined) {
    this.#page = page;
  }

  permission(): BrowserNotifications {
    return this.#page?.permission() ?? 'unsupported';
  }

  async request(): Promise<BrowserNotifications> {
    return this.#page === undefined ? 'unsupported' : this.#page.requestPermission();
  }

  /** Raises the browser notification when allowed; false when it did not (the page shows a toast instead). */
  present(n: RaisedNotification, open: (itemId: string) => void): boolean {
    const page = this.#page;
    if (page === undefined || page.permission() !== 'granted') return false;
    this.#groups.replace(n.group, (forget) => {
      const shown = page.show(n.title, { body: n.body, tag: n.group, silent: !n.priority }, () => {
        forget();
        shown.close();
        page.focusPage();
        open(n.itemId);
      });
      return shown;
    });
    return true;
  }

  closeAll(): void {
    this.#groups.closeAll();
  }
}

/** The page's own Notification API; undefined in Electron (the app notifies) or where the browser has none. */
export function pageNotifications(win: Window & typeof globalThis): PageNotifications | undefined {
  if (win.groundswell !== undefined || typeof win.Notification !== 'function') return undefined;
  const Api = win.Notification;
  return {
    permission: () => Api.permission,
    requestPermission: async () => {
      try {
        return await Api.requestPermission();
      } catch {
        return Api.permission;
      }
    },
    show: (title, options, onClick) => {
      const n = new Api(title, options);
      n.onclick = (event) => {
        event.preventDefault();
        onClick();
      };
      return n;
    },
    focusPage: () => win.focus(),
  };
}
