/**
 * One Matrix user's end-to-end encryption as a homeserver and the user's other devices would show
 * it: cross-signing, devices, emoji verifications and the key backup. The test moves the other side
 * (a request arrives, the phone confirms the emoji); the connector answers the hub's calls from it
 * with the real encryption code's messages, and says when it changed.
 */
import type { EncryptionStatus, VerificationAction, VerificationView } from '../../../src-shared/api.ts';
import { missingCase } from '../../../src-shared/domain.ts';
import { ConnectorError } from '../../../src-main/connectors/connector.ts';
import type { EncryptionConnector } from '../../../src-main/connectors/connector.ts';
import { ScriptedFailures } from './scripted.ts';

export type DeviceEncryption = Omit<EncryptionStatus, 'accountId'>;

export type EncryptionOperation = 'status' | 'crossSigning' | 'verification' | 'setUpBackup' | 'restoreBackup' | 'resetBackup';

/** The seven emoji both screens show during an emoji comparison, as matrix-js-sdk names them. */
export const SAS_EMOJI: readonly { symbol: string; name: string }[] = [
  { symbol: '🐶', name: 'dog' },
  { symbol: '🔑', name: 'key' },
  { symbol: '🎸', name: 'guitar' },
  { symbol: '🚀', name: 'rocket' },
  { symbol: '🌵', name: 'cactus' },
  { symbol: '☂️', name: 'umbrella' },
  { symbol: '🍕', name: 'pizza' },
];

/** This device GSWELL01 unverified, no cross-signing, one other device (a phone, unverified), no backup. */
export function freshEncryption(overrides: Partial<DeviceEncryption> = {}): DeviceEncryption {
  return {
    deviceId: 'GSWELL01',
    fingerprint: 'K2vQp0Xn3hT9sW1eR7uY5iO8aD4fG6jL2zC0bN1mV3k',
    crossSigning: 'not-set-up',
    thisDeviceVerified: false,
    devices: [
      { deviceId: 'GSWELL01', displayName: 'Groundswell on desk', verified: false, current: true },
      { deviceId: 'PHONE42', displayName: 'Element on phone', verified: false, current: false },
    ],
    backup: { state: 'off' },
    verifications: [],
    ...overrides,
  };
}

export class FakeEncryption extends ScriptedFailures<EncryptionOperation> {
  state: DeviceEncryption;
  /** The recovery key that opens the backup on the server; set by setUpBackup/resetBackup, or by the test. */
  recoveryKey: string | undefined;
  /** What a restore finds: how many keys the backup holds and how many of them import. */
  backupKeys = { imported: 38, total: 40 };
  readonly #changed: () => void;
  #nextRequest = 1;
  #nextKey = 1;

  constructor(changed: () => void, state: DeviceEncryption = freshEncryption()) {
    super();
    this.#changed = changed;
    this.state = state;
  }

  /** The user signs in on another device. */
  addDevice(deviceId: string, displayName: string): void {
    this.state.devices.push({ deviceId, displayName, verified: false, current: false });
    this.#changed();
  }

  /** Another device of the user's asks to verify this one. */
  incomingRequest(requestId: string, otherDeviceId = 'PHONE42'): VerificationView {
    const request: VerificationView = { requestId, incoming: true, otherUserId: '@me:example.org', otherDeviceId, phase: 'requested' };
    this.state.verifications.push(request);
    this.#changed();
    return request;
  }

  /** The other device confirmed the emoji too: done, and that device is verified. */
  otherDeviceConfirms(requestId: string): void {
    const v = this.#verification(requestId);
    v.phase = 'done';
    delete v.emoji;
    for (const device of this.state.devices) if (device.deviceId === v.otherDeviceId) device.verified = true;
    this.#changed();
  }

  /** The request was answered on another device, or cancelled there. */
  cancelledElsewhere(requestId: string, reason: string): void {
    const v = this.#verification(requestId);
    v.phase = 'cancelled';
    v.reason = reason;
    delete v.emoji;
    this.#changed();
  }

  /** The SDK forgets which device a finished verification was with. */
  forgetDeviceOf(requestId: string): void {
    delete this.#verification(requestId).otherDeviceId;
  }

