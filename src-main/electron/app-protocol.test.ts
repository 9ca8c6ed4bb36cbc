import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempProfile } from '../../tests/support/profile.ts';
import { APP_INDEX_URL, isAppOrigin, isAppPage, resolveAppRequest } from './app-protocol.ts';

// A built renderer folder, and a secret beside it that no request may reach.
const dir = tempProfile('gs-app-protocol-');
const root = join(dir.dir, 'renderer');
mkdirSync(join(root, 'assets'), { recursive: true });
writeFileSync(join(root, 'index.html'), '<!doctype html>');
writeFileSync(join(root, 'assets', 'index-abc.js'), 'export {}');
writeFileSync(join(root, 'assets', 'index-abc.css'), 'body{}');
writeFileSync(join(root, 'assets', 'logo.svg'), '<svg/>');
writeFileSync(join(root, 'assets', 'notes.txt'), 'not part of the app');
writeFileSync(join(dir.dir, 'secret.json'), '{"token":"x"}');
afterAll(() => dir.remove());

describe('app:// requests', () => {
  it('serves the page and its assets with their content types', () => {
    expect(resolveAppRequest(root, APP_INDEX_URL)).toEqual({ ok: true, file: join(root, 'index.html'), contentType: 'text/html; charset=utf-8' });
    expect(resolveAppRequest(root, 'app://groundswell/')).toMatchObject({ ok: true, file: join(root, 'index.html') });
    expect(resolveAppRequest(root, 'app://groundswell/assets/index-abc.js')).toMatchObject({ ok: true, contentType: 'text/javascript; charset=utf-8' });
    expect(resolveAppRequest(root, 'app://groundswell/assets/index-abc.css')).toMatchObject({ ok: true, contentType: 'text/css; charset=utf-8' });
    expect(resolveAppRequest(root, 'app://groundswell/assets/logo.svg?v=2')).toMatchObject({ ok: true, contentType: 'image/svg+xml' });
    expect(resolveAppRequest(root, 'app://groundswell/assets/logo.svg', 'HEAD')).toMatchObject({ ok: true });
  });

  it('refuses every way out of the renderer folder', () => {
    for (const url of [
      'app://groundswell/../secret.json',
      'app://groundswell/%2e%2e/secret.json',
      'app://groundswell/assets/..%2F..%2Fsecret.json',
      'app://groundswell/assets/..%5C..%5Csecret.json',
      'app://groundswell/%2E%2E%2Fsecret.json',
      `app://groundswell/${encodeURIComponent(join(dir.dir, 'secret.json'))}`,
      'app://groundswell/index.html%00.js',
    ]) {
      expect(resolveAppRequest(root, url), url).toMatchObject({ ok: false });
    }
  });

  it('answers 404 for unknown files, folders, other hosts and unknown kinds of file', () => {
    expect(resolveAppRequest(root, 'app://groundswell/missing.js')).toEqual({ ok: false, status: 404, message: 'Not found.' });
    expect(resolveAppRequest(root, 'app://groundswell/assets')).toMatchObject({ ok: false, status: 404 });
    expect(resolveAppRequest(root, 'app://elsewhere/index.html')).toMatchObject({ ok: false, status: 404 });
    expect(resolveAppRequest(root, 'app://groundswell/assets/notes.txt')).toMatchObject({ ok: false, status: 404 });
    expect(resolveAppRequest(root, 'app://groundswell/%E0%A4%A')).toMatchObject({ ok: false, status: 400 });
    expect(resolveAppRequest(root, APP_INDEX_URL, 'POST')).toMatchObject({ ok: false, status: 405 });
  });

  it('knows its own page and origin', () => {
    expect(isAppPage(APP_INDEX_URL)).toBe(true);
    expect(isAppPage(`${APP_INDEX_URL}#inbox`)).toBe(true);
    expect(isAppPage('app://groundswell/assets/index-abc.js')).toBe(false);
    expect(isAppPage(`${APP_INDEX_URL}?x=1`)).toBe(false);
    expect(isAppPage('file:///app/dist/renderer/index.html')).toBe(false);
    expect(isAppPage('https://groundswell/index.html')).toBe(false);
    expect(isAppOrigin('app://groundswell')).toBe(true);
    expect(isAppOrigin('app://groundswell.evil.example/')).toBe(false);
    expect(isAppOrigin('not a url')).toBe(false);
  });
});
