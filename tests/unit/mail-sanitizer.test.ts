import { describe, expect, it } from 'vitest';
import { corpusHtml, hugeHtml } from '../fixtures/mail/corpus.ts';
import { cleanStyleAttribute, cleanStyleSheet } from '../../src-main/hub/mail-css.ts';
import { sanitizeMailHtml } from '../../src-main/hub/mail-html.ts';

const TRACKER = 'tracker.test:8080';
const LOGO = 'data:image/png;base64,iVBORw0KGgo=';
const policy = (allowRemote: boolean) => ({ inlineImages: new Map([['logo@acme.test', LOGO]]), allowRemote });

/** Everything that would run, submit, navigate or embed, however it is spelt. */
const NEVER = [/<script/i, /<form/i, /<input/i, /<button/i, /<meta/i, /<base/i, /<link/i, /<iframe/i, /<object/i, /<embed/i, /<svg/i, /<math/i,
  /<map/i, /<area/i, /<video/i, /<audio/i, /<textarea/i, /<noscript/i, /\son[a-z]+\s*=/i, /javascript:/i, /data:text/i, /@import/i, /expression\(/i,
  /behavior\s*:/i, /binding\s*:/i, /image-set\(/i, /\ssrcset\s*=/i, /\susemap\s*=/i, /\sposter\s*=/i];

describe('the mail sanitizer on the hostile corpus', () => {
  const hostile = corpusHtml('hostile', TRACKER);

  it('leaves nothing that runs, submits, navigates or embeds', () => {
    for (const allowRemote of [false, true]) {
      const { html } = sanitizeMailHtml(hostile, policy(allowRemote));
      for (const pattern of NEVER) expect(html, `${pattern} with allowRemote ${allowRemote}`).not.toMatch(pattern);
      expect(html).toContain('Nothing in this message may run or reach out.');
      expect(html).toContain('The end.');
    }
  });

  it('reaches the tracker for nothing before Show images, and after it only for images', () => {
    const blocked = sanitizeMailHtml(hostile, policy(false));
    expect(blocked.html).not.toContain(TRACKER);
    expect(blocked.remoteBlocked).toBeGreaterThan(0);
    const shown = sanitizeMailHtml(hostile, policy(true)).html;
    // Images and backgrounds may load once allowed; a refresh, a base, a style sheet, a frame, a form never.
    for (const path of ['/refresh', '/base/', '/link.css', '/script', '/form', '/iframe', '/object', '/embed', '/poster', '/video', '/audio', '/noscript', '/svg-image', '/behavior', '/binding', '/escaped', '/image-set', '/input-image', '/srcset']) {
      expect(shown, path).not.toContain(`${TRACKER}${path}`);
    }
    expect(shown).toContain(`http://${TRACKER}/table-background.png`);
    expect(shown).toContain(`https://${TRACKER}/protocol-relative.gif`);
  });

  it('keeps links to the web and within the message, drops relative ones', () => {
    const { html } = sanitizeMailHtml(hostile, policy(false));
    expect(html).toContain('href="#top"');
    expect(html).not.toContain('relative/page.html');
    expect(html).not.toContain('relative.png');
    // The link text stays, without a target.
    expect(html).toMatch(/<a>a javascript link<\/a>/);
  });

  it('does not let a </style> inside the sheet end it early, or text reopen a tag', () => {
    const { html } = sanitizeMailHtml('<style>p{color:red}</style><p>&lt;script&gt;alert(1)&lt;/script&gt;</p>', policy(false));
    expect(html).toBe('<style>p{color:red}</style><p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(cleanStyleSheet('a{content:"</style><script>x</script>"}', policy(false), { blocked: 0, allowed: 0 })).not.toContain('<');
  });
});

describe('the mail sanitizer on a newsletter', () => {
  const newsletter = corpusHtml('newsletter', TRACKER);

  it('keeps the layout: tables, widths, colours, fonts, inline styles and media queries', () => {
    const { html } = sanitizeMailHtml(newsletter, policy(false));
    expect(html).toContain('<table class="container" width="600" cellpadding="0" cellspacing="0" border="0" style="background:#ffffff;border-radius:6px">');
    expect(html).toContain('bgcolor="#12355b"');
    expect(html).toContain('<font face="Verdana" color="#7a3e00" size="2">');
    expect(html).toContain('font-family: Georgia, "Times New Roman", serif');
    expect(html).toContain('.hero { background: #12355b none no-repeat center; }');
    expect(html).toContain('@media only screen and (max-width: 600px)');
    expect(html).toMatch(/<div bgcolor="#e8eef3" style="margin:0;padding:0;font-family:Arial,Helvetica,sans-serif" class="gs-mail-body">/);
    expect(html).not.toContain('should not show as text');
  });

  it('shows the cid: logo at once from the message itself, and no remote image until allowed', () => {
    const blocked = sanitizeMailHtml(newsletter, policy(false));
    expect(blocked.html).toContain(`src="${LOGO}"`);
    expect(blocked.html).not.toContain(TRACKER);
    // The chart, the pixel, the hero background; @import and the web font are not counted as images to show.
    expect(blocked.remoteBlocked).toBeGreaterThanOrEqual(3);
    const shown = sanitizeMailHtml(newsletter, policy(true));
    expect(shown.html).toContain(`src="http://${TRACKER}/pixel/open.gif"`);
    expect(shown.html).toContain(`src="http://${TRACKER}/img/chart.png"`);
    expect(shown.html).toContain(`url("http://${TRACKER}/css-bg.png")`);
    expect(shown.html).not.toContain('font.woff2');
    expect(shown.html).not.toContain('import.css');
    expect(shown.remoteAllowed).toBeGreaterThanOrEqual(3);
  });

  it('keeps a link whose text names another host as it is, for the window to warn about', () => {
    const { html } = sanitizeMailHtml(newsletter, policy(false));
    expect(html).toContain('<a href="https://evil.example.net/login">https://www.bank.example.com/login</a>');
  });

  it('cleans 5 MB of table HTML whole', () => {
    const huge = hugeHtml(5 * 1024 * 1024, TRACKER);
    const { html } = sanitizeMailHtml(huge, policy(false));
    expect(html.length).toBeGreaterThan(4 * 1024 * 1024);
    expect(html).toContain('End of the archive.');
    expect(html).not.toContain(TRACKER);
  }, 60_000);
});

describe('CSS in style attributes', () => {
  const tally = () => ({ blocked: 0, allowed: 0 });
  it('keeps plain declarations and judges every url()', () => {
    expect(cleanStyleAttribute('color: red; background: url(cid:logo@acme.test) no-repeat', policy(false), tally())).toBe(`color:red;background:url("${LOGO}") no-repeat`);
    expect(cleanStyleAttribute('color:red;background:url(http://t.test/a.png)', policy(false), tally())).toBe('color:red;background:none');
    expect(cleanStyleAttribute('color:red;list-style-image:url(http://t.test/a.png)', policy(false), tally())).toBe('color:red');
    expect(cleanStyleAttribute('background:url("http://t.test/a.png")', policy(true), tally())).toBe('background:url("http://t.test/a.png")');
    expect(cleanStyleAttribute('background:u\\72l(http://t.test/a.png)', policy(true), tally())).toBe('');
    expect(cleanStyleAttribute('}body{background:red', policy(false), tally())).toBe('');
  });
});
