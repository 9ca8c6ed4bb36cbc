import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import { InputError } from '../common/input.ts';
import { ConnectorError } from '../connectors/connector.ts';
import { SettingsTooNewError } from '../connectors/kind.ts';
import { KeychainUnavailableError } from '../secrets/secret-store.ts';
import { StoreError } from '../store/store-error.ts';
import { NotFoundError, toFailure, UnsupportedError } from './errors.ts';

const logged: string[] = [];
const log = createLogger({ write: (line) => void logged.push(line) });
const failure = (error: unknown) => {
  const result = toFailure('inbox.list', error, log, '/profile/logs/hub.log');
  if (result.ok) throw new Error('expected a failure');
  return result.error;
};

describe('errors at the contract boundary', () => {
  it.each([
    [new InputError('Port must be a number.', 'port'), { code: 'invalid-input', field: 'port' }],
    [new NotFoundError('gone'), { code: 'not-found' }],
    [new UnsupportedError('no'), { code: 'unsupported' }],
    [new SettingsTooNewError('IMAP', 3), { code: 'unsupported' }],
    [new KeychainUnavailableError('read', new Error('dbus')), { code: 'keychain-unavailable' }],
    [new StoreError('invalid-input', 'bad cursor'), { code: 'invalid-input' }],
    [new StoreError('not-found', 'no row'), { code: 'not-found' }],
    [new ConnectorError('auth-failed', 'refused'), { code: 'auth-failed', field: 'password' }],
    [new ConnectorError('connection-failed', 'away'), { code: 'connection-failed' }],
    [new ConnectorError('protocol', 'garbled'), { code: 'connection-failed' }],
    [new ConnectorError('invalid-input', 'bad'), { code: 'invalid-input' }],
    [new ConnectorError('not-found', 'none'), { code: 'not-found' }],
  ])('%s becomes %o, its message kept', (error, expected) => {
    expect(failure(error)).toMatchObject({ ...expected, message: (error as Error).message });
  });

  it('names anything unforeseen as our fault, with the log to read, and logs it', () => {
    logged.length = 0;
    expect(failure(new TypeError('x is undefined'))).toEqual({
      code: 'internal',
      message: 'Something went wrong inside Groundswell (inbox.list). Details are in /profile/logs/hub.log.',
    });
    expect(failure(new StoreError('profile-too-new', 'newer'))).toMatchObject({ code: 'internal' });
    expect(logged.join('\n')).toContain('x is undefined');
  });
});
