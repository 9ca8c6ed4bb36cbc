/**
 * Realistic and hostile RFC 822 messages, and a second IMAP client that appends them. Each message
 * carries what the connector should show for it, so tests compare against the fixture, not a guess.
 */
import { ImapFlow } from 'imapflow';

export interface FixtureMessage {
  kind: string;
  raw: Buffer;
  date: Date;
  flags: string[];
  messageId: string;
  expect: {
    title: string;
    sender: string;
    /** Text the snippet must contain (already decoded). */
    snippetIncludes?: string;
  };
}

export interface MailServer {
  host: string;
  port: number;
}

export interface MailUser {
  user: string;
  password: string;
}

const DAY = 24 * 60 * 60 * 1000;

interface Parts {
  from: string;
  to?: string;
  subject: string;
  date: Date;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  extraHeaders?: string[];
  /** Content-Type and friends plus the body, already encoded. */
  content: string;
}

export function rfc822(parts: Parts): Buffer {
  const headers = [
    `From: ${parts.from}`,
    `To: ${parts.to ?? 'Alice Example <alice@example.test>'}`,
    `Subject: ${parts.subject}`,
    `Date: ${parts.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${parts.messageId}`,
    'MIME-Version: 1.0',
  ];
  if (parts.inReplyTo) headers.push(`In-Reply-To: ${parts.inReplyTo}`);
  if (parts.references?.length) headers.push(`References: ${parts.references.join(' ')}`);
  headers.push(...(parts.extraHeaders ?? []));
  return Buffer.from(`${headers.join('\r\n')}\r\n${parts.content.replace(/\r?\n/g, '\r\n')}`, 'latin1');
}

const textPlain = (body: string) => `Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n${wrap64(Buffer.from(body, 'utf8'))}\n`;

function wrap64(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\n');
}

/** Windows-1251 for Russian text: А..я sit at 0xC0..0xFF, Ё/ё at 0xA8/0xB8. */
export function encodeWindows1251(text: string): Buffer {
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0x3f;
    if (code < 0x80) out.push(code);
    else if (code >= 0x410 && code <= 0x44f) out.push(code - 0x410 + 0xc0);
    else if (code === 0x401) out.push(0xa8);
    else if (code === 0x451) out.push(0xb8);
    else out.push(0x3f);
  }
  return Buffer.from(out);
}

/** ISO-2022-JP for hiragana and ASCII only: hiragana are row 4 of JIS X 0208 (0x2421 = ぁ). */
export function encodeIso2022JpHiragana(text: string): Buffer {
  const out: number[] = [];
  let inJis = false;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0x3f;
    if (code >= 0x3041 && code <= 0x3093) {
      if (!inJis) out.push(0x1b, 0x24, 0x42);
      inJis = true;
      out.push(0x24, 0x21 + (code - 0x3041));
    } else {
      if (inJis) out.push(0x1b, 0x28, 0x42);
      inJis = false;
      out.push(code < 0x80 ? code : 0x3f);
    }
  }
  if (inJis) out.push(0x1b, 0x28, 0x42);
  return Buffer.from(out);
}

const encodedWordB = (charset: string, bytes: Buffer) => `=?${charset}?B?${bytes.toString('base64')}?=`;

function encodedWordQ(charset: string, bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    if (byte === 0x20) out += '_';
    else if ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)) out += String.fromCharCode(byte);
    else out += '=' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return `=?${charset}?Q?${out}?=`;
}

