import { describe, expect, it } from 'vitest';
import { HostLimiter } from './host-limiter.ts';

interface Deferred {
  promise: Promise<string>;
  resolve(value: string): void;
  reject(error: Error): void;
}

function deferred(): Deferred {
  let resolve!: (value: string) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every settled promise run its continuations, so started tasks have started. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Fake fetches: each records its start and ends when the test says so. */
function fakeTasks(limiter: HostLimiter) {
  const started: string[] = [];
  const gates = new Map<string, Deferred>();
  let running = 0;
  let mostRunning = 0;
  const run = (url: string, name: string) => {
    const gate = deferred();
    gates.set(name, gate);
    return limiter.run(url, async () => {
      started.push(name);
      running += 1;
      mostRunning = Math.max(mostRunning, running);
      try {
        return await gate.promise;
      } finally {
        running -= 1;
      }
    });
  };
  const gate = (name: string) => {
    const found = gates.get(name);
    if (!found) throw new Error(`no task ${name}`);
    return found;
  };
  return { run, started, gate, mostRunning: () => mostRunning };
}

describe('HostLimiter', () => {
  it('runs at most perHost tasks per host and starts the waiting ones in order', async () => {
    const limiter = new HostLimiter(2);
    const tasks = fakeTasks(limiter);
    const results = ['a', 'b', 'c', 'd', 'e'].map((name) => tasks.run(`https://example.com/${name}.xml`, name));
    await settle();
    expect(tasks.started).toEqual(['a', 'b']);

    tasks.gate('b').resolve('B');
    await settle();
    expect(tasks.started).toEqual(['a', 'b', 'c']);

    tasks.gate('a').resolve('A');
    tasks.gate('c').resolve('C');
    await settle();
    expect(tasks.started).toEqual(['a', 'b', 'c', 'd', 'e']);

    tasks.gate('d').resolve('D');
    tasks.gate('e').resolve('E');
    expect(await Promise.all(results)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(tasks.mostRunning()).toBe(2);
    expect(limiter.busyHosts).toBe(0);
  });

  it('limits each host on its own and compares host names case-insensitively', async () => {
    const limiter = new HostLimiter(1);
    const tasks = fakeTasks(limiter);
    void tasks.run('https://Example.COM/one', 'one');
    void tasks.run('https://example.com:8443/two', 'two');
    void tasks.run('http://other.example/three', 'three');
    await settle();
    expect(tasks.started).toEqual(['one', 'three']);
    expect(limiter.busyHosts).toBe(2);

    tasks.gate('three').resolve('3');
    await settle();
    expect(limiter.busyHosts).toBe(1);
    tasks.gate('one').resolve('1');
    await settle();
    expect(tasks.started).toEqual(['one', 'three', 'two']);
    tasks.gate('two').resolve('2');
    await settle();
    expect(limiter.busyHosts).toBe(0);
  });

  it('frees the slot of a task that throws', async () => {
    const limiter = new HostLimiter(1);
    const tasks = fakeTasks(limiter);
    const failing = tasks.run('https://example.com/bad', 'bad');
    const next = tasks.run('https://example.com/good', 'good');
    const thrower = limiter.run('https://example.com/sync', () => {
      throw new Error('thrown before any promise');
    });
    await settle();
    expect(tasks.started).toEqual(['bad']);

    tasks.gate('bad').reject(new Error('boom'));
    await expect(failing).rejects.toThrow('boom');
    await settle();
    expect(tasks.started).toEqual(['bad', 'good']);
    tasks.gate('good').resolve('ok');
    expect(await next).toBe('ok');
    await expect(thrower).rejects.toThrow('thrown before any promise');
    expect(limiter.busyHosts).toBe(0);
  });

  it('refuses a limit below one', () => {
    expect(() => new HostLimiter(0)).toThrow(RangeError);
    expect(() => new HostLimiter(1.5)).toThrow(RangeError);
  });
});
