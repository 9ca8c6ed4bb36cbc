/**
 * The one list of attention rules: adding (placed ahead of every less specific rule), changing,
 * moving and removing them, and keeping the rules an account's settings own (a feed's alert level
 * and keywords) in step with those settings. The list lives in the store; this keeps it checked.
 */
import { randomBytes } from 'node:crypto';
import { ATTENTION_LEVELS } from '../../../src-shared/attention.ts';
import type { AttentionLevel, AttentionRule, RuleInput, RuleMatch } from '../../../src-shared/attention.ts';
import type { Account, SourceKind } from '../../../src-shared/domain.ts';
import { InputError, onlyKeys, record } from '../../common/input.ts';
import type { AnyConnectorKind } from '../../connectors/kind.ts';
import type { InboxStore } from '../../store/inbox-store.ts';
import type { StoredRule } from '../../store/attention-store.ts';
import { NotFoundError, UnsupportedError } from '../errors.ts';
import { insertionIndex, matchProblem, RuleList } from './rules.ts';

const MAX_RULES = 5_000;
const MAX_KEYWORDS = 50;
const SOURCES: readonly SourceKind[] = ['mail', 'chat', 'feed'];
const MATCH_KEYS = ['source', 'accountId', 'sender', 'keywords', 'mentionsOnly', 'directOnly', 'mailbox'] as const;

export interface RuleBookParts {
  store: InboxStore;
  accounts: {
    find(accountId: string): { account: Account; kind?: AnyConnectorKind | undefined } | undefined;
    all(): { account: Account; kind?: AnyConnectorKind | undefined }[];
  };
  /** The conversation name an item's stored facts give ("Engineering"), for a rule made from the item. */
  conversationName(itemId: string): string | undefined;
  /** Applies settings changes to an account (a feed's alert level), as `accounts.update` does. */
  changeAccount(accountId: string, changes: Record<string, unknown>): Promise<void>;
  changed(): void;
  now?: () => number;
}

export class RuleBook {
  readonly #p: RuleBookParts;
  #list: RuleList;
  #stored: StoredRule[];

  constructor(parts: RuleBookParts) {
    this.#p = parts;
    this.#stored = parts.store.attention.rules();
    this.#list = new RuleList(this.#stored);
  }

  /** The compiled list, in order, for evaluation. */
  get list(): RuleList {
    return this.#list;
  }

  rules(): AttentionRule[] {
    return this.#stored.map(publicRule);
  }

