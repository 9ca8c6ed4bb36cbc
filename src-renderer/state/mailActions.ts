/**
 * What the UI does with mail it writes: open the composer for a new message, a reply, reply all or
 * a forward (the hub fills recipients, subject, quote and thread), keep the draft saved while it is
 * typed, send it, and close it — filed in the server's Drafts, or thrown away. The outbox's
 * waiting messages are listed, sent now, or (unsure after a crash) sent again or kept as sent.
 */
import { isAccountOf } from '../../src-shared/domain.ts';
import type { ComposeMode, MailAttachment, MailDraft, SendResult } from '../../src-shared/mail.ts';
import { showToast, type Hub } from './actions.ts';
import type { ComposerView } from './store.ts';

/** A pause in typing this long saves the draft here; closing saves what is left. */
export const DRAFT_SAVE_MS = 1000;

interface MailRuntime {
  saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** The save in flight, so a close or send waits for it (and the draft id it brings). */
  saving: Promise<void> | undefined;
}

const runtimes = new WeakMap<Hub, MailRuntime>();
function runtime(hub: Hub): MailRuntime {
  let r = runtimes.get(hub);
  if (r === undefined) runtimes.set(hub, (r = { saveTimer: undefined, saving: undefined }));
  return r;
}

function patchComposer(hub: Hub, patch: Partial<ComposerView>): void {
  hub.store.setState((s) => (s.composer === null ? {} : { composer: { ...s.composer, ...patch } }));
}

/** The mail accounts that can send (their kind offers mail and they have an outgoing server). */
export function sendingAccounts(hub: Hub): { id: string; name: string }[] {
  const { accounts, kinds } = hub.store.getState();
  const mailKinds = new Set((kinds ?? []).filter((k) => k.capabilities.includes('mail')).map((k) => k.kind));
  return accounts
    .filter((a) => mailKinds.has(a.account.kind) && isAccountOf(a.account, 'imap') && a.account.settings.smtp !== undefined)
    .map((a) => ({ id: a.account.id, name: a.account.displayName }));
}

/** Opens the composer; an answer or forward waits for the hub to read the original. */
export async function openComposer(hub: Hub, mode: ComposeMode, target: { itemId: string } | { accountId: string }): Promise<void> {
  if (hub.store.getState().composer !== null) {
    showToast(hub, 'info', 'A message is already being written: send or close it first.');
    return;
  }
  hub.store.setState({ composer: { mode, draft: null, loadError: null, sending: false, sendError: null, confirmClose: false, dirty: false } });
  const result = await hub.client.call('mail.prepare', { mode, ...target });
  if (hub.store.getState().composer?.mode !== mode) return;
  if (!result.ok) patchComposer(hub, { loadError: result.error.message });
  else patchComposer(hub, { draft: result.value });
}

/** A change typed in the composer; saved here after a pause. */
export function editDraft(hub: Hub, change: Partial<MailDraft>): void {
  const composer = hub.store.getState().composer;
  if (composer?.draft == null) return;
  patchComposer(hub, { draft: { ...composer.draft, ...change }, dirty: true, sendError: null });
  const r = runtime(hub);
  clearTimeout(r.saveTimer);
  r.saveTimer = setTimeout(() => void saveDraftNow(hub), DRAFT_SAVE_MS);
}

export async function saveDraftNow(hub: Hub): Promise<void> {
  const r = runtime(hub);
  clearTimeout(r.saveTimer);
  r.saveTimer = undefined;
  await r.saving;
  const composer = hub.store.getState().composer;
  if (composer?.draft == null || !composer.dirty) return;
  const draft = composer.draft;
  const saving = (async () => {
    const result = await hub.client.call('mail.saveDraft', { draft });
    if (!result.ok) {
      showToast(hub, 'error', `The draft could not be saved: ${result.error.message}`);
      return;
    }
    hub.store.setState((s) =>
      s.composer?.draft == null ? {} : { composer: { ...s.composer, draft: { ...s.composer.draft, draftId: result.value.draftId }, dirty: s.composer.draft !== draft } },
    );
  })();
  r.saving = saving;
  await saving;
  if (r.saving === saving) r.saving = undefined;
}

export function addAttachments(hub: Hub, files: MailAttachment[]): void {
  const draft = hub.store.getState().composer?.draft;
  if (draft == null) return;
  editDraft(hub, { attachments: [...draft.attachments, ...files] });
}

export function removeAttachment(hub: Hub, index: number): void {
  const draft = hub.store.getState().composer?.draft;
  if (draft == null) return;
  editDraft(hub, { attachments: draft.attachments.filter((_, i) => i !== index) });
}

function describeSent(result: SendResult): string {
  switch (result.state) {
    case 'sent':
      return result.message ? `Sent. ${result.message}` : 'Sent.';
    case 'waiting':
      return `Waiting to send: ${result.message ?? 'the outgoing server cannot be reached.'} It goes as soon as the server answers.`;
    case 'unsure':
      return result.message ?? 'It is not known whether the message went out; see the outbox.';
    case 'refused':
      return result.message ?? 'The server refused the message.';
    default:
      return result.state satisfies never;
  }
}

