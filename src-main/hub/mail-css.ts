/**
 * CSS from a mail (style sheets and style attributes) made unable to reach out. postcss parses it;
 * every url() is looked at: a cid: reference becomes the message's own image, a remote one stays only
 * when the user chose to show remote content, anything else goes. Rules that load what no url()
 * names (@import, image-set(), expression()) go too. Layout — fonts, colours, tables, media queries —
 * is kept, so the mail looks as its sender drew it.
 */
import postcss from 'postcss';
import type { AtRule, ChildNode, Container, Declaration } from 'postcss';

export interface UrlPolicy {
  /** The message's own images by Content-ID (without <>), as data: URLs. */
  inlineImages: ReadonlyMap<string, string>;
  /** The user chose Show images (or Always from this sender). */
  allowRemote: boolean;
}

/** What was found while cleaning, which the reading pane reports ("3 remote images held back"). */
export interface RemoteTally {
  blocked: number;
  allowed: number;
}

export type UrlVerdict = { keep: true; url: string; remote: boolean } | { keep: false; remote: boolean };

const DATA_IMAGE = /^data:image\/(?:png|gif|jpeg|jpg|webp|bmp|avif);base64,[a-z0-9+/=\s]*$/i;

/** Where an image URL in a mail may point, and what it becomes. */
export function judgeImageUrl(raw: string, policy: UrlPolicy): UrlVerdict {
  const url = raw.trim();
  if (/^cid:/i.test(url)) {
    const found = policy.inlineImages.get(decodeCid(url.slice(4)));
    return found === undefined ? { keep: false, remote: false } : { keep: true, url: found, remote: false };
  }
  if (DATA_IMAGE.test(url)) return { keep: true, url: url.replace(/\s+/g, ''), remote: false };
  // A protocol-relative address would follow the frame's own scheme (about:); it means the web.
  const absolute = url.startsWith('//') ? `https:${url}` : url;
  if (/^https?:\/\//i.test(absolute)) {
    try {
      const parsed = new URL(absolute);
      return policy.allowRemote ? { keep: true, url: parsed.href, remote: true } : { keep: false, remote: true };
    } catch {
      return { keep: false, remote: false };
    }
  }
  return { keep: false, remote: false };
}

function decodeCid(value: string): string {
  let cid = value.trim();
  try {
    cid = decodeURIComponent(cid);
  } catch {
    // Left as written: a cid that is not valid percent-encoding can still match a Content-ID verbatim.
  }
  return cid.replace(/^<|>$/g, '').toLowerCase();
}

/** At-rules a mail's layout needs; @import, @namespace, @charset and the rest are dropped. */
const KEPT_AT_RULES = new Set(['media', 'supports', 'keyframes', '-webkit-keyframes', 'font-face', 'page']);
/** Functions that load something without url(), or run code in old engines. */
const LOADS_WITHOUT_URL = /(?:^|[^a-z-])(?:-webkit-)?(?:image-set|image|cross-fade|element|paint|expression)\s*\(/i;
const FORBIDDEN_PROPERTIES = new Set(['behavior', '-moz-binding', '-ms-behavior']);
const BACKGROUND = /^background(-image)?$/i;
const URL_FUNCTION = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"]*))\s*\)/gi;

export const MAX_STYLE_SHEET_CHARS = 512 * 1024;
export const MAX_STYLE_ATTRIBUTE_CHARS = 16 * 1024;

/** A declaration's value with its urls judged, or undefined when the declaration must go. */
function cleanValue(prop: string, value: string, policy: UrlPolicy, tally: RemoteTally): string | undefined {
  if (FORBIDDEN_PROPERTIES.has(prop.toLowerCase())) return undefined;
  // CSS escapes can spell url( or expression( in ways no pattern follows; mail has no need of them.
  if (value.includes('\\') || LOADS_WITHOUT_URL.test(value) || /javascript:/i.test(value)) return undefined;
  let dropped = false;
  const cleaned = value.replace(URL_FUNCTION, (_whole, dq: string | undefined, sq: string | undefined, bare: string | undefined) => {
    const verdict = judgeImageUrl(dq ?? sq ?? bare ?? '', policy);
    if (verdict.remote) {
      if (verdict.keep) tally.allowed++;
      else tally.blocked++;
    }
    if (!verdict.keep) {
      // A background keeps its colour without the image; anything else that wanted the image goes.
      if (BACKGROUND.test(prop)) return 'none';
      dropped = true;
      return '';
    }
    return `url("${verdict.url.replace(/["\\\n\r()\s']/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}")`;
  });
  // A url( the pattern did not match (unbalanced, nested) is not let through unjudged.
  if (dropped || /url\(/i.test(cleaned.replace(/url\("[^"]*"\)/gi, ''))) return undefined;
  return cleaned;
}

function cleanContainer(container: Container, policy: UrlPolicy, tally: RemoteTally): void {
  container.each((node: ChildNode) => {
    if (node.type === 'comment') {
      node.remove();
    } else if (node.type === 'atrule') {
      const rule = node as AtRule;
      if (!KEPT_AT_RULES.has(rule.name.toLowerCase())) {
        rule.remove();
        return;
      }
      // Web fonts never load from the network (a font request tells the sender as much as an image); data: fonts stay.
      const fontFace = rule.name.toLowerCase() === 'font-face';
      cleanContainer(rule, fontFace ? { ...policy, allowRemote: false } : policy, tally);
      // A web font whose source went (a remote url) is no font at all.
      if (rule.name.toLowerCase() === 'font-face' && !(rule.nodes ?? []).some((n) => n.type === 'decl' && n.prop.toLowerCase() === 'src')) rule.remove();
    } else if (node.type === 'rule') {
      cleanContainer(node, policy, tally);
    } else {
      const decl = node as Declaration;
      const value = cleanValue(decl.prop, decl.value, policy, tally);
      if (value === undefined) decl.remove();
      else decl.value = value;
    }
  });
}

/** A <style> element's text, cleaned; '' when it cannot be parsed or is too large to be worth it. */
export function cleanStyleSheet(css: string, policy: UrlPolicy, tally: RemoteTally): string {
  if (css.length > MAX_STYLE_SHEET_CHARS) return '';
  try {
    const root = postcss.parse(css);
    cleanContainer(root, policy, tally);
    // The text goes back inside <style>: nothing in it may end that element early.
    return root.toString().replace(/</g, '\\3C ');
  } catch {
    return '';
  }
}

/** A style="" attribute, cleaned; '' when nothing of it may stay. */
export function cleanStyleAttribute(style: string, policy: UrlPolicy, tally: RemoteTally): string {
  if (style.length > MAX_STYLE_ATTRIBUTE_CHARS) return '';
  try {
    const root = postcss.parse(`x{${style}}`);
    const rule = root.first;
    if (!rule || rule.type !== 'rule' || root.nodes.length !== 1) return '';
    const out: string[] = [];
    rule.each((node) => {
      if (node.type !== 'decl') return;
      const value = cleanValue(node.prop, node.value, policy, tally);
      if (value !== undefined) out.push(`${node.prop}:${value}${node.important ? ' !important' : ''}`);
    });
    return out.join(';');
  } catch {
    return '';
  }
}