/** The hostile and the tricky: every case the connector must show sensibly, one message each. */
export function hostileMessages(now: Date, domain = 'fixtures.test'): FixtureMessage[] {
  const at = (days: number) => new Date(now.getTime() - days * DAY - 37_000);
  const id = (name: string) => `<${name}@${domain}>`;
  const list: FixtureMessage[] = [];
  const add = (kind: string, parts: Omit<Parts, 'messageId'>, expect: FixtureMessage['expect'], flags: string[] = []) => {
    const messageId = id(kind);
    list.push({ kind, raw: rfc822({ ...parts, messageId }), date: parts.date, flags, messageId, expect });
  };

  add(
    'plain',
    { from: 'Bob Builder <bob@example.test>', subject: 'Site visit on Thursday', date: at(1), content: textPlain('Hi Alice,\n\nthe site visit moves to Thursday 10:00.\n\nBob') },
    { title: 'Site visit on Thursday', sender: 'Bob Builder', snippetIncludes: 'the site visit moves to Thursday 10:00.' },
  );
  add(
    'alternative',
    {
      from: '"Carol Jones" <carol@example.test>',
      subject: 'Quarterly numbers',
      date: at(2),
      content: [
        'Content-Type: multipart/alternative; boundary="alt-1"',
        '',
        '--alt-1',
        'Content-Type: text/plain; charset=us-ascii',
        '',
        'Revenue is up 12 percent this quarter.',
        '--alt-1',
        'Content-Type: text/html; charset=us-ascii',
        '',
        '<p>Revenue is <b>up 12 percent</b> this quarter.</p>',
        '--alt-1--',
        '',
      ].join('\n'),
    },
    { title: 'Quarterly numbers', sender: 'Carol Jones', snippetIncludes: 'Revenue is up 12 percent this quarter.' },
  );
  add(
    'encoded-utf8-q',
    { from: `${encodedWordQ('UTF-8', Buffer.from('Jürgen Müller'))} <juergen@example.test>`, subject: encodedWordQ('UTF-8', Buffer.from('Grüße aus Köln – Übersicht')), date: at(3), content: textPlain('Schöne Grüße!') },
    { title: 'Grüße aus Köln – Übersicht', sender: 'Jürgen Müller', snippetIncludes: 'Schöne Grüße!' },
  );
  add(
    'encoded-utf8-b',
    { from: `${encodedWordQ('UTF-8', Buffer.from('Zoë'))} <zoe@example.test>`, subject: encodedWordB('UTF-8', Buffer.from('Réunion 📅 à 14h')), date: at(3.5), content: textPlain('On se voit à 14h.') },
    { title: 'Réunion 📅 à 14h', sender: 'Zoë', snippetIncludes: 'On se voit à 14h.' },
  );
  add(
    'encoded-latin1-q',
    { from: 'Ana <ana@example.test>', subject: encodedWordQ('ISO-8859-1', Buffer.from('Café con leche, señor', 'latin1')), date: at(4), content: textPlain('Sí.') },
    { title: 'Café con leche, señor', sender: 'Ana' },
  );
  const russian = 'Привет, Алиса! Отчёт за квартал готов. Ёлка стоит.';
  add(
    'windows-1251',
    {
      from: `${encodedWordB('windows-1251', encodeWindows1251('Иван Петров'))} <ivan@example.test>`,
      subject: encodedWordB('windows-1251', encodeWindows1251('Отчёт за квартал')),
      date: at(5),
      content: `Content-Type: text/plain; charset=windows-1251\nContent-Transfer-Encoding: base64\n\n${wrap64(encodeWindows1251(russian))}\n`,
    },
    { title: 'Отчёт за квартал', sender: 'Иван Петров', snippetIncludes: russian },
  );
  add(
    'iso-2022-jp',
    {
      from: 'Taro <taro@example.test>',
      subject: encodedWordB('ISO-2022-JP', encodeIso2022JpHiragana('こんにちは')),
      date: at(6),
      content: `Content-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n${encodeIso2022JpHiragana('おはようございます').toString('latin1')}\n`,
    },
    { title: 'こんにちは', sender: 'Taro', snippetIncludes: 'おはようございます' },
  );
  add(
    'html-only',
    {
      from: 'Newsletter <news@example.test>',
      subject: 'Your weekly digest',
      date: at(7),
      content: [
        'Content-Type: text/html; charset=utf-8',
        '',
        '<html><head><style>p { color: red; } .hidden { display:none }</style><script>alert("x")</script></head>',
        '<body><h1>Weekly&nbsp;digest</h1><p>Prices rose 5&nbsp;&#8364; &amp; more &eacute;t&eacute;.</p>',
        '<!-- a comment that must not show --><p>Read   more\n\n   below.</p></body></html>',
        '',
      ].join('\n'),
    },
    { title: 'Your weekly digest', sender: 'Newsletter', snippetIncludes: 'Weekly digest Prices rose 5 € & more été. Read more below.' },
  );
  add(
    'missing-end-boundary',
    {
      from: 'Broken Mailer <broken@example.test>',
      subject: 'Unterminated multipart',
      date: at(8),
      content: ['Content-Type: multipart/mixed; boundary="never-closed"', '', '--never-closed', 'Content-Type: text/plain', '', 'The end boundary never comes.', ''].join('\n'),
    },
    { title: 'Unterminated multipart', sender: 'Broken Mailer' },
  );
  add(
    'bad-base64',
    {
      from: 'Base Sixtyfour <b64@example.test>',
      subject: 'Bad base64 body',
      date: at(9),
      content: ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', 'SGVsbG8g!!!@@@###$$$ not base64 at all ***', '=====', ''].join('\n'),
    },
    { title: 'Bad base64 body', sender: 'Base Sixtyfour' },
  );
  add(
    'no-boundary-param',
    {
      from: 'Param Less <pl@example.test>',
      subject: 'Multipart without boundary',
      date: at(9.5),
      content: ['Content-Type: multipart/mixed', '', 'just text, no parts', ''].join('\n'),
    },
    { title: 'Multipart without boundary', sender: 'Param Less' },
  );
  let nested = 'Content-Type: text/plain\n\nDeep inside sixty levels.\n';
  for (let level = 60; level >= 1; level--) {
    nested = `Content-Type: multipart/mixed; boundary="lvl-${level}"\n\n--lvl-${level}\n${nested}--lvl-${level}--\n`;
  }
  add('nested-60', { from: 'Russian Doll <doll@example.test>', subject: 'Sixty levels deep', date: at(10), content: nested }, { title: 'Sixty levels deep', sender: 'Russian Doll' });
  const filler = Array.from({ length: 2_800 }, (_, i) => `\t${'x'.repeat(60)}${String(i).padStart(6, '0')}`).join('\n');
  add(
    'huge-header',
    { from: 'Header Hog <hog@example.test>', subject: 'A 200 KB header', date: at(11), extraHeaders: [`X-Filler: start\n${filler}`.replace(/\n/g, '\r\n')], content: textPlain('Small body after a big header.') },
    { title: 'A 200 KB header', sender: 'Header Hog' },
  );
  add('no-subject', { from: 'nobody@example.test', subject: '', date: at(12), content: textPlain('No subject here.') }, { title: '(no subject)', sender: 'nobody@example.test', snippetIncludes: 'No subject here.' });
  add(
    'flagged-seen',
    { from: 'Boss <boss@example.test>', subject: 'Important and already read', date: at(13), content: textPlain('Please keep this.') },
    { title: 'Important and already read', sender: 'Boss' },
    ['\\Seen', '\\Flagged'],
  );
  return list;
}

