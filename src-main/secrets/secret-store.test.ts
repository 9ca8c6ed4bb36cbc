import { describe, expect, it } from 'vitest';
import { KeychainUnavailableError } from './secret-store.ts';

// The native layer's words as @napi-rs/keyring reports them for each state of the Secret Service.
describe('KeychainUnavailableError', () => {
  it('names a locked keychain', () => {
    const error = new KeychainUnavailableError('read', new Error("Couldn't access platform storage: Secret Service: unlock prompt was dismissed"));
    expect(error.problem).toBe('locked');
    expect(error.message).toMatch(/^The system keychain is locked, so Groundswell cannot read the account's password\. Unlock it; the account connects again by itself/);
  });

  it('asks to try again when saving meets a locked keychain', () => {
    const error = new KeychainUnavailableError('save', new Error("Couldn't access platform storage: Secret Service: unlock prompt was dismissed"));
    expect(error.message).toBe("The system keychain is locked, so Groundswell cannot save the account's password. Unlock it and try again.");
  });

  it('names a keychain that is not running, or a session without a bus', () => {
    for (const text of [
      'zbus error: org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files',
      'zbus error: Failed to connect to address `unix:path=/nonexistent`: No such file or directory (os error 2)',
    ]) {
      const error = new KeychainUnavailableError('save', new Error(text));
      expect(error.problem).toBe('not-running');
      expect(error.message).toMatch(/^The system keychain is not available: it is not running, so Groundswell cannot save/);
    }
  });

  it('says what it knows when the backend gives no reason', () => {
    const error = new KeychainUnavailableError('read', new Error("Couldn't access platform storage: AccessDenied"));
    expect(error.problem).toBe('unavailable');
    expect(error.message).toMatch(/^The system keychain is not available, so Groundswell cannot read/);
  });
});
