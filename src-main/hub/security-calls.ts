/**
 * The security calls of the contract: each names a Matrix account and goes to its connector's
 * encryption. Parameters are checked here like every other call's.
 */
import type { EncryptionStatus, VerificationView } from '../../src-shared/api.ts';
import type { Account } from '../../src-shared/domain.ts';
import type { EncryptionConnector } from '../connectors/connector.ts';
import { InputError, parseBoolean, parseId, parsePassword, parseRecoveryKey, parseVerificationAction } from './validate.ts';

export type WithEncryption = <T>(accountId: string, run: (encryption: EncryptionConnector, account: Account) => Promise<T>) => Promise<T>;

export class SecurityCalls {
  readonly #withEncryption: WithEncryption;

  constructor(withEncryption: WithEncryption) {
    this.#withEncryption = withEncryption;
  }

  status(raw: unknown): Promise<EncryptionStatus> {
    return this.#withEncryption(parseId(raw, 'accountId', 'Account'), (encryption, account) => statusOf(encryption, account));
  }

  setUpCrossSigning(raw: unknown): Promise<EncryptionStatus> {
    const password = parsePassword(raw);
    return this.#withEncryption(parseId(raw, 'accountId', 'Account'), async (encryption, account) => {
      await encryption.setUpCrossSigning(password);
      return statusOf(encryption, account);
    });
  }

  verifyDevice(raw: unknown): Promise<VerificationView> {
    const deviceId = parseId(raw, 'deviceId', 'Device');
    return this.#withEncryption(parseId(raw, 'accountId', 'Account'), (encryption) => encryption.verifyDevice(deviceId));
  }

  respondToVerification(raw: unknown): Promise<VerificationView> {
    const requestId = parseId(raw, 'requestId', 'Verification');
    const action = parseVerificationAction(raw);
    return this.#withEncryption(parseId(raw, 'accountId', 'Account'), (encryption) => encryption.respondToVerification(requestId, action));
  }

  setUpBackup(raw: unknown): Promise<{ recoveryKey: string; status: EncryptionStatus }> {
    return this.#withEncryption(parseId(raw, 'accountId', 'Account'), async (encryption, account) => {
      const { recoveryKey } = await encryption.setUpBackup();
      return { recoveryKey, status: await statusOf(encryption, account) };
    });
  }

  restoreBackup(raw: unknown): Promise<{ imported: number; total: number; status: EncryptionStatus }> {
    const recoveryKey = parseRecoveryKey(raw);
    return this.#withEncryption(parseId(raw, 'accountId', 'Account'), async (encryption, account) => {
      const restored = await encryption.restoreBackup(recoveryKey);
      return { ...restored, status: await statusOf(encryption, account) };
    });
  }

  resetBackup(raw: unknown): Promise<{ recoveryKey: string; status: EncryptionStatus }> {
    if (!parseBoolean(raw, 'confirm', 'Confirm')) {
      throw new InputError('Resetting deletes the backup: messages only it could open stay unreadable on new devices. Confirm to go on.', 'confirm');
    }
    return this.#withEncryption(parseId(raw, 'accountId', 'Account'), async (encryption, account) => {
      const { recoveryKey } = await encryption.resetBackup();
      return { recoveryKey, status: await statusOf(encryption, account) };
    });
  }
}

async function statusOf(encryption: EncryptionConnector, account: Account): Promise<EncryptionStatus> {
  return { accountId: account.id, ...(await encryption.status()) };
}
