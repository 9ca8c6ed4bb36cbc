import { describe, expect, it } from 'vitest';
import { parseFeedDate } from './feed-dates.ts';

const at = (iso: string) => Date.parse(iso);

describe('parseFeedDate', () => {
  it('reads RFC 822 and RFC 1123 dates', () => {
    expect(parseFeedDate('Mon, 20 May 2024 09:14:07 +0000')).toBe(at('2024-05-20T09:14:07Z'));
    expect(parseFeedDate('Tue, 21 May 2024 18:22:04 -0700')).toBe(at('2024-05-22T01:22:04Z'));
    expect(parseFeedDate('Sun, 19 May 2002 15:21:36 GMT')).toBe(at('2002-05-19T15:21:36Z'));
  });

  it('ignores a missing or wrong weekday', () => {
    expect(parseFeedDate('20 May 2024 09:14:07 +0000')).toBe(at('2024-05-20T09:14:07Z'));
    expect(parseFeedDate('Fri, 20 May 2024 09:14:07 +0000')).toBe(at('2024-05-20T09:14:07Z'));
    expect(parseFeedDate('Thurs, 20 May 2024 09:14:07 +0000')).toBe(at('2024-05-20T09:14:07Z'));
  });

  it('accepts single digits, missing seconds and no time at all', () => {
    expect(parseFeedDate('Mon, 3 Jun 2024 7:5:9 +0000')).toBe(at('2024-06-03T07:05:09Z'));
    expect(parseFeedDate('Mon, 03 Jun 2024 07:05 +0000')).toBe(at('2024-06-03T07:05:00Z'));
    expect(parseFeedDate('03 Jun 2024')).toBe(at('2024-06-03T00:00:00Z'));
  });

  it('reads two- and three-digit years by the RFC 2822 rules', () => {
    expect(parseFeedDate('Mon, 03 Jun 24 07:05:00 GMT')).toBe(at('2024-06-03T07:05:00Z'));
    expect(parseFeedDate('Thu, 03 Jun 99 07:05:00 GMT')).toBe(at('1999-06-03T07:05:00Z'));
    expect(parseFeedDate('Thu, 03 Jun 104 07:05:00 GMT')).toBe(at('2004-06-03T07:05:00Z'));
  });

  it('reads every way of writing UTC', () => {
    for (const zone of ['-0000', '+0000', 'GMT', 'UT', 'UTC', 'Z', 'z', '+00:00']) {
      expect(parseFeedDate(`Mon, 20 May 2024 09:14:07 ${zone}`), zone).toBe(at('2024-05-20T09:14:07Z'));
    }
  });

  it('reads the named US zones', () => {
    const zones: Record<string, number> = { EST: -5, EDT: -4, CST: -6, CDT: -5, MST: -7, MDT: -6, PST: -8, PDT: -7, AKST: -9, AKDT: -8, HST: -10 };
    for (const [zone, hours] of Object.entries(zones)) {
      expect(parseFeedDate(`Mon, 20 May 2024 12:00:00 ${zone}`), zone).toBe(at('2024-05-20T12:00:00Z') - hours * 3_600_000);
    }
  });

  it('reads military zone letters as UTC, as RFC 2822 asks', () => {
    expect(parseFeedDate('Mon, 20 May 2024 12:00:00 A')).toBe(at('2024-05-20T12:00:00Z'));
    expect(parseFeedDate('Mon, 20 May 2024 12:00:00 Y')).toBe(at('2024-05-20T12:00:00Z'));
    expect(parseFeedDate('Mon, 20 May 2024 12:00:00 J')).toBeUndefined();
  });

  it('reads full month names, lowercase, extra commas and spaces, other orders and AM/PM', () => {
    expect(parseFeedDate('monday, 20 may 2024 09:14:07 gmt')).toBe(at('2024-05-20T09:14:07Z'));
    expect(parseFeedDate('Wednesday,  04  September  2024   10:00:00   +0200')).toBe(at('2024-09-04T08:00:00Z'));
    expect(parseFeedDate('Sept 4, 2024 3:30 PM EDT')).toBe(at('2024-09-04T19:30:00Z'));
    expect(parseFeedDate('Tue, 10 Jun 2003 04:00:00 GMT (Pacific Daylight Time)')).toBe(at('2003-06-10T04:00:00Z'));
    expect(parseFeedDate('Mon, 20 May 2024 09:14:07 GMT+02:00')).toBe(at('2024-05-20T07:14:07Z'));
  });

  it('reads a missing zone as UTC', () => {
    expect(parseFeedDate('Mon, 20 May 2024 09:14:07')).toBe(at('2024-05-20T09:14:07Z'));
    expect(parseFeedDate('2024-05-20T09:14:07')).toBe(at('2024-05-20T09:14:07Z'));
  });

  it('reads ISO 8601 and RFC 3339 dates', () => {
    expect(parseFeedDate('2024-05-21T18:40:00+00:00')).toBe(at('2024-05-21T18:40:00Z'));
    expect(parseFeedDate('2024-05-20T08:30:00-07:00')).toBe(at('2024-05-20T15:30:00Z'));
    expect(parseFeedDate('2024-05-20T08:30:00.123456Z')).toBe(at('2024-05-20T08:30:00.123Z'));
    expect(parseFeedDate('2024-05-20 08:30:00+0530')).toBe(at('2024-05-20T03:00:00Z'));
    expect(parseFeedDate('2024-05-20T08:30Z')).toBe(at('2024-05-20T08:30:00Z'));
    expect(parseFeedDate('2024-05-20')).toBe(at('2024-05-20T00:00:00Z'));
    expect(parseFeedDate('  2024-05-20T08:30:00Z\n')).toBe(at('2024-05-20T08:30:00Z'));
  });

  it('returns undefined for garbage, impossible dates and years out of range', () => {
    const garbage = [
      undefined, '', '   ', 'yesterday', 'not a date at all', '2024-13-01', '2024-02-30', '31 Feb 2024', 'Mon, 20 May 2024 25:00:00 GMT',
      'Mon, 20 May 2024 09:61:00 GMT', '1969-12-31T23:59:59Z', '2201-01-01', '01 Jan 1900', 'Mon, 20 Foo 2024 09:14:07 GMT',
      'Mon, 20 May 2024 09:14:07 +9900', '20 May', 'May 2024', '12345678', 'x'.repeat(10_000), '2024-05-20T08:30:00+25:00',
    ];
    for (const text of garbage) expect(parseFeedDate(text), String(text).slice(0, 40)).toBeUndefined();
  });
});
