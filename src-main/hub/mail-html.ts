/**
 * The HTML part of a mail, made safe to show: sanitize-html keeps an allow-list of layout tags and
 * attributes (tables, fonts, colours, inline styles) and drops everything that runs, submits,
 * navigates or embeds — scripts, event handlers, forms, <meta refresh>, <base>, <link>, frames,
 * SVG, image maps. Every URL is judged: links keep only http, https and mailto; images and CSS
 * url() keep the message's own cid: parts (as data: URLs) and, only once the user asked, remote ones.
 * The result is shown only inside a sandboxed frame with its own content security policy
 * (src-renderer/components/MailFrame.tsx), so a mistake here still cannot run or load anything.
 */
import sanitizeHtml from 'sanitize-html';
import type { IOptions } from 'sanitize-html';
import { cleanStyleAttribute, cleanStyleSheet, judgeImageUrl } from './mail-css.ts';
import type { RemoteTally, UrlPolicy } from './mail-css.ts';

export interface SanitizedMail {
  html: string;
  /** Remote images, backgrounds and style urls left out (0 once remote content is allowed). */
  remoteBlocked: number;
  /** Remote references kept because the user allowed them. */
  remoteAllowed: number;
}

const LAYOUT_TAGS = [
  'a', 'abbr', 'address', 'article', 'aside', 'b', 'bdi', 'bdo', 'big', 'blockquote', 'br', 'caption', 'center', 'cite',
  'code', 'col', 'colgroup', 'dd', 'del', 'details', 'dfn', 'div', 'dl', 'dt', 'em', 'figcaption', 'figure', 'font',
  'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'i', 'img', 'ins', 'kbd', 'li', 'main', 'mark', 'nav',
  'ol', 'p', 'pre', 'q', 'rp', 'rt', 'ruby', 's', 'samp', 'section', 'small', 'span', 'strike', 'strong', 'style', 'sub',
  'summary', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'time', 'tr', 'tt', 'u', 'ul', 'var', 'wbr',
];

/**
 * sanitize-html asks `allowedTags.indexOf(name) > -1` for every tag of the input; a 5 MB newsletter
 * has hundreds of thousands. The same list, answering from a Set (any other use sees a plain array).
 */
class TagList extends Array<string> {
  readonly #at: Map<string, number>;
  constructor(tags: readonly string[]) {
    super();
    this.push(...tags);
    this.#at = new Map(tags.map((tag, i) => [tag, i]));
  }
  override indexOf(name: string): number {
    return this.#at.get(name) ?? -1;
  }
  static override get [Symbol.species]() {
    return Array;
  }
}
const ALLOWED_TAGS = new TagList(LAYOUT_TAGS);

const EVERY_TAG = ['style', 'class', 'id', 'align', 'valign', 'dir', 'lang', 'title', 'width', 'height', 'bgcolor', 'background', 'border', 'nowrap', 'aria-label', 'aria-hidden'];
const CELL = ['colspan', 'rowspan', 'headers', 'scope', 'abbr'];

const ATTRIBUTES: IOptions['allowedAttributes'] = {
  '*': EVERY_TAG,
  a: ['href', 'name'],
  img: ['src', 'alt', 'hspace', 'vspace', 'referrerpolicy'],
  font: ['color', 'face', 'size'],
  table: ['cellpadding', 'cellspacing', 'summary', 'frame', 'rules'],
  td: CELL,
  th: CELL,
  col: ['span'],
  colgroup: ['span'],
  ol: ['start', 'type', 'reversed'],
  ul: ['type'],
  li: ['value', 'type'],
  time: ['datetime'],
  details: ['open'],
};

/** Anything past this is not shown: no mail needs more, and the frame must stay responsive. */
export const MAX_MAIL_HTML_CHARS = 8 * 1024 * 1024;

