import { describe, expect, it } from 'vitest';
import { FeedFetchError, fetchFeed, parseRetryAfter } from './http-fetch.ts';

const NOW = Date.parse('2024-05-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
  });

  it('reads the three HTTP-date forms as UTC', () => {
    expect(parseRetryAfter('Wed, 01 May 2024 12:05:00 GMT', NOW)).toBe(300_000);
    expect(parseRetryAfter('Wednesday, 01-May-24 12:01:00 GMT', NOW)).toBe(60_000);
    expect(parseRetryAfter('Wed May  1 12:00:30 2024', NOW)).toBe(30_000);
  });

  it('treats a date in the past as now', () => {
    expect(parseRetryAfter('Tue, 30 Apr 2024 12:00:00 GMT', NOW)).toBe(0);
  });

  it('caps the wait at 24 hours', () => {
    expect(parseRetryAfter('999999999', NOW)).toBe(86_400_000);
    expect(parseRetryAfter('Fri, 01 Jan 2100 00:00:00 GMT', NOW)).toBe(86_400_000);
  });

  it('ignores anything else', () => {
    for (const garbage of [undefined, '', 'soon', '1.5', '-5', '120s', 'Mon, 99 Foo 2024 nonsense']) {
      expect(parseRetryAfter(garbage, NOW), String(garbage)).toBeUndefined();
    }
  });
});

/** Rejects before any socket is opened, so these need no server. */
async function refusal(request: Parameters<typeof fetchFeed>[0]): Promise<FeedFetchError> {
  const error: unknown = await fetchFeed(request).then(
    () => new Error('expected a refusal'),
    (e: unknown) => e,
  );
  if (!(error instanceof FeedFetchError)) throw error;
  return error;
}

const userAgent = 'Groundswell-test/1';

describe('fetchFeed refuses before connecting', () => {
  it('only fetches http and https addresses', async () => {
    for (const url of ['ftp://example.com/feed.xml', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', '']) {
      const error = await refusal({ url, userAgent });
      expect(error.code, url).toBe('bad-url');
    }
  });

  it('keeps userinfo of an address that does not parse out of the message', async () => {
    const error = await refusal({ url: 'http://al ice:s3cret@exa mple.com/feed', userAgent });
    expect(error.code).toBe('bad-url');
    expect(error.message).not.toContain('s3cret');
  });

  it('never sends an Authorization header over plain http to another machine', async () => {
    const error = await refusal({ url: 'http://example.com/feed.xml', userAgent, authorization: 'Bearer tok-123456' });
    expect(error.code).toBe('insecure-credentials');
    expect(error.message).toMatch(/https/);
    expect(error.message).not.toContain('tok-123456');
  });

  it('treats credentials in the address as credentials', async () => {
    const error = await refusal({ url: 'http://alice:s3cret@example.com/feed.xml', userAgent });
    expect(error.code).toBe('insecure-credentials');
    expect(error.message).toContain('example.com');
    expect(error.message).not.toContain('s3cret');
    expect(error.message).not.toContain('alice');
  });

  it('rejects as aborted when the signal already fired', async () => {
    const error = await refusal({ url: 'http://127.0.0.1:9/feed', userAgent, signal: AbortSignal.abort() });
    expect(error.code).toBe('aborted');
  });
});