  connector(checkPassword: (password: string) => void): EncryptionConnector {
    return {
      status: async () => {
        this.check('status');
        return structuredClone(this.state);
      },
      setUpCrossSigning: async (password) => {
        this.check('crossSigning');
        if (this.state.crossSigning === 'elsewhere') {
          throw new ConnectorError('invalid-input', 'Your account already has a cross-signing identity, made on another device. Verify this device from there, or restore with your recovery key.');
        }
        try {
          checkPassword(password);
        } catch {
          throw new ConnectorError('auth-failed', 'The homeserver did not accept that password.');
        }
        this.state.crossSigning = 'ready';
        this.state.thisDeviceVerified = true;
        for (const device of this.state.devices) if (device.current) device.verified = true;
        this.#changed();
      },
      verifyDevice: async (deviceId) => {
        this.check('verification');
        if (deviceId === this.state.deviceId) throw new ConnectorError('invalid-input', 'That is this device; pick another of your devices.');
        if (!this.state.devices.some((d) => d.deviceId === deviceId)) throw new ConnectorError('not-found', 'That device is not on your account any more.');
        const request: VerificationView = { requestId: `txn-out-${this.#nextRequest++}`, incoming: false, otherUserId: '@me:example.org', otherDeviceId: deviceId, phase: 'requested' };
        this.state.verifications.push(request);
        this.#changed();
        return structuredClone(request);
      },
      respondToVerification: async (requestId, action) => {
        this.check('verification');
        const v = this.state.verifications.find((x) => x.requestId === requestId);
        if (v === undefined) throw new ConnectorError('not-found', 'That verification is over or was never started here. Start it again from one of your devices.');
        this.#step(v, action);
        this.#changed();
        return structuredClone(v);
      },
      setUpBackup: async () => {
        this.check('setUpBackup');
        if (this.state.backup.state !== 'off') throw new ConnectorError('invalid-input', 'This account already has a key backup. Restore it with its recovery key, or reset it.');
        this.state.backup = { state: 'on', version: '1' };
        this.#changed();
        return { recoveryKey: this.#newKey() };
      },
      restoreBackup: async (recoveryKey) => {
        this.check('restoreBackup');
        if (this.state.backup.state === 'off' || this.recoveryKey === undefined) throw new ConnectorError('not-found', 'This account has no secure backup on the server to restore from.');
        if (recoveryKey.replace(/\s+/g, '') !== this.recoveryKey.replace(/\s+/g, '')) {
          throw new ConnectorError('invalid-input', 'That recovery key does not open this account’s backup. It may belong to an older backup that was reset.');
        }
        this.state.backup = { state: 'on', ...(this.state.backup.version === undefined ? {} : { version: this.state.backup.version }) };
        this.#changed();
        return { ...this.backupKeys };
      },
      resetBackup: async () => {
        this.check('resetBackup');
        this.state.backup = { state: 'on', version: String(Number(this.state.backup.version ?? '0') + 1) };
        this.#changed();
        return { recoveryKey: this.#newKey() };
      },
    };
  }

  #step(v: VerificationView, action: VerificationAction): void {
    switch (action) {
      case 'accept':
        if (v.phase !== 'requested' || !v.incoming) throw new ConnectorError('invalid-input', 'There is no request to accept: it was accepted, cancelled or started here.');
        v.phase = 'ready';
        return;
      case 'start':
        if (v.phase !== 'ready') throw new ConnectorError('invalid-input', 'Both devices must have accepted before the emoji comparison can start.');
        v.phase = 'compare-emoji';
        v.emoji = SAS_EMOJI.map((e) => ({ ...e }));
        return;
      case 'confirm':
        // Done only once the other device confirms too (the test says when, with otherDeviceConfirms).
        if (v.emoji === undefined) throw new ConnectorError('invalid-input', 'There are no emoji to confirm yet.');
        return;
      case 'mismatch':
        if (v.emoji === undefined) throw new ConnectorError('invalid-input', 'There are no emoji to compare yet.');
        v.phase = 'cancelled';
        delete v.emoji;
        v.reason = 'The emoji did not match. Nothing was verified; if you did not cause this, someone may be interfering.';
        return;
      case 'cancel':
        if (v.phase !== 'done' && v.phase !== 'cancelled') {
          v.phase = 'cancelled';
          delete v.emoji;
          v.reason = 'Cancelled.';
        }
        return;
      default:
        missingCase(action);
    }
  }

  #verification(requestId: string): VerificationView {
    const v = this.state.verifications.find((x) => x.requestId === requestId);
    if (v === undefined) throw new Error(`The fake encryption has no verification ${requestId}.`);
    return v;
  }

  /** 48 base58 letters and digits in groups of four, as the SDK's encoded recovery keys are; a new one each time. */
  #newKey(): string {
    const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
    const n = this.#nextKey++;
    const letters = Array.from({ length: 44 }, (_, i) => alphabet[(i * 7 + n * 13) % alphabet.length]).join('');
    this.recoveryKey = `EsTc${letters}`.replace(/(.{4})(?=.)/g, '$1 ');
    return this.recoveryKey;
  }
}