export function sanitizeMailHtml(html: string, policy: UrlPolicy): SanitizedMail {
  const tally: RemoteTally = { blocked: 0, allowed: 0 };
  const image = (raw: string): string | undefined => {
    const verdict = judgeImageUrl(raw, policy);
    if (verdict.remote) {
      if (verdict.keep) tally.allowed++;
      else tally.blocked++;
    }
    return verdict.keep ? verdict.url : undefined;
  };
  const options: IOptions = {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ATTRIBUTES,
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https', 'data'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'background'],
    allowProtocolRelative: false,
    allowVulnerableTags: true,
    // Style attributes are cleaned by mail-css.ts, which also judges their url()s.
    parseStyleAttributes: false,
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'template', 'xml', 'object', 'applet', 'math'],
    nestingLimit: 200,
    transformTags: {
      // The body's colours and background are the mail's canvas; it becomes a block of the frame.
      body: (_tag, attribs) => ({
        tagName: 'div',
        attribs: { ...cleanAttributes('div', attribs, policy, tally, image), class: `gs-mail-body ${attribs['class'] ?? ''}`.trim() },
      }),
      '*': (tagName, attribs) => ({ tagName, attribs: cleanAttributes(tagName, attribs, policy, tally, image) }),
    },
  };
  const clean = sanitizeHtml(html.length > MAX_MAIL_HTML_CHARS ? html.slice(0, MAX_MAIL_HTML_CHARS) : html, options);
  // sanitize-html passes a kept <style>'s text through as it came: clean it here. Elsewhere in the
  // output "<" is always escaped, so each <style> found is one the sanitizer emitted.
  const styled = clean.replace(/<style>([\s\S]*?)<\/style>/g, (_whole, css: string) => {
    const sheet = cleanStyleSheet(css, policy, tally);
    return sheet === '' ? '' : `<style>${sheet}</style>`;
  });
  return { html: styled, remoteBlocked: tally.blocked, remoteAllowed: tally.allowed };
}

/**
 * Newsletters repeat the same few style attributes on thousands of cells: each distinct one is parsed
 * once per message. The tally counts what each would load every time it appears.
 */
const styleCache = new WeakMap<RemoteTally, Map<string, { style: string; blocked: number; allowed: number }>>();

function cleanStyle(value: string, policy: UrlPolicy, tally: RemoteTally): string {
  let cache = styleCache.get(tally);
  if (!cache) styleCache.set(tally, (cache = new Map()));
  let hit = cache.get(value);
  if (!hit) {
    const own: RemoteTally = { blocked: 0, allowed: 0 };
    hit = { style: cleanStyleAttribute(value, policy, own), ...own };
    cache.set(value, hit);
  }
  tally.blocked += hit.blocked;
  tally.allowed += hit.allowed;
  return hit.style;
}

function cleanAttributes(
  tagName: string,
  attribs: sanitizeHtml.Attributes,
  policy: UrlPolicy,
  tally: RemoteTally,
  image: (raw: string) => string | undefined,
): sanitizeHtml.Attributes {
  const out: sanitizeHtml.Attributes = {};
  for (const [name, value] of Object.entries(attribs)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('on')) continue;
    if (lower === 'style') {
      const style = cleanStyle(value, policy, tally);
      if (style !== '') out[name] = style;
    } else if (lower === 'background' || (lower === 'src' && tagName === 'img')) {
      const url = image(value);
      if (url !== undefined) out[name] = url;
    } else if (lower === 'href') {
      const href = linkTarget(value);
      if (href !== undefined) out[name] = href;
    } else {
      out[name] = value;
    }
  }
  if (tagName === 'img') out['referrerpolicy'] = 'no-referrer';
  return out;
}

/** A link keeps an absolute web or mail address, or a jump within the message; nothing relative to the frame. */
function linkTarget(raw: string): string | undefined {
  const value = raw.trim();
  if (/^#[\w.:-]{0,200}$/.test(value)) return value;
  if (!/^(https?:\/\/|mailto:)/i.test(value)) return undefined;
  try {
    return new URL(value).href;
  } catch {
    return undefined;
  }
}
