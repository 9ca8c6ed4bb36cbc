/**
 * The attention rules, evaluated: which rule decides an item (the first in the list that matches),
 * how specific a rule is (where a new one goes in the list), and the reason in words. Pure: no
 * store, no clock. Connectors report facts (AttentionFacts); this decides.
 */
import type { AttentionLevel, AttentionRule, RuleMatch } from '../../../src-shared/attention.ts';
import type { SourceKind } from '../../../src-shared/domain.ts';
import type { AttentionFacts } from '../../connectors/connector.ts';

/** What a rule is matched against: one item's place and the connector's facts about it. */
export interface RuleSubject {
  accountId: string;
  accountName: string;
  source: SourceKind;
  conversationKey: string;
  facts: AttentionFacts;
}

export interface Verdict {
  level: AttentionLevel;
  priority: boolean;
  rule?: AttentionRule;
  /** "you were mentioned in Engineering — rule 'Chat: mentions'". */
  text: string;
}

/** An item no rule matches is counted without a banner. */
export const NO_RULE_LEVEL: AttentionLevel = 'badge';

/**
 * How specific a match is: the more narrowly it picks items, the higher. One conversation beats
 * one sender, which beats words in the text, which beat one account, a mailbox, mentions or DMs,
 * and a whole source comes last — so "Mute Engineering" wins over "Chat: mentions" by default.
 */
export function specificity(match: RuleMatch): number {
  let score = 0;
  if (match.conversation) score += 64;
  if (match.sender !== undefined) score += senderPattern(match.sender).kind === 'domain' ? 40 : 48;
  if (match.keywords && match.keywords.length > 0) score += 32;
  if (match.accountId !== undefined) score += 16;
  if (match.mailbox !== undefined) score += 8;
  if (match.mentionsOnly) score += 4;
  if (match.directOnly) score += 4;
  if (match.source !== undefined) score += 2;
  return score;
}

/** Where a new rule goes: ahead of the first rule that is not more specific than it. */
export function insertionIndex(rules: readonly AttentionRule[], match: RuleMatch): number {
  const score = specificity(match);
  const index = rules.findIndex((rule) => specificity(rule.match) <= score);
  return index === -1 ? rules.length : index;
}

/** Compiled once per rule list: keyword patterns and sender patterns cost nothing per item after. */
export class RuleList {
  readonly rules: readonly AttentionRule[];
  readonly #compiled: { rule: AttentionRule; keywords: RegExp[]; sender?: SenderPattern }[];

  constructor(rules: readonly AttentionRule[]) {
    this.rules = rules;
    this.#compiled = rules.map((rule) => ({
      rule,
      keywords: (rule.match.keywords ?? []).map(keywordPattern),
      ...(rule.match.sender !== undefined ? { sender: senderPattern(rule.match.sender) } : {}),
    }));
  }

  evaluate(subject: RuleSubject): Verdict {
    for (const { rule, keywords, sender } of this.#compiled) {
      const matched = matchOf(rule.match, keywords, sender, subject);
      if (matched === undefined) continue;
      return { level: rule.level, priority: rule.priority, rule, text: `${matched} — rule '${rule.name}'` };
    }
    return { level: NO_RULE_LEVEL, priority: false, text: 'no rule matches it, so it is counted without a notification' };
  }
}

