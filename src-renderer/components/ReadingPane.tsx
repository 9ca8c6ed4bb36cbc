import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { InboxItem, ItemDetail } from '../../src-shared/domain.ts';
import { formatFullTime } from '../format/time.ts';
import { closeItem, findItem } from '../state/actions.ts';
import { focusList } from './focusList.ts';
import { PaneTriageButtons } from './TriageButtons.tsx';
import { MailAnswerButtons } from './MailButtons.tsx';
import { WhyButton, WhyPanel } from './WhyPanel.tsx';
import { useApp, useHub } from '../state/hooks.ts';
import { ChatRoom } from './ChatRoom.tsx';
import { Marked, SearchTermsContext, TermMarks } from './Highlighted.tsx';
import type { SearchTerm } from '../../src-shared/api.ts';
import { matchRanges } from '../../src-shared/search-match.ts';
import { searchTermsInForce } from '../state/store.ts';
import { ConversationView } from './ConversationView.tsx';
import { MailBodyView } from './MailBodyView.tsx';
import { hasRemoteImages, RichContent } from './RichContent.tsx';
import { SenderWarningMark, senderWarningText } from './SenderWarningMark.tsx';
import { SourceIcon } from './SourceIcon.tsx';

function headerValue(detail: ItemDetail | null, name: string): string | undefined {
  const lower = name.toLowerCase();
  return detail?.headers.find((h) => h.name.toLowerCase() === lower)?.value;
}

/** From, To, Date, Subject for mail; whatever the hub sends for the other kinds, after sender and time. */
function headerRows(item: InboxItem, detail: ItemDetail | null): { name: string; value: string }[] {
  const date = formatFullTime(item.timestamp);
  if (item.source === 'mail') {
    const rows = [
      { name: 'From', value: headerValue(detail, 'From') ?? item.sender },
      { name: 'To', value: headerValue(detail, 'To') },
      { name: 'Date', value: date },
      { name: 'Subject', value: headerValue(detail, 'Subject') ?? item.title },
    ];
    return rows.filter((r): r is { name: string; value: string } => r.value !== undefined && r.value !== '');
  }
  const shown = new Set(['from', 'date', 'link']);
  return [
    { name: 'From', value: item.sender },
    { name: 'Date', value: date },
    ...(detail?.headers ?? []).filter((h) => !shown.has(h.name.toLowerCase())),
  ];
}

/** Shown only when one pane fits at a time: the way back to the list (Escape too). */
function BackButton() {
  const hub = useHub();
  return (
    <button
      type="button"
      className="back-button"
      onClick={() => {
        closeItem(hub);
        setTimeout(focusList, 0);
      }}
    >
      <span aria-hidden="true">← </span>Back
    </button>
  );
}

/** Nothing open. With no account at all the first run (FirstRun.tsx) stands here instead. */
function EmptyState() {
  return (
    <div className="empty">
      <h2>Nothing selected</h2>
      <p>Choose an item in the list to read it here.</p>
      <p className="keys">
        <kbd>↑</kbd>/<kbd>↓</kbd> or <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> opens · <kbd>e</kbd> done · <kbd>s</kbd> star · <kbd>?</kbd> all shortcuts
      </p>
    </div>
  );
}

/** The domain as the DNS knows it ("xn--pypal-4ve.com"): the URL parser applies IDNA, and the disguise falls away. */
function asciiDomain(domain: string): string {
  try {
    return new URL(`http://${domain}/`).hostname;
  } catch {
    return domain;
  }
}

/** The entry's web page, for the button that opens it in the browser. */
function originalLink(item: InboxItem): string | undefined {
  return item.origin.kind === 'feed' && item.origin.link !== undefined && /^https?:/i.test(item.origin.link) ? item.origin.link : undefined;
}