/** Sends the draft; a refusal keeps the composer open with the server's words, anything else closes it. */
export async function sendComposer(hub: Hub): Promise<void> {
  const composer = hub.store.getState().composer;
  if (composer?.draft == null || composer.sending) return;
  clearTimeout(runtime(hub).saveTimer);
  await runtime(hub).saving;
  const draft = hub.store.getState().composer?.draft ?? composer.draft;
  patchComposer(hub, { sending: true, sendError: null });
  const result = await hub.client.call('mail.send', { draft });
  if (!result.ok) {
    patchComposer(hub, { sending: false, sendError: result.error.message });
    return;
  }
  if (result.value.state === 'refused') {
    patchComposer(hub, { sending: false, sendError: describeSent(result.value), draft: { ...draft, ...(result.value.draftId ? { draftId: result.value.draftId } : {}) }, dirty: false });
    return;
  }
  hub.store.setState({ composer: null });
  // Waiting is not a failure: the message is kept and goes by itself; only "unsure" needs the user.
  showToast(hub, result.value.state === 'unsure' ? 'error' : 'info', describeSent(result.value));
  void loadOutbox(hub);
}

/** Escape or Close: ask first when something was written. */
export async function askToClose(hub: Hub): Promise<void> {
  const composer = hub.store.getState().composer;
  if (composer === null) return;
  const draft = composer.draft;
  const written = draft !== null && (draft.text.trim() !== '' || draft.attachments.length > 0 || (draft.mode === 'new' && (draft.subject.trim() !== '' || draft.to.length > 0)));
  if (!written) await closeComposer(hub, false);
  else patchComposer(hub, { confirmClose: true });
}

export function keepWriting(hub: Hub): void {
  patchComposer(hub, { confirmClose: false });
}

/** Closes the composer unsent: `keep` files the draft in the server's Drafts mailbox, otherwise it is thrown away. */
export async function closeComposer(hub: Hub, keep: boolean): Promise<void> {
  const r = runtime(hub);
  clearTimeout(r.saveTimer);
  await r.saving;
  const composer = hub.store.getState().composer;
  if (composer === null) return;
  if (keep && composer.draft !== null) {
    if (composer.dirty || composer.draft.draftId === undefined) await saveDraftNow(hub);
    const draftId = hub.store.getState().composer?.draft?.draftId;
    hub.store.setState({ composer: null });
    if (draftId === undefined) return;
    const result = await hub.client.call('mail.closeDraft', { draftId, keep: true });
    if (!result.ok) showToast(hub, 'error', `The draft is kept on this computer but not in your Drafts folder: ${result.error.message}`);
    else showToast(hub, 'info', result.value.savedOnServer ? 'Saved in Drafts.' : (result.value.message ?? 'The draft is kept on this computer.'));
    await loadMailDrafts(hub);
    return;
  }
  hub.store.setState({ composer: null });
  const draftId = composer.draft?.draftId;
  if (draftId !== undefined) await hub.client.call('mail.closeDraft', { draftId, keep: false });
  await loadMailDrafts(hub);
}

export async function loadOutbox(hub: Hub): Promise<void> {
  const result = await hub.client.call('mail.outbox', {});
  if (result.ok) hub.store.setState({ outbox: result.value });
}

export async function retryOutgoing(hub: Hub, outboxId: string, asSent = false): Promise<void> {
  const result = await hub.client.call(asSent ? 'mail.markSent' : 'mail.retry', { outboxId });
  if (!result.ok) showToast(hub, 'error', result.error.message);
  else showToast(hub, result.value.state === 'sent' || result.value.state === 'waiting' ? 'info' : 'error', describeSent(result.value));
  await loadOutbox(hub);
}

export async function loadMailDrafts(hub: Hub): Promise<void> {
  const result = await hub.client.call('mail.drafts', {});
  if (result.ok) hub.store.setState({ mailDrafts: result.value });
}

/** Opens a kept draft in the composer; a refused one shows the server's words above Send. */
export function openDraft(hub: Hub, draft: MailDraft): void {
  if (hub.store.getState().composer !== null) {
    showToast(hub, 'info', 'A message is already being written: send or close it first.');
    return;
  }
  hub.store.setState({ composer: { mode: draft.mode, draft, loadError: null, sending: false, sendError: draft.problem ?? null, confirmClose: false, dirty: false } });
}

export async function discardDraft(hub: Hub, draftId: string): Promise<void> {
  const result = await hub.client.call('mail.closeDraft', { draftId, keep: false });
  if (!result.ok) showToast(hub, 'error', result.error.message);
  await loadMailDrafts(hub);
}

/** Keeps the outbox and the kept drafts in step with the hub; returns the unsubscribe. */
export function followOutbox(hub: Hub): () => void {
  void loadOutbox(hub);
  void loadMailDrafts(hub);
  const offOutbox = hub.client.on('mail.outboxChanged', () => {
    void loadOutbox(hub);
    void loadMailDrafts(hub);
  });
  // A composer that closes may leave a draft here or take one away.
  const offComposer = hub.store.subscribe((s, before) => {
    if (before.composer !== null && s.composer === null) void loadMailDrafts(hub);
  });
  return () => {
    offOutbox();
    offComposer();
  };
}
