/**
 * One notification per conversation: a newer one for the same `group` closes the one before it,
 * so a busy room shows its latest message, not a stack. The Electron app (Electron's Notification)
 * and the browser page (the Notification API, whose `tag` replaces too) both keep their notifications
 * here, so they group alike.
 */

export interface Closable {
  close(): void;
}

export class NotificationGroups<N extends Closable> {
  readonly #open = new Map<string, N>();

  /** How many are on screen now (one per group at most). */
  get size(): number {
    return this.#open.size;
  }

  has(group: string): boolean {
    return this.#open.has(group);
  }

  /**
   * Closes the group's notification, if any, then shows a new one through `show`. `show` gets the
   * `forget` to call when the new one goes away (clicked, dismissed): it forgets only that one.
   * Returns whether an earlier one was replaced.
   */
  replace(group: string, show: (forget: () => void) => N): boolean {
    const before = this.#open.get(group);
    // Forgotten first: its own close event must not remove the one that replaces it.
    this.#open.delete(group);
    before?.close();
    const shown: { n?: N } = {};
    shown.n = show(() => {
      if (shown.n !== undefined && this.#open.get(group) === shown.n) this.#open.delete(group);
    });
    this.#open.set(group, shown.n);
    return before !== undefined;
  }

  /** Closes them all (notifications turned off, the app quits). */
  closeAll(): void {
    const all = [...this.#open.values()];
    this.#open.clear();
    for (const n of all) n.close();
  }
}
