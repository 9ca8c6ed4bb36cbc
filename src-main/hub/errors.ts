/**
 * Errors become values at the contract boundary: every failure a call can meet is mapped to a
 * Result whose message says what happened and what to do. Anything unforeseen is logged and named
 * as Groundswell's own fault, with the log's path.
 */
import type { CallName } from '../../src-shared/api.ts';
import { missingCase } from '../../src-shared/domain.ts';
import { fail } from '../../src-shared/result.ts';
import type { Result } from '../../src-shared/result.ts';
import { InputError } from '../common/input.ts';
import type { Logger } from '../common/logger.ts';
import { ConnectorError } from '../connectors/connector.ts';
import { SettingsTooNewError } from '../connectors/kind.ts';
import { KeychainUnavailableError } from '../secrets/secret-store.ts';
import { StoreError } from '../store/store-error.ts';

export class NotFoundError extends Error {}
export class UnsupportedError extends Error {}

export function toFailure(call: CallName, failure: unknown, log: Logger, logPath: string): Result<never> {
  // A connector stopped by the store or the keychain (its context threw) fails for their reason.
  const error = failure instanceof ConnectorError && (failure.cause instanceof StoreError || failure.cause instanceof KeychainUnavailableError) ? failure.cause : failure;
  if (error instanceof InputError) return fail('invalid-input', error.message, error.field);
  if (error instanceof NotFoundError) return fail('not-found', error.message);
  if (error instanceof UnsupportedError || error instanceof SettingsTooNewError) return fail('unsupported', error.message);
  if (error instanceof KeychainUnavailableError) return fail('keychain-unavailable', error.message);
  if (error instanceof StoreError) {
    switch (error.code) {
      case 'invalid-input':
        return fail('invalid-input', error.message);
      case 'not-found':
        return fail('not-found', error.message);
      case 'disk-full':
        return fail('disk-full', error.message);
      case 'damaged':
        return fail('profile-damaged', error.message);
      case 'profile-too-new':
        break;
      default:
        return missingCase(error.code);
    }
  }
  if (error instanceof ConnectorError) {
    switch (error.code) {
      case 'auth-failed':
        return fail('auth-failed', error.message, 'password');
      case 'connection-failed':
      case 'protocol':
        return fail('connection-failed', error.message);
      case 'invalid-input':
        return fail('invalid-input', error.message);
      case 'not-found':
        return fail('not-found', error.message);
      default:
        return missingCase(error.code);
    }
  }
  log.error('call failed', { call, error });
  return fail('internal', `Something went wrong inside Groundswell (${call}). Details are in ${logPath}.`);
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
