/**
 * A mail in the reading pane: the remote-content bar (Show images, Always from this sender), the HTML
 * in its sandboxed frame or the plain text with its quotes and links, the read-receipt note, and the
 * attachments under the header, each opened or saved only when the user asks.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { ItemDetail, MailAttachment, MailBody } from '../../src-shared/domain.ts';
import { linkMismatch } from '../format/links.ts';
import { useHub } from '../state/hooks.ts';
import { alwaysShowImagesFrom, fetchAttachment, showRemoteImages, stopShowingImagesFrom } from '../state/mailReadingActions.ts';
import { MailFrame } from './MailFrame.tsx';
import { PaperclipIcon } from './PaperclipIcon.tsx';
import { TermMarks } from './Highlighted.tsx';
import { RichContent } from './RichContent.tsx';
import { useModalDialog } from './useModalDialog.ts';

type Ask = { title: string; text: string; confirm: string; danger?: boolean; run: () => void };

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Opens a link outside the app: the system browser in Electron (its window-open handler), a new tab in `serve`. */
function openOutside(href: string): void {
  window.open(href, '_blank', 'noopener,noreferrer');
}

/** Types a browser shows by itself without running anything of the sender's. */
const VIEWABLE = /^(image\/(png|jpeg|gif|webp|bmp|avif)|application\/pdf|text\/plain)$/i;

