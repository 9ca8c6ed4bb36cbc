import { describe, expect, it } from 'vitest';
import { frameDocument } from './mail-frame.ts';

const policyOf = (doc: string) => /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(doc)?.[1] ?? '';

describe("an HTML mail's frame document", () => {
  it('lets in nothing but inline styles and data: images before Show images', () => {
    const policy = policyOf(frameDocument('<p>x</p>', false));
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain('img-src data:;');
    expect(policy).not.toMatch(/script-src|https?:/);
  });

  it('adds web images, and only images, after Show images', () => {
    const policy = policyOf(frameDocument('<p>x</p>', true));
    expect(policy).toContain('img-src data: https: http:;');
    expect(policy.replace(/img-src [^;]*;/, '')).not.toMatch(/https?:/);
  });

  it('puts the policy before anything of the mail', () => {
    const doc = frameDocument('<img src="data:image/png;base64,AA">', false);
    expect(doc.indexOf('Content-Security-Policy')).toBeLessThan(doc.indexOf('<body>'));
  });
});
