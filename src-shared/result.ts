/** Errors cross the hub/renderer boundary as values, never as exceptions. */

export type ErrorCode =
  | 'invalid-input'
  | 'auth-failed'
  | 'connection-failed'
  | 'not-found'
  | 'keychain-unavailable'
  | 'profile-locked'
  | 'unsupported'
  /** The disk holding the profile is full: nothing new can be saved until space is freed. */
  | 'disk-full'
  /** The profile's database is damaged: a restart sets it aside and rebuilds it. */
  | 'profile-damaged'
  | 'internal';

export interface AppError {
  code: ErrorCode;
  /** Says what happened and what to do, in the user's words. Never contains a secret. */
  message: string;
  /** For form errors: which input field is wrong. */
  field?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string, field?: string): { ok: false; error: AppError } {
  return { ok: false, error: field === undefined ? { code, message } : { code, message, field } };
}
