/**
 * The mail composer: a modal dialog for a new message, a reply, reply all or a forward. Plain text
 * with markdown (it also goes as HTML), the original quoted below in a field of its own, files by
 * the picker or dropped on the dialog, Ctrl/Cmd+Enter sends, and Escape asks before anything
 * written is thrown away (a draft can be kept in the server's Drafts instead).
 */
import { useEffect, useId, useRef, useState, type DragEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { MAX_MAIL_ATTACHMENT_BYTES } from '../../src-shared/limits.ts';
import type { MailAttachment, MailDraft } from '../../src-shared/mail.ts';
import { useApp, useHub } from '../state/hooks.ts';
import { addAttachments, askToClose, closeComposer, editDraft, keepWriting, removeAttachment, sendComposer, sendingAccounts } from '../state/mailActions.ts';
import { useModalDialog } from './useModalDialog.ts';

const TITLES = { new: 'New message', reply: 'Reply', replyAll: 'Reply all', forward: 'Forward' } as const;
const MAX_TOTAL_BYTES = MAX_MAIL_ATTACHMENT_BYTES;

export function splitAddresses(typed: string): string[] {
  return typed
    .split(/[,;\n]/)
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function attachmentBytes(a: MailAttachment): number {
  return Math.floor((a.data.length * 3) / 4) - (a.data.endsWith('==') ? 2 : a.data.endsWith('=') ? 1 : 0);
}

function readFile(file: File): Promise<MailAttachment> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve({ name: file.name, contentType: file.type || 'application/octet-stream', data: url.slice(url.indexOf(',') + 1) });
    };
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(file);
  });
}

export function Composer() {
  const open = useApp((s) => s.composer !== null);
  return open ? <ComposerDialog /> : null;
}

function ComposerDialog() {
  const hub = useHub();
  const dialog = useModalDialog();
  const id = useId();
  const { mode, draft, loadError, sending, sendError, confirmClose } = useApp(
    useShallow((s) => ({
      mode: s.composer!.mode,
      draft: s.composer!.draft,
      loadError: s.composer!.loadError,
      sending: s.composer!.sending,
      sendError: s.composer!.sendError,
      confirmClose: s.composer!.confirmClose,
    })),
  );
  const accounts = sendingAccounts(hub);
  const [fileError, setFileError] = useState<string | null>(null);
  const [dropping, setDropping] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const title = TITLES[mode];

  const attach = async (files: FileList | null): Promise<void> => {
    if (files === null || files.length === 0 || draft === null) return;
    const already = draft.attachments.reduce((sum, a) => sum + attachmentBytes(a), 0);
    const adding = [...files].reduce((sum, f) => sum + f.size, 0);
    if (already + adding > MAX_TOTAL_BYTES) {
      setFileError(`That would make ${formatSize(already + adding)} of attachments; most servers take at most 25 MB.`);
      return;
    }
    try {
      addAttachments(hub, await Promise.all([...files].map(readFile)));
      setFileError(null);
    } catch (error) {
      setFileError(`Could not read the file: ${(error as Error).message}`);
    }
  };

  const onDrop = (e: DragEvent<HTMLElement>): void => {
    if (!e.dataTransfer.types.includes('Files')) return;
    e.preventDefault();
    setDropping(false);
    void attach(e.dataTransfer.files);
  };

  return (
    <dialog
      ref={dialog}
      className={`dialog composer${dropping ? ' dropping' : ''}`}
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        if (confirmClose) keepWriting(hub);
        else void askToClose(hub);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !confirmClose) {
          e.preventDefault();
          void sendComposer(hub);
        }
      }}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setDropping(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDropping(false);
      }}
      onDrop={onDrop}
    >
      <h2 id={`${id}-title`} className="dialog-title">
        {title}
      </h2>
      {draft === null ? (
        loadError === null ? (
          <p className="body-note">Reading the original…</p>
        ) : (
          <>
            <p className="form-error" role="alert">
              Could not start the message: {loadError}
            </p>
            <div className="dialog-buttons">
              <button type="button" onClick={() => void closeComposer(hub, false)}>
                Close
              </button>
            </div>
          </>
        )
      ) : (
        <ComposerForm
          id={id}
          draft={draft}
          accounts={accounts}
          sending={sending}
          sendError={sendError}
          fileError={fileError}
          onPick={() => picker.current?.click()}
        />
      )}
      <input
        ref={picker}
        type="file"
        multiple
        hidden
        aria-hidden="true"
        tabIndex={-1}
        onChange={(e) => {
          void attach(e.target.files);
          e.target.value = '';
        }}
      />
      {confirmClose ? <CloseQuestion id={id} /> : null}
    </dialog>
  );
}

interface FormProps {
  id: string;
  draft: MailDraft;
  accounts: { id: string; name: string }[];
  sending: boolean;
  sendError: string | null;
  fileError: string | null;
  onPick(): void;
}

