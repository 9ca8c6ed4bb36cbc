/**
 * Which conversation a mail belongs to, from the ids it carries (after JWZ's threading): its own
 * Message-ID, In-Reply-To and every id in References are one conversation, so a reply whose
 * References lost the root, or that names only its parent, still joins through any id it shares. The
 * subject is only the fallback, for a reply that carries no ids at all ("Re: …"). What was learnt is
 * kept (id → conversation), so mail synced later — older mail arrives after newer — joins too.
 */
import { normaliseSubject } from './message-item.ts';

export interface ThreadFacts {
  messageId?: string | undefined;
  inReplyTo?: string | undefined;
  references: readonly string[];
  subject: string;
  /** For choosing a conversation's root among mail seen together: the oldest. */
  timestamp: number;
}

export interface SavedThreads {
  ids: Record<string, string>;
  subjects: Record<string, string>;
}

/** Kept per mailbox; beyond this many ids the oldest are forgotten (they only help join late arrivals). */
const MAX_IDS = 20_000;
const REPLY = /^\s*(?:re|aw|sv|vs|antw|r|rif)\s*(?:\[\d{1,4}\])?\s*:/i;

function normaliseId(id: string): string {
  return id.trim().replace(/^<|>$/g, '').toLowerCase();
}

function idsOf(facts: ThreadFacts): string[] {
  const all = [...facts.references, facts.inReplyTo, facts.messageId].filter((id): id is string => typeof id === 'string');
  return [...new Set(all.map(normaliseId).filter((id) => id !== ''))];
}

export class ThreadIndex {
  readonly #ids: Map<string, string>;
  readonly #subjects: Map<string, string>;

  constructor(saved?: SavedThreads) {
    this.#ids = new Map(Object.entries(saved?.ids ?? {}));
    this.#subjects = new Map(Object.entries(saved?.subjects ?? {}));
  }

  /**
   * The conversation key of each message, in order. Messages of one batch are linked to each other
   * first (union-find over their ids), then to what earlier batches taught.
   */
  assign(batch: readonly ThreadFacts[]): string[] {
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let root = x;
      while (parent.get(root) !== root) root = parent.get(root) ?? root;
      parent.set(x, root);
      return root;
    };
    const union = (a: string, b: string) => {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent.set(rb, ra);
    };
    const ids = batch.map(idsOf);
    for (const list of ids) {
      for (const id of list) if (!parent.has(id)) parent.set(id, id);
      for (const id of list.slice(1)) union(list[0]!, id);
    }
    // Each component's key: a conversation an earlier batch gave any of its ids, else the oldest mail's root id.
    const keyOfRoot = new Map<string, string>();
    const knownKeys = new Set(this.#ids.values());
    const order = batch.map((_, i) => i).sort((a, b) => batch[a]!.timestamp - batch[b]!.timestamp);
    for (const i of order) {
      const list = ids[i]!;
      if (list.length === 0) continue;
      const root = find(list[0]!);
      const known = list.map((id) => this.#ids.get(id)).find((k) => k !== undefined);
      const current = keyOfRoot.get(root);
      if (current === undefined || (known !== undefined && !knownKeys.has(current))) keyOfRoot.set(root, known ?? current ?? `mail:${list[0]}`);
    }
    return batch.map((facts, i) => {
      const list = ids[i]!;
      const subject = normaliseSubject(facts.subject);
      let key: string;
      if (list.length === 0 || (facts.references.length === 0 && facts.inReplyTo === undefined && REPLY.test(facts.subject) && this.#subjects.has(subject))) {
        // No ids to go by (or a bare "Re:" without them): the subject is all there is.
        key = this.#subjects.get(subject) ?? `mail-subject:${subject}`;
      } else {
        key = keyOfRoot.get(find(list[0]!)) ?? `mail:${list[0]}`;
      }
      for (const id of list) this.#remember(id, key);
      if (subject !== '' && !this.#subjects.has(subject)) this.#subjects.set(subject, key);
      return key;
    });
  }

  #remember(id: string, key: string): void {
    this.#ids.delete(id);
    this.#ids.set(id, key);
    if (this.#ids.size > MAX_IDS) this.#ids.delete(this.#ids.keys().next().value as string);
  }

  toJSON(): SavedThreads {
    const subjects = [...this.#subjects].slice(-MAX_IDS);
    return { ids: Object.fromEntries(this.#ids), subjects: Object.fromEntries(subjects) };
  }
}
