/**
 * A plain-text mail as the reading pane's rich tree: its line breaks kept (the renderer shows text
 * with white-space: pre-wrap), "> " quotes as nested blockquotes, web addresses and mail addresses as
 * links (linkify-it finds them, including ones without a scheme like www.example.com).
 */
import LinkifyIt from 'linkify-it';
import { isSafeLinkUrl } from '../../src-shared/rich-text.ts';
import type { RichNode } from '../../src-shared/rich-text.ts';

const linkify = new LinkifyIt();

/** Deeper quotes than this are shown at this depth: a pane cannot indent forty levels. */
const MAX_QUOTE_DEPTH = 8;

export function plainMailContent(text: string): RichNode[] {
  return quoted(text.replace(/\r\n?/g, '\n').split('\n'), 0);
}

function depthOf(line: string): number {
  let depth = 0;
  let i = 0;
  while (i < line.length && depth < MAX_QUOTE_DEPTH) {
    if (line[i] === '>') {
      depth++;
      i++;
    } else if (line[i] === ' ' && line[i + 1] === '>') i++;
    else break;
  }
  return depth;
}

function stripOne(line: string): string {
  return line.replace(/^ ?> ?/, '');
}

function quoted(lines: string[], depth: number): RichNode[] {
  const out: RichNode[] = [];
  let i = 0;
  while (i < lines.length) {
    if (depth < MAX_QUOTE_DEPTH && depthOf(lines[i]!) > 0) {
      const block: string[] = [];
      while (i < lines.length && depthOf(lines[i]!) > 0) block.push(stripOne(lines[i++]!));
      out.push({ tag: 'blockquote', children: quoted(block, depth + 1) });
      continue;
    }
    const run: string[] = [];
    while (i < lines.length && !(depth < MAX_QUOTE_DEPTH && depthOf(lines[i]!) > 0)) run.push(lines[i++]!);
    // The line break before a quote is the quote's own edge; keep the text's breaks inside the run.
    out.push(...linked(run.join('\n') + (i < lines.length ? '\n' : '')));
  }
  return out;
}

function linked(text: string): RichNode[] {
  const matches = text.length > 0 ? linkify.match(text) : null;
  if (!matches) return text === '' ? [] : [text];
  const out: RichNode[] = [];
  let at = 0;
  for (const match of matches) {
    const href = match.schema === '' && !/^[a-z][a-z0-9+.-]*:/i.test(match.url) ? `http://${match.url}` : match.url;
    if (!isSafeLinkUrl(href)) continue;
    if (match.index > at) out.push(text.slice(at, match.index));
    out.push({ tag: 'a', href, children: [match.text] });
    at = match.lastIndex;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}
