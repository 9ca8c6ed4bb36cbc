/**
 * What the window may do: its content security policy, where it may navigate, which permissions
 * it gets. Plain functions so they are tested in Node; main.ts wires them to Electron's events.
 */
import { isAppOrigin, isAppPage } from './app-protocol.ts';

/**
 * The window talks to the hub over IPC only, so it connects to nothing but its own origin (no
 * ws://127.0.0.1:*, which would let the page reach any local service). Remote images stay allowed:
 * feeds and mail show them once the user asks. An HTML mail's sandboxed srcdoc frame inherits this
 * policy on top of its own (default-src 'none'), so inline styles must be allowed here for its layout
 * to show, and plain-http images for mail that still uses them; the page itself never builds markup
 * from strings, and the frame's own policy keeps images to data: until Show images.
 */
export const WINDOW_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https: http:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** Links the user may open in the system browser; everything else is refused. */
const EXTERNAL_PROTOCOLS = new Set(['https:', 'http:', 'mailto:']);

export type NavigationDecision = { allow: true } | { allow: false; openInBrowser?: string };

/** For will-navigate, will-redirect and will-frame-navigate alike: our page stays, links go to the browser. */
export function decideNavigation(url: string): NavigationDecision {
  if (isAppPage(url)) return { allow: true };
  return { allow: false, ...(opensInBrowser(url) ? { openInBrowser: url } : {}) };
}

/**
 * For will-frame-navigate in a subframe: an HTML mail's sandboxed frame loads its document as
 * about:srcdoc, which stays; anything else the frame tries is treated as a link, as above.
 */
export function decideFrameNavigation(url: string): NavigationDecision {
  if (url === 'about:srcdoc') return { allow: true };
  return decideNavigation(url);
}

export function opensInBrowser(url: string): boolean {
  try {
    return EXTERNAL_PROTOCOLS.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** Desktop notifications for our own page; nothing else (camera, location, clipboard…) for anyone. */
export function allowPermission(permission: string, requestingUrl: string): boolean {
  return permission === 'notifications' && isAppOrigin(requestingUrl);
}
