/**
 * Keeping one mailbox in step with the store over one connection: the initial sync, the resume
 * from cursors (new UIDs, changed flags, expunged mail, UIDVALIDITY changes) and the live updates
 * that arrive while the connection idles.
 */
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import type { ImapSettings } from '../../../src-shared/domain.ts';
import type { ConnectorContext, ConnectorItem } from '../connector.ts';
import { externalIdOf, parseExternalId, toConnectorItem } from './message-item.ts';
import { ThreadIndex } from './threading.ts';
import type { SavedThreads, ThreadFacts } from './threading.ts';
import { quickText } from './quick-text.ts';

export interface MailboxCursor {
  uidValidity: number;
  uidNext: number;
  /** A decimal string: mod-sequences are 63-bit and do not fit a JSON number. */
  highestModseq?: string;
  /**
   * Present while the initial sync is unfinished: it fetches newest first, so every message it
   * chose at or above this UID is stored, and a restart fetches only the ones below.
   */
  initialBelow?: number;
}

/** Enough of the message for headers and a snippet; the rest is fetched only for the reading pane. */
export const SNIPPET_SOURCE_BYTES = 16 * 1024;
export const FETCH_BATCH = 100;
// BODYSTRUCTURE says whether a message has attachments (has:attachment) without downloading them.
const SNIPPET_QUERY = {
  uid: true,
  flags: true,
  envelope: true,
  internalDate: true,
  bodyStructure: true,
  source: { start: 0, maxLength: SNIPPET_SOURCE_BYTES },
};
const DAY_MS = 24 * 60 * 60 * 1000;

export const cursorKey = (mailbox: string) => `mailbox:${mailbox}`;

/** "1:4,7,9:10": UID sets stay short even for thousands of messages. */
export function uidSet(uids: Iterable<number>): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** A loop, not Math.min(...uids): spreading a big mailbox's UIDs as arguments overflows the stack. */
export function lowestUid(uids: readonly number[]): number {
  let lowest = Infinity;
  for (const uid of uids) if (uid < lowest) lowest = uid;
  return lowest;
}

export function highestUid(uids: readonly number[]): number {
  let highest = -Infinity;
  for (const uid of uids) if (uid > highest) highest = uid;
  return highest;
}

type Pending = 'new' | 'flags' | 'expunged';

export class MailboxSync {
  readonly mailbox: string;
  private readonly client: ImapFlow;
  private readonly ctx: ConnectorContext;
  private readonly settings: ImapSettings;
  private uidValidity = 0;
  private uidNext = 1;
  private highestModseq: bigint | undefined;
  private initialBelow: number | undefined;
  private readonly pending = new Set<Pending>();
  private arrivedSinceFetch = 0;
  private draining: Promise<void> | undefined;
  private closed = false;
  private threads: ThreadIndex | undefined;

  constructor(client: ImapFlow, ctx: ConnectorContext, settings: ImapSettings, mailbox = 'INBOX') {
    this.client = client;
    this.ctx = ctx;
    this.settings = settings;
    this.mailbox = mailbox;
  }

  get currentUidValidity(): number {
    return this.uidValidity;
  }

  /** Initial sync or resume, whichever the cursor calls for. Leaves the mailbox selected. */
  async catchUp(): Promise<void> {
    const lock = await this.client.getMailboxLock(this.mailbox);
    try {
      const box = this.selected();
      const uidValidity = Number(box.uidValidity);
      const cursor = this.ctx.readCursor<MailboxCursor>(cursorKey(this.mailbox));
      this.uidValidity = uidValidity;
      this.highestModseq = box.highestModseq;
      if (cursor && cursor.uidValidity === uidValidity) {
        this.uidNext = cursor.uidNext;
        await this.fetchFlagChanges(cursor.highestModseq === undefined ? undefined : BigInt(cursor.highestModseq), true);
        await this.removeExpunged();
        if (cursor.initialBelow !== undefined) await this.initialSync(box.uidNext, cursor.initialBelow);
        // Mail that came while Groundswell was away is new since the last sync.
        await this.fetchNew(true, true);
      } else {
        if (cursor) {
          // UIDVALIDITY changed: every stored UID may now name a different message.
          this.ctx.log.info('UIDVALIDITY changed, syncing the mailbox again', { mailbox: this.mailbox, was: cursor.uidValidity, now: uidValidity });
          // Only what carries an older UIDVALIDITY goes: an item a waiting action already found again
          // under the new one (by its Message-ID) keeps its id and its triage.
          this.ctx.remove(this.ctx.knownExternalIds(this.mailbox).filter((id) => parseExternalId(id)?.uidValidity !== uidValidity));
        }
        await this.initialSync(box.uidNext);
        await this.fetchNew(false, false);
      }
      this.saveCursor();
    } finally {
      lock.release();
    }
  }

