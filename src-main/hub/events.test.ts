import { describe, expect, it } from 'vitest';
import type { EventName } from '../../src-shared/api.ts';
import { createLogger } from '../common/logger.ts';
import { eventually } from '../../tests/support/hub-parts.ts';
import { HubEventBus } from './events.ts';

describe('the event bus', () => {
  it('coalesces a burst of item and timeline changes into one event each, deduplicated', async () => {
    const bus = new HubEventBus(createLogger({ write: () => {} }));
    const seen: { name: EventName; payload: unknown }[] = [];
    bus.on((name, payload) => seen.push({ name, payload }));
    for (let i = 0; i < 100; i++) bus.itemsChanged(i % 2 === 0 ? 'a' : 'b');
    bus.timelinesChanged(['a:room', 'a:room']);
    await eventually('both events', () => seen.length === 2);
    expect(seen).toContainEqual({ name: 'inbox.changed', payload: { accountIds: ['a', 'b'] } });
    expect(seen).toContainEqual({ name: 'chat.changed', payload: { itemIds: ['a:room'] } });
    bus.dispose();
  });

  it('keeps other listeners going when one throws, and logs it', () => {
    const logged: string[] = [];
    const bus = new HubEventBus(createLogger({ write: (line) => void logged.push(line) }));
    const got: unknown[] = [];
    bus.on(() => {
      throw new Error('listener broke');
    });
    bus.on((_name, payload) => got.push(payload));
    bus.emit('accounts.changed', {});
    expect(got).toEqual([{}]);
    expect(logged.join('\n')).toContain('listener broke');
  });

  it('says nothing once disposed', () => {
    const bus = new HubEventBus(createLogger({ write: () => {} }));
    const got: unknown[] = [];
    bus.on((_n, p) => got.push(p));
    bus.dispose();
    bus.emit('accounts.changed', {});
    bus.itemsChanged('a');
    expect(got).toEqual([]);
  });
});
