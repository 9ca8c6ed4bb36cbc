import { describe, expect, it } from 'vitest';
import { saveDialogFor, windowOpenAction } from './downloads.ts';
import { opensInBrowser } from './window-policy.ts';

describe('saving attachments from the window', () => {
  it('starts in the Downloads folder under a name that cannot leave it', () => {
    expect(saveDialogFor('report.pdf', '/home/a/Downloads').defaultPath).toBe('/home/a/Downloads/report.pdf');
    expect(saveDialogFor('../../.bashrc', '/home/a/Downloads').defaultPath).toBe('/home/a/Downloads/_.._.bashrc');
    expect(saveDialogFor('', '/home/a/Downloads').defaultPath).toBe('/home/a/Downloads/attachment');
  });

  it('sends links to the browser, saves our own blobs, and opens nothing else', () => {
    expect(windowOpenAction('https://example.com/', opensInBrowser)).toBe('browser');
    expect(windowOpenAction('blob:app://groundswell/5f0c', opensInBrowser)).toBe('download');
    expect(windowOpenAction('blob:https://evil.example/5f0c', opensInBrowser)).toBe('deny');
    expect(windowOpenAction('javascript:alert(1)', opensInBrowser)).toBe('deny');
    expect(windowOpenAction('file:///etc/passwd', opensInBrowser)).toBe('deny');
  });
});
