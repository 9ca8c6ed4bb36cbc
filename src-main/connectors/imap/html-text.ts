/**
 * HTML mail reduced to plain text for snippets and the reading pane. Deliberately small and linear
 * in the input, so a hostile message cannot make it slow; the result is never rendered as HTML.
 */

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', copy: '©', reg: '®', trade: '™',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»',
  bull: '•', middot: '·', euro: '€', pound: '£', yen: '¥', cent: '¢', sect: '§', deg: '°', times: '×',
  auml: 'ä', ouml: 'ö', uuml: 'ü', Auml: 'Ä', Ouml: 'Ö', Uuml: 'Ü', szlig: 'ß',
  eacute: 'é', egrave: 'è', ecirc: 'ê', aacute: 'á', agrave: 'à', acirc: 'â', oacute: 'ó', iacute: 'í',
  uacute: 'ú', ntilde: 'ñ', ccedil: 'ç', Eacute: 'É', zwnj: '', zwj: '', shy: '',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z][a-z0-9]{1,31});/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '';
      return String.fromCodePoint(code);
    }
    return NAMED[body] ?? NAMED[body.toLowerCase()] ?? whole;
  });
}

/** Elements that end a line; their text is kept. */
const BLOCK = new Set(['p', 'div', 'br', 'tr', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'ul', 'ol', 'blockquote', 'section', 'article', 'header', 'footer', 'hr', 'pre']);
/** Formatting inside a word ("H<b>e</b>llo") must not split it. */
const INLINE = new Set(['a', 'b', 'i', 'u', 'em', 'strong', 'span', 'font', 'small', 'big', 'sub', 'sup', 'code', 's', 'strike', 'mark', 'abbr']);
/** Elements whose content is never text the reader sees. */
const SKIP = new Set(['script', 'style', 'head', 'title', 'noscript', 'template', 'svg']);

/**
 * One pass with indexOf instead of tag regexes: `<[^>]*>` and `[\s\S]*?</style>` backtrack
 * quadratically on input like "<<<<…" or many unclosed <style>, which a hostile mail can send.
 */
export function htmlToText(html: string): string {
  const lower = html.toLowerCase();
  const out: string[] = [];
  const n = html.length;
  let i = 0;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      out.push(html.slice(i));
      break;
    }
    out.push(html.slice(i, lt));
    if (lower.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      if (end < 0) break;
      out.push(' ');
      i = end + 3;
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    // An unterminated tag runs to the end of the input: nothing after it is text.
    if (gt < 0) break;
    const name = /^\/?([a-z][a-z0-9]*)/.exec(lower.slice(lt + 1, Math.min(gt, lt + 24)))?.[1] ?? '';
    const closing = lower[lt + 1] === '/';
    if (!closing && SKIP.has(name)) {
      const close = lower.indexOf(`</${name}`, gt + 1);
      const closeEnd = close < 0 ? -1 : html.indexOf('>', close);
      if (closeEnd < 0) break;
      out.push(' ');
      i = closeEnd + 1;
      continue;
    }
    out.push(BLOCK.has(name) ? '\n' : INLINE.has(name) ? '' : ' ');
    i = gt + 1;
  }
  return collapseWhitespace(decodeEntities(out.join('')));
}

/** Runs of spaces become one space; runs of blank lines become one line break. */
export function collapseWhitespace(text: string): string {
  return text
    .replace(/[\u00a0\t\f\v ]+/g, ' ')
    .replace(/ ?\r?\n[\s]*/g, '\n')
    .trim();
}

/** About `max` characters on one line, cut at a word boundary when one is near. */
export function toSnippet(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return (space > max * 0.7 ? cut.slice(0, space) : cut).trimEnd() + '…';
}