  /**
   * Hooks the connection's unsolicited responses to the store. Call before catchUp, so mail that
   * arrives during the catch-up is not missed: the work waits for the mailbox lock catchUp holds.
   */
  watch(): void {
    this.client.on('exists', (event: { path: string; count: number; prevCount: number }) => {
      if (event.path === this.mailbox && event.count > event.prevCount) {
        this.arrivedSinceFetch += event.count - event.prevCount;
        this.schedule('new');
      }
    });
    this.client.on('expunge', (event: { path: string; uid?: number }) => {
      if (event.path !== this.mailbox || this.uidValidity === 0) return;
      // With QRESYNC the server names the UID (VANISHED); otherwise only a sequence number we cannot map.
      if (typeof event.uid === 'number') this.ctx.remove([externalIdOf(this.mailbox, this.uidValidity, event.uid)]);
      else this.schedule('expunged');
    });
    this.client.on('flags', (event: { path: string; uid?: number; flags: Set<string> }) => {
      if (event.path !== this.mailbox || this.uidValidity === 0) return;
      if (typeof event.uid === 'number') {
        const externalId = externalIdOf(this.mailbox, this.uidValidity, event.uid);
        this.ctx.setUnread([{ externalId, unread: !event.flags.has('\\Seen') }]);
        // \Flagged set in another client is a fact the hub turns into a star.
        this.ctx.triageFacts([{ externalId, starred: event.flags.has('\\Flagged') }]);
      } else {
        this.schedule('flags');
      }
    });
    this.client.on('close', () => {
      this.closed = true;
    });
  }

  /** Resolves when the work scheduled by live events so far is done (tests and syncOnce use it). */
  async settled(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private schedule(kind: Pending): void {
    this.pending.add(kind);
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0 && !this.closed) {
      const work = new Set(this.pending);
      this.pending.clear();
      let lock: { release(): void } | undefined;
      try {
        lock = await this.client.getMailboxLock(this.mailbox);
        if (work.has('new')) {
          const arrived = this.arrivedSinceFetch;
          this.arrivedSinceFetch = 0;
          // A few new messages (the usual push) are fetched at once, saving the SEARCH round trip.
          if (arrived <= FETCH_BATCH) await this.fetchArrived();
          else await this.fetchNew(false, true);
        }
        if (work.has('flags')) await this.fetchFlagChanges(this.highestModseq, false);
        if (work.has('expunged')) await this.removeExpunged();
        this.saveCursor();
      } catch (error) {
        // A dropped connection ends here too; the reconnect resumes from the cursor.
        this.ctx.log.debug('live update failed', { mailbox: this.mailbox, error });
      } finally {
        lock?.release();
      }
    }
  }

  private selected() {
    const box = this.client.mailbox;
    if (!box) throw new Error(`${this.mailbox} is not selected`);
    return box;
  }

  /**
   * The newest mail of the window, newest first. Progress is saved after every batch, so a sync
   * cut short (quit, crash, lost connection) resumes with `resumeBelow` instead of starting over.
   */
  private async initialSync(uidNextAtSelect: number, resumeBelow?: number): Promise<void> {
    const since = new Date(Date.now() - Math.max(1, this.settings.syncWindowDays) * DAY_MS);
    const found = (await this.client.search({ since }, { uid: true })) || [];
    const newest = [...found].sort((a, b) => b - a).slice(0, Math.max(1, this.settings.syncMaxMessages));
    if (resumeBelow === undefined) this.uidNext = Math.max(uidNextAtSelect, (found.length ? highestUid(found) : 0) + 1);
    // Mail at or above uidNext is fetchNew's; the initial sync owns what lies below its mark.
    this.initialBelow = resumeBelow ?? this.uidNext;
    this.saveCursor();
    const below = this.initialBelow;
    const remaining = newest.filter((uid) => uid < below);
    // A resumed sync counts what an earlier run already stored, so the progress line says "1,240 of 2,000", not "0 of 760".
    await this.fetchItems(
      remaining,
      true,
      false,
      (batch) => {
        this.initialBelow = lowestUid(batch);
        return this.cursor();
      },
      newest.length - remaining.length,
    );
    this.initialBelow = undefined;
  }

