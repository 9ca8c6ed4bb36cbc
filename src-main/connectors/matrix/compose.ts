/**
 * What the composer's text becomes on the wire. Markdown goes through commonmark (as in Element),
 * with raw HTML escaped rather than passed on, and `formatted_body` is only sent when the markdown
 * changed something: plain text stays a plain `body`, as other clients expect.
 */
import { HtmlRenderer, Parser } from 'commonmark';

export interface OutgoingText {
  msgtype: 'm.text' | 'm.emote';
  body: string;
  format?: 'org.matrix.custom.html';
  formatted_body?: string;
  'm.relates_to'?: { 'm.in_reply_to': { event_id: string } };
}

const parser = new Parser();
// safe: raw HTML in the text is dropped and dangerous link schemes are neutralised.
const renderer = new HtmlRenderer({ safe: true, softbreak: '<br />' });

export function composeText(text: string, replyToEventId?: string): OutgoingText {
  const emote = /^\/me\s/.test(text);
  const body = emote ? text.replace(/^\/me\s+/, '') : text;
  const content: OutgoingText = { msgtype: emote ? 'm.emote' : 'm.text', body };
  const html = markdownToHtml(body);
  if (html !== undefined) {
    content.format = 'org.matrix.custom.html';
    content.formatted_body = html;
  }
  if (replyToEventId) content['m.relates_to'] = { 'm.in_reply_to': { event_id: replyToEventId } };
  return content;
}

/** Undefined when the text has no markdown: one paragraph whose HTML is just the escaped text. */
export function markdownToHtml(text: string): string | undefined {
  // Typed HTML is text the user wants to show, not markup: escape it before markdown sees it.
  const html = renderer.render(parser.parse(text.replace(/&/g, '&amp;').replace(/</g, '&lt;'))).trim();
  const paragraph = /^<p>([\s\S]*)<\/p>$/.exec(html);
  const inner = paragraph?.[1]?.replace(/<br \/>/g, '\n');
  if (inner !== undefined && !inner.includes('<') && unescapeHtml(inner) === text.trim()) return undefined;
  return html;
}

function unescapeHtml(html: string): string {
  return html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}
