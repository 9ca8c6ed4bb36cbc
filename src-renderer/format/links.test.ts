import { describe, expect, it } from 'vitest';
import { linkMismatch, shownHost } from './links.ts';

describe('links whose text names another host', () => {
  it('finds the host a text shows', () => {
    expect(shownHost('https://www.bank.example.com/login')).toBe('www.bank.example.com');
    expect(shownHost('bank.example.com/login')).toBe('bank.example.com');
    expect(shownHost('Read the full report')).toBeUndefined();
    expect(shownHost('3.5')).toBeUndefined();
  });

  it('warns only when the text shows one host and the link goes to another', () => {
    expect(linkMismatch('https://www.bank.example.com/login', 'https://evil.example.net/login')).toEqual({ shown: 'www.bank.example.com', target: 'evil.example.net' });
    expect(linkMismatch('www.example.com', 'https://example.com/')).toBeUndefined();
    expect(linkMismatch('full report', 'https://evil.example.net/')).toBeUndefined();
    expect(linkMismatch('https://bank.example.com', 'https://bank.example.com.evil.example.net/')).toEqual({ shown: 'bank.example.com', target: 'bank.example.com.evil.example.net' });
  });
});
