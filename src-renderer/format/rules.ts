/** Attention rules in the user's words, for the Preferences dialog. */
import type { AttentionLevel, AttentionRule, RuleMatch } from '../../src-shared/attention.ts';
import { SOURCE_TITLES } from '../../src-shared/unread-summary.ts';

export const LEVEL_LABELS: Record<AttentionLevel, string> = { notify: 'Notify', badge: 'Badge only', silent: 'Silent' };

/** "Chat · mentions only", "Mail · mailbox INBOX", "Sender tom@example.com", "Keywords outage, incident"; "Everything" for an empty match. */
export function describeMatch(match: RuleMatch, accountName: (accountId: string) => string | undefined = () => undefined): string {
  const parts: string[] = [];
  if (match.source !== undefined) parts.push(SOURCE_TITLES[match.source]);
  if (match.accountId !== undefined) parts.push(`account ${accountName(match.accountId) ?? match.accountId}`);
  if (match.conversation !== undefined) parts.push(`in ${match.conversation.name}`);
  if (match.mailbox !== undefined) parts.push(`mailbox ${match.mailbox}`);
  if (match.sender !== undefined) parts.push(`from ${match.sender}`);
  if (match.keywords !== undefined && match.keywords.length > 0) parts.push(`words ${match.keywords.map((k) => `“${k}”`).join(', ')}`);
  if (match.mentionsOnly === true) parts.push('mentions only');
  if (match.directOnly === true) parts.push('direct only');
  return parts.length === 0 ? 'Everything' : parts.join(' · ');
}

/** "Notify, priority" / "Silent". */
export function describeOutcome(rule: Pick<AttentionRule, 'level' | 'priority'>): string {
  return `${LEVEL_LABELS[rule.level]}${rule.priority ? ', priority' : ''}`;
}
