/**
 * Hostile text as servers and feeds send it, through the hub's limits, one-line cleaning and
 * look-alike check: each row is an input a review used or one of its relatives.
 */
import { describe, expect, it } from 'vitest';
import type { RichNode } from '../../src-shared/rich-text.ts';
import type { ConnectorItem } from '../connectors/connector.ts';
import { displayLine } from './display-text.ts';
import { safeDetail, safeTimeline, storedItem } from './item-text.ts';
import { senderWarning } from './sender-warning.ts';
import { cutRich, cutText, TEXT_LIMITS } from './text-limits.ts';

const MEGABYTE_WORD = 'A'.repeat(1_000_000);
const ZALGO = 'a' + '\u0301'.repeat(100_000);
const RLO_SUBJECT = 'Invoice \u202Egpj.exe\u202C paid';

function item(fields: Partial<ConnectorItem>): ConnectorItem {
  return {
    externalId: 'e1',
    scope: 'INBOX',
    source: 'mail',
    conversationKey: 'mail:1',
    sender: 'Someone',
    title: 'Hello',
    snippet: '',
    timestamp: 1,
    unread: true,
    priority: false,
    origin: { kind: 'mail', mailbox: 'INBOX', uidValidity: 1, uid: 1 },
    ...fields,
  };
}

const ids = { id: 'a:e1', accountId: 'a', source: 'mail' as const };

describe('cutText', () => {
  it.each([
    ['a one-megabyte word', MEGABYTE_WORD, 500],
    ['100 kB of combining marks on one letter', ZALGO, 500],
    ['emoji family sequences', '👨‍👩‍👧‍👦'.repeat(1_000), 100],
    ['astral letters', '𝒜'.repeat(10_000), 101],
  ])('cuts %s within the limit, ellipsis included', (_name, text, max) => {
    const cut = cutText(text, max);
    expect(cut.length).toBeLessThanOrEqual(max);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut.length).toBeGreaterThan(max / 2);
    // No lone surrogate: the string survives a round trip through UTF-8.
    expect(new TextDecoder().decode(new TextEncoder().encode(cut))).toBe(cut);
  });

  it('never splits an emoji sequence or a letter from its accent', () => {
    const family = '👨‍👩‍👧‍👦';
    const cut = cutText(family.repeat(20), 50);
    expect(cut.slice(0, -1).length % family.length).toBe(0);
    const accented = cutText('e\u0301'.repeat(100), 21);
    expect(accented).toBe('e\u0301'.repeat(10) + '…');
  });

  it('leaves text within the limit as it is', () => {
    expect(cutText('short', 10)).toBe('short');
  });
});

describe('displayLine', () => {
  it('removes the bidi override that turns gpj.exe into exe.jpg, keeping the real order', () => {
    expect(displayLine(RLO_SUBJECT, 500)).toBe('Invoice gpj.exe paid');
  });

  it.each([
    ['embeddings and overrides', 'a\u202Ab\u202Bc\u202Cd\u202De\u202Ef'],
    ['isolates', 'a\u2066b\u2067c\u2068d\u2069e'],
    ['marks', 'a\u200Eb\u200Fc\u061Cd'],
  ])('removes bidi %s', (_name, text) => {
    expect(displayLine(text, 100)).toMatch(/^[a-f]+$/);
  });

  it.each([
    ['Hebrew', 'שלום, הפגישה נדחתה למחר'],
    ['Arabic', 'مرحبا، تم تأجيل الاجتماع إلى الغد'],
    ['Persian with a zero-width non-joiner', 'می‌خواهم'],
    ['Vietnamese with stacked accents', 'Tiếng Việt có dấu'],
    ['an emoji sequence', 'Release 🧑‍🚀 ready'],
  ])('leaves a legitimate %s subject unchanged', (_name, text) => {
    expect(displayLine(text, 500)).toBe(text);
  });

  it('puts a folded, tabbed subject on one line', () => {
    expect(displayLine(' Quarterly\r\n\treport\u2028due\u0000now ', 100)).toBe('Quarterly report due now');
  });

  it('keeps a few marks per letter and drops the pile', () => {
    const line = displayLine(ZALGO, 500);
    expect(line).toBe('a' + '\u0301'.repeat(8));
  });

  it('cuts a one-megabyte word to the limit', () => {
    expect(displayLine(MEGABYTE_WORD, TEXT_LIMITS.title)).toHaveLength(TEXT_LIMITS.title);
  });
});

describe('senderWarning', () => {
  it.each([
    ['a Cyrillic а in paypal.com', 'service@p\u0430ypal.com', 'paypal.com'],
    ['an all-Cyrillic раураl.com', 'service@\u0440\u0430\u0443\u0440\u0430l.com', 'paypal.com'],
    ['the same as punycode', 'service@xn--pypal-4ve.com', 'paypal.com'],
    ['a Greek ο in google.com', 'no-reply@g\u03BFogle.com', 'google.com'],
    ['fullwidth letters', 'it@\uFF41pple.com', 'apple.com'],
    ['a subdomain of a look-alike', 'x@mail.p\u0430ypal.com', 'mail.paypal.com'],
    ['a digit one for an l', 'service@paypa1.com', 'paypal.com'],
    ['rn for m', 'account@rnicrosoft.com', 'microsoft.com'],
  ])('marks %s as a look-alike', (_name, address, imitates) => {
    expect(senderWarning(address)).toMatchObject({ kind: 'looks-like', imitates });
  });

  it('marks a name that mixes alphabets without imitating one', () => {
    expect(senderWarning('a@\u043Cy\u0431ank.com')).toEqual({ kind: 'mixed-script', domain: '\u043Cy\u0431ank.com' });
  });

  it.each([
    ['paypal.com itself', 'service@paypal.com'],
    ['a subdomain of the real one', 'service@mail.paypal.com'],
    ['an ordinary domain', 'grace@example.org'],
    ['a German domain with an umlaut', 'info@münchen.de'],
    ['a Russian domain', 'info@пример.рф'],
    ['a Japanese domain mixing Han and Katakana', 'info@日本テレビ.jp'],
    ['a Greek domain', 'info@ελληνικά.gr'],
    ['no address at all', undefined],
    ['a name without @', 'Grace Hopper'],
  ])('leaves %s alone', (_name, address) => {
    expect(senderWarning(address)).toBeUndefined();
  });
});

