/**
 * Who an answer goes to, what its subject says and which thread it belongs to (RFC 5322 §3.6.4),
 * from the original's headers. Pure, so every rule is a unit test: Re:/Fwd: once, recipients once
 * each, my own addresses never in Reply all, Reply-To believed.
 */
export interface Mailbox {
  name: string;
  address: string;
}

export interface OriginalHeaders {
  from: Mailbox[];
  replyTo: Mailbox[];
  to: Mailbox[];
  cc: Mailbox[];
  subject: string;
  messageId?: string;
  references: string[];
  inReplyTo?: string;
  date?: Date;
}

/** Prefixes clients put in front of answers, in the languages Thunderbird knows best, with an optional [2]. */
const ANSWER_PREFIX = /^\s*(?:re|aw|sv|vs|antw|odp|ref|res|r)(?:\[\d+\])?\s*:\s*/i;
const FORWARD_PREFIX = /^\s*(?:fwd?|wg|tr|rv|enc|i)(?:\[\d+\])?\s*:\s*/i;

/** "Re: " once: however many answer prefixes the original carries, the answer has one. */
export function replySubject(subject: string): string {
  let rest = subject.trim();
  while (ANSWER_PREFIX.test(rest)) rest = rest.replace(ANSWER_PREFIX, '');
  return `Re: ${rest}`.trimEnd();
}

/** "Fwd: " once: a forward of a forward is not "Fwd: Fwd:". */
export function forwardSubject(subject: string): string {
  let rest = subject.trim();
  while (FORWARD_PREFIX.test(rest)) rest = rest.replace(FORWARD_PREFIX, '');
  return `Fwd: ${rest}`.trimEnd();
}

export function formatMailbox(mailbox: Mailbox): string {
  if (!mailbox.name || mailbox.name === mailbox.address) return mailbox.address;
  // A name with specials goes in quotes, as RFC 5322's display-name wants.
  const name = /[()<>[\]:;@\\,."]/.test(mailbox.name) ? `"${mailbox.name.replace(/(["\\])/g, '\\$1')}"` : mailbox.name;
  return `${name} <${mailbox.address}>`;
}

const key = (address: string) => address.trim().toLowerCase();

/** Each address once (the first spelling kept), none of `except`. */
export function uniqueMailboxes(lists: Mailbox[][], except: ReadonlySet<string>): Mailbox[] {
  const seen = new Set(except);
  const result: Mailbox[] = [];
  for (const list of lists) {
    for (const mailbox of list) {
      const k = key(mailbox.address);
      if (k === '' || seen.has(k)) continue;
      seen.add(k);
      result.push(mailbox);
    }
  }
  return result;
}

/**
 * Reply: the Reply-To, else the sender; answering one's own message goes to its recipients instead.
 * Reply all adds the original's To and Cc, without my own addresses and without anyone twice.
 */
export function replyRecipients(original: OriginalHeaders, all: boolean, mine: readonly string[]): { to: Mailbox[]; cc: Mailbox[] } {
  const me = new Set(mine.map(key));
  const fromMe = original.from.length > 0 && original.from.every((m) => me.has(key(m.address)));
  const primary = fromMe ? original.to : original.replyTo.length > 0 ? original.replyTo : original.from;
  const to = uniqueMailboxes([primary, all ? original.to : []], me);
  if (!all) return { to: to.length > 0 ? to : uniqueMailboxes([primary], new Set()), cc: [] };
  const cc = uniqueMailboxes([original.cc], new Set([...me, ...to.map((m) => key(m.address))]));
  return { to, cc };
}

/** RFC 5322 §3.6.4: the parent's References (or its In-Reply-To) followed by its Message-ID. */
export function threadOf(original: OriginalHeaders): { messageId: string; references: string[] } | undefined {
  if (!original.messageId) return undefined;
  const parents = original.references.length > 0 ? original.references : original.inReplyTo ? [original.inReplyTo] : [];
  const references = [...new Set([...parents, original.messageId])];
  // Very long threads keep the first and the most recent ids, as RFC 5322 allows trimming.
  const trimmed = references.length > 20 ? [references[0]!, ...references.slice(-19)] : references;
  return { messageId: original.messageId, references: trimmed };
}

/** "> " before every line, as plain-text mail has quoted since RFC 1036. */
export function quoteLines(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\n+$/, '')
    .split('\n')
    .map((line) => (line.startsWith('>') ? `>${line}` : line === '' ? '>' : `> ${line}`))
    .join('\n');
}

export function replyQuote(original: OriginalHeaders, body: string): string {
  const who = original.from[0] ? formatMailbox(original.from[0]) : 'someone';
  const when = original.date ? `On ${original.date.toUTCString()}, ` : '';
  return `${when}${who} wrote:\n${quoteLines(body)}`;
}

export function forwardQuote(original: OriginalHeaders, body: string): string {
  const lines = ['---------- Forwarded message ----------', `From: ${original.from.map(formatMailbox).join(', ')}`];
  if (original.date) lines.push(`Date: ${original.date.toUTCString()}`);
  lines.push(`Subject: ${original.subject}`);
  if (original.to.length > 0) lines.push(`To: ${original.to.map(formatMailbox).join(', ')}`);
  if (original.cc.length > 0) lines.push(`Cc: ${original.cc.map(formatMailbox).join(', ')}`);
  return `${lines.join('\n')}\n\n${body.replace(/\r\n?/g, '\n').replace(/\n+$/, '')}`;
}
