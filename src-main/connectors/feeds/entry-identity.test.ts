import { describe, expect, it } from 'vitest';
import { entryKey, normalizeIdentity } from './entry-identity.ts';

const entry = (fields: { guid?: string; link?: string; title?: string; published?: number }) => ({ title: '', ...fields });

describe('entryKey', () => {
  it('is the same when a guid moves from http to https, gains a slash or tracking parameters', () => {
    const base = entryKey(entry({ guid: 'http://status.example.com/incidents/42' }));
    expect(entryKey(entry({ guid: 'https://status.example.com/incidents/42/' }))).toBe(base);
    expect(entryKey(entry({ guid: 'https://Status.Example.com:443/incidents/42?utm_source=rss&utm_medium=feed' }))).toBe(base);
    expect(entryKey(entry({ guid: 'https://status.example.com/incidents/42#details' }))).toBe(base);
  });

  it('keeps different pages and non-URL guids apart', () => {
    expect(entryKey(entry({ guid: 'https://x.test/a?id=1' }))).not.toBe(entryKey(entry({ guid: 'https://x.test/a?id=2' })));
    expect(entryKey(entry({ guid: 'tag:github.com,2008:Repository/1/v1.0' }))).not.toBe(
      entryKey(entry({ guid: 'tag:github.com,2008:Repository/1/v1.1' })),
    );
  });

  it('prefers the guid, then the link, then title and date', () => {
    const byGuid = entryKey(entry({ guid: 'urn:uuid:1', link: 'https://x.test/1' }));
    expect(byGuid).toBe(entryKey(entry({ guid: 'urn:uuid:1', link: 'https://x.test/other' })));
    const byLink = entryKey(entry({ link: 'http://x.test/1/?utm_campaign=a' }));
    expect(byLink).toBe(entryKey(entry({ link: 'https://x.test/1' })));
    const byTitle = entryKey(entry({ title: 'Deploy finished', published: 1000 }));
    expect(byTitle).toBe(entryKey(entry({ title: ' Deploy finished ', published: 1000 })));
    expect(byTitle).not.toBe(entryKey(entry({ title: 'Deploy finished', published: 2000 })));
  });
});

describe('normalizeIdentity', () => {
  it('leaves strings that are not http URLs alone', () => {
    expect(normalizeIdentity('urn:uuid:1225c695')).toBe('urn:uuid:1225c695');
    expect(normalizeIdentity('12345')).toBe('12345');
  });
});
