/**
 * What the composer's text becomes on the wire. Markdown goes through the shared renderer
 * (../markdown.ts, also mail's HTML alternative), and `formatted_body` is only sent when the markdown
 * changed something: plain text stays a plain `body`, as other clients expect.
 */
import { markdownToHtml } from '../markdown.ts';

export interface OutgoingText {
  msgtype: 'm.text' | 'm.emote';
  body: string;
  format?: 'org.matrix.custom.html';
  formatted_body?: string;
  'm.relates_to'?: { 'm.in_reply_to': { event_id: string } };
}

export function composeText(text: string, replyToEventId?: string): OutgoingText {
  const emote = /^\/me\s/.test(text);
  const body = emote ? text.replace(/^\/me\s+/, '') : text;
  const content: OutgoingText = { msgtype: emote ? 'm.emote' : 'm.text', body };
  const html = markdownToHtml(body);
  if (html !== undefined) {
    content.format = 'org.matrix.custom.html';
    content.formatted_body = html;
  }
  if (replyToEventId) content['m.relates_to'] = { 'm.in_reply_to': { event_id: replyToEventId } };
  return content;
}
