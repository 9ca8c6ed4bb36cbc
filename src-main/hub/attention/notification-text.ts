/**
 * What a notification says: who and where in the title ("Priya Raman in Engineering", a mail's
 * "Tom Becker"), a preview or the subject in the body, and nothing of either when the user turned
 * previews off. One notification per conversation: `group` is the same for every item of it, and
 * several new items of one conversation at once are one notification about the newest ("and 2 more").
 */
import type { RaisedNotification } from '../../../src-shared/attention.ts';
import type { InboxItem } from '../../../src-shared/domain.ts';
import type { AttentionFacts } from '../../connectors/connector.ts';
import { displayLine } from '../display-text.ts';
import { TEXT_LIMITS } from '../text-limits.ts';
import type { Verdict } from './rules.ts';

const BODY_LENGTH = 200;

export function notificationFor(
  item: Pick<InboxItem, 'id' | 'accountId' | 'source' | 'conversationKey' | 'sender' | 'title' | 'snippet'>,
  facts: AttentionFacts,
  verdict: Pick<Verdict, 'level' | 'priority' | 'text'>,
  options: { previews: boolean; desktop: boolean; at: number; reasonPrefix?: string; alsoNew?: number },
): RaisedNotification {
  // Connector text, cleaned as the list shows it: a notification is no place for control characters.
  const place = displayLine(facts.place || facts.conversationName, TEXT_LIMITS.title);
  item = { ...item, sender: displayLine(item.sender, TEXT_LIMITS.sender), title: displayLine(item.title, TEXT_LIMITS.title), snippet: displayLine(item.snippet, TEXT_LIMITS.snippet) };
  return {
    itemId: item.id,
    accountId: item.accountId,
    source: item.source,
    level: verdict.level,
    priority: verdict.priority,
    title: options.previews ? titleOf(item, facts, place) : 'New message',
    body: options.previews ? `${oneLine(bodyOf(item), BODY_LENGTH)}${options.alsoNew ? ` (and ${options.alsoNew} more)` : ''}` : '',
    reason: `${options.reasonPrefix ?? ''}${verdict.text}`,
    conversation: place,
    group: `${item.accountId}:${item.conversationKey}`,
    at: options.at,
    desktop: options.desktop,
  };
}

function titleOf(item: Pick<InboxItem, 'source' | 'sender' | 'title'>, facts: AttentionFacts, place: string): string {
  const sender = item.sender.trim();
  switch (item.source) {
    case 'chat':
      // A DM's room is named after the other person: "Priya Raman in Priya Raman" says it twice.
      if (sender === '' ) return place;
      return facts.direct || sender === place ? sender : `${sender} in ${place}`;
    case 'mail':
      return sender || place;
    case 'feed':
      return place || sender;
    default:
      return sender || place;
  }
}

/** A chat's preview, a mail's subject, a feed entry's title. */
function bodyOf(item: Pick<InboxItem, 'source' | 'title' | 'snippet'>): string {
  return item.source === 'chat' ? item.snippet : item.title;
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
