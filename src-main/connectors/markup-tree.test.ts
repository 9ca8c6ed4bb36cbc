import { isTag, isText } from 'domhandler';
import type { AnyNode } from 'domhandler';
import { describe, expect, it } from 'vitest';
import { MAX_TREE_DEPTH, parseMarkup } from './markup-tree.ts';

/** Compact view: text as strings, elements as [name, attributes?, ...children]. */
function view(nodes: readonly AnyNode[]): unknown[] {
  return nodes.map((node) => {
    if (isText(node)) return node.data;
    if (!isTag(node)) return `?${node.type}`;
    const attributes = Object.keys(node.attribs).length > 0 ? [{ ...node.attribs }] : [];
    return [node.name, ...attributes, ...view(node.children)];
  });
}

function depthOf(nodes: readonly AnyNode[]): number {
  let deepest = 0;
  for (const node of nodes) if (isTag(node)) deepest = Math.max(deepest, 1 + depthOf(node.children));
  return deepest;
}

describe('parseMarkup', () => {
  it('reads HTML as a browser would in the cases feeds rely on', () => {
    const html = '<P CLASS=a>one<p>two<div>three</div><UL><li>a<li>b</ul><br/><img SRC=x><script>if (a<b) x()</script>&amp;&eacute;</br>';
    expect(view(parseMarkup(html, 'html').children)).toEqual([
      ['p', { class: 'a' }, 'one'],
      ['p', 'two'],
      ['div', 'three'],
      ['ul', ['li', 'a'], ['li', 'b']],
      ['br'],
      ['img', { src: 'x' }],
      ['script', 'if (a<b) x()'],
      '&é',
      ['br'],
    ]);
  });

  it('reads XML case-insensitively, with CDATA as text and only XML entities expanded', () => {
    const xml = '<?xml version="1.0"?><!-- c --><Feed><Entry xml:Base="/x"><Title>a &amp; &eacute; <![CDATA[<b>&amp;</b>]]></title><link href="h"/></ENTRY></Feed>';
    expect(view(parseMarkup(xml, 'xml').children)).toEqual([
      ['feed', ['entry', { 'xml:base': '/x' }, ['title', 'a & &eacute; <b>&amp;</b>'], ['link', { href: 'h' }]]],
    ]);
  });

  it('ignores end tags that close nothing and closes what was left open', () => {
    expect(view(parseMarkup('<rss><channel><item><title>a</wrong></title></item><item><title>b', 'xml').children)).toEqual([
      ['rss', ['channel', ['item', ['title', 'a']], ['item', ['title', 'b']]]],
    ]);
  });

  it('stays linear on input that makes htmlparser2 parseDocument quadratic', () => {
    // parseDocument needs most of a minute for the first of these; the test timeout is the guard.
    const deep = parseMarkup('<div>'.repeat(200_000) + 'x' + '</div>'.repeat(200_000), 'html');
    expect(depthOf(deep.children)).toBe(MAX_TREE_DEPTH);
    parseMarkup('<b>'.repeat(5_000) + '</i>'.repeat(500_000), 'html');
    parseMarkup('<a>'.repeat(200_000), 'xml');
  }, 15_000);

  it('keeps content past the depth limit and matches its end tags to the elements left out', () => {
    const html = '<i>'.repeat(MAX_TREE_DEPTH) + '<b>inner</b>after' + '</i>'.repeat(MAX_TREE_DEPTH) + 'outside';
    const document = parseMarkup(html, 'html');
    let deepest = document.children[0];
    while (deepest && isTag(deepest) && deepest.children[0] && isTag(deepest.children[0])) deepest = deepest.children[0];
    expect(deepest && isTag(deepest) ? view(deepest.children) : undefined).toEqual(['innerafter']);
    expect(view(document.children).at(-1)).toBe('outside');
  });
});
