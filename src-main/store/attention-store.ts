/**
 * Attention as SQLite holds it (migration 009): the ordered rules, quiet hours and the pause, and
 * the decision made about each item. The hub decides; this reads and writes, a reorder in one
 * transaction.
 */
import type Database from 'better-sqlite3';
import type { AttentionLevel, AttentionRule, QuietHours, RuleMatch } from '../../src-shared/attention.ts';

/** A rule as stored: an account's settings may own it (a feed's alert level), under a key of the kind's. */
export interface StoredRule extends AttentionRule {
  ownerKey?: string;
  /** The account it is about (it goes with the account). */
  accountId?: string;
}

export interface StoredAttentionSettings {
  quietHours: QuietHours | null;
  pausedUntil: number | null;
}

/** What the hub decided about an item, and the facts it rested on (JSON the hub reads back). */
export interface StoredDecision {
  itemId: string;
  level: AttentionLevel;
  priority: boolean;
  ruleId?: string;
  ruleName?: string;
  reason: string;
  notified: boolean;
  notNotifiedBecause?: string;
  /** The item's timestamp it was decided for. */
  decidedFor: number;
  facts: unknown;
}

interface RuleRow {
  id: string;
  position: number;
  name: string;
  match: string;
  level: AttentionLevel;
  priority: number;
  built_in: number;
  account_id: string | null;
  owner_key: string | null;
}

interface DecisionRow {
  item_id: string;
  level: AttentionLevel;
  priority: number;
  rule_id: string | null;
  rule_name: string | null;
  reason: string;
  notified: number;
  not_notified_because: string | null;
  decided_for: number;
  facts: string;
}

const WRITE_DECISION = `
  INSERT INTO item_attention (item_id, level, priority, rule_id, rule_name, reason, notified, not_notified_because, decided_for, facts)
  SELECT @itemId, @level, @priority, @ruleId, @ruleName, @reason, @notified, @notNotifiedBecause, @decidedFor, @facts
   WHERE EXISTS (SELECT 1 FROM items WHERE id = @itemId)
  ON CONFLICT (item_id) DO UPDATE SET
    level = excluded.level, priority = excluded.priority, rule_id = excluded.rule_id, rule_name = excluded.rule_name,
    reason = excluded.reason, notified = excluded.notified, not_notified_because = excluded.not_notified_because,
    decided_for = excluded.decided_for, facts = excluded.facts
  WHERE item_attention.level IS NOT excluded.level OR item_attention.priority IS NOT excluded.priority
    OR item_attention.rule_id IS NOT excluded.rule_id OR item_attention.rule_name IS NOT excluded.rule_name
    OR item_attention.reason IS NOT excluded.reason OR item_attention.notified IS NOT excluded.notified
    OR item_attention.not_notified_because IS NOT excluded.not_notified_because
    OR item_attention.decided_for IS NOT excluded.decided_for OR item_attention.facts IS NOT excluded.facts`;

export class AttentionStore {
  readonly #db: Database.Database;
  readonly #prepare: (sql: string) => Database.Statement;
  readonly #guard: <T>(run: () => T) => T;

  constructor(db: Database.Database, prepare: (sql: string) => Database.Statement, guard: <T>(run: () => T) => T) {
    this.#db = db;
    this.#prepare = prepare;
    this.#guard = guard;
  }

  // ---- rules ------------------------------------------------------------------------------

  rules(): StoredRule[] {
    const rows = this.#guard(() => this.#prepare('SELECT * FROM attention_rules ORDER BY position, created_at, id').all() as RuleRow[]);
    return rows.map(toRule);
  }

