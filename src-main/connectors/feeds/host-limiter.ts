/**
 * At most a few fetches per host at once, so a user with fifty feeds on one site does not hit it
 * with fifty parallel requests (and get rate-limited for it). Waiting tasks start in the order they
 * arrived. A host with nothing running or waiting is forgotten, so the map stays as small as the
 * set of hosts being fetched right now.
 */

interface HostQueue {
  running: number;
  /** Each entry starts one waiting task; it receives the slot of the task that finished. */
  waiting: (() => void)[];
}

export class HostLimiter {
  private readonly perHost: number;
  private readonly hosts = new Map<string, HostQueue>();

  constructor(perHost: number) {
    if (!Number.isInteger(perHost) || perHost < 1) throw new RangeError(`perHost must be a whole number of at least 1, not ${perHost}`);
    this.perHost = perHost;
  }

  /** Runs `task` once the host of `url` has a free slot; the slot is freed however the task ends. */
  async run<T>(url: string, task: () => Promise<T>): Promise<T> {
    const host = hostOf(url);
    await this.acquire(host);
    try {
      return await task();
    } finally {
      this.release(host);
    }
  }

  /** How many hosts have a task running or waiting; idle hosts are not kept. */
  get busyHosts(): number {
    return this.hosts.size;
  }

  private acquire(host: string): Promise<void> {
    let queue = this.hosts.get(host);
    if (!queue) {
      queue = { running: 0, waiting: [] };
      this.hosts.set(host, queue);
    }
    if (queue.running < this.perHost) {
      queue.running += 1;
      return Promise.resolve();
    }
    const waiting = queue.waiting;
    return new Promise((resolve) => waiting.push(resolve));
  }

  private release(host: string): void {
    const queue = this.hosts.get(host);
    if (!queue) return;
    // Handing the slot straight to the next waiter keeps FIFO: a newcomer cannot take it in between.
    const next = queue.waiting.shift();
    if (next) return next();
    queue.running -= 1;
    if (queue.running === 0) this.hosts.delete(host);
  }
}

/** Hosts compare case-insensitively; text that is no URL gets its own queue and fails inside the task. */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return url.toLowerCase();
  }
}
