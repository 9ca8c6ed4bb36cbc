/**
 * What a composer's markdown becomes as HTML, the same for chat (Matrix `formatted_body`) and mail
 * (the HTML alternative). commonmark as in Element, with raw HTML escaped rather than passed on and
 * dangerous link schemes neutralised (`safe`), so what the user typed is shown, never run.
 */
import { HtmlRenderer, Parser } from 'commonmark';

const parser = new Parser();
const renderer = new HtmlRenderer({ safe: true, softbreak: '<br />' });

/** Undefined when the text has no markdown: one paragraph whose HTML is just the escaped text. */
export function markdownToHtml(text: string): string | undefined {
  // Typed HTML is text the user wants to show, not markup: escape it before markdown sees it.
  const html = renderer.render(parser.parse(text.replace(/&/g, '&amp;').replace(/</g, '&lt;'))).trim();
  const paragraph = /^<p>([\s\S]*)<\/p>$/.exec(html);
  const inner = paragraph?.[1]?.replace(/<br \/>/g, '\n');
  if (inner !== undefined && !inner.includes('<') && unescapeHtml(inner) === text.trim()) return undefined;
  return html;
}

/** Text as HTML with nothing interpreted: for quoted originals, which are plain text. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function unescapeHtml(html: string): string {
  return html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}
