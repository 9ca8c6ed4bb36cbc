/**
 * Test-controlled failures of the kind a homeserver behind a reverse proxy shows: the proxy's 504
 * page instead of the answer (an HTML body, not the spec's JSON error), or a request that is taken
 * and never answered until the client gives up or the server goes away.
 */

export type Fault = 'gateway-timeout' | 'stall';

export interface FaultRule {
  /** Matched against the request path: a RegExp, or a substring such as '/sync'. */
  path: string | RegExp;
  method?: string;
  /** How many matching requests fail; every one when omitted. */
  times?: number;
  fault: Fault;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

export const GATEWAY_TIMEOUT_PAGE = '<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

export class FaultInjector {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): void {
    this.rules.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault this request meets, if any (counted against its rule). */
  check(method: string, pathname: string): Fault | undefined {
    const active = this.rules.find(({ rule, remaining }) => remaining > 0 && matches(rule, method, pathname));
    if (!active) return undefined;
    active.remaining -= 1;
    if (active.remaining <= 0) this.rules = this.rules.filter((candidate) => candidate !== active);
    return active.rule.fault;
  }
}

function matches(rule: FaultRule, method: string, pathname: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method) return false;
  return typeof rule.path === 'string' ? pathname.includes(rule.path) : rule.path.test(pathname);
}
