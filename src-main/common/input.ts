/**
 * Parameters arrive from a renderer, a socket or the command line and are untrusted. Each check
 * names the field that is wrong, so a form can show the message beside it. The hub's own calls and
 * every connector kind's account input use these.
 */
import { isLocalHost } from '../../src-shared/domain.ts';

export class InputError extends Error {
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.name = 'InputError';
    this.field = field;
  }
}

export function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`Expected ${what} as an object.`);
  }
  return value as Record<string, unknown>;
}

export function text(value: unknown, field: string, label: string, options: { max?: number; optional?: boolean } = {}): string {
  if (value === undefined || value === null || value === '') {
    if (options.optional) return '';
    throw new InputError(`${label} is required.`, field);
  }
  if (typeof value !== 'string') throw new InputError(`${label} must be text.`, field);
  if (value.length > (options.max ?? 1000)) throw new InputError(`${label} is too long.`, field);
  return value;
}

export function integer(value: unknown, field: string, label: string, min: number, max: number, fallback?: number): number {
  if ((value === undefined || value === null || value === '') && fallback !== undefined) return fallback;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new InputError(`${label} must be a whole number from ${min} to ${max}.`, field);
  }
  return n;
}

export function choice<T extends string>(value: unknown, field: string, choices: readonly T[], message: string): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) throw new InputError(message, field);
  return value as T;
}

/** A display name the user typed; empty means "let the kind choose one". */
export function displayName(input: Record<string, unknown>, label = 'Name'): string {
  return text(input['displayName'], 'displayName', label, { max: 200, optional: true }).trim();
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;
const IPV6 = /^\[?[0-9a-f:.]+\]?$/i;

/** A server's host name or IP address, lower-cased. */
export function hostName(value: unknown, field: string, label: string, example: string): string {
  const host = text(value, field, label, { max: 253 }).trim().toLowerCase();
  if (!HOSTNAME.test(host) && !IPV6.test(host)) {
    throw new InputError(`${label} must be a host name such as ${example} or an IP address.`, field);
  }
  return host;
}

/** Unencrypted connections would send passwords in the clear, so only this computer may be reached that way. */
export function refusePlaintextOffMachine(security: string, host: string, field = 'security'): void {
  if (security === 'plain' && !isLocalHost(host)) {
    throw new InputError(
      'An unencrypted connection is only allowed to this computer (127.0.0.1 or localhost). Choose TLS or STARTTLS.',
      field,
    );
  }
}

/** Only these keys may appear: a misspelt field is named instead of silently ignored. */
export function onlyKeys(input: Record<string, unknown>, allowed: readonly string[], what: string): void {
  const unknown = Object.keys(input).filter((key) => !allowed.includes(key));
  if (unknown.length > 0 && allowed.length === 0) throw new InputError(`Only the name of ${what.replace(/^A /, 'a ')} can be changed.`, unknown[0]);
  if (unknown.length > 0) {
    throw new InputError(`${what} has no ${unknown.map((k) => `"${k}"`).join(', ')}; it takes ${allowed.join(', ')}.`, unknown[0]);
  }
}
