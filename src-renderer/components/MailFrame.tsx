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
import { frameDocument } from '../format/mail-frame.ts';

export function MailFrame({ html, remote, title, onLink, foldQuotes = false }: { html: string; remote: boolean; title: string; onLink: (href: string, text: string) => void; foldQuotes?: boolean }) {
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

  const document = useMemo(() => frameDocument(html, remote, foldQuotes), [html, remote, foldQuotes]);
  return <iframe ref={frame} className="mail-frame" title={title} sandbox="allow-same-origin" srcDoc={document} referrerPolicy="no-referrer" />;
}