function Body({ detail }: { detail: ItemDetail }) {
  const [imagesFor, setImagesFor] = useState<string | null>(null);
  if (detail.mail !== undefined && detail.conversation !== undefined) return <ConversationView detail={{ ...detail, mail: detail.mail, conversation: detail.conversation }} />;
  if (detail.mail !== undefined) return <MailBodyView detail={detail} mail={detail.mail} />;
  if (detail.content === undefined || detail.content.length === 0) {
    return (
      <pre className="body">
        <TermMarks text={detail.bodyText} />
      </pre>
    );
  }
  const showImages = imagesFor === detail.item.id;
  return (
    <>
      {hasRemoteImages(detail.content) && !showImages ? (
        <p className="body-note">
          Remote images are off, so the sender cannot see that you read this.{' '}
          <button type="button" className="link" onClick={() => setImagesFor(detail.item.id)}>
            Show images
          </button>
        </p>
      ) : null}
      <RichContent nodes={detail.content} showImages={showImages} />
    </>
  );
}

const NO_TERMS: SearchTerm[] = [];

export function ReadingPane() {
  const { openId, item, detail, detailState, detailError, terms } = useApp(
    useShallow((s) => ({
      terms: searchTermsInForce(s) ?? NO_TERMS,
      openId: s.openId,
      item: s.openId === null ? undefined : findItem(s, s.openId),
      detail: s.detail,
      detailState: s.detailState,
      detailError: s.detailError,
    })),
  );

  if (openId === null) {
    return (
      <section aria-label="Reading pane" className="reading" tabIndex={-1}>
        <EmptyState />
      </section>
    );
  }
  const shown = item ?? detail?.item;
  if (shown?.source === 'chat') {
    // Keyed by room: another room starts with its own scroll position, draft and image viewer.
    return (
      <section aria-label="Reading pane" className="reading chat-reading" tabIndex={-1}>
        <BackButton />
        <SearchTermsContext.Provider value={terms}>
          <ChatRoom key={shown.id} item={shown} />
        </SearchTermsContext.Provider>
      </section>
    );
  }
  return (
    <section aria-label="Reading pane" className="reading" tabIndex={-1}>
      <BackButton />
      {shown === undefined ? (
        <div className="empty">{detailState === 'error' ? <p>Could not open this item: {detailError}</p> : <p>Loading…</p>}</div>
      ) : (
        <article className="message">
          <header className="message-header">
            <h2 className="message-title">
              <SourceIcon kind={shown.source} />
              <bdi className="message-title-text" dir="auto" title={shown.title}>
                <Marked text={shown.title} ranges={matchRanges(shown.title, terms)} />
              </bdi>
            </h2>
            <div className="message-actions">
              {originalLink(shown) !== undefined ? (
                <a className="button" href={originalLink(shown)} target="_blank" rel="noopener noreferrer" title={originalLink(shown)}>
                  Open link
                </a>
              ) : null}
              <MailAnswerButtons item={shown} />
              <PaneTriageButtons itemId={shown.id} />
              <WhyButton item={shown} />
            </div>
            <WhyPanel item={shown} />
            <dl className="headers">
              {headerRows(shown, detail).map((h, i) => (
                <div key={`${h.name}-${i}`} className="header-row">
                  <dt>{h.name}</dt>
                  <dd>
                    <bdi dir="auto">{h.value}</bdi>
                    {h.name === 'From' ? <SenderWarningMark warning={shown.senderWarning} /> : null}
                  </dd>
                </div>
              ))}
            </dl>
            {shown.senderWarning !== undefined ? (
              <p className="sender-warning-note">
                {senderWarningText(shown.senderWarning)}
                {asciiDomain(shown.senderWarning.domain) !== shown.senderWarning.domain ? ` (its domain is really ${asciiDomain(shown.senderWarning.domain)})` : ''}. Do not trust
                links or attachments in it until you have checked who sent it.
              </p>
            ) : null}
          </header>
          {detailState === 'loading' ? <p className="body-note">Loading…</p> : null}
          {detailState === 'error' ? <p className="body-note error">Could not load the message: {detailError}</p> : null}
          {detail !== null && detail.bodyError !== undefined ? <p className="body-note error">{detail.bodyError}</p> : null}
          {detail !== null ? (
            <SearchTermsContext.Provider value={terms}>
              <Body detail={detail} />
            </SearchTermsContext.Provider>
          ) : null}
        </article>
      )}
    </section>
  );
}
