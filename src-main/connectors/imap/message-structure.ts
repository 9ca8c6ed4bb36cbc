/**
 * A message's BODYSTRUCTURE read as a mail client reads it: which part is the text, which the HTML,
 * which images the HTML names by Content-ID, and which parts are attachments. Only the parts chosen
 * here are fetched for the reading pane; attachments wait until the user opens or saves one.
 */
import type { MessageStructureObject } from 'imapflow';

export interface MailPart {
  /** The body part number ("1.2"), or "TEXT"-less "1" for a single-part message. */
  part: string;
  contentType: string;
  charset?: string;
  /** Content-ID, lower-case, without <>. */
  contentId?: string;
  /** The file name the sender gave (Content-Disposition filename, else Content-Type name). */
  fileName?: string;
  disposition?: string;
  /** Encoded size on the server, in bytes. */
  encodedSize: number;
  encoding?: string;
}

export interface MessagePlan {
  text?: MailPart;
  html?: MailPart;
  /** Image parts with a Content-ID: shown inside the HTML when it names them. */
  inline: MailPart[];
  /** Everything else a person would call an attachment, in the message's order. */
  attachments: MailPart[];
}

/** Deeper than any real message nests; a hostile server's structure is not followed further. */
const MAX_DEPTH = 32;

export function planMessage(root: MessageStructureObject): MessagePlan {
  const plan: MessagePlan = { inline: [], attachments: [] };
  visit(root, plan, true, 0);
  return plan;
}

/** Whether the list row gets a paperclip: any attachment, without reading the HTML. */
export function hasAttachments(root: MessageStructureObject | undefined): boolean {
  if (!root) return false;
  const plan = planMessage(root);
  return plan.attachments.length > 0 || (plan.html === undefined && plan.inline.length > 0);
}

function toPart(node: MessageStructureObject): MailPart {
  const type = (node.type || 'application/octet-stream').toLowerCase();
  const fileName = node.dispositionParameters?.['filename'] ?? node.parameters?.['name'];
  const part: MailPart = { part: node.part ?? '1', contentType: type, encodedSize: node.size ?? 0 };
  if (node.parameters?.['charset']) part.charset = node.parameters['charset'];
  if (node.id) part.contentId = node.id.trim().replace(/^<|>$/g, '').toLowerCase();
  if (fileName) part.fileName = fileName;
  if (node.disposition) part.disposition = node.disposition.toLowerCase();
  if (node.encoding) part.encoding = node.encoding.toLowerCase();
  return part;
}

/** `body` is true while the walk may still take a text part as the message's body. */
function visit(node: MessageStructureObject, plan: MessagePlan, body: boolean, depth: number): void {
  if (depth > MAX_DEPTH) return;
  const type = (node.type || '').toLowerCase();
  const children = node.childNodes ?? [];
  if (type.startsWith('multipart/')) {
    if (type === 'multipart/alternative') {
      // The richest alternative the reader can show: HTML (possibly inside related) and text beside it.
      for (const child of children) visit(child, plan, body, depth + 1);
      return;
    }
    if (type === 'multipart/related') {
      const [first, ...rest] = children;
      if (first) visit(first, plan, body, depth + 1);
      for (const child of rest) related(child, plan, depth + 1);
      return;
    }
    // mixed, signed, report, anything else: the first body-like part is the body, the rest attach.
    children.forEach((child, i) => visit(child, plan, body && (i === 0 || isBodyCandidate(child, plan)), depth + 1));
    return;
  }
  const part = toPart(node);
  const attachment = part.disposition === 'attachment';
  if (body && !attachment && type === 'text/plain' && plan.text === undefined) {
    plan.text = part;
    return;
  }
  if (body && !attachment && type === 'text/html' && plan.html === undefined) {
    plan.html = part;
    return;
  }
  if (type.startsWith('image/') && part.contentId !== undefined && !attachment) {
    plan.inline.push(part);
    return;
  }
  plan.attachments.push(part);
}

/** A second text part of a mixed message is a body only when none was found yet. */
function isBodyCandidate(node: MessageStructureObject, plan: MessagePlan): boolean {
  return plan.text === undefined && plan.html === undefined && (node.type ?? '').toLowerCase().startsWith('multipart/');
}

function related(node: MessageStructureObject, plan: MessagePlan, depth: number): void {
  const part = toPart(node);
  if (part.contentType.startsWith('image/') && part.contentId !== undefined) plan.inline.push(part);
  else if ((node.childNodes ?? []).length > 0) visit(node, plan, false, depth);
  else plan.attachments.push(part);
}

/** The decoded size of a part from its encoded size on the server. */
export function decodedSize(part: MailPart): number {
  // 76 base64 characters and a line break carry 57 bytes.
  if (part.encoding === 'base64') return Math.floor((part.encodedSize * 57) / 78);
  return part.encodedSize;
}