const FIRST = ['Bob', 'Carol', 'Dave', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy', 'Mallory', 'Niaj', 'Olivia', 'Peggy', 'Rupert', 'Sybil', 'Trent'];
const LAST = ['Smith', 'Jones', 'Garcia', 'Müller', 'Rossi', 'Dubois', 'Novak', 'Tanaka', 'Silva', 'Kowalski'];
const TOPICS = ['Build failed on main', 'Invoice 2024-', 'Lunch on Friday?', 'Design review notes', 'Your order has shipped', 'Release checklist', 'Weekly sync agenda', 'Access request', 'Travel plans', 'Customer escalation'];

/** Ordinary mail: threads of two to four messages, mixed plain and alternative, some read. */
export function realisticMessages(count: number, now: Date, windowDays = 25, domain = 'fixtures.test'): FixtureMessage[] {
  const list: FixtureMessage[] = [];
  let random = 0x2545f491;
  const next = () => {
    random ^= random << 13;
    random ^= random >>> 17;
    random ^= random << 5;
    return (random >>> 0) / 0x1_0000_0000;
  };
  const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)] as T;
  let thread: { root: string; subject: string; refs: string[] } | undefined;
  for (let i = 0; i < count; i++) {
    const name = `${pick(FIRST)} ${pick(LAST)}`;
    const address = `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@example.test`;
    // Oldest first, so UIDs grow with the date as they would in a real mailbox.
    const date = new Date(now.getTime() - ((count - i) / count) * windowDays * DAY);
    const messageId = `<r${i}.${date.getTime()}@${domain}>`;
    if (!thread || thread.refs.length >= 1 + Math.floor(next() * 3)) {
      const topic = pick(TOPICS);
      thread = { root: messageId, subject: topic.endsWith('-') ? `${topic}${1000 + i}` : `${topic} #${i}`, refs: [] };
    }
    const isReply = thread.refs.length > 0;
    const subject = isReply ? `Re: ${thread.subject}` : thread.subject;
    const body = `Hello Alice,\n\nmessage ${i} about ${thread.subject.toLowerCase()}. ${'Some more words to make a body. '.repeat(1 + Math.floor(next() * 20))}\n\n-- \n${name}\n`;
    const content =
      next() < 0.5
        ? textPlain(body)
        : [
            'Content-Type: multipart/alternative; boundary="b' + i + '"',
            '',
            '--b' + i,
            'Content-Type: text/plain; charset=utf-8',
            'Content-Transfer-Encoding: quoted-printable',
            '',
            body.replace(/ü/g, '=C3=BC'),
            '--b' + i,
            'Content-Type: text/html; charset=utf-8',
            '',
            `<div>${body.replace(/\n/g, '<br>')}</div>`,
            '--b' + i + '--',
            '',
          ].join('\n');
    const raw = rfc822({
      from: `${/^[\x20-\x7e]*$/.test(name) ? name : encodedWordQ('UTF-8', Buffer.from(name))} <${address}>`,
      subject: subject.replace(/[^\x20-\x7e]/g, '?'),
      date,
      messageId,
      ...(isReply ? { inReplyTo: thread.refs.at(-1) ?? thread.root, references: [thread.root, ...thread.refs.slice(1)] } : {}),
      content,
    });
    thread.refs.push(messageId);
    list.push({
      kind: 'realistic',
      raw,
      date,
      flags: next() < 0.3 ? ['\\Seen'] : [],
      messageId,
      expect: { title: subject.replace(/[^\x20-\x7e]/g, '?'), sender: name, snippetIncludes: `message ${i} about` },
    });
  }
  return list;
}

