/** Test-controlled rate limiting: chosen requests answer 429 M_LIMIT_EXCEEDED like Synapse's limiter. */

export interface RateLimitRule {
  /** Matched against the request path: a RegExp, or a substring such as '/send/'. */
  path: string | RegExp;
  method?: string;
  /** Only this user's requests, as Synapse limits each user on its own; everyone's when omitted. */
  userId?: string;
  /** How many matching requests to refuse; every one when omitted. */
  times?: number;
  retryAfterMs?: number;
}

interface ActiveRule {
  rule: RateLimitRule;
  remaining: number;
}

export class RateLimiter {
  private rules: ActiveRule[] = [];

  add(rule: RateLimitRule): void {
    this.rules.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.rules = [];
  }

  /** The retry delay when this request is refused, otherwise undefined. */
  check(method: string, pathname: string, userId: string | undefined): number | undefined {
    const active = this.rules.find(({ rule, remaining }) => remaining > 0 && matches(rule, method, pathname) && (rule.userId === undefined || rule.userId === userId));
    if (!active) return undefined;
    active.remaining -= 1;
    if (active.remaining <= 0) this.rules = this.rules.filter((candidate) => candidate !== active);
    return active.rule.retryAfterMs ?? 1000;
  }
}

function matches(rule: RateLimitRule, method: string, pathname: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method) return false;
  return typeof rule.path === 'string' ? pathname.includes(rule.path) : rule.path.test(pathname);
}