/** The reason a match holds, in words, or undefined when it does not match. */
function matchOf(match: RuleMatch, keywords: RegExp[], sender: SenderPattern | undefined, subject: RuleSubject): string | undefined {
  const { facts } = subject;
  if (match.source !== undefined && match.source !== subject.source) return undefined;
  if (match.accountId !== undefined && match.accountId !== subject.accountId) return undefined;
  if (match.conversation && (match.conversation.accountId !== subject.accountId || match.conversation.key !== subject.conversationKey)) return undefined;
  if (match.mailbox !== undefined && (facts.mailbox === undefined || !sameMailbox(match.mailbox, facts.mailbox))) return undefined;
  if (match.mentionsOnly && !facts.mentionsMe) return undefined;
  if (match.directOnly && !facts.direct) return undefined;
  if (sender && !senderMatches(sender, facts.sender)) return undefined;
  let word: string | undefined;
  if (keywords.length > 0) {
    const index = keywords.findIndex((pattern) => textMatches(pattern, facts.text));
    if (index === -1) return undefined;
    word = match.keywords![index];
  }
  const place = facts.place || facts.conversationName;
  const clauses: string[] = [];
  if (match.mentionsOnly) clauses.push(subject.source === 'mail' ? 'it is addressed to you' : `you were mentioned in ${place}`);
  if (match.directOnly) clauses.push(subject.source === 'mail' ? 'it was sent to you alone' : 'it is a direct message');
  if (word !== undefined) clauses.push(`it mentions "${word}"`);
  if (sender) clauses.push(sender.kind === 'domain' ? `it is from someone at ${sender.value}` : `it is from ${facts.sender ?? sender.value}`);
  if (match.conversation) clauses.push(`it is in ${match.conversation.name || facts.conversationName}`);
  if (match.mailbox !== undefined && !match.mentionsOnly) clauses.push(`it arrived in ${facts.mailbox}`);
  if (match.accountId !== undefined && !match.conversation) clauses.push(`it came to ${subject.accountName}`);
  if (clauses.length === 0) clauses.push(match.source !== undefined ? `it is ${SOURCE_WORDS[match.source]}` : 'the rule takes every item');
  return clauses.join(' and ');
}

const SOURCE_WORDS: Record<SourceKind, string> = { mail: 'mail', chat: 'a chat message', feed: 'a feed entry' };

function sameMailbox(a: string, b: string): boolean {
  // INBOX is case-insensitive in IMAP (RFC 3501 §5.1); other names are the server's own.
  return a === b || (a.toUpperCase() === 'INBOX' && b.toUpperCase() === 'INBOX');
}

export type SenderPattern = { kind: 'exact'; value: string } | { kind: 'domain'; value: string };

/**
 * "tom@example.com" and "@priya:example.org" name one sender; "@example.com" or "example.com" a
 * domain (and its subdomains), which for a Matrix id is its server name.
 */
export function senderPattern(raw: string): SenderPattern {
  const value = raw.trim().toLowerCase();
  if (value.startsWith('@') && value.includes(':')) return { kind: 'exact', value };
  if (value.startsWith('@')) return { kind: 'domain', value: value.slice(1) };
  if (value.includes('@')) return { kind: 'exact', value };
  return { kind: 'domain', value };
}

function senderMatches(pattern: SenderPattern, sender: string | undefined): boolean {
  if (sender === undefined || sender === '') return false;
  const id = sender.trim().toLowerCase();
  if (pattern.kind === 'exact') return id === pattern.value;
  const domain = id.startsWith('@') ? id.slice(id.indexOf(':') + 1) : id.slice(id.lastIndexOf('@') + 1);
  return domain === pattern.value || domain.endsWith(`.${pattern.value}`);
}

/**
 * Whole words or phrases, any case: "outage" matches "Outage in eu-west" but not "outages"; a
 * phrase's spaces match any run of white space ("disk  full").
 */
export function keywordPattern(keyword: string): RegExp {
  const words = keyword.trim().split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(?:^|[^\\p{L}\\p{N}])${words.join('\\s+')}(?:$|[^\\p{L}\\p{N}])`, 'iu');
}

function textMatches(pattern: RegExp, text: AttentionFacts['text']): boolean {
  return pattern.test(text.title) || text.categories.some((c) => pattern.test(c)) || pattern.test(text.body);
}

/** A rule's match checked for sense, for rules a user adds: the reason when it cannot work. */
export function matchProblem(match: RuleMatch): string | undefined {
  if (match.sender !== undefined) {
    const pattern = senderPattern(match.sender);
    if (pattern.value === '' || /\s/.test(pattern.value)) return 'A sender is an address (tom@example.com), a Matrix user id (@priya:example.org) or a domain (example.com).';
    if (pattern.kind === 'domain' && !pattern.value.includes('.') && pattern.value !== 'localhost') {
      return `"${match.sender}" is neither an address nor a domain: give tom@example.com, @priya:example.org or example.com.`;
    }
  }
  if (match.keywords?.some((k) => k.trim() === '')) return 'A keyword cannot be empty.';
  return undefined;
}