/** A mailbox of `total` messages: the hostile ones spread among realistic mail, sorted oldest first. */
export function mailboxFixture(total: number, now = new Date()): FixtureMessage[] {
  const hostile = hostileMessages(now);
  const all = [...realisticMessages(total - hostile.length, now), ...hostile];
  return all.sort((a, b) => a.date.getTime() - b.date.getTime());
}

export async function withClient<T>(server: MailServer, user: MailUser, work: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({ host: server.host, port: server.port, secure: false, auth: { user: user.user, pass: user.password }, logger: false });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Appends over a second connection, with the message's own date as INTERNALDATE. Returns the UIDs. */
export async function appendMessages(server: MailServer, user: MailUser, messages: FixtureMessage[], mailbox = 'INBOX'): Promise<number[]> {
  return withClient(server, user, async (client) => {
    const uids: number[] = [];
    // imapflow queues commands, so issuing them together pipelines the appends on one connection.
    const results = await Promise.all(
      messages.map((m) =>
        client.append(mailbox, m.raw, m.flags, m.date).catch((error: unknown) => {
          const detail = error as { responseText?: string; serverResponseCode?: string };
          throw new Error(`APPEND of ${m.kind} ${m.messageId} failed: ${detail.serverResponseCode ?? ''} ${detail.responseText ?? String(error)}`, { cause: error });
        }),
      ),
    );
    for (const result of results) if (result && typeof result.uid === 'number') uids.push(result.uid);
    return uids;
  });
}

/** The flags of one INBOX message as the server has them, read over a second connection. */
export async function serverFlags(server: MailServer, user: MailUser, uid: number): Promise<Set<string>> {
  return withClient(server, user, async (client) => {
    await client.mailboxOpen('INBOX', { readOnly: true });
    const message = await client.fetchOne(String(uid), { uid: true, flags: true }, { uid: true });
    if (!message) throw new Error(`uid ${uid} not found`);
    return message.flags ?? new Set();
  });
}
