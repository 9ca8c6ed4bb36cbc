/**
 * An HTML mail, already sanitized by the hub, in a frame of its own: `sandbox` without allow-scripts,
 * allow-forms, allow-popups or allow-top-navigation, so nothing in it runs, submits or navigates even
 * if the sanitizer missed something, and a content security policy of its own (default-src 'none')
 * that lets in images only from data: URLs (the message's own cid: parts) until the user chose Show
 * images. allow-same-origin is the one permission given: without scripts in the frame it grants the
 * mail nothing, and it lets this page see the frame's clicks (links go to the system browser, after a
 * warning when their text names another host) and its height (the pane scrolls, not the frame).
 */
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { opensOutside } from '../format/links.ts';

export function frameDocument(html: string, remote: boolean): string {
  const images = remote ? "data: https: http:" : 'data:';
  const policy = `default-src 'none'; style-src 'unsafe-inline'; img-src ${images}; font-src data:; base-uri 'none'; form-action 'none'`;
  return (
    '<!DOCTYPE html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${policy}">` +
    '<meta name="referrer" content="no-referrer">' +
    // The mail's own styles come after these and win; these only give unstyled mail a readable start.
    '<style>html{color-scheme:light}body{margin:0;padding:12px 16px;font:14px/1.45 system-ui,sans-serif;color:#1d232a;background:#fff;overflow-wrap:anywhere}' +
    'img{max-width:100%}table{max-width:100%}pre{white-space:pre-wrap}blockquote{margin:0 0 0 .8em;padding-left:.8em;border-left:3px solid #c5ccd3}</style>' +
    `</head><body>${html}</body></html>`
  );
}

export function MailFrame({ html, remote, title, onLink }: { html: string; remote: boolean; title: string; onLink: (href: string, text: string) => void }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const onLinkRef = useRef(onLink);
  onLinkRef.current = onLink;

  const fit = useCallback(() => {
    const f = frame.current;
    const doc = f?.contentDocument;
    if (!f || !doc?.documentElement) return;
    f.style.height = `${Math.max(40, doc.documentElement.scrollHeight)}px`;
  }, []);

  useEffect(() => {
    const f = frame.current;
    if (!f) return;
    const loaded = () => {
      const doc = f.contentDocument;
      if (!doc) return;
      const click = (event: MouseEvent) => {
        const anchor = (event.target as Element | null)?.closest?.('a');
        if (!anchor) return;
        event.preventDefault();
        const href = anchor.getAttribute('href') ?? '';
        if (href.startsWith('#')) {
          if (event.type === 'click') doc.getElementById(href.slice(1))?.scrollIntoView();
          return;
        }
        if (opensOutside(href)) onLinkRef.current(href, anchor.textContent ?? '');
      };
      doc.addEventListener('click', click, true);
      // A middle click would open a window of its own; the frame has no right to one.
      doc.addEventListener('auxclick', click, true);
      // Images arriving change the height; their load events do not bubble, but they are captured.
      // No ResizeObserver: a mail sized to 100% of its frame would grow the frame, which grows the
      // mail, without end; measuring on events only lets it settle.
      doc.addEventListener('load', fit, true);
      fit();
    };
    f.addEventListener('load', loaded);
    window.addEventListener('resize', fit);
    return () => {
      f.removeEventListener('load', loaded);
      window.removeEventListener('resize', fit);
    };
  }, [fit]);

  const document = useMemo(() => frameDocument(html, remote), [html, remote]);
  return <iframe ref={frame} className="mail-frame" title={title} sandbox="allow-same-origin" srcDoc={document} referrerPolicy="no-referrer" />;
}
