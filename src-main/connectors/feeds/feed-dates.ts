/**
 * Feed dates as they are written, not as the specifications ask: RFC 822 with wrong weekdays,
 * single digits, two-digit years, named US zones and no zone at all, and ISO 8601 with or without
 * a zone. Anything else is no date (undefined), never an exception: an entry without a date still
 * reaches the inbox, an entry dated wrongly would sort wrongly for good.
 */

const MIN_YEAR = 1970;
const MAX_YEAR = 2200;
/** Longer text is not a date; the limit also keeps the token scan short. */
const MAX_LENGTH = 80;

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** Offsets in minutes east of UTC. */
const ZONES = new Map<string, number>([
  ['z', 0], ['ut', 0], ['utc', 0], ['gmt', 0],
  ['est', -300], ['edt', -240], ['cst', -360], ['cdt', -300], ['mst', -420], ['mdt', -360],
  ['pst', -480], ['pdt', -420], ['akst', -540], ['akdt', -480], ['hst', -600],
  ['wet', 0], ['west', 60], ['cet', 60], ['cest', 120], ['eet', 120], ['eest', 180], ['msk', 180], ['jst', 540],
]);

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(z|[+-]\d{2}(?::?\d{2})?)?$/i;
const TIME = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,]\d{1,9})?)?(z|[+-]\d{2}:?\d{2})?$/i;
const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;

export function parseFeedDate(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length > MAX_LENGTH) return undefined;
  const iso = ISO.exec(trimmed);
  if (iso) {
    const [, year, month, day, hour, minute, second, fraction, zone] = iso;
    return build({
      year: Number(year), month: Number(month), day: Number(day),
      hour: Number(hour ?? 0), minute: Number(minute ?? 0), second: Number(second ?? 0),
      ms: fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0,
      offset: zone ? zoneOffset(zone) : 0,
    });
  }
  return parseRfc822(trimmed);
}

interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  offset: number | undefined;
}

/** Token by token, so order and punctuation may vary ("Jan 2, 2006 3:04 PM EST" reads too). */
function parseRfc822(text: string): number | undefined {
  // A trailing comment such as "(Pacific Standard Time)" says nothing the zone does not.
  const tokens = text.replace(/\([^()]*\)/g, ' ').toLowerCase().replace(/,/g, ' ').split(/\s+/).filter(Boolean);
  let year: number | undefined;
  let month: number | undefined;
  let day: number | undefined;
  let time: RegExpExecArray | undefined;
  let offset = 0;
  let meridiem: 'am' | 'pm' | undefined;
  for (const token of tokens) {
    const timeMatch = TIME.exec(token);
    if (timeMatch && !time) {
      time = timeMatch;
      if (timeMatch[4]) offset = zoneOffset(timeMatch[4]) ?? 0;
    } else if (/^\d+$/.test(token)) {
      if (token.length <= 2 && day === undefined) day = Number(token);
      else if (year === undefined && token.length <= 4) year = fullYear(token);
      else return undefined;
    } else if (/^[a-z]+\.?$/.test(token)) {
      const word = token.replace('.', '');
      const monthIndex = word.length >= 3 ? MONTHS.findIndex((name) => name.startsWith(word)) : -1;
      if (monthIndex >= 0 && month === undefined) {
        month = monthIndex + 1;
      } else if (word.length >= 3 && WEEKDAYS.some((name) => name.startsWith(word))) {
        // The weekday is often wrong and never needed.
      } else if (word === 'am' || word === 'pm') {
        meridiem = word;
      } else if (ZONES.has(word)) {
        offset = ZONES.get(word)!;
      } else if (word.length === 1 && word !== 'j') {
        // A military zone letter: RFC 2822 reads them all as UTC because RFC 822 had their signs backwards.
        offset = 0;
      } else {
        return undefined;
      }
    } else if (OFFSET.test(token)) {
      offset = zoneOffset(token) ?? 0;
    } else if (/^(gmt|utc|ut)[+-]\d/.test(token)) {
      const sign = token.replace(/^[a-z]+/, '');
      const hours = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(sign);
      if (!hours) return undefined;
      offset = (hours[1] === '-' ? -1 : 1) * (Number(hours[2]) * 60 + Number(hours[3] ?? 0));
    } else {
      return undefined;
    }
  }
  if (year === undefined || month === undefined || day === undefined) return undefined;
  let hour = Number(time?.[1] ?? 0);
  if (meridiem) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  }
  return build({ year, month, day, hour, minute: Number(time?.[2] ?? 0), second: Number(time?.[3] ?? 0), ms: 0, offset });
}

/** RFC 2822: two digits are 1950–2049, three digits count from 1900. */
function fullYear(digits: string): number {
  const value = Number(digits);
  if (digits.length === 2) return value < 50 ? 2000 + value : 1900 + value;
  if (digits.length === 3) return 1900 + value;
  return value;
}

function zoneOffset(zone: string): number | undefined {
  const lower = zone.toLowerCase();
  if (ZONES.has(lower)) return ZONES.get(lower);
  const match = OFFSET.exec(zone) ?? /^([+-])(\d{2})()$/.exec(zone);
  if (!match) return undefined;
  const minutes = Number(match[2]) * 60 + Number(match[3] || 0);
  return match[1] === '-' ? -minutes : minutes;
}

function build(parts: DateParts): number | undefined {
  const { year, month, day, hour, minute, ms, offset } = parts;
  // A leap second becomes the second before it.
  const second = parts.second === 60 ? 59 : parts.second;
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (offset === undefined || Math.abs(offset) > 18 * 60) return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 31 February over into March; a feed that wrote it meant no real date.
  if (new Date(utc).getUTCDate() !== day) return undefined;
  return utc - offset * 60_000;
}
