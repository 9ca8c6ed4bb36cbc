import { describe, expect, it } from 'vitest';
import { plainMailContent } from './plain-mail.ts';

describe('plain-text mail', () => {
  it('keeps line breaks, links web and mail addresses, and nests quotes', () => {
    const nodes = plainMailContent('Hi,\nsee https://plans.example.test/a?b=1 or www.example.com,\nwrite to office@example.com.\n> quoted\n> > deeper\n> back\nBye');
    expect(nodes).toEqual([
      'Hi,\nsee ',
      { tag: 'a', href: 'https://plans.example.test/a?b=1', children: ['https://plans.example.test/a?b=1'] },
      ' or ',
      { tag: 'a', href: 'http://www.example.com', children: ['www.example.com'] },
      ',\nwrite to ',
      { tag: 'a', href: 'mailto:office@example.com', children: ['office@example.com'] },
      '.\n',
      {
        tag: 'blockquote',
        children: ['quoted\n', { tag: 'blockquote', children: ['deeper'] }, 'back'],
      },
      'Bye',
    ]);
  });

  it('links nothing but web and mail addresses', () => {
    const nodes = plainMailContent('javascript:alert(1) ftp://files.example.test/x file:///etc/passwd');
    const links = nodes.filter((n) => typeof n !== 'string');
    for (const link of links) expect(link.href).toMatch(/^(https?:|mailto:)/);
  });
});
