import { describe, expect, it } from 'vitest';
import { coalesce } from './coalesce.ts';

/** A scheduler the test turns by hand: one "frame" per flushFrame(). */
function manualFrames() {
  const queue: (() => void)[] = [];
  return {
    schedule: (flush: () => void) => void queue.push(flush),
    pending: () => queue.length,
    flushFrame: () => {
      for (const f of queue.splice(0)) f();
    },
  };
}

/** Lets queued promise callbacks run; no time passes that a test depends on. */
const drain = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('coalesce', () => {
  it('turns a burst of changes into one run with every key', async () => {
    const frames = manualFrames();
    const runs: string[][] = [];
    const c = coalesce<string>((keys) => void runs.push([...keys].sort()), frames.schedule);
    for (let i = 0; i < 500; i++) c.push([`a${i % 3}`]);
    expect(frames.pending()).toBe(1);
    expect(runs).toEqual([]);
    frames.flushFrame();
    await c.current();
    expect(runs).toEqual([['a0', 'a1', 'a2']]);
    expect(frames.pending()).toBe(0);
  });

  it('never overlaps runs; changes during a run cause exactly one more', async () => {
    const frames = manualFrames();
    const runs: string[][] = [];
    const gates = [deferred(), deferred()];
    let active = 0;
    let maxActive = 0;
    const c = coalesce<string>(async (keys) => {
      const gate = gates[runs.length];
      runs.push([...keys]);
      active++;
      maxActive = Math.max(maxActive, active);
      await gate?.promise;
      active--;
    }, frames.schedule);

    c.push(['x']);
    frames.flushFrame();
    c.push(['y']);
    c.push(['z']);
    frames.flushFrame(); // nothing scheduled while the first run is in flight
    await drain();
    expect(runs).toEqual([['x']]);
    expect(frames.pending()).toBe(0);
    gates[0]?.resolve();
    await c.current();
    expect(frames.pending()).toBe(1);
    frames.flushFrame();
    gates[1]?.resolve();
    await c.current();
    expect(runs).toEqual([['x'], ['y', 'z']]);
    expect(maxActive).toBe(1);
    expect(frames.pending()).toBe(0);
  });

  it('keeps going after a run fails', async () => {
    const frames = manualFrames();
    let n = 0;
    const c = coalesce<string>(() => {
      n++;
      if (n === 1) throw new Error('refetch failed');
    }, frames.schedule);
    c.push(['a']);
    frames.flushFrame();
    await c.current();
    c.push(['b']);
    frames.flushFrame();
    await c.current();
    expect(n).toBe(2);
  });
});
