/**
 * Look-alike sender addresses, in the spirit of Unicode's security mechanisms (UTS #39): a domain
 * spelt with letters that imitate other letters ("pаypal.com" with a Cyrillic а), or mixing
 * alphabets inside one name, is marked so the window can warn before the reader trusts it.
 *
 * The confusable data is `unhomoglyph`, Unicode's own confusables.txt as a map (matrix-js-sdk
 * uses it to tell look-alike display names apart). `confusables` was the other candidate; it
 * maps text to "English" for profanity filters, strips every accent, and would mark münchen.de.
 */
import { domainToUnicode } from 'node:url';
import unhomoglyph from 'unhomoglyph';
import type { SenderWarning } from '../../src-shared/domain.ts';

/**
 * Domains phishing imitates most. A domain in plain ASCII is only compared with these (and their
 * subdomains): "paypa1.com" and "rnicrosoft.com" look like them, while any ASCII name may well be
 * someone's real one. Non-ASCII look-alikes need no list (below).
 */
const OFTEN_IMITATED = [
  'paypal.com', 'apple.com', 'icloud.com', 'google.com', 'gmail.com', 'microsoft.com', 'outlook.com', 'office.com',
  'live.com', 'amazon.com', 'facebook.com', 'instagram.com', 'whatsapp.com', 'linkedin.com', 'netflix.com',
  'dropbox.com', 'docusign.com', 'github.com', 'yahoo.com', 'ebay.com', 'adobe.com', 'chase.com',
  'wellsfargo.com', 'bankofamerica.com', 'dhl.com', 'fedex.com', 'ups.com', 'usps.com', 'irs.gov',
  'coinbase.com', 'binance.com', 'steampowered.com', 'twitter.com',
];
const IMITATED_SKELETONS = new Map(OFTEN_IMITATED.map((domain) => [skeleton(domain), domain]));

/**
 * Scripts that are written together: Japanese mixes Han, Hiragana and Katakana, Korean Han and
 * Hangul, Chinese Han and Bopomofo, each also beside Latin (UTS #39's "highly restrictive" sets).
 */
const SCRIPT_SETS: readonly (readonly string[])[] = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Hangul'],
  ['Latin', 'Han', 'Bopomofo'],
];
const SCRIPTS = [
  'Latin', 'Greek', 'Cyrillic', 'Armenian', 'Hebrew', 'Arabic', 'Devanagari', 'Bengali', 'Thai', 'Georgian', 'Cherokee',
  'Han', 'Hiragana', 'Katakana', 'Hangul', 'Bopomofo', 'Ethiopic', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Gujarati',
  'Gurmukhi', 'Oriya', 'Sinhala', 'Khmer', 'Lao', 'Myanmar', 'Tibetan', 'Mongolian', 'Canadian_Aboriginal', 'Coptic',
].map((name) => ({ name, pattern: new RegExp(`\\p{Script=${name}}`, 'u') }));

/** The warning for a sender's address (`someone@domain`), or undefined when its domain reads as what it is. */
export function senderWarning(address: string | undefined): SenderWarning | undefined {
  const at = address?.lastIndexOf('@') ?? -1;
  if (!address || at < 0) return undefined;
  const raw = address.slice(at + 1).trim().replace(/>$/, '').toLowerCase();
  if (raw === '' || raw.length > 253) return undefined;
  if (checked.has(raw)) return checked.get(raw);
  // The confusables map is one large regular expression (about 28 µs a domain): a mailbox has few
  // distinct domains, so each is checked once; the bound keeps a hostile stream of them from growing it.
  if (checked.size >= CHECKED_DOMAINS) checked.clear();
  const warning = domainWarning(raw);
  checked.set(raw, warning);
  return warning;
}

const CHECKED_DOMAINS = 4_096;
const checked = new Map<string, SenderWarning | undefined>();

function domainWarning(raw: string): SenderWarning | undefined {
  // An address may arrive as punycode ("xn--pypal-4ve.com"); the reader would see its letters.
  const domain = raw.includes('xn--') ? domainToUnicode(raw) || raw : raw;
  const imitated = imitatedDomain(domain);
  if (imitated) return { kind: 'looks-like', domain, imitates: imitated };
  if (domain.split('.').some(mixesScripts)) return { kind: 'mixed-script', domain };
  return undefined;
}

/** The ASCII domain this one passes for, if it is not that domain. */
function imitatedDomain(domain: string): string | undefined {
  if (isAscii(domain)) {
    const target = skeleton(domain);
    for (const [imitatedSkeleton, imitated] of IMITATED_SKELETONS) {
      const same = target === imitatedSkeleton || target.endsWith(`.${imitatedSkeleton}`);
      if (same && domain !== imitated && !domain.endsWith(`.${imitated}`)) return imitated;
    }
    return undefined;
  }
  // Every letter either ASCII or drawn like one: the whole name is a disguise of an ASCII name.
  let readable = '';
  for (const ch of domain) {
    if (isAscii(ch)) {
      readable += ch;
      continue;
    }
    const prototype = skeleton(ch).toLowerCase();
    if (!isAscii(prototype)) return undefined;
    readable += prototype;
  }
  return readable;
}

function mixesScripts(label: string): boolean {
  const used = new Set<string>();
  for (const ch of label) {
    const script = SCRIPTS.find((s) => s.pattern.test(ch));
    if (script) used.add(script.name);
  }
  if (used.size <= 1) return false;
  return !SCRIPT_SETS.some((set) => [...used].every((name) => set.includes(name)));
}

/** UTS #39's skeleton: decomposed, each character mapped to its prototype, decomposed again. */
export function skeleton(text: string): string {
  return unhomoglyph(text.normalize('NFD')).normalize('NFD');
}

function isAscii(text: string): boolean {
  return /^[\p{ASCII}]*$/u.test(text);
}
