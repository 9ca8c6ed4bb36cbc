import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src-shared/api.ts';
import { downloadName, formatClock, formatDay, imageBox, quoteLine, reactionLabel, timelineRows, typingText } from './chat.ts';

const at = (y: number, m: number, d: number, h = 12, min = 0) => new Date(y, m, d, h, min).getTime();

function message(id: string, senderId: string, timestamp: number, kind: ChatMessage['kind'] = 'text'): ChatMessage {
  return { id, senderId, senderName: senderId, mine: false, timestamp, kind, body: id, edited: false, reactions: [] };
}

describe('day separators', () => {
  const now = at(2025, 2, 5, 9);
  it('says Today, Yesterday, the weekday this year, the year before that', () => {
    expect(formatDay(at(2025, 2, 5, 0, 1), now)).toBe('Today');
    expect(formatDay(at(2025, 2, 4, 23, 59), now)).toBe('Yesterday');
    expect(formatDay(at(2025, 2, 3), now)).toBe('Monday, Mar 3');
    expect(formatDay(at(2024, 11, 31), now)).toBe('Dec 31, 2024');
    expect(formatClock(at(2025, 2, 5, 7, 4))).toBe('07:04');
  });
});

describe('timeline rows', () => {
  const now = at(2025, 2, 5, 18);
  it('puts a separator before each day and names the sender once per close run', () => {
    const rows = timelineRows(
      [
        message('a1', 'alice', at(2025, 2, 4, 10, 0)),
        message('a2', 'alice', at(2025, 2, 4, 10, 3)),
        message('a3', 'alice', at(2025, 2, 4, 10, 20)), // too long after: named again
        message('b1', 'bob', at(2025, 2, 4, 10, 21)),
        message('j', 'carol', at(2025, 2, 4, 10, 22), 'membership'),
        message('b2', 'bob', at(2025, 2, 4, 10, 23)), // after a notice: named again
        message('b3', 'bob', at(2025, 2, 5, 0, 1)), // a new day: named again
      ],
      now,
    );
    expect(rows.map((r) => (r.kind === 'day' ? `[${r.label}]` : r.kind === 'notice' ? `(${r.message.id})` : `${r.message.id}${r.showSender ? '*' : ''}`))).toEqual([
      '[Yesterday]',
      'a1*',
      'a2',
      'a3*',
      'b1*',
      '(j)',
      'b2*',
      '[Today]',
      'b3*',
    ]);
  });
});

describe('saving an attachment', () => {
  it('keeps the sender’s file name, minus path tricks and characters file systems refuse', () => {
    expect(downloadName('holiday.png')).toBe('holiday.png');
    expect(downloadName('../../.bashrc')).toBe('_.._.bashrc');
    expect(downloadName('a/b\\c:d*e?.jpg')).toBe('a_b_c_d_e_.jpg');
    expect(downloadName('..')).toBe('image');
    expect(downloadName('   ')).toBe('image');
  });
});

describe('small words', () => {
  it('says who is typing', () => {
    expect(typingText([])).toBe('');
    expect(typingText(['Alice'])).toBe('Alice is typing…');
    expect(typingText(['Alice', 'Bob'])).toBe('Alice and Bob are typing…');
    expect(typingText(['Alice', 'Bob', 'Carol'])).toBe('Alice, Bob and Carol are typing…');
    expect(typingText(['Alice', 'Bob', 'Carol', 'Dan'])).toBe('Alice, Bob and 2 others are typing…');
  });

  it('quotes on one line, cut to length', () => {
    expect(quoteLine('first line\n\nsecond   line')).toBe('first line second line');
    expect(quoteLine('x'.repeat(20), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('reads reactions aloud and scales images into their box', () => {
    expect(reactionLabel({ key: '👍', count: 2, mine: true })).toBe('👍 2, including you');
    expect(reactionLabel({ key: '🎉', count: 1, mine: false })).toBe('🎉 1');
    expect(imageBox(640, 480)).toEqual({ width: 320, height: 240 });
    expect(imageBox(100, 1000)).toEqual({ width: 32, height: 320 });
    expect(imageBox(50, 40)).toEqual({ width: 50, height: 40 });
    expect(imageBox(undefined, 40)).toBeUndefined();
    expect(imageBox(0, 40)).toBeUndefined();
  });
});
