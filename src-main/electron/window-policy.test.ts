import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL } from './app-protocol.ts';
import { allowPermission, decideFrameNavigation, decideNavigation, opensInBrowser, WINDOW_CONTENT_SECURITY_POLICY } from './window-policy.ts';

describe('the window policy', () => {
  it('stays on its own page and sends web and mail links to the system browser', () => {
    expect(decideNavigation(APP_INDEX_URL)).toEqual({ allow: true });
    expect(decideNavigation('https://example.org/post')).toEqual({ allow: false, openInBrowser: 'https://example.org/post' });
    expect(decideNavigation('http://example.org/')).toEqual({ allow: false, openInBrowser: 'http://example.org/' });
    expect(decideNavigation('mailto:bob@example.org')).toEqual({ allow: false, openInBrowser: 'mailto:bob@example.org' });
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'app://groundswell/assets/index.js', 'app://other/index.html', 'smb://host/share', 'garbage']) {
      expect(decideNavigation(url), url).toEqual({ allow: false });
    }
  });

  it('grants notifications to our page and nothing else to anyone', () => {
    expect(allowPermission('notifications', 'app://groundswell')).toBe(true);
    expect(allowPermission('notifications', APP_INDEX_URL)).toBe(true);
    expect(allowPermission('notifications', 'https://example.org')).toBe(false);
    expect(allowPermission('media', 'app://groundswell')).toBe(false);
    expect(allowPermission('clipboard-read', 'app://groundswell')).toBe(false);
  });

  it('allows no form posts and no sockets to local services', () => {
    const directives = new Map(WINDOW_CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(WINDOW_CONTENT_SECURITY_POLICY).not.toMatch(/ws:|127\.0\.0\.1|localhost|unsafe-eval/);
    // Inline styles only, for an HTML mail's frame, which inherits this policy; never inline scripts.
    expect(directives.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(WINDOW_CONTENT_SECURITY_POLICY.match(/unsafe/g)).toHaveLength(1);
  });

  it("lets an HTML mail's frame load its own document and nothing else", () => {
    expect(decideFrameNavigation('about:srcdoc')).toEqual({ allow: true });
    expect(decideFrameNavigation('about:blank')).toEqual({ allow: false });
    expect(decideFrameNavigation('https://evil.example/')).toEqual({ allow: false, openInBrowser: 'https://evil.example/' });
    expect(decideFrameNavigation('javascript:alert(1)')).toEqual({ allow: false });
  });
});

describe('a sign-in page the window asks to open (OAuth2, single sign-on)', () => {
  it('goes to the system browser, never into the app; the blank tab a browser would reserve first does not', () => {
    expect(opensInBrowser('https://accounts.google.com/o/oauth2/v2/auth?client_id=x&redirect_uri=http%3A%2F%2F127.0.0.1%3A4711%2Fgroundswell%2Fcallback')).toBe(true);
    expect(opensInBrowser('https://matrix.example.org/_matrix/client/v3/login/sso/redirect/oidc?redirectUrl=x')).toBe(true);
    expect(opensInBrowser('about:blank')).toBe(false);
    expect(opensInBrowser('')).toBe(false);
    expect(decideNavigation('https://accounts.google.com/o/oauth2/v2/auth')).toEqual({ allow: false, openInBrowser: 'https://accounts.google.com/o/oauth2/v2/auth' });
  });
});