  /** Everything with a UID at or above the cursor is new, newest first, capped like the initial sync. */
  private async fetchNew(reportProgress: boolean, fresh: boolean): Promise<void> {
    const from = this.uidNext;
    const found = (await this.client.search({ uid: `${from}:*` }, { uid: true })) || [];
    // "N:*" always matches the highest UID, even when it is below N.
    const uids = found.filter((uid) => uid >= from).sort((a, b) => b - a).slice(0, Math.max(1, this.settings.syncMaxMessages));
    if (uids.length === 0) return;
    await this.fetchItems(uids, reportProgress, fresh);
    this.uidNext = Math.max(this.uidNext, (uids[0] as number) + 1);
  }

  /** UIDs at or above the cursor, fetched directly: only for a handful of messages announced by EXISTS. */
  private async fetchArrived(): Promise<void> {
    const from = this.uidNext;
    const messages = (await this.client.fetchAll(`${from}:*`, SNIPPET_QUERY, { uid: true })).filter((m) => m.uid >= from);
    if (messages.length === 0) return;
    const batch: { item: ConnectorItem; thread: ThreadFacts }[] = [];
    for (const message of messages.sort((x, y) => y.uid - x.uid)) batch.push(await this.toItem(message, true));
    this.ctx.upsert(this.threaded(batch));
    this.uidNext = Math.max(this.uidNext, (messages[0] as FetchMessageObject).uid + 1);
  }

  /**
   * Fetches in batches, newest first, and upserts each batch as it is parsed. The next batch is
   * requested before the current one is parsed, so the server and the parser work side by side.
   */
  private async fetchItems(uidsNewestFirst: number[], reportProgress: boolean, fresh: boolean, stored?: (batch: number[]) => MailboxCursor, alreadyDone = 0): Promise<void> {
    const total = alreadyDone + uidsNewestFirst.length;
    if (reportProgress && uidsNewestFirst.length > 0) this.ctx.status({ state: 'syncing', done: alreadyDone, total });
    const batches: number[][] = [];
    for (let i = 0; i < total; i += FETCH_BATCH) batches.push(uidsNewestFirst.slice(i, i + FETCH_BATCH));
    const request = (batch: number[]) => {
      const pending = this.client.fetchAll(uidSet(batch), SNIPPET_QUERY, { uid: true });
      pending.catch(() => {});
      return pending;
    };
    let next = batches.length > 0 ? request(batches[0] as number[]) : undefined;
    let done = alreadyDone;
    for (let b = 0; b < batches.length && next; b++) {
      const messages = await next;
      next = b + 1 < batches.length ? request(batches[b + 1] as number[]) : undefined;
      // One at a time: parsing is CPU work, and the parse timeout must measure one message, not a queue.
      const batch: { item: ConnectorItem; thread: ThreadFacts }[] = [];
      for (const message of messages.sort((x, y) => y.uid - x.uid)) batch.push(await this.toItem(message, fresh));
      const items = this.threaded(batch);
      // The cursor that says this batch is stored moves in the batch's own transaction (supervision.ts).
      const cursor = stored?.(batches[b] as number[]);
      this.ctx.upsert(items, cursor ? { key: cursorKey(this.mailbox), value: cursor } : undefined);
      done += items.length;
      if (reportProgress) this.ctx.status({ state: 'syncing', done: Math.min(done, total), total });
    }
  }

  /** The quick path covers ordinary mail; mailparser (bounded) takes what it cannot read; the envelope covers the rest. */
  private async toItem(message: FetchMessageObject, fresh: boolean): Promise<{ item: ConnectorItem; thread: ThreadFacts }> {
    const arrival = { fresh, me: this.settings.user.includes('@') ? this.settings.user : undefined };
    const quick = message.source ? quickText(message.source) : undefined;
    // mailparser (and what it pulls in: iconv tables, linkify-it) loads only for the rare message the quick path cannot read.
    const full = quick === undefined && message.source ? await import('./parse-message.ts') : undefined;
    const parsed = quick ?? (full && message.source ? await full.parseMessage(message.source, full.SNIPPET_LIMITS) : undefined);
    if (!parsed) this.ctx.log.debug('message could not be parsed; showing envelope only', { mailbox: this.mailbox, uid: message.uid });
    const item = toConnectorItem(this.mailbox, this.uidValidity, message, parsed, arrival);
    const parsedReply = parsed && 'inReplyTo' in parsed && typeof parsed.inReplyTo === 'string' ? parsed.inReplyTo : undefined;
    const inReplyTo = parsedReply ?? message.envelope?.inReplyTo;
    const messageId = item.origin.kind === 'mail' ? item.origin.messageId : undefined;
    return { item, thread: { messageId, inReplyTo, references: parsed?.references ?? [], subject: item.title, timestamp: item.timestamp } };
  }

