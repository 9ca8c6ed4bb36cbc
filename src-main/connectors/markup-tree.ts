/**
 * HTML and XML from the network turned into a tree in time linear in the input. htmlparser2's
 * `parseDocument` keeps its open elements in an array it grows with `unshift` and searches with
 * `indexOf` on every end tag, so a few hundred kilobytes of nested or stray tags keep it busy for
 * seconds; this builder drives the same htmlparser2 Tokenizer with a push/pop stack, a count of open
 * elements per name, and a depth past which elements are left out (their content is kept).
 *
 * Element and attribute names are lower-cased in both modes: feeds are as careless about case as
 * web pages. Comments, processing instructions and declarations are dropped, and CDATA is text.
 * Parent links are set; sibling links are not.
 */
import { Tokenizer } from 'htmlparser2';
import type { TokenizerCallbacks } from 'htmlparser2';
import { Document, Element, Text } from 'domhandler';
import type { ParentNode } from 'domhandler';

/** Deeper elements are left out; their text and children join the element at this depth. */
export const MAX_TREE_DEPTH = 256;

const VOID_ELEMENTS = new Set([
  'area', 'base', 'basefont', 'br', 'col', 'command', 'embed', 'frame', 'hr', 'img', 'input',
  'isindex', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);

// The end tags an HTML start tag implies for the element it interrupts (after htmlparser2's Parser).
const P = new Set(['p']);
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p']);
const FORM_PARTS = new Set(['input', 'option', 'optgroup', 'select', 'button', 'datalist', 'textarea']);
const DD_DT = new Set(['dd', 'dt']);
const IMPLIED_CLOSE = new Map<string, ReadonlySet<string>>([
  ['tr', new Set(['tr', 'th', 'td'])],
  ['th', new Set(['th'])],
  ['td', new Set(['thead', 'th', 'td'])],
  ['tbody', new Set(['thead', 'tbody'])],
  ['tfoot', new Set(['thead', 'tbody'])],
  ['body', new Set(['head', 'link', 'script'])],
  ['a', new Set(['a'])],
  ['li', new Set(['li'])],
  ['option', new Set(['option'])],
  ['optgroup', new Set(['optgroup', 'option'])],
  ['dd', DD_DT],
  ['dt', DD_DT],
  ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((h) => [h, HEADINGS] as const),
  ...['select', 'input', 'output', 'button', 'datalist', 'textarea'].map((f) => [f, FORM_PARTS] as const),
  ...[
    'p', 'address', 'article', 'aside', 'blockquote', 'details', 'div', 'dl', 'fieldset', 'figcaption',
    'figure', 'footer', 'form', 'header', 'hr', 'main', 'nav', 'ol', 'pre', 'section', 'table', 'ul',
  ].map((b) => [b, P] as const),
]);

export type MarkupMode = 'html' | 'xml';

export interface MarkupOptions {
  /**
   * Elements (by name after the last ':') whose whitespace-only text is layout, not content: the
   * indentation between a feed's <item>s is a third of its nodes, and nothing reads it.
   */
  layoutElements?: ReadonlySet<string>;
}

/** Shared by every element without attributes, which is most of them; never written to. */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({}) as Record<string, string>;

export function parseMarkup(text: string, mode: MarkupMode, options: MarkupOptions = {}): Document {
  const html = mode === 'html';
  const layout = options.layoutElements;
  const document = new Document([]);
  const open: Element[] = [];
  const openByName = new Map<string, number>();
  // Elements opened past MAX_TREE_DEPTH, by name, so their end tags close nothing that was kept.
  const leftOut = new Map<string, number>();

  let tagName = '';
  let attribs: Record<string, string> = {};
  let attribName = '';
  let attribValue = '';

  const current = (): ParentNode => open[open.length - 1] ?? document;

  const appendText = (data: string) => {
    if (data === '') return;
    const parent = current();
    if (layout && parent instanceof Element && layout.has(parent.name.slice(parent.name.lastIndexOf(':') + 1)) && data.trim() === '') return;
    const last = parent.children[parent.children.length - 1];
    if (last instanceof Text) {
      last.data += data;
      return;
    }
    const node = new Text(data);
    node.parent = parent;
    parent.children.push(node);
  };

  const pop = () => {
    if (open.length === MAX_TREE_DEPTH) leftOut.clear();
    const element = open.pop();
    if (element) openByName.set(element.name, (openByName.get(element.name) ?? 1) - 1);
    return element;
  };

  const isVoid = (name: string) => html && VOID_ELEMENTS.has(name);

  const openElement = (name: string, attributes: Record<string, string>) => {
    const implied = html ? IMPLIED_CLOSE.get(name) : undefined;
    if (implied) {
      while (open.length > 0 && implied.has(open[open.length - 1]!.name)) pop();
    }
    if (open.length >= MAX_TREE_DEPTH && !isVoid(name)) {
      leftOut.set(name, (leftOut.get(name) ?? 0) + 1);
      return;
    }
    const parent = current();
    const element = new Element(name, attributes);
    element.parent = parent;
    parent.children.push(element);
    if (isVoid(name)) return;
    open.push(element);
    openByName.set(name, (openByName.get(name) ?? 0) + 1);
  };

  const closeElement = (name: string) => {
    if (isVoid(name)) {
      // Browsers read a stray </br> as <br>.
      if (name === 'br') openElement('br', {});
      return;
    }
    const skipped = leftOut.get(name);
    if (skipped) {
      leftOut.set(name, skipped - 1);
      return;
    }
    if (!openByName.get(name)) return;
    // Each element is popped once, so end tags cost linear time over the whole document.
    for (let popped = pop(); popped && popped.name !== name; popped = pop());
  };

  const nameAt = (start: number, end: number) => {
    const name = text.slice(start, end).toLowerCase();
    return html && name === 'image' ? 'img' : name;
  };

  const callbacks: TokenizerCallbacks = {
    onopentagname(start, end) {
      tagName = nameAt(start, end);
      attribs = NO_ATTRIBUTES;
    },
    onattribname(start, end) {
      attribName = text.slice(start, end).toLowerCase();
      attribValue = '';
      if (attribs === NO_ATTRIBUTES) attribs = {};
    },
    onattribdata(start, end) {
      attribValue += text.slice(start, end);
    },
    onattribentity(codePoint) {
      attribValue += String.fromCodePoint(codePoint);
    },
    onattribend() {
      // Only the first of a repeated attribute counts, and no attribute may reach the prototype.
      if (attribName !== '__proto__' && !Object.hasOwn(attribs, attribName)) attribs[attribName] = attribValue;
      attribValue = '';
    },
    onopentagend() {
      openElement(tagName, attribs);
    },
    onselfclosingtag() {
      openElement(tagName, attribs);
      // HTML ignores the slash in <div/>; only void elements (already closed) end there.
      if (!html) closeElement(tagName);
    },
    onclosetag(start, end) {
      closeElement(nameAt(start, end));
    },
    ontext(start, end) {
      appendText(text.slice(start, end));
    },
    ontextentity(codePoint) {
      appendText(String.fromCodePoint(codePoint));
    },
    oncdata(start, end, offset) {
      appendText(text.slice(start, end - offset));
    },
    oncomment() {},
    ondeclaration() {},
    onprocessinginstruction() {},
    onend() {},
  };

  const tokenizer = new Tokenizer({ xmlMode: !html, decodeEntities: true }, callbacks);
  tokenizer.write(text);
  tokenizer.end();
  return document;
}
