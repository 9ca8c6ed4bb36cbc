/**
 * Renders the hub's sanitized rich tree as React elements. No HTML string is ever parsed here:
 * each node becomes one element of an allow-listed tag, links open outside the app, and remote
 * images stay placeholders until the user asks for them (a remote image tells its sender you read it).
 */
import { createElement, type ReactNode } from 'react';
import { isSafeLinkUrl, RICH_TAGS, type RichNode } from '../../src-shared/rich-text.ts';

export function RichContent({ nodes, showImages }: { nodes: RichNode[]; showImages: boolean }) {
  return <div className="rich-body">{renderNodes(nodes, showImages, 'n')}</div>;
}

/** Only https images are ever loaded: a plain-http image would also tell the network what you read. */
function loadable(src: string | undefined): src is string {
  return src !== undefined && /^https:/i.test(src);
}

/** True when the content holds an image the user could choose to load. */
export function hasRemoteImages(nodes: RichNode[]): boolean {
  return nodes.some((node) => typeof node !== 'string' && ((node.tag === 'img' && loadable(node.src)) || hasRemoteImages(node.children)));
}

function renderNodes(nodes: RichNode[], showImages: boolean, keyPrefix: string): ReactNode[] {
  return nodes.map((node, index) => renderNode(node, showImages, `${keyPrefix}.${index}`));
}

function renderNode(node: RichNode, showImages: boolean, key: string): ReactNode {
  if (typeof node === 'string') return node;
  // The tree crossed a process boundary: check again rather than trust the tag blindly.
  if (!RICH_TAGS.has(node.tag)) return <span key={key}>{renderNodes(node.children, showImages, key)}</span>;
  if (node.tag === 'img') {
    if (showImages && loadable(node.src)) return <img key={key} src={node.src} alt={node.alt ?? ''} loading="lazy" referrerPolicy="no-referrer" />;
    return (
      <span key={key} className="image-placeholder" title={node.src}>
        [image{node.alt ? `: ${node.alt}` : ''}]
      </span>
    );
  }
  if (node.tag === 'a') {
    const children = renderNodes(node.children, showImages, key);
    if (node.href === undefined || !isSafeLinkUrl(node.href)) return <span key={key}>{children}</span>;
    return (
      <a key={key} href={node.href} target="_blank" rel="noopener noreferrer" title={node.href}>
        {children}
      </a>
    );
  }
  if (node.tag === 'br' || node.tag === 'hr') return createElement(node.tag, { key });
  return createElement(node.tag, { key }, ...renderNodes(node.children, showImages, key));
}