  /** Conversation keys for a batch from what the mailbox's thread index knows (threading.ts), which learns from it. */
  private threaded(batch: { item: ConnectorItem; thread: ThreadFacts }[]): ConnectorItem[] {
    const key = `threads:${this.mailbox}`;
    this.threads ??= new ThreadIndex(this.ctx.readCursor<SavedThreads>(key));
    const keys = this.threads.assign(batch.map((b) => b.thread));
    this.ctx.writeCursor(key, this.threads.toJSON());
    return batch.map((b, i) => ({ ...b.item, conversationKey: keys[i] ?? b.item.conversationKey }));
  }

  /** The UIDs the store holds for this mailbox and UIDVALIDITY. */
  private knownUids(): number[] {
    const uids: number[] = [];
    for (const id of this.ctx.knownExternalIds(this.mailbox)) {
      const parsed = parseExternalId(id);
      if (parsed && parsed.mailbox === this.mailbox && parsed.uidValidity === this.uidValidity) uids.push(parsed.uid);
    }
    return uids;
  }

  /**
   * With CONDSTORE only messages whose flags changed since `since` come back; without it (or
   * without a `since`), the flags of every known message are compared. `skipUnchanged` trusts the HIGHESTMODSEQ from
   * SELECT, which is fresh at resume but not during live updates.
   */
  private async fetchFlagChanges(since: bigint | undefined, skipUnchanged: boolean): Promise<void> {
    const known = this.knownUids();
    if (known.length === 0) return;
    const box = this.selected();
    const condstore = box.highestModseq !== undefined && !box.noModseq;
    const changedSince = condstore ? since : undefined;
    if (skipUnchanged && changedSince !== undefined && box.highestModseq !== undefined && box.highestModseq <= changedSince) return;
    const query = { uid: true, flags: true } as const;
    const messages =
      changedSince !== undefined
        ? await this.client.fetchAll(`${lowestUid(known)}:*`, query, { uid: true, changedSince })
        : await this.client.fetchAll(uidSet(known), query, { uid: true });
    const readState = this.ctx.knownReadState(this.mailbox);
    const changes: { externalId: string; unread: boolean }[] = [];
    for (const message of messages) {
      const externalId = externalIdOf(this.mailbox, this.uidValidity, message.uid);
      const unread = !(message.flags?.has('\\Seen') ?? false);
      const stored = readState.get(externalId);
      if (stored !== undefined && stored !== unread) changes.push({ externalId, unread });
    }
    if (changes.length > 0) this.ctx.setUnread(changes);
    this.ctx.triageFacts(messages.map((m) => ({ externalId: externalIdOf(this.mailbox, this.uidValidity, m.uid), starred: m.flags?.has('\\Flagged') ?? false })));
    if (this.client.mailbox && this.client.mailbox.highestModseq !== undefined) this.highestModseq = this.client.mailbox.highestModseq;
  }

  /** Known UIDs the server no longer lists are gone. Searching from the lowest known UID keeps the answer small. */
  private async removeExpunged(): Promise<void> {
    const known = this.knownUids();
    const stale = this.ctx.knownExternalIds(this.mailbox).filter((id) => parseExternalId(id)?.uidValidity !== this.uidValidity);
    if (stale.length > 0) this.ctx.remove(stale);
    if (known.length === 0) return;
    const lowest = lowestUid(known);
    const present = new Set((await this.client.search({ uid: `${lowest}:*` }, { uid: true })) || []);
    const gone = known.filter((uid) => !present.has(uid)).map((uid) => externalIdOf(this.mailbox, this.uidValidity, uid));
    if (gone.length > 0) this.ctx.remove(gone);
  }

  private saveCursor(): void {
    this.ctx.writeCursor(cursorKey(this.mailbox), this.cursor());
  }

  private cursor(): MailboxCursor {
    const cursor: MailboxCursor = { uidValidity: this.uidValidity, uidNext: this.uidNext };
    if (this.highestModseq !== undefined) cursor.highestModseq = this.highestModseq.toString();
    if (this.initialBelow !== undefined) cursor.initialBelow = this.initialBelow;
    return cursor;
  }
}
