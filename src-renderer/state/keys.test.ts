import { describe, expect, it } from 'vitest';
import { commandForKey, SHORTCUTS, type KeyCommand, type KeyPress } from './keys.ts';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({ key, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...mods });

describe('the keyboard shortcuts', () => {
  it('maps each single key to its action', () => {
    const expected: [string, KeyCommand][] = [
      ['j', 'next'],
      ['ArrowDown', 'next'],
      ['k', 'previous'],
      ['ArrowUp', 'previous'],
      ['Enter', 'open'],
      ['o', 'open'],
      ['Escape', 'back'],
      ['e', 'done'],
      ['b', 'snooze'],
      ['s', 'star'],
      ['u', 'toggle-read'],
      ['x', 'select'],
      ['z', 'undo'],
      ['r', 'reply'],
      ['/', 'search'],
      ['w', 'why'],
    ];
    for (const [key, command] of expected) expect(commandForKey(press(key), false), key).toBe(command);
  });

  it('takes the symbols typed with Shift as themselves, and Shift with a letter only where the table says', () => {
    expect(commandForKey(press('#', { shiftKey: true }), false)).toBe('delete');
    expect(commandForKey(press('!', { shiftKey: true }), false)).toBe('spam');
    expect(commandForKey(press('?', { shiftKey: true }), false)).toBe('help');
    expect(commandForKey(press('I', { shiftKey: true }), false)).toBe('mark-read');
    expect(commandForKey(press('U', { shiftKey: true }), false)).toBe('mark-unread');
    expect(commandForKey(press('E', { shiftKey: true }), false)).toBeNull();
    expect(commandForKey(press('Escape', { shiftKey: true }), false)).toBe('mark-view-read');
  });

  it('reads g followed by a letter as going to a view, and nothing else after g', () => {
    expect(commandForKey(press('g'), false)).toBe('g');
    expect(commandForKey(press('i'), true)).toBe('go-inbox');
    expect(commandForKey(press('s'), true)).toBe('go-snoozed');
    expect(commandForKey(press('d'), true)).toBe('go-done');
    expect(commandForKey(press('t'), true)).toBe('go-starred');
    expect(commandForKey(press('e'), true)).toBeNull();
  });

  it('leaves the browser its Ctrl and Alt keys, except Ctrl/Cmd+A for selecting the list', () => {
    expect(commandForKey(press('a', { ctrlKey: true }), false)).toBe('select-all');
    expect(commandForKey(press('a', { metaKey: true }), false)).toBe('select-all');
    expect(commandForKey(press('s', { ctrlKey: true }), false)).toBeNull();
    expect(commandForKey(press('e', { altKey: true }), false)).toBeNull();
    expect(commandForKey(press('q'), false)).toBeNull();
  });

  it('lists every command in the dialog once', () => {
    const commands = SHORTCUTS.map((s) => s.command);
    expect(new Set(commands).size).toBe(commands.length);
    const reachable = new Set<string>();
    for (const key of ['j', 'k', 'Enter', 'Escape', 'e', 'b', 's', '#', '!', 'u', 'I', 'U', 'x', 'z', 'r', '/', 'w', '?']) {
      const c = commandForKey(press(key, { shiftKey: /^[A-Z#!?]$/.test(key) }), false);
      if (c !== null && c !== 'g') reachable.add(c);
    }
    for (const key of ['i', 's', 'd', 't']) reachable.add(commandForKey(press(key), true) as string);
    reachable.add(commandForKey(press('a', { ctrlKey: true }), false) as string);
    reachable.add(commandForKey(press('Escape', { shiftKey: true }), false) as string);
    reachable.add(commandForKey(press('F10', { shiftKey: true }), false) as string);
    expect(commandForKey(press('ContextMenu'), false)).toBe('menu');
    expect([...reachable].sort()).toEqual([...commands].sort());
  });
});
