import { describe, expect, it } from 'vitest';
import { hasAttachments } from './message-structure.ts';

describe('hasAttachments', () => {
  it.each([
    ['plain text', { type: 'text/plain' }, false],
    ['alternative text and html', { type: 'multipart/alternative', childNodes: [{ type: 'text/plain' }, { type: 'text/html' }] }, false],
    [
      'a PDF attachment',
      { type: 'multipart/mixed', childNodes: [{ type: 'text/plain' }, { type: 'application/pdf', disposition: 'attachment', dispositionParameters: { filename: 'a.pdf' } }] },
      true,
    ],
    ['a named image without disposition', { type: 'multipart/mixed', childNodes: [{ type: 'text/plain' }, { type: 'image/png', parameters: { name: 'photo.png' } }] }, true],
    [
      // The HTML cannot show an image it has no Content-ID for, so the pane lists it with the attachments.
      'an inline image in related html without a Content-ID',
      { type: 'multipart/related', childNodes: [{ type: 'text/html' }, { type: 'image/png', disposition: 'inline' }] },
      true,
    ],
    [
      'an inline logo the html names by Content-ID',
      { type: 'multipart/related', childNodes: [{ type: 'text/html' }, { type: 'image/png', disposition: 'inline', id: '<logo@x>' }] },
      false,
    ],
    ['a text file marked attachment', { type: 'multipart/mixed', childNodes: [{ type: 'text/plain' }, { type: 'TEXT/PLAIN', disposition: 'ATTACHMENT' }] }, true],
    ['a forwarded message', { type: 'multipart/mixed', childNodes: [{ type: 'text/plain' }, { type: 'message/rfc822' }] }, true],
  ])('%s', (_name, structure, expected) => {
    expect(hasAttachments(structure)).toBe(expected);
  });

  it('stops at a hostile depth', () => {
    let part = { type: 'application/pdf', disposition: 'attachment' } as Parameters<typeof hasAttachments>[0] & object;
    for (let i = 0; i < 10_000; i++) part = { type: 'multipart/mixed', childNodes: [part] };
    expect(hasAttachments(part)).toBe(false);
    expect(hasAttachments(undefined)).toBe(false);
  });
});
