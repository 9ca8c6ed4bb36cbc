/**
 * The text fields every feed format fills the same way: a one-line plain title, the list snippet
 * and the sanitized body. An entry's HTML is parsed once for its body; the summary is parsed only
 * when it is a different text from the body.
 */
import type { RichNode } from '../../../src-shared/rich-text.ts';
import { htmlToPlainText, richToText, sanitizeHtml, textToRich } from '../rich-text.ts';

export const SUMMARY_LENGTH = 400;

/** Entry text as the feed gave it: HTML (with the base its relative URLs need), plain text, or already sanitized. */
export type Body = { html: string; base: string } | { text: string } | { rich: RichNode[] };

export function htmlBody(html: string | undefined, base: string): Body | undefined {
  return html?.trim() ? { html, base } : undefined;
}

export function textBody(text: string | undefined): Body | undefined {
  return text?.trim() ? { text } : undefined;
}

/** Titles may carry markup, escaped or in CDATA; what the reader sees is its text on one line. */
export function plainTitle(raw: string | undefined): string {
  return raw ? htmlToPlainText(raw).replace(/\s+/g, ' ').trim() : '';
}

export function oneLine(text: string | undefined): string {
  return text ? text.replace(/\s+/g, ' ').trim() : '';
}

export function entryText(summary: Body | undefined, content: Body | undefined): { summaryText: string; content: RichNode[] } {
  const body = content ?? summary;
  const rich = body ? toRich(body) : [];
  const fromSummary = summary && summary !== body ? snippet(toText(summary)) : '';
  return { summaryText: fromSummary || snippet(richToText(rich)), content: rich };
}

/** Whitespace collapsed and cut at a word near SUMMARY_LENGTH, ellipsis included in the length. */
export function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= SUMMARY_LENGTH) return flat;
  const cut = flat.slice(0, SUMMARY_LENGTH - 1);
  const space = cut.lastIndexOf(' ');
  return (space > SUMMARY_LENGTH * 0.75 ? cut.slice(0, space) : cut).trimEnd() + '…';
}

/** Distinct, trimmed, non-empty, in the order given. */
export function uniqueTerms(values: Iterable<string | undefined>): string[] {
  const terms = new Set<string>();
  for (const value of values) {
    const term = oneLine(value);
    if (term) terms.add(term);
  }
  return [...terms];
}

/** "jane@example.com (Jane Doe)", RSS's own author form, reads as "Jane Doe". */
export function authorName(raw: string | undefined): string | undefined {
  const text = oneLine(raw);
  if (!text) return undefined;
  // Short names only: the pattern backtracks over a long run of '@'s.
  const named = text.length <= 200 ? /^\S+@\S+\s*\((.+)\)$/.exec(text)?.[1]?.trim() : undefined;
  return named || text;
}

function toRich(body: Body): RichNode[] {
  if ('rich' in body) return body.rich;
  if ('html' in body) return sanitizeHtml(body.html, body.base);
  return textToRich(body.text);
}

function toText(body: Body): string {
  if ('rich' in body) return richToText(body.rich);
  if ('html' in body) return htmlToPlainText(body.html);
  return body.text;
}
