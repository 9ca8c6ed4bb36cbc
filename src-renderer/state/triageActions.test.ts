import { describe, expect, it } from 'vitest';
import { staysInView, targetIds } from './triageActions.ts';
import { createAppStore } from './store.ts';

describe('what a triage action applies to and what leaves the list', () => {
  it('applies to the picked items, else the one the keyboard points at, else the open one', () => {
    const store = createAppStore();
    expect(targetIds(store.getState())).toEqual([]);
    store.setState({ openId: 'open' });
    expect(targetIds(store.getState())).toEqual(['open']);
    store.setState({ selectedId: 'current' });
    expect(targetIds(store.getState())).toEqual(['current']);
    store.setState({ checkedIds: ['a', 'b'] });
    expect(targetIds(store.getState())).toEqual(['a', 'b']);
    // A row's own button applies to the picked ones only when that row is one of them.
    expect(targetIds(store.getState(), 'a')).toEqual(['a', 'b']);
    expect(targetIds(store.getState(), 'other')).toEqual(['other']);
  });

  it('takes an item out of the views it no longer belongs to, and only those', () => {
    expect(staysInView('inbox', 'done')).toBe(false);
    expect(staysInView('inbox', 'snooze')).toBe(false);
    expect(staysInView('inbox', 'star')).toBe(true);
    expect(staysInView('inbox', 'read')).toBe(true);
    expect(staysInView('done', 'done')).toBe(true);
    expect(staysInView('done', 'undone')).toBe(false);
    expect(staysInView('snoozed', 'unsnooze')).toBe(false);
    expect(staysInView('starred', 'unstar')).toBe(false);
    expect(staysInView('starred', 'done')).toBe(true);
    expect(staysInView('all', 'snooze')).toBe(true);
    for (const view of ['inbox', 'snoozed', 'done', 'starred', 'all'] as const) {
      expect(staysInView(view, 'delete')).toBe(false);
      expect(staysInView(view, 'spam')).toBe(false);
    }
  });
});
