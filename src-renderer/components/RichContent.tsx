/**
 * Renders the hub's sanitized rich tree as React elements. No HTML string is ever parsed here:
 * each node becomes one element of an allow-listed tag, links open outside the app, and remote
 * images stay placeholders until the user asks for them (a remote image tells its sender you read it).
 * Chat images are `mxc://` addresses the page cannot load itself; a `resolveImage` given by the caller
 * fetches them through the hub.
 */
import { createElement, useEffect, useState, type ReactNode } from 'react';
import { isSafeLinkUrl, RICH_TAGS, type RichNode } from '../../src-shared/rich-text.ts';
import { TermMarks } from './Highlighted.tsx';

/** Turns an mxc:// address into a data: URL, or null when it cannot be had. */
export type ImageResolver = (src: string) => Promise<string | null>;

interface RenderOptions {
  showImages: boolean;
  resolveImage: ImageResolver | undefined;
}

export function RichContent({ nodes, showImages, resolveImage, className = 'rich-body' }: { nodes: RichNode[]; showImages: boolean; resolveImage?: ImageResolver; className?: string }) {
  return <div className={className}>{renderNodes(nodes, { showImages, resolveImage }, 'n')}</div>;
}

/** Only https images are ever loaded: a plain-http image would also tell the network what you read. */
function loadable(src: string | undefined): src is string {
  return src !== undefined && /^https:/i.test(src);
}

function isMxc(src: string | undefined): src is string {
  return src !== undefined && src.startsWith('mxc://');
}

/** True when the content holds an image the user could choose to load. */
export function hasRemoteImages(nodes: RichNode[]): boolean {
  return nodes.some((node) => typeof node !== 'string' && ((node.tag === 'img' && loadable(node.src)) || hasRemoteImages(node.children)));
}

function renderNodes(nodes: RichNode[], options: RenderOptions, keyPrefix: string): ReactNode[] {
  return nodes.map((node, index) => renderNode(node, options, `${keyPrefix}.${index}`));
}

function placeholder(key: string, alt: string | undefined, title: string | undefined): ReactNode {
  return (
    <span key={key} className="image-placeholder" title={title}>
      [image{alt ? `: ${alt}` : ''}]
    </span>
  );
}

function renderNode(node: RichNode, options: RenderOptions, key: string): ReactNode {
  if (typeof node === 'string') return <TermMarks key={key} text={node} />;
  // The tree crossed a process boundary: check again rather than trust the tag blindly.
  if (!RICH_TAGS.has(node.tag)) return <span key={key}>{renderNodes(node.children, options, key)}</span>;
  if (node.tag === 'img') {
    if (options.resolveImage !== undefined && isMxc(node.src)) {
      return <ResolvedImage key={`${key}:${node.src}`} src={node.src} alt={node.alt ?? ''} resolve={options.resolveImage} />;
    }
    if (options.showImages && loadable(node.src)) return <img key={key} src={node.src} alt={node.alt ?? ''} loading="lazy" referrerPolicy="no-referrer" />;
    return placeholder(key, node.alt, node.src);
  }
  if (node.tag === 'a') {
    const children = renderNodes(node.children, options, key);
    if (node.href === undefined || !isSafeLinkUrl(node.href)) return <span key={key}>{children}</span>;
    return (
      <a key={key} href={node.href} target="_blank" rel="noopener noreferrer" title={node.href}>
        {children}
      </a>
    );
  }
  if (node.tag === 'br' || node.tag === 'hr') return createElement(node.tag, { key });
  return createElement(node.tag, { key }, ...renderNodes(node.children, options, key));
}

/** The placeholder until the hub hands over the image; it stays if the image cannot be fetched. */
function ResolvedImage({ src, alt, resolve }: { src: string; alt: string; resolve: ImageResolver }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    resolve(src).then(
      (resolved) => {
        if (live) setUrl(resolved);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [src, resolve]);
  if (url === null) return placeholder('image', alt, undefined);
  return <img className="rich-inline-image" src={url} alt={alt} />;
}
