/**
 * `item.why`: an item's level, priority and unread state, each with its reason in words, from the
 * decision kept with it ("Notified because: you were mentioned in Engineering — rule 'Chat: mentions'").
 */
import type { AttentionReason, ItemWhy } from '../../../src-shared/attention.ts';
import type { StoredItem } from '../../store/inbox-store.ts';
import type { StoredDecision } from '../../store/attention-store.ts';
import type { KeptFacts } from './attention-book.ts';
import type { Verdict } from './rules.ts';

/** `now` is the rules' verdict today, for an item that arrived before decisions were kept. */
export function whyOf(item: StoredItem, decision: StoredDecision | undefined, now: Verdict | undefined): ItemWhy {
  const facts = decision?.facts as KeptFacts | undefined;
  const reason: AttentionReason = decision
    ? {
        level: decision.level,
        priority: decision.priority,
        ...(decision.ruleId !== undefined ? { ruleId: decision.ruleId } : {}),
        ...(decision.ruleName !== undefined ? { ruleName: decision.ruleName } : {}),
        text: decision.reason,
        notified: decision.notified,
        ...(decision.notNotifiedBecause !== undefined ? { notNotifiedBecause: decision.notNotifiedBecause } : {}),
      }
    : {
        level: now?.level ?? 'badge',
        priority: item.priority,
        ...(now?.rule ? { ruleId: now.rule.id, ruleName: now.rule.name } : {}),
        text: `it arrived before Groundswell kept a reason for each item; today ${now?.text ?? 'no rule matches it'}`,
        notified: false,
        notNotifiedBecause: 'it arrived before Groundswell kept a reason for each item',
      };
  const counted = item.unread && !item.done && item.snoozedUntil === null;
  return {
    itemId: item.id,
    reason,
    unread: item.unread,
    unreadBecause: unreadBecause(item, decision),
    counted,
    ...(facts?.sender !== undefined ? { sender: facts.sender } : {}),
    ...(facts?.conversationName ? { conversationName: facts.conversationName } : {}),
  };
}

function unreadBecause(item: StoredItem, decision: StoredDecision | undefined): string {
  if (item.unread) {
    if (item.snoozeEnded !== null) return 'Unread: it came back from snooze and has not been read since';
    if (item.done) return 'Unread, but not counted: it is marked done';
    if (item.snoozedUntil !== null) return 'Unread, but not counted until its snooze ends';
    return (decision?.facts as KeptFacts | undefined)?.fresh
      ? 'Unread: it arrived new and has not been read here or on its server since'
      : 'Unread: it is unread on its server and has not been read here';
  }
  if (decision?.level === 'silent') return `Read: silenced${decision.ruleName !== undefined ? ` by rule '${decision.ruleName}'` : ''}, so it was stored as read and is not counted`;
  return 'Read: it was read here or on its server';
}
