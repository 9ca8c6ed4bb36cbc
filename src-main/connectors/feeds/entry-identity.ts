/**
 * Which stored item a feed entry is. Feeds re-send the same entries on every poll, sometimes
 * edited, sometimes with their guids rewritten (http:// becoming https://, a trailing slash, a
 * tracking parameter), and a reader that trusted the raw strings would show duplicates. The key is:
 * the guid, normalized when it is a URL; else the normalized link; else a hash of title and date.
 */
import { createHash } from 'node:crypto';
import type { ParsedEntry } from './parsed-feed.ts';

/** The externalId of an entry: short, stable, and the same for every spelling of one entry. */
export function entryKey(entry: Pick<ParsedEntry, 'guid' | 'link' | 'title' | 'published' | 'updated'>): string {
  const guid = entry.guid?.trim();
  if (guid) return hashed('g', normalizeIdentity(guid));
  const link = entry.link?.trim();
  if (link) return hashed('l', normalizeIdentity(link));
  return hashed('t', `${entry.title.trim()}\n${entry.published ?? entry.updated ?? ''}`);
}

/**
 * A URL loses what does not change which page it names: the scheme (http vs https), a `www.`-free
 * host case, default ports, a trailing slash, a fragment and `utm_*` parameters. Other strings are
 * only trimmed.
 */
export function normalizeIdentity(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return value;
  for (const name of [...url.searchParams.keys()]) {
    if (name.toLowerCase().startsWith('utm_')) url.searchParams.delete(name);
  }
  const search = url.searchParams.toString();
  const port = url.port === '' || url.port === '80' || url.port === '443' ? '' : `:${url.port}`;
  const path = url.pathname.replace(/\/+$/, '');
  return `//${url.hostname.toLowerCase()}${port}${path}${search ? `?${search}` : ''}`;
}

function hashed(kind: string, text: string): string {
  return `${kind}${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
}
