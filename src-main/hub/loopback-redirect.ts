/**
 * The loopback redirect of a browser sign-in (RFC 8252 section 7.3): an HTTP listener on
 * 127.0.0.1 on a free port, for one sign-in, that waits for the browser to come back to its path.
 * The page the browser then shows says whether it worked, once the app has finished with it.
 */
import { createServer, type Server } from 'node:http';

export interface LoopbackRedirect {
  readonly redirectUri: string;
  /**
   * Calls `handle` with the first request to the redirect path; the browser's page shows what it
   * returns ('ok' or the reason it failed). Later requests are refused.
   */
  receive(handle: (callback: URL) => Promise<{ ok: true } | { ok: false; reason: string }>): void;
  close(): void;
}

/** The redirect a distribution registers with its providers: http://127.0.0.1/groundswell/callback (any port, RFC 8252 section 7.3). */
export const LOOPBACK_PATH = '/groundswell/callback';

const PAGE_STYLE = 'font: 16px system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    `<meta name="viewport" content="width=device-width"></head><body style="${PAGE_STYLE}"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p></body></html>`;
}

export async function openLoopbackRedirect(): Promise<LoopbackRedirect> {
  // One fixed path, as providers match a registered redirect's path (Microsoft ignores only the port);
  // a forged redirect is told apart by the sign-in's own state (OAuth2 state, SSO's gs_state).
  const path = LOOPBACK_PATH;
  let handler: ((callback: URL) => Promise<{ ok: true } | { ok: false; reason: string }>) | undefined;
  let used = false;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" };
    if (req.method !== 'GET' || url.pathname !== path || used || !handler) {
      res.writeHead(404, headers).end(page('Not found', 'This address only answers the sign-in Groundswell started.'));
      return;
    }
    used = true;
    const callback = new URL(`${redirectUri}${url.search}`);
    void handler(callback).then(
      (outcome) => {
        if (outcome.ok) res.writeHead(200, headers).end(page('Signed in', 'Groundswell has the sign-in. You can close this tab and return to Groundswell.'));
        else res.writeHead(400, headers).end(page('Sign-in did not finish', `${outcome.reason} Close this tab and try again in Groundswell.`));
        server.close();
      },
      () => {
        res.writeHead(500, headers).end(page('Sign-in did not finish', 'Something went wrong in Groundswell. Close this tab and try again.'));
        server.close();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the loopback listener has no port');
  const redirectUri = `http://127.0.0.1:${address.port}${path}`;
  return {
    redirectUri,
    receive(handle) {
      handler = handle;
    },
    close() {
      server.close();
      server.closeAllConnections();
    },
  };
}
