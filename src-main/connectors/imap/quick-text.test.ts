import { describe, expect, it } from 'vitest';
import { hostileMessages } from '../../../tests/support/mail-fixtures.ts';
import { quickText } from './quick-text.ts';

const mail = (text: string) => Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1');

describe('quickText', () => {
  it('reads the text of every ordinary fixture the way the reader would see it', () => {
    for (const message of hostileMessages(new Date())) {
      const result = quickText(message.raw);
      if (result === undefined || !message.expect.snippetIncludes) continue;
      expect(result.text.replace(/\s+/g, ' '), message.kind).toContain(message.expect.snippetIncludes);
    }
  });

  it('hands what it cannot judge to the full parser', () => {
    const byKind = new Map(hostileMessages(new Date()).map((m) => [m.kind, m.raw]));
    expect(quickText(byKind.get('nested-60') as Buffer)).toBeUndefined();
    expect(quickText(byKind.get('no-boundary-param') as Buffer)).toBeUndefined();
    // The head of this one does not end within the prefix the sync fetches.
    expect(quickText((byKind.get('huge-header') as Buffer).subarray(0, 16 * 1024))).toBeUndefined();
    expect(quickText(mail('Content-Type: text/plain; charset=x-made-up\n\nhello\n'))).toBeUndefined();
    expect(quickText(mail('Content-Type: text/plain\nContent-Transfer-Encoding: x-uuencode\n\nbegin\n'))).toBeUndefined();
  });

  it('prefers text/plain in multipart/alternative, skips attachments and keeps References', () => {
    const raw = mail(
      [
        'References: <a@x> <b@x>',
        'Content-Type: multipart/mixed; boundary=outer',
        '',
        '--outer',
        'Content-Type: application/pdf',
        'Content-Disposition: attachment; filename=x.pdf',
        '',
        'JVBERi0=',
        '--outer',
        'Content-Type: multipart/alternative; boundary="inner"',
        '',
        '--inner',
        'Content-Type: text/html',
        '',
        '<p>html version</p>',
        '--inner',
        'Content-Type: text/plain; charset=iso-8859-1',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'plain caf=E9 =',
        'version',
        '--inner--',
        '--outer--',
        '',
      ].join('\n'),
    );
    expect(quickText(raw)).toEqual({ text: 'plain café version', references: ['<a@x>', '<b@x>'] });
  });

  it('uses what arrived of a part cut off by the fetch limit', () => {
    const raw = mail('Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nthe start of a long text that goes on');
    expect(quickText(raw.subarray(0, raw.length - 8))?.text).toBe('the start of a long text that');
  });

  it('reports an attachment-only message as having no text', () => {
    expect(quickText(mail('Content-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n'))).toEqual({ text: '', references: [] });
  });

  it('decodes raw 8-bit From and Subject headers that the ENVELOPE turns into U+FFFD', () => {
    const latin1 = Buffer.from('From: J\xfcrgen M\xfcller <jm@example.test>\r\nSubject: Gr\xfc\xdfe\r\n\r\nHallo', 'latin1');
    expect(quickText(latin1)).toMatchObject({ from: { name: 'Jürgen Müller', address: 'jm@example.test' }, subject: 'Grüße' });
    const utf8 = Buffer.concat([Buffer.from('From: "Zoë, Ops" <z@example.test>\r\nSubject: Über\r\n\r\nHi', 'utf8')]);
    expect(quickText(utf8)).toMatchObject({ from: { name: 'Zoë, Ops', address: 'z@example.test' }, subject: 'Über' });
    const ascii = quickText(Buffer.from('From: Ann <a@example.test>\r\nSubject: =?UTF-8?Q?=C3=9Cber?=\r\n\r\nHi'));
    expect(ascii?.from).toBeUndefined();
    expect(ascii?.subject).toBeUndefined();
  });

  it('decodes encoded words in a From or Subject that also carries raw 8-bit bytes', () => {
    // An encoded display name beside raw UTF-8: the ENVELOPE garbles the bytes, so this header is ours to read.
    const mixed = Buffer.concat([
      Buffer.from('From: =?UTF-8?B?SsO2cmc=?= Müller <jm@example.test>\r\n', 'utf8'),
      Buffer.from('Subject: =?ISO-8859-1?Q?Gr=FC=DFe?= aus Köln\r\n\r\nHallo', 'utf8'),
    ]);
    expect(quickText(mixed)).toMatchObject({ from: { name: 'Jörg Müller', address: 'jm@example.test' }, subject: 'Grüße aus Köln' });
    // A quoted encoded word is decoded too (mail programs write it), and what it decodes to stays the name.
    const quoted = Buffer.from('From: "=?UTF-8?Q?Ops_<team>?= Zoë" <ops@example.test>\r\n\r\nHi', 'utf8');
    expect(quickText(quoted)?.from).toEqual({ name: 'Ops <team> Zoë', address: 'ops@example.test' });
  });
});