function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function MailBodyView({ detail, mail, foldQuotes = false }: { detail: ItemDetail; mail: MailBody; foldQuotes?: boolean }) {
  const hub = useHub();
  const [ask, setAsk] = useState<Ask | null>(null);
  const [quotesShown, setQuotesShown] = useState(false);
  const fold = foldQuotes && !quotesShown;
  const content = fold && detail.content !== undefined ? detail.content.filter((n) => typeof n === 'string' || n.tag !== 'blockquote') : detail.content;
  const hasQuotes = foldQuotes && (mail.html !== undefined || (detail.content ?? []).some((n) => typeof n !== 'string' && n.tag === 'blockquote'));
  const itemId = detail.item.id;

  const onLink = (href: string, text: string) => {
    const mismatch = linkMismatch(text, href);
    if (!mismatch) return openOutside(href);
    setAsk({
      title: 'This link goes somewhere else',
      text: `The link shows ${mismatch.shown}, but it leads to ${mismatch.target}. Mail that hides where a link goes is often phishing. Open ${mismatch.target} anyway?`,
      confirm: `Open ${mismatch.target}`,
      danger: true,
      run: () => openOutside(href),
    });
  };

  const open = async (a: MailAttachment) => {
    const got = await fetchAttachment(hub, itemId, a.index);
    if (!got) return;
    if (VIEWABLE.test(a.contentType) && !a.risky) {
      const url = URL.createObjectURL(got.blob);
      window.open(url, '_blank', 'noopener,noreferrer');
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } else saveBlob(got.blob, got.name);
  };

  const onOpen = (a: MailAttachment) => {
    if (!a.risky) return void open(a);
    setAsk({
      title: 'This file can run programs',
      text: `${a.name} is a kind of file (${a.contentType}) that can run code on this computer when opened. Open it only if you expected it from this sender. Groundswell saves it for you to open yourself.`,
      confirm: 'Save anyway',
      danger: true,
      run: () => void open(a),
    });
  };

  const onSave = async (a: MailAttachment) => {
    const got = await fetchAttachment(hub, itemId, a.index);
    if (got) saveBlob(got.blob, got.name);
  };

  return (
    <>
      {mail.attachments.length > 0 ? (
        <section className="attachments" aria-label="Attachments">
          <h3 className="attachments-title">
            <PaperclipIcon />{' '}
            {mail.attachments.length === 1 ? '1 attachment' : `${mail.attachments.length} attachments`}
          </h3>
          <ul>
            {mail.attachments.map((a) => (
              <li key={a.index} className="attachment">
                <span className="attachment-name">
                  <bdi dir="auto">{a.name}</bdi>
                </span>
                <span className="attachment-meta">
                  {a.contentType} · {formatSize(a.size)}
                  {a.risky ? <span className="attachment-risky"> · can run code</span> : null}
                </span>
                <span className="attachment-actions">
                  <button type="button" className="link" aria-label={`Open ${a.name}`} onClick={() => onOpen(a)}>
                    Open
                  </button>
                  <button type="button" className="link" aria-label={`Save ${a.name}`} onClick={() => void onSave(a)}>
                    Save
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {mail.receiptRequested !== undefined ? (
        <p className="body-note">The sender asked for a read receipt ({mail.receiptRequested}). Groundswell does not send one.</p>
      ) : null}
      <RemoteContentBar mail={mail} itemId={itemId} />
      {mail.html !== undefined ? (
        <MailFrame html={mail.html} remote={mail.remoteShown !== undefined} title={`Message: ${detail.item.title}`} onLink={onLink} foldQuotes={fold} />
      ) : content !== undefined ? (
        <div
          onClick={(e) => {
            const a = (e.target as Element).closest('a');
            if (!a) return;
            e.preventDefault();
            onLink(a.href, a.textContent ?? '');
          }}
        >
          <RichContent nodes={content} showImages={false} className="rich-body plain-mail" />
        </div>
      ) : (
        <pre className="body">
          <TermMarks text={detail.bodyText} />
        </pre>
      )}
      {hasQuotes ? (
        <button type="button" className="link quote-toggle" aria-expanded={!fold} onClick={() => setQuotesShown(!quotesShown)}>
          {fold ? 'Show quoted text' : 'Hide quoted text'}
        </button>
      ) : null}
      {ask !== null ? <AskDialog ask={ask} close={() => setAsk(null)} /> : null}
    </>
  );
}

function RemoteContentBar({ mail, itemId }: { mail: MailBody; itemId: string }) {
  const hub = useHub();
  if (mail.remoteShown === 'sender' && mail.senderAddress !== undefined) {
    const address = mail.senderAddress;
    return (
      <p className="body-note remote-note">
        Remote images show for mail from {address}.{' '}
        <button type="button" className="link" onClick={() => void stopShowingImagesFrom(hub, address)}>
          Stop showing them
        </button>
      </p>
    );
  }
  if (mail.remoteBlocked === 0 || mail.remoteShown !== undefined) return null;
  return (
    <p className="body-note remote-note" data-item={itemId}>
      Remote images are off ({mail.remoteBlocked} held back), so the sender cannot see that you read this.{' '}
      <button type="button" className="link" onClick={() => void showRemoteImages(hub)}>
        Show images
      </button>
      {mail.senderAddress !== undefined ? (
        <>
          {' · '}
          <button type="button" className="link" onClick={() => void alwaysShowImagesFrom(hub, mail.senderAddress ?? '')}>
            Always from this sender
          </button>
        </>
      ) : null}
    </p>
  );
}

function AskDialog({ ask, close }: { ask: Ask; close: () => void }) {
  const dialog = useModalDialog();
  const id = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  // The safe answer has the focus.
  useEffect(() => cancel.current?.focus(), []);
  return (
    <dialog
      ref={dialog}
      className="dialog confirm-dialog"
      role="alertdialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-text`}
      onCancel={(e) => {
        e.preventDefault();
        close();
      }}
    >
      <h2 id={`${id}-title`} className="dialog-title">
        {ask.title}
      </h2>
      <p id={`${id}-text`}>{ask.text}</p>
      <div className="dialog-buttons">
        <button ref={cancel} type="button" onClick={close}>
          Cancel
        </button>
        <button
          type="button"
          className={ask.danger ? 'danger' : 'primary'}
          onClick={() => {
            close();
            ask.run();
          }}
        >
          {ask.confirm}
        </button>
      </div>
    </dialog>
  );
}
