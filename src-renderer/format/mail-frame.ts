/**
 * The document an HTML mail's sandboxed frame shows: the hub's sanitized HTML under a content
 * security policy of its own. default-src 'none' means no script, style sheet, font, frame or fetch
 * from anywhere; inline styles are the mail's layout; images come only from data: URLs (the
 * message's own cid: parts) until the user chose Show images, then from the web too.
 */
/** Quoted earlier messages as mail clients mark them; folded in a conversation, where those messages show above. */
const QUOTES = 'blockquote[type=cite],.gmail_quote,.yahoo_quoted,#divRplyFwdMsg,#divRplyFwdMsg~*,.moz-cite-prefix';

export function frameDocument(html: string, remote: boolean, foldQuotes = false): string {
  const images = remote ? 'data: https: http:' : 'data:';
  const policy = `default-src 'none'; style-src 'unsafe-inline'; img-src ${images}; font-src data:; base-uri 'none'; form-action 'none'`;
  return (
    '<!DOCTYPE html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${policy}">` +
    '<meta name="referrer" content="no-referrer">' +
    // The mail's own styles come after these and win; these only give unstyled mail a readable start.
    '<style>html{color-scheme:light}body{margin:0;padding:12px 16px;font:14px/1.45 system-ui,sans-serif;color:#1d232a;background:#fff;overflow-wrap:anywhere}' +
    'img{max-width:100%}table{max-width:100%}pre{white-space:pre-wrap}blockquote{margin:0 0 0 .8em;padding-left:.8em;border-left:3px solid #c5ccd3}</style>' +
    (foldQuotes ? `<style>${QUOTES}{display:none!important}</style>` : '') +
    `</head><body>${html}</body></html>`
  );
}