  /**
   * Writes the whole list in this order: rules missing from it are removed, new ones inserted. The
   * list is short (tens to a few hundred rules), and one transaction keeps positions consistent.
   */
  writeRules(rules: readonly StoredRule[], now: number): void {
    const upsert = this.#prepare(
      `INSERT INTO attention_rules (id, position, name, match, level, priority, built_in, account_id, owner_key, created_at)
       VALUES (@id, @position, @name, @match, @level, @priority, @builtIn, @accountId, @ownerKey, @now)
       ON CONFLICT (id) DO UPDATE SET position = excluded.position, name = excluded.name, match = excluded.match,
         level = excluded.level, priority = excluded.priority, account_id = excluded.account_id, owner_key = excluded.owner_key`,
    );
    const remove = this.#prepare('DELETE FROM attention_rules WHERE id = ?');
    this.#guard(() =>
      this.#db.transaction(() => {
        const keep = new Set(rules.map((r) => r.id));
        for (const id of this.#prepare('SELECT id FROM attention_rules').pluck().all() as string[]) if (!keep.has(id)) remove.run(id);
        rules.forEach((rule, position) =>
          upsert.run({
            id: rule.id,
            position,
            name: rule.name,
            match: JSON.stringify(rule.match),
            level: rule.level,
            priority: rule.priority ? 1 : 0,
            builtIn: rule.builtIn ? 1 : 0,
            accountId: rule.accountId ?? null,
            ownerKey: rule.ownerKey ?? null,
            now,
          }),
        );
      })(),
    );
  }

  // ---- quiet hours and pause --------------------------------------------------------------

  settings(): StoredAttentionSettings {
    const row = this.#guard(
      () =>
        this.#prepare('SELECT quiet_start, quiet_end, priority_breaks_through, paused_until FROM attention_settings WHERE id = 1').get() as
          | { quiet_start: string | null; quiet_end: string | null; priority_breaks_through: number; paused_until: number | null }
          | undefined,
    );
    if (!row) return { quietHours: null, pausedUntil: null };
    return {
      quietHours: row.quiet_start !== null && row.quiet_end !== null ? { start: row.quiet_start, end: row.quiet_end, priorityBreaksThrough: row.priority_breaks_through === 1 } : null,
      pausedUntil: row.paused_until,
    };
  }

  writeSettings(settings: StoredAttentionSettings): void {
    const quiet = settings.quietHours;
    this.#guard(() =>
      this.#prepare(
        `INSERT INTO attention_settings (id, quiet_start, quiet_end, priority_breaks_through, paused_until) VALUES (1, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
           priority_breaks_through = excluded.priority_breaks_through, paused_until = excluded.paused_until`,
      ).run(quiet?.start ?? null, quiet?.end ?? null, quiet?.priorityBreaksThrough ? 1 : 0, settings.pausedUntil),
    );
  }

  // ---- decisions --------------------------------------------------------------------------

  /**
   * What is stored about items a connector is about to upsert, found as the upsert finds them (by
   * external id: a moved mail keeps its first item id): the item id, read state and decision.
   */
  priors(accountId: string, externalIds: readonly string[]): Map<string, { itemId: string; unread: boolean; decision?: StoredDecision }> {
    const statement = this.#prepare(
      'SELECT items.id AS id, items.unread AS unread, item_attention.* FROM items LEFT JOIN item_attention ON item_attention.item_id = items.id ' +
        'WHERE items.account_id = ? AND items.external_id = ?',
    );
    return this.#guard(() => {
      const found = new Map<string, { itemId: string; unread: boolean; decision?: StoredDecision }>();
      for (const externalId of externalIds) {
        const row = statement.get(accountId, externalId) as (Partial<DecisionRow> & { id: string; unread: number }) | undefined;
        if (!row) continue;
        found.set(externalId, { itemId: row.id, unread: row.unread === 1, ...(row.item_id ? { decision: toDecision(row as DecisionRow) } : {}) });
      }
      return found;
    });
  }

  decisions(itemIds: readonly string[]): Map<string, StoredDecision> {
    const statement = this.#prepare('SELECT * FROM item_attention WHERE item_id = ?');
    return this.#guard(() => {
      const found = new Map<string, StoredDecision>();
      for (const id of itemIds) {
        const row = statement.get(id) as DecisionRow | undefined;
        if (row) found.set(id, toDecision(row));
      }
      return found;
    });
  }

  /** Writes decisions for items that exist (one removed meanwhile is skipped); unchanged rows are left alone. */
  writeDecisions(decisions: readonly StoredDecision[]): void {
    if (decisions.length === 0) return;
    const statement = this.#prepare(WRITE_DECISION);
    this.#guard(() =>
      this.#db.transaction(() => {
        for (const d of decisions) {
          statement.run({
            itemId: d.itemId,
            level: d.level,
            priority: d.priority ? 1 : 0,
            ruleId: d.ruleId ?? null,
            ruleName: d.ruleName ?? null,
            reason: d.reason,
            notified: d.notified ? 1 : 0,
            notNotifiedBecause: d.notNotifiedBecause ?? null,
            decidedFor: d.decidedFor,
            facts: JSON.stringify(d.facts),
          });
        }
      })(),
    );
  }
}

function toRule(row: RuleRow): StoredRule {
  return {
    id: row.id,
    name: row.name,
    match: JSON.parse(row.match) as RuleMatch,
    level: row.level,
    priority: row.priority === 1,
    builtIn: row.built_in === 1,
    ...(row.account_id !== null ? { accountId: row.account_id } : {}),
    ...(row.owner_key !== null ? { ownerKey: row.owner_key } : {}),
  };
}

function toDecision(row: DecisionRow): StoredDecision {
  return {
    itemId: row.item_id,
    level: row.level,
    priority: row.priority === 1,
    ...(row.rule_id !== null ? { ruleId: row.rule_id } : {}),
    ...(row.rule_name !== null ? { ruleName: row.rule_name } : {}),
    reason: row.reason,
    notified: row.notified === 1,
    ...(row.not_notified_because !== null ? { notNotifiedBecause: row.not_notified_because } : {}),
    decidedFor: row.decided_for,
    facts: JSON.parse(row.facts) as unknown,
  };
}