function ComposerForm({ id, draft, accounts, sending, sendError, fileError, onPick }: FormProps) {
  const hub = useHub();
  // Addresses as typed: the draft gets them split, the field keeps the commas and spaces being typed.
  const [to, setTo] = useState(() => draft.to.join(', '));
  const [cc, setCc] = useState(() => draft.cc.join(', '));
  const [bcc, setBcc] = useState(() => draft.bcc.join(', '));
  const [showBcc, setShowBcc] = useState(draft.bcc.length > 0);
  const first = useRef<HTMLInputElement>(null);
  const text = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    // An answer starts in the text (its recipients are there); a new message or a forward at To.
    if (draft.mode === 'reply' || draft.mode === 'replyAll') text.current?.focus();
    else first.current?.focus();
    // Only when the form first shows: typing must not move the focus.
  }, []);
  const accountName = accounts.find((a) => a.id === draft.accountId)?.name;

  return (
    <form
      className="composer-form"
      onSubmit={(e) => {
        e.preventDefault();
        void sendComposer(hub);
      }}
    >
      <div className="composer-field">
        <label htmlFor={`${id}-from`}>From</label>
        {draft.mode === 'new' && accounts.length > 1 ? (
          <select id={`${id}-from`} value={draft.accountId} onChange={(e) => editDraft(hub, { accountId: e.target.value })}>
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        ) : (
          <output id={`${id}-from`} className="composer-from">
            {accountName ?? 'this account'}
          </output>
        )}
      </div>
      <div className="composer-field">
        <label htmlFor={`${id}-to`}>To</label>
        <input
          ref={first}
          id={`${id}-to`}
          type="text"
          inputMode="email"
          autoComplete="email"
          value={to}
          placeholder="ann@example.com, bob@example.com"
          onChange={(e) => {
            setTo(e.target.value);
            editDraft(hub, { to: splitAddresses(e.target.value) });
          }}
        />
      </div>
      <div className="composer-field">
        <label htmlFor={`${id}-cc`}>Cc</label>
        <input
          id={`${id}-cc`}
          type="text"
          inputMode="email"
          value={cc}
          onChange={(e) => {
            setCc(e.target.value);
            editDraft(hub, { cc: splitAddresses(e.target.value) });
          }}
        />
        {!showBcc ? (
          <button type="button" className="link" onClick={() => setShowBcc(true)}>
            Add Bcc
          </button>
        ) : null}
      </div>
      {showBcc ? (
        <div className="composer-field">
          <label htmlFor={`${id}-bcc`}>Bcc</label>
          <input
            id={`${id}-bcc`}
            type="text"
            inputMode="email"
            value={bcc}
            onChange={(e) => {
              setBcc(e.target.value);
              editDraft(hub, { bcc: splitAddresses(e.target.value) });
            }}
          />
        </div>
      ) : null}
      <div className="composer-field">
        <label htmlFor={`${id}-subject`}>Subject</label>
        <input id={`${id}-subject`} type="text" value={draft.subject} onChange={(e) => editDraft(hub, { subject: e.target.value })} />
      </div>
      <div className="field composer-text">
        <label htmlFor={`${id}-text`}>Message</label>
        <textarea
          ref={text}
          id={`${id}-text`}
          rows={8}
          value={draft.text}
          aria-describedby={`${id}-text-hint`}
          onChange={(e) => editDraft(hub, { text: e.target.value })}
        />
        <p id={`${id}-text-hint`} className="hint">
          Markdown works: **bold**, _italic_, lists, links; it is sent as plain text with an HTML version. Ctrl+Enter sends.
        </p>
      </div>
      {draft.mode === 'forward' ? (
        <label className="composer-check">
          <input type="checkbox" checked={draft.forwardAsAttachment === true} onChange={(e) => editDraft(hub, { forwardAsAttachment: e.target.checked })} />
          Attach the original message instead of quoting it
        </label>
      ) : null}
      {draft.quote !== undefined && !(draft.mode === 'forward' && draft.forwardAsAttachment) ? (
        <div className="field composer-quote">
          <label htmlFor={`${id}-quote`}>{draft.mode === 'forward' ? 'Forwarded message' : 'Quoted text'}</label>
          <textarea id={`${id}-quote`} rows={5} value={draft.quote} onChange={(e) => editDraft(hub, { quote: e.target.value })} />
          <button type="button" className="link" onClick={() => editDraft(hub, { quote: undefined } as Partial<MailDraft>)}>
            Remove {draft.mode === 'forward' ? 'the forwarded message' : 'the quoted text'}
          </button>
        </div>
      ) : null}
      <div className="composer-attachments">
        {draft.attachments.length > 0 ? (
          <ul aria-label="Attachments">
            {draft.attachments.map((a, i) => (
              <li key={`${a.name}-${i}`}>
                <span className="attachment-name">{a.name}</span> <span className="attachment-size">{formatSize(attachmentBytes(a))}</span>
                <button type="button" className="link" aria-label={`Remove ${a.name}`} onClick={() => removeAttachment(hub, i)}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        <button type="button" onClick={onPick}>
          Attach files…
        </button>
        <span className="hint"> or drop them here</span>
        {fileError !== null ? (
          <p className="field-error" role="alert">
            {fileError}
          </p>
        ) : null}
      </div>
      {sendError !== null ? (
        <p className="form-error" role="alert">
          {sendError}
        </p>
      ) : null}
      <div className="dialog-buttons">
        <button type="button" onClick={() => void askToClose(hub)}>
          Close
        </button>
        <button type="submit" className="primary" disabled={sending} aria-keyshortcuts="Control+Enter Meta+Enter">
          {sending ? 'Sending…' : 'Send'}
        </button>
      </div>
    </form>
  );
}

function CloseQuestion({ id }: { id: string }) {
  const hub = useHub();
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <div className="composer-confirm" role="alertdialog" aria-labelledby={`${id}-confirm-title`} aria-describedby={`${id}-confirm-text`}>
      <h3 id={`${id}-confirm-title`}>Close this message?</h3>
      <p id={`${id}-confirm-text`}>Keep it in your Drafts folder to finish later, or discard it.</p>
      <div className="dialog-buttons">
        <button type="button" onClick={() => keepWriting(hub)}>
          Keep writing
        </button>
        <button type="button" className="danger" onClick={() => void closeComposer(hub, false)}>
          Discard
        </button>
        <button ref={first} type="button" className="primary" onClick={() => void closeComposer(hub, true)}>
          Save as draft
        </button>
      </div>
    </div>
  );
}