  add(raw: unknown): AttentionRule {
    const input = parseRuleInput(raw);
    const match: RuleMatch = { ...input.match };
    if (match.accountId !== undefined && !this.#p.accounts.find(match.accountId)) throw new InputError('No account has that id; see the account list.', 'accountId');
    let accountId = match.accountId;
    if (input.conversationOfItem !== undefined) {
      const item = this.#p.store.getItem(input.conversationOfItem);
      if (!item) throw new InputError('No item has that id; see `groundswell inbox` for item ids.', 'conversationOfItem');
      match.conversation = { accountId: item.accountId, key: item.conversationKey, name: this.#p.conversationName(item.id) ?? item.title };
      accountId = item.accountId;
    }
    if (Object.keys(match).length === 0) {
      throw new InputError('A rule needs something to match: a source, an account, a conversation, a sender, a keyword, mentions or direct messages.', 'match');
    }
    const same = this.#stored.find((r) => sameMatch(r.match, match));
    if (same) throw new InputError(`Rule '${same.name}' (${same.id}) matches exactly this already; change its level instead.`, 'match');
    if (this.#stored.length >= MAX_RULES) throw new InputError(`There are ${MAX_RULES} rules already; remove some first.`, 'match');
    const rule: StoredRule = {
      id: this.#newId(),
      name: input.name ?? this.#nameFor(match, input.level, input.priority ?? false),
      match,
      level: input.level,
      priority: input.priority ?? false,
      builtIn: false,
      ...(accountId !== undefined ? { accountId } : {}),
    };
    const next = [...this.#stored];
    next.splice(insertionIndex(next, match), 0, rule);
    this.#write(next);
    return publicRule(rule);
  }

  async update(raw: unknown): Promise<AttentionRule> {
    const params = record(raw, 'the request');
    const rule = this.#get(params['ruleId']);
    const changes = record(params['changes'], 'the changes');
    onlyKeys(changes, ['name', 'level', 'priority'], 'A rule');
    const level = changes['level'] === undefined ? undefined : parseLevel(changes['level']);
    const priority = changes['priority'];
    if (priority !== undefined && typeof priority !== 'boolean') throw new InputError('Priority must be true or false.', 'priority');
    const name = changes['name'] === undefined ? undefined : parseName(changes['name']);
    if (rule.ownerKey !== undefined) {
      if (name !== undefined || (priority !== undefined && priority !== rule.priority)) {
        throw new UnsupportedError(`'${rule.name}' comes from the feed's settings and is named after it; only its level can change here (or in the feed's settings).`);
      }
      if (level !== undefined && level !== rule.level) await this.#changeOwner(rule, { level });
      return publicRule(this.#get(rule.id));
    }
    const updated: StoredRule = { ...rule, ...(name !== undefined ? { name } : {}), ...(level !== undefined ? { level } : {}), ...(priority !== undefined ? { priority } : {}) };
    this.#write(this.#stored.map((r) => (r.id === rule.id ? updated : r)));
    return publicRule(updated);
  }

  async remove(raw: unknown): Promise<void> {
    const rule = this.#get(record(raw, 'the request')['ruleId']);
    if (rule.builtIn) throw new UnsupportedError(`'${rule.name}' is one of the defaults: it can be changed or moved but not removed. Set its level to silent to mute what it matches.`);
    if (rule.ownerKey !== undefined) {
      await this.#changeOwner(rule, null);
      return;
    }
    this.#write(this.#stored.filter((r) => r.id !== rule.id));
  }

  move(raw: unknown): AttentionRule[] {
    const params = record(raw, 'the request');
    const rule = this.#get(params['ruleId']);
    const before = params['beforeRuleId'] ?? null;
    const rest = this.#stored.filter((r) => r.id !== rule.id);
    let index = rest.length;
    if (before !== null) {
      if (before === rule.id) throw new InputError('A rule cannot move before itself.', 'beforeRuleId');
      index = rest.findIndex((r) => r.id === before);
      if (index === -1) throw new NotFoundError('No rule has that id; see `groundswell rules list`.');
    }
    rest.splice(index, 0, rule);
    this.#write(rest);
    return this.rules();
  }

  /**
   * Brings the rules owned by account settings in line with them: new ones are placed by
   * specificity, changed ones keep their place, ones the settings no longer make go. Also the way
   * stored feed settings from before rules existed become rules, at the first start.
   */
  syncOwned(): void {
    const byOwner = new Map(this.#stored.filter((r) => r.ownerKey !== undefined).map((r) => [`${r.accountId}\u0000${r.ownerKey}`, r]));
    const wanted = new Map<string, StoredRule>();
    for (const { account, kind } of this.#p.accounts.all()) {
      if (!kind?.attention) continue;
      for (const seed of kind.attention.rules(account)) {
        const key = `${account.id}\u0000${seed.key}`;
        const existing = byOwner.get(key);
        wanted.set(key, {
          id: existing?.id ?? this.#ownedId(account.id, seed.key),
          name: seed.name,
          match: { ...seed.match, accountId: account.id },
          level: seed.level,
          priority: seed.priority,
          builtIn: false,
          accountId: account.id,
          ownerKey: seed.key,
        });
      }
    }
    let next = this.#stored.flatMap((r) => {
      if (r.ownerKey === undefined) return [r];
      const w = wanted.get(`${r.accountId}\u0000${r.ownerKey}`);
      return w ? [w] : [];
    });
    for (const [key, rule] of wanted) {
      if (byOwner.has(key)) continue;
      next = [...next];
      next.splice(insertionIndex(next, rule.match), 0, rule);
    }
    // Rules about accounts that are gone went with them in the store; drop them here too.
    const known = new Set(this.#p.accounts.all().map((d) => d.account.id));
    next = next.filter((r) => r.accountId === undefined || known.has(r.accountId));
    if (next.length !== this.#stored.length || next.some((r, i) => !sameRule(r, this.#stored[i]!))) this.#write(next);
  }

  async #changeOwner(rule: StoredRule, change: { level: AttentionLevel } | null): Promise<void> {
    const decoded = rule.accountId === undefined ? undefined : this.#p.accounts.find(rule.accountId);
    const capability = decoded?.kind?.attention;
    if (!decoded || !capability) throw new NotFoundError('The account this rule belongs to is gone.');
    const changes = capability.change(rule.ownerKey!, change);
    if (typeof changes === 'string') throw new UnsupportedError(changes);
    await this.#p.changeAccount(decoded.account.id, changes);
    this.syncOwned();
  }

  #get(ruleId: unknown): StoredRule {
    if (typeof ruleId !== 'string' || ruleId === '') throw new InputError('Give the rule id (see `groundswell rules list`).', 'ruleId');
    const rule = this.#stored.find((r) => r.id === ruleId);
    if (!rule) throw new NotFoundError(`No rule has the id ${ruleId}; see \`groundswell rules list\`.`);
    return rule;
  }

  #write(next: StoredRule[]): void {
    this.#p.store.attention.writeRules(next, (this.#p.now ?? Date.now)());
    this.#stored = next;
    this.#list = new RuleList(next);
    this.#p.changed();
  }

  #newId(): string {
    for (;;) {
      const id = `r${randomBytes(3).toString('hex')}`;
      if (!this.#stored.some((r) => r.id === id)) return id;
    }
  }

  #ownedId(accountId: string, key: string): string {
    const short = `${key}-${accountId.slice(0, 8)}`;
    return this.#stored.some((r) => r.id === short) ? `${key}-${accountId}` : short;
  }

  #nameFor(match: RuleMatch, level: AttentionLevel, priority: boolean): string {
    const what: string[] = [];
    if (match.conversation) what.push(match.conversation.name);
    if (match.sender !== undefined) what.push(match.sender);
    if (match.keywords?.length) what.push(match.keywords.map((k) => `"${k}"`).join(', '));
    if (match.accountId !== undefined && !match.conversation) what.push(this.#p.accounts.find(match.accountId)?.account.displayName ?? 'an account');
    if (match.mailbox !== undefined) what.push(match.mailbox);
    if (match.source !== undefined && what.length === 0) what.push({ mail: 'mail', chat: 'chat', feed: 'feeds' }[match.source]);
    if (match.mentionsOnly) what.push('mentions');
    if (match.directOnly) what.push('direct messages');
    const verb = { notify: 'Notify for', badge: 'Count only', silent: 'Mute' }[level];
    return `${verb} ${what.join(', ')}${priority ? ' (priority)' : ''}`;
  }
}

function publicRule(rule: StoredRule): AttentionRule {
  return { id: rule.id, name: rule.name, match: rule.match, level: rule.level, priority: rule.priority, builtIn: rule.builtIn };
}

function sameMatch(a: RuleMatch, b: RuleMatch): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function sameRule(a: StoredRule, b: StoredRule): boolean {
  return JSON.stringify([a.id, a.name, canonical(a.match), a.level, a.priority, a.ownerKey ?? null]) === JSON.stringify([b.id, b.name, canonical(b.match), b.level, b.priority, b.ownerKey ?? null]);
}

function canonical(match: RuleMatch): unknown {
  return Object.fromEntries(
    Object.entries(match)
      .filter(([, v]) => v !== undefined && v !== false)
      .map(([k, v]) => [k, k === 'keywords' ? [...(v as string[])].map((w) => w.toLowerCase()).sort() : k === 'sender' ? String(v).toLowerCase() : k === 'conversation' ? [(v as { accountId: string }).accountId, (v as { key: string }).key] : v])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
  );
}

function parseLevel(value: unknown): AttentionLevel {
  if (typeof value !== 'string' || !(ATTENTION_LEVELS as readonly string[]).includes(value)) throw new InputError('The level must be notify, badge or silent.', 'level');
  return value as AttentionLevel;
}

function parseName(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 200) throw new InputError('A rule\'s name is text of 1 to 200 characters.', 'name');
  return value.trim();
}

/** A new rule as a client sent it, checked field by field. */
export function parseRuleInput(raw: unknown): RuleInput {
  const input = record(raw, 'the rule');
  onlyKeys(input, ['name', 'match', 'conversationOfItem', 'level', 'priority'], 'A rule');
  const given = input['match'] === undefined ? {} : record(input['match'], 'the match');
  onlyKeys(given, MATCH_KEYS, 'A rule\'s match');
  const match: Omit<RuleMatch, 'conversation'> = {};
  const source = given['source'];
  if (source !== undefined) {
    if (!(SOURCES as readonly unknown[]).includes(source)) throw new InputError('The source must be mail, chat or feed.', 'source');
    match.source = source as SourceKind;
  }
  for (const key of ['accountId', 'sender', 'mailbox'] as const) {
    const value = given[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.trim() === '' || value.length > 320) throw new InputError(`${key === 'accountId' ? 'The account id' : key === 'sender' ? 'The sender' : 'The mailbox'} must be text.`, key);
    match[key] = value.trim();
  }
  const keywords = given['keywords'];
  if (keywords !== undefined) {
    if (!Array.isArray(keywords) || keywords.length === 0 || !keywords.every((k) => typeof k === 'string' && k.trim() !== '' && k.length <= 100)) {
      throw new InputError('Keywords are a list of words or phrases of up to 100 characters each.', 'keywords');
    }
    if (keywords.length > MAX_KEYWORDS) throw new InputError(`Give at most ${MAX_KEYWORDS} keywords.`, 'keywords');
    match.keywords = [...new Set((keywords as string[]).map((k) => k.trim().replace(/\s+/g, ' ')))];
  }
  for (const key of ['mentionsOnly', 'directOnly'] as const) {
    const value = given[key];
    if (value === undefined || value === false) continue;
    if (value !== true) throw new InputError(`${key} must be true or false.`, key);
    match[key] = true;
  }
  const senderProblem = match.sender !== undefined ? matchProblem({ sender: match.sender }) : undefined;
  if (senderProblem) throw new InputError(senderProblem, 'sender');
  const keywordProblem = matchProblem(match);
  if (keywordProblem) throw new InputError(keywordProblem, 'keywords');
  const conversationOfItem = input['conversationOfItem'];
  if (conversationOfItem !== undefined && (typeof conversationOfItem !== 'string' || conversationOfItem === '')) throw new InputError('The conversation is named by one of its item ids.', 'conversationOfItem');
  const priority = input['priority'];
  if (priority !== undefined && typeof priority !== 'boolean') throw new InputError('Priority must be true or false.', 'priority');
  return {
    ...(input['name'] !== undefined ? { name: parseName(input['name']) } : {}),
    match,
    ...(conversationOfItem !== undefined ? { conversationOfItem: conversationOfItem as string } : {}),
    level: parseLevel(input['level']),
    ...(priority !== undefined ? { priority: priority as boolean } : {}),
  };
}
