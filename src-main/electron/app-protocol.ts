/**
 * The window loads the built renderer from app://groundswell/, a privileged scheme of our own,
 * instead of file://: the page gets a real origin (which the IPC sender check and the permission
 * handlers compare against), and it can read only what is in the renderer folder.
 * Plain Node on purpose: main.ts passes each request's URL in and turns the answer into a Response.
 */
import { statSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'groundswell';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export type AppFile =
  | { ok: true; file: string; contentType: string }
  | { ok: false; status: 400 | 404 | 405; message: string };

/** True for a URL on our origin (any path): what permission checks compare against. */
export function isAppOrigin(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** True only for the app's own page, the one the window loads: nothing else may call the hub. */
export function isAppPage(url: string): boolean {
  try {
    const parsed = new URL(url);
    return isAppOrigin(url) && parsed.pathname === '/index.html' && parsed.search === '';
  } catch {
    return false;
  }
}

/** Maps a request to a file inside `rootDir`, refusing everything that would leave it. */
export function resolveAppRequest(rootDir: string, url: string, method = 'GET'): AppFile {
  if (method !== 'GET' && method !== 'HEAD') return { ok: false, status: 405, message: 'Only GET and HEAD are served.' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, status: 400, message: 'Not a URL.' };
  }
  if (!isAppOrigin(url)) return { ok: false, status: 404, message: 'Not found.' };
  let path: string;
  try {
    // Encoded separators and dots (%2F, %5C, %2E) are decoded here, then the result must still be inside.
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return { ok: false, status: 400, message: 'Bad path.' };
  }
  if (path.includes('\0')) return { ok: false, status: 400, message: 'Bad path.' };
  if (path === '/' || path === '') path = '/index.html';
  const root = resolve(rootDir);
  const file = resolve(root, `.${path.replace(/\\/g, '/')}`);
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return { ok: false, status: 404, message: 'Not found.' };
  const contentType = CONTENT_TYPES[extname(file).toLowerCase()];
  if (contentType === undefined) return { ok: false, status: 404, message: 'Not found.' };
  try {
    if (!statSync(file).isFile()) return { ok: false, status: 404, message: 'Not found.' };
  } catch {
    return { ok: false, status: 404, message: 'Not found.' };
  }
  return { ok: true, file, contentType };
}
