/**
 * The last step of sanitizing: each element's children are repaired into a shape the renderer can
 * draw without the browser rearranging it (rows inside a table section, cells inside a row, items
 * inside a list) and trimmed of the whitespace HTML source carries between blocks.
 */
import type { RichElement, RichNode, RichTag } from '../../src-shared/rich-text.ts';

/** Elements that stand on lines of their own. */
export const BLOCK_TAGS: ReadonlySet<RichTag> = new Set<RichTag>([
  'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'td', 'th',
  'blockquote', 'pre', 'hr',
]);

/** Containers whose edges and block neighbours make surrounding whitespace meaningless. */
const TRIMMED = new Set<RichTag>(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'td', 'th', 'blockquote']);

const ROWS = new Set<RichTag>(['tr']);
const CELLS = new Set<RichTag>(['td', 'th']);
const ITEMS = new Set<RichTag>(['li']);
const SECTIONS = new Set<RichTag>(['thead', 'tbody']);
const SECTIONS_AND_ROWS = new Set<RichTag>(['thead', 'tbody', 'tr']);

/** `tag` undefined is the top level. */
export function finishChildren(tag: RichTag | undefined, nodes: RichNode[], pre = false): RichNode[] {
  // Text was joined piece by piece; a space on both sides of a join becomes one here, in one pass.
  const children = pre || tag === 'pre' ? nodes : nodes.map((node) => (typeof node === 'string' ? node.replace(/ {2,}/g, ' ') : node));
  switch (tag) {
    case 'table': {
      const rows = regroup(children, SECTIONS_AND_ROWS, (run) => row(run));
      return regroup(rows, SECTIONS, (run) => ({ tag: 'tbody', children: run }));
    }
    case 'thead':
    case 'tbody':
      return regroup(children, ROWS, (run) => row(run));
    case 'tr':
      return regroup(children, CELLS, (run) => ({ tag: 'td', children: tidy(run, true) }));
    case 'ul':
    case 'ol':
      return regroup(children, ITEMS, (run) => ({ tag: 'li', children: tidy(run, true) }));
    case 'pre':
      return typeof children[0] === 'string' && children[0].startsWith('\n')
        ? [children[0].slice(1), ...children.slice(1)].filter((node) => node !== '')
        : children;
    default:
      if (pre) return children;
      return tidy(children, tag === undefined || TRIMMED.has(tag));
  }
}

export function isBlank(nodes: readonly RichNode[]): boolean {
  return nodes.every((node) => typeof node === 'string' && node.trim() === '');
}

function row(run: RichNode[]): RichElement {
  return { tag: 'tr', children: [{ tag: 'td', children: tidy(run, true) }] };
}

/** Keeps the children `keep` allows and wraps each run of others; runs of whitespace are dropped. */
function regroup(children: readonly RichNode[], keep: ReadonlySet<RichTag>, wrap: (run: RichNode[]) => RichElement): RichNode[] {
  const out: RichNode[] = [];
  let run: RichNode[] = [];
  const flush = () => {
    if (!isBlank(run)) out.push(wrap(run));
    run = [];
  };
  for (const child of children) {
    if (typeof child !== 'string' && keep.has(child.tag)) {
      flush();
      out.push(child);
    } else {
      run.push(child);
    }
  }
  flush();
  return out;
}

/** Drops whitespace at the edges of a block and beside block neighbours and line breaks, and trailing breaks. */
function tidy(children: readonly RichNode[], block: boolean): RichNode[] {
  const out: RichNode[] = [];
  for (let i = 0; i < children.length; i++) {
    let node = children[i]!;
    if (typeof node === 'string') {
      const previous = out[out.length - 1];
      const next = children[i + 1];
      if (previous === undefined ? block : breaksLine(previous)) node = trimStart(node);
      if (next === undefined ? block : breaksLine(next)) node = trimEnd(node);
      if (node !== '') out.push(node);
    } else {
      out.push(node);
    }
  }
  if (block) {
    while (out.length > 0 && isBreak(out[out.length - 1]!)) out.pop();
    const last = out[out.length - 1];
    if (typeof last === 'string') {
      const trimmed = trimEnd(last);
      if (trimmed === '') out.pop();
      else out[out.length - 1] = trimmed;
    }
  }
  return out;
}

function breaksLine(node: RichNode): boolean {
  return typeof node !== 'string' && (node.tag === 'br' || BLOCK_TAGS.has(node.tag));
}

function isBreak(node: RichNode): boolean {
  return typeof node !== 'string' && node.tag === 'br';
}

// Loops rather than /\s+$/, which backtracks quadratically over long runs of spaces.
function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 12;
}

function trimStart(text: string): string {
  let start = 0;
  while (start < text.length && isSpace(text.charCodeAt(start))) start++;
  return text.slice(start);
}

function trimEnd(text: string): string {
  let end = text.length;
  while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(0, end);
}
