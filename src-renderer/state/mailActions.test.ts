/**
 * Writing mail from the renderer's actions against the real hub (the harness's fake mail server
 * stands in for IMAP and SMTP): a reply opens prefilled, is saved while typed and sent; a message sent
 * while the server is away waits in the outbox and Send now delivers it; Escape's Save as draft files
 * it in Drafts; a draft kept here reopens.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView } from '../../src-shared/domain.ts';
import type { FakeMail } from '../../tests/support/fake-kinds/mail.ts';
import { eventually, openHubHarness, type HubHarness } from '../../tests/support/hub-harness.ts';
import { createHub, loadAccounts, type Hub } from './actions.ts';
import { loadKinds } from './accountActions.ts';
import {
  askToClose,
  closeComposer,
  editDraft,
  followOutbox,
  loadMailDrafts,
  openComposer,
  openDraft,
  retryOutgoing,
  saveDraftNow,
  sendComposer,
  sendingAccounts,
} from './mailActions.ts';
import { createAppStore } from './store.ts';

let h: HubHarness;
let hub: Hub;
let work: AccountView;
let unfollow: () => void;

const question: FakeMail = { id: 'q1', sender: 'Bob Builder', title: 'Re: Budget', snippet: 'Is it final?', body: 'Is it final?\nThanks', timestamp: Date.UTC(2026, 0, 5), unread: true, priority: false };
const state = () => hub.store.getState();

beforeEach(async () => {
  h = await openHubHarness();
  h.mail.user('ann', 'ann password', [question]);
  work = await h.addAccount('imap', {
    displayName: 'Work', host: 'imap.example.com', user: 'ann', password: 'ann password', address: 'ann@example.test', smtpHost: 'smtp.example.com',
  });
  hub = createHub(h.client, createAppStore());
  await Promise.all([loadAccounts(hub), loadKinds(hub)]);
  unfollow = followOutbox(hub);
});

afterEach(async () => {
  unfollow();
  await h.dispose();
});

describe('writing mail', () => {
  it('only accounts with an outgoing server can start a new message', () => {
    expect(sendingAccounts(hub)).toEqual([{ id: work.account.id, name: 'Work' }]);
  });

  it('a reply opens with the sender, Re: once and the quote; it is saved while typed and sent once', async () => {
    await openComposer(hub, 'reply', { itemId: `${work.account.id}:q1` });
    const draft = state().composer?.draft;
    expect(draft).toMatchObject({ mode: 'reply', to: ['bob.builder@example.test'], subject: 'Re: Budget', inReplyTo: `${work.account.id}:q1` });
    expect(draft?.quote).toBe('Bob Builder wrote:\n> Is it final?\n> Thanks');

    editDraft(hub, { text: 'Yes, **final**.' });
    await saveDraftNow(hub);
    const draftId = state().composer?.draft?.draftId;
    expect(draftId).toBeDefined();
    expect((await h.direct.call('mail.drafts', {})).ok).toBe(true);

    await sendComposer(hub);
    expect(state().composer).toBeNull();
    expect(state().toasts.map((t) => t.text)).toContain('Sent.');
    expect(h.mail.sent).toHaveLength(1);
    const raw = Buffer.from(h.mail.sent[0]!.mail.raw).toString('utf8');
    expect(raw).toMatch(/^Subject: Re: Budget$/m);
    expect(raw).toContain('<strong>final</strong>');
    expect(h.mail.sentFolder).toHaveLength(1);
    expect(h.mail.answered.has('q1')).toBe(true);
    await loadMailDrafts(hub);
    expect(state().mailDrafts).toEqual([]);
  });

  it('a message sent while the server is away waits in the outbox, and Send now delivers it', async () => {
    await openComposer(hub, 'new', { accountId: work.account.id });
    editDraft(hub, { to: ['bob@example.test'], subject: 'While away', text: 'Hello' });
    h.mail.goAway('ann', 'The mail server stopped answering.');
    await sendComposer(hub);
    expect(state().composer).toBeNull();
    expect(state().toasts.at(-1)?.text).toBe('Waiting to send: The mail server stopped answering. It goes as soon as the server answers.');
    const waiting = await eventually('the outbox lists it', () => (state().outbox.length === 1 ? state().outbox[0] : undefined));
    expect(waiting).toMatchObject({ subject: 'While away', state: 'waiting', lastError: 'The mail server stopped answering.' });
    expect(h.mail.sent).toEqual([]);

    h.mail.comeBack('ann');
    await retryOutgoing(hub, waiting.id);
    expect(state().outbox).toEqual([]);
    expect(h.mail.sent).toHaveLength(1);
  });

  it('Escape asks first when something was written; Save as draft files it in Drafts; an empty composer just closes', async () => {
    await openComposer(hub, 'new', { accountId: work.account.id });
    await askToClose(hub);
    expect(state().composer).toBeNull();

    await openComposer(hub, 'new', { accountId: work.account.id });
    editDraft(hub, { subject: 'Half written', text: 'First thoughts' });
    await askToClose(hub);
    expect(state().composer?.confirmClose).toBe(true);
    await closeComposer(hub, true);
    expect(state().composer).toBeNull();
    expect(h.mail.draftsFolder.map((d) => Buffer.from(d.mail.raw).toString('utf8').match(/^Subject: (.*)$/m)?.[1])).toEqual(['Half written']);
    expect(state().mailDrafts).toEqual([]);
  });

  it('a draft kept here (the composer closed by a reload) reopens as it was', async () => {
    await openComposer(hub, 'new', { accountId: work.account.id });
    editDraft(hub, { to: ['bob@example.test'], subject: 'Kept', text: 'Still here' });
    await saveDraftNow(hub);
    hub.store.setState({ composer: null });
    await loadMailDrafts(hub);
    expect(state().mailDrafts.map((d) => d.subject)).toEqual(['Kept']);
    openDraft(hub, state().mailDrafts[0]!);
    expect(state().composer?.draft).toMatchObject({ subject: 'Kept', text: 'Still here', to: ['bob@example.test'] });
  });
});