describe('items, bodies and timelines at the hub boundary', () => {
  it('cuts and cleans every text field of an item and checks its sender', () => {
    const stored = storedItem(
      item({
        title: RLO_SUBJECT + MEGABYTE_WORD,
        sender: 'PayPal Security\u202E',
        senderAddress: 'service@p\u0430ypal.com',
        snippet: MEGABYTE_WORD,
        searchText: MEGABYTE_WORD,
        conversationKey: MEGABYTE_WORD,
        detail: { headers: [{ name: 'Subject', value: RLO_SUBJECT }], bodyText: MEGABYTE_WORD, content: [MEGABYTE_WORD] },
      }),
      ids,
    );
    expect(stored.title.startsWith('Invoice gpj.exe paid')).toBe(true);
    expect(stored.title.length).toBeLessThanOrEqual(TEXT_LIMITS.title);
    expect(stored.sender).toBe('PayPal Security');
    expect(stored.snippet.length).toBeLessThanOrEqual(TEXT_LIMITS.snippet);
    expect(stored.searchText!.length).toBeLessThanOrEqual(TEXT_LIMITS.searchText);
    expect(stored.conversationKey.length).toBeLessThanOrEqual(TEXT_LIMITS.conversationKey);
    expect(stored.senderWarning).toEqual({ kind: 'looks-like', domain: 'p\u0430ypal.com', imitates: 'paypal.com' });
    expect(stored.body!.headers).toEqual([{ name: 'Subject', value: 'Invoice gpj.exe paid' }]);
    expect(stored.body!.bodyText.length).toBeLessThanOrEqual(TEXT_LIMITS.bodyText);
    expect((stored.body!.content![0] as string).length).toBeLessThanOrEqual(TEXT_LIMITS.bodyText);
    // Kept for from: searches, within a sender's limit.
    expect(stored.senderAddress).toBe('service@p\u0430ypal.com');
  });

  it('keeps a body within its header count and formatted-body budget', () => {
    const headers = Array.from({ length: 5_000 }, (_, n) => ({ name: `X-${n}`, value: 'v' }));
    const deep = Array.from({ length: 200 }).reduce<RichNode>((child) => ({ tag: 'blockquote', children: [child] }), 'bottom');
    const detail = safeDetail({ headers, bodyText: 'ok', content: [deep, ...Array.from({ length: 50_000 }, () => 'x')] });
    expect(detail.headers).toHaveLength(TEXT_LIMITS.headers);
    expect(countNodes(detail.content!)).toBeLessThanOrEqual(TEXT_LIMITS.bodyNodes);
    expect(depth(detail.content!)).toBeLessThanOrEqual(TEXT_LIMITS.bodyDepth);
  });

  it('cuts the text of a formatted body across its runs', () => {
    const cut = cutRich([{ tag: 'p', children: ['a'.repeat(60)] }, { tag: 'p', children: ['b'.repeat(60)] }, 'c'], 100);
    expect(cut).toEqual([{ tag: 'p', children: ['a'.repeat(60)] }, { tag: 'p', children: ['b'.repeat(39) + '…'] }]);
  });

  it('cleans room names, topics, sender names and typing names of a chat timeline', () => {
    const timeline = safeTimeline({
      roomId: '!r',
      roomName: '\u202Eevil' + MEGABYTE_WORD,
      topic: 'x'.repeat(100_000),
      encrypted: false,
      membership: 'join' as const,
      hasOlder: false,
      typing: ['\u202Emallory' + 'z'.repeat(10_000)],
      messages: [
        { id: 'm', senderId: '@m:x', senderName: 'Mal\u202Elory' + 'q'.repeat(100_000), mine: false, timestamp: 1, kind: 'text' as const, body: MEGABYTE_WORD, edited: false, reactions: [] },
      ],
    });
    expect(timeline.roomName.startsWith('evil')).toBe(true);
    expect(timeline.roomName.length).toBeLessThanOrEqual(TEXT_LIMITS.title);
    expect(timeline.topic!.length).toBeLessThanOrEqual(TEXT_LIMITS.topic);
    expect(timeline.typing[0]!.startsWith('mallory')).toBe(true);
    expect(timeline.typing[0]!.length).toBeLessThanOrEqual(TEXT_LIMITS.sender);
    expect(timeline.messages[0]!.senderName.startsWith('Mallory')).toBe(true);
    expect(timeline.messages[0]!.senderName.length).toBeLessThanOrEqual(TEXT_LIMITS.sender);
    expect(timeline.messages[0]!.body.length).toBeLessThanOrEqual(TEXT_LIMITS.chatBody);
  });
});

function countNodes(nodes: RichNode[]): number {
  return nodes.reduce((n, node) => n + 1 + (typeof node === 'string' ? 0 : countNodes(node.children)), 0);
}

function depth(nodes: RichNode[]): number {
  return Math.max(0, ...nodes.map((node) => (typeof node === 'string' ? 0 : 1 + depth(node.children))));
}
