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
  readonly #compiled: { rule: AttentionRule; keywords: Keyword[]; sender?: SenderPattern }[];
  readonly #parts: PartScan | undefined;

  constructor(rules: readonly AttentionRule[]) {
    this.rules = rules;
    this.#compiled = rules.map((rule) => ({
      rule,
      keywords: (rule.match.keywords ?? []).map(compileKeyword),
      ...(rule.match.sender !== undefined ? { sender: senderPattern(rule.match.sender) } : {}),
    }));
    this.#parts = partScan(this.#compiled.flatMap((c) => c.keywords.flatMap((k) => k.parts)));
  }

  evaluate(subject: RuleSubject): Verdict {
    const words = new ItemWords(subject.facts.text, this.#parts);
    for (const { rule, keywords, sender } of this.#compiled) {
      const matched = matchOf(rule.match, keywords, sender, subject, words);
      if (matched === undefined) continue;
      return { level: rule.level, priority: rule.priority, rule, text: `${matched} — rule '${rule.name}'` };
    }
    return { level: NO_RULE_LEVEL, priority: false, text: 'no rule matches it, so it is counted without a notification' };
  }
}

/** A keyword, with its ASCII words: each must appear in the text (any case) for its pattern to be worth running. */
interface Keyword {
  pattern: RegExp;
  parts: string[];
}

function compileKeyword(keyword: string): Keyword {
  // Only ASCII words prefilter: lower-casing and the pattern's case folding agree on them exactly.
  const parts = (keyword.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((part, i, all) => all.indexOf(part) === i);
  return { pattern: keywordPattern(keyword), parts };
}

/**
 * Every keyword word of the list in one pattern, so one pass over an item's text finds which occur,
 * however many keyword rules there are (a pattern per keyword costs a pass each). The scan steps one
 * character after each find, and a find also counts the words that are its prefixes, so words that
 * overlap in the text are all found.
 */
interface PartScan {
  pattern: RegExp;
  prefixes: Map<string, string[]>;
}

function partScan(parts: string[]): PartScan | undefined {
  const unique = [...new Set(parts)].sort((a, b) => b.length - a.length || a.localeCompare(b));
  if (unique.length === 0) return undefined;
  const prefixes = new Map(unique.map((part) => [part, unique.filter((other) => other !== part && part.startsWith(other))]));
  return { pattern: new RegExp(unique.join('|'), 'g'), prefixes };
}

/** An item's text and sender as rules read them, worked out once per item and only when a rule needs them. */
class ItemWords {
  readonly #text: AttentionFacts['text'];
  readonly #scan: PartScan | undefined;
  #found: Set<string> | undefined;
  #sender: SenderId | undefined | null = null;

  constructor(text: AttentionFacts['text'], scan: PartScan | undefined) {
    this.#text = text;
    this.#scan = scan;
  }

  has(keyword: Keyword): boolean {
    if (keyword.parts.length > 0 && this.#scan) {
      const found = (this.#found ??= this.#findParts(this.#scan));
      for (const part of keyword.parts) if (!found.has(part)) return false;
    }
    return textMatches(keyword.pattern, this.#text);
  }

  /** The item's sender, normalised once for every sender rule. */
  sender(raw: string | undefined): SenderId | undefined {
    if (this.#sender === null) this.#sender = senderId(raw);
    return this.#sender;
  }

  #findParts(scan: PartScan): Set<string> {
    const text = `${this.#text.title}\n${this.#text.categories.join('\n')}\n${this.#text.body}`.toLowerCase();
    const found = new Set<string>();
    const pattern = scan.pattern;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      const part = match[0];
      if (!found.has(part)) {
        found.add(part);
        for (const prefix of scan.prefixes.get(part) ?? []) found.add(prefix);
      }
      pattern.lastIndex = match.index + 1;
    }
    return found;
  }
}

/** The reason a match holds, in words, or undefined when it does not match. */
function matchOf(match: RuleMatch, keywords: Keyword[], sender: SenderPattern | undefined, subject: RuleSubject, words: ItemWords): string | undefined {
  const { facts } = subject;
  if (match.source !== undefined && match.source !== subject.source) return undefined;
  if (match.accountId !== undefined && match.accountId !== subject.accountId) return undefined;
  if (match.conversation && (match.conversation.accountId !== subject.accountId || match.conversation.key !== subject.conversationKey)) return undefined;
  if (match.mailbox !== undefined && (facts.mailbox === undefined || !sameMailbox(match.mailbox, facts.mailbox))) return undefined;
  if (match.mentionsOnly && !facts.mentionsMe) return undefined;
  if (match.directOnly && !facts.direct) return undefined;
  if (sender && !senderMatches(sender, words.sender(facts.sender))) return undefined;
  let word: string | undefined;
  if (keywords.length > 0) {
    const index = keywords.findIndex((keyword) => words.has(keyword));
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

/** A sender as rules compare it: lower case, and its domain (a Matrix id's server name). */
interface SenderId {
  id: string;
  domain: string;
}

function senderId(sender: string | undefined): SenderId | undefined {
  if (sender === undefined || sender.trim() === '') return undefined;
  const id = sender.trim().toLowerCase();
  return { id, domain: id.startsWith('@') ? id.slice(id.indexOf(':') + 1) : id.slice(id.lastIndexOf('@') + 1) };
}

function senderMatches(pattern: SenderPattern, sender: SenderId | undefined): boolean {
  if (sender === undefined) return false;
  if (pattern.kind === 'exact') return sender.id === pattern.value;
  return sender.domain === pattern.value || sender.domain.endsWith(`.${pattern.value}`);
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
