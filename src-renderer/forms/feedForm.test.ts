import { describe, expect, it } from 'vitest';
import { checkFeedForm, emptyFeedForm, feedFieldOf, splitKeywords } from './feedForm.ts';

describe('checkFeedForm', () => {
  it('turns a bare host into an https address and minutes into seconds', () => {
    const result = checkFeedForm({ ...emptyFeedForm(), url: 'status.example.com/feed', intervalMinutes: '5', keywords: 'outage, degraded,, outage' });
    expect(result).toEqual({
      ok: true,
      input: { url: 'https://status.example.com/feed', displayName: '', intervalSeconds: 300, folder: '', alertLevel: 'badge', keywords: ['outage', 'degraded'] },
    });
  });

  it('names every field that is wrong', () => {
    const result = checkFeedForm({ ...emptyFeedForm(), url: 'ftp://x.test/feed', intervalMinutes: '0.5', auth: 'basic' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['intervalMinutes', 'password', 'url', 'username']);
  });

  it('refuses credentials over plain http except to this computer', () => {
    const remote = checkFeedForm({ ...emptyFeedForm(), url: 'http://ci.example.com/rss', auth: 'bearer', token: 't0k' });
    expect(remote.ok).toBe(false);
    const local = checkFeedForm({ ...emptyFeedForm(), url: 'http://127.0.0.1:8080/rss', auth: 'bearer', token: ' t0k ' });
    expect(local).toMatchObject({ ok: true, input: { credentials: { kind: 'bearer', token: 't0k' } } });
  });
});

describe('helpers', () => {
  it('splits keywords and maps hub fields', () => {
    expect(splitKeywords(' a , b,a,')).toEqual(['a', 'b']);
    expect(feedFieldOf('intervalSeconds')).toBe('intervalMinutes');
    expect(feedFieldOf('opml')).toBeUndefined();
  });
});
