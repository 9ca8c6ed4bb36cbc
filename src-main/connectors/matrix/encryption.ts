/**
 * What the user does with encryption beyond reading and writing: cross-signing, emoji verification
 * with their other devices (either side may start), and key backup behind a recovery key. Each
 * step is the SDK's Crypto API; this file keeps the verifications in flight and turns their state
 * into the contract's plain views.
 */
import { MatrixError } from 'matrix-js-sdk';
import type { MatrixClient } from 'matrix-js-sdk';
import { CryptoEvent, decodeRecoveryKey, VerificationPhase, VerificationRequestEvent, VerifierEvent } from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { CryptoApi, ShowSasCallbacks, VerificationRequest, Verifier } from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { EncryptionDevice, VerificationAction, VerificationView } from '../../../src-shared/api.ts';
import { ConnectorError } from '../connector.ts';
import type { MatrixSettings } from '../../../src-shared/domain.ts';
import type { ConnectorContext, EncryptionConnector } from '../connector.ts';
import type { SecretStorageKeys } from './device-crypto.ts';

const SAS_METHOD = 'm.sas.v1';
/** Finished or cancelled verifications stay listed this long, so both screens can show the outcome. */
const FINISHED_VERIFICATION_TTL_MS = 5 * 60_000;

interface TrackedVerification {
  request: VerificationRequest;
  sas?: ShowSasCallbacks;
  verifier?: Verifier;
  finishedAt?: number;
  /** The user confirmed the emoji here. */
  confirmed?: boolean;
  /** Our own words for a failure the request does not carry (a verifier that threw). */
  failure?: string;
  /**
   * The other device, as last known: the SDK names it only while the request is pending or ready
   * (not before the device asked answers, nor once it is done or cancelled).
   */
  otherDeviceId?: string;
}

/** The verification requests of one running client, from the moment they appear until they end. */
export class Verifications {
  readonly #tracked = new Map<string, TrackedVerification>();
  readonly #changed: () => void;
  readonly #log: ConnectorContext['log'];

  constructor(changed: () => void, log: ConnectorContext['log']) {
    this.#changed = changed;
    this.#log = log;
  }

  /** Follows requests from the user's other devices; returns the detach function. */
  attach(client: MatrixClient): () => void {
    const onRequest = (request: VerificationRequest) => {
      // Only the user's own devices: verifying other people is not offered here.
      if (!request.isSelfVerification || request.roomId !== undefined) return;
      this.track(request);
    };
    client.on(CryptoEvent.VerificationRequestReceived, onRequest);
    return () => {
      client.off(CryptoEvent.VerificationRequestReceived, onRequest);
      for (const tracked of this.#tracked.values()) tracked.request.removeAllListeners();
      this.#tracked.clear();
    };
  }

  track(request: VerificationRequest, otherDeviceId?: string): VerificationView {
    const id = request.transactionId ?? '';
    const existing = this.#tracked.get(id);
    if (existing) return viewOf(existing);
    const tracked: TrackedVerification = { request, ...(otherDeviceId ? { otherDeviceId } : {}) };
    this.#tracked.set(id, tracked);
    request.on(VerificationRequestEvent.Change, () => {
      this.#follow(tracked);
      this.#changed();
    });
    this.#follow(tracked);
    this.#changed();
    return viewOf(tracked);
  }

  views(): VerificationView[] {
    const now = Date.now();
    for (const [id, tracked] of this.#tracked) {
      if (tracked.finishedAt !== undefined && now - tracked.finishedAt > FINISHED_VERIFICATION_TTL_MS) this.#tracked.delete(id);
    }
    return [...this.#tracked.values()].map(viewOf);
  }

  async respond(requestId: string, action: VerificationAction): Promise<VerificationView> {
    const tracked = this.#tracked.get(requestId);
    if (!tracked) throw new ConnectorError('not-found', 'That verification is over or was never started here. Start it again from one of your devices.');
    const { request } = tracked;
    try {
      switch (action) {
        case 'accept':
          if (request.phase !== VerificationPhase.Requested || request.initiatedByMe) throw new ConnectorError('invalid-input', 'There is no request to accept: it was accepted, cancelled or started here.');
          await request.accept();
          break;
        case 'start':
          if (request.phase !== VerificationPhase.Ready) throw new ConnectorError('invalid-input', 'Both devices must have accepted before the emoji comparison can start.');
          this.#attachVerifier(tracked, await request.startVerification(SAS_METHOD));
          break;
        case 'confirm':
          if (!tracked.sas) throw new ConnectorError('invalid-input', 'There are no emoji to confirm yet.');
          await tracked.sas.confirm();
          tracked.confirmed = true;
          break;
        case 'mismatch':
          if (!tracked.sas) throw new ConnectorError('invalid-input', 'There are no emoji to compare yet.');
          tracked.sas.mismatch();
          break;
        case 'cancel':
          if (request.phase !== VerificationPhase.Done && request.phase !== VerificationPhase.Cancelled) await request.cancel();
          break;
      }
    } catch (error) {
      throw error instanceof ConnectorError ? error : new ConnectorError('connection-failed', `The verification step failed: ${describe(error)}. Start the verification again.`, { cause: error });
    }
    this.#follow(tracked);
    this.#changed();
    return viewOf(tracked);
  }

  /** The other device may start the emoji step: its verifier then appears on the request. */
  #follow(tracked: TrackedVerification): void {
    const { request } = tracked;
    if (request.otherDeviceId) tracked.otherDeviceId = request.otherDeviceId;
    if (request.verifier && !tracked.verifier) this.#attachVerifier(tracked, request.verifier);
    if ((request.phase === VerificationPhase.Done || request.phase === VerificationPhase.Cancelled) && tracked.finishedAt === undefined) {
      tracked.finishedAt = Date.now();
    }
  }

  #attachVerifier(tracked: TrackedVerification, verifier: Verifier): void {
    if (tracked.verifier === verifier) return;
    tracked.verifier = verifier;
    verifier.on(VerifierEvent.ShowSas, (sas) => {
      tracked.sas = sas;
      this.#changed();
    });
    verifier.on(VerifierEvent.Cancel, () => this.#changed());
    // verify() resolves once both sides confirmed, and rejects on a mismatch or a cancel.
    verifier.verify().then(
      () => this.#changed(),
      (error: unknown) => {
        tracked.failure ??= describe(error);
        this.#log.info('verification ended without success', { error: describe(error) });
        this.#changed();
      },
    );
  }
}

function viewOf(tracked: TrackedVerification): VerificationView {
  const { request } = tracked;
  const emoji = tracked.sas?.sas.emoji;
  const otherDeviceId = request.otherDeviceId ?? tracked.otherDeviceId;
  const phase = ((): VerificationView['phase'] => {
    switch (request.phase) {
      case VerificationPhase.Unsent:
      case VerificationPhase.Requested:
        return 'requested';
      case VerificationPhase.Ready:
        return 'ready';
      case VerificationPhase.Started:
        return emoji ? 'compare-emoji' : 'started';
      case VerificationPhase.Done:
        return 'done';
      case VerificationPhase.Cancelled:
        return 'cancelled';
    }
  })();
  return {
    requestId: request.transactionId ?? '',
    incoming: !request.initiatedByMe,
    otherUserId: request.otherUserId,
    ...(otherDeviceId ? { otherDeviceId } : {}),
    phase,
    ...(emoji && phase === 'compare-emoji' ? { emoji: emoji.map(([symbol, name]) => ({ symbol, name })) } : {}),
    ...(tracked.confirmed && phase === 'compare-emoji' ? { confirmedHere: true } : {}),
    ...(phase === 'cancelled' ? { reason: cancellationReason(request, tracked.failure) } : {}),
  };
}

function cancellationReason(request: VerificationRequest, failure: string | undefined): string {
  switch (request.cancellationCode) {
    case 'm.mismatched_sas':
      return 'The emoji did not match. Nothing was verified; if you did not cause this, someone may be interfering.';
    case 'm.timeout':
      return 'The verification timed out. Start it again.';
    case 'm.user':
      return request.cancellingUserId === undefined ? 'Cancelled.' : 'Cancelled on one of the devices.';
    case 'm.accepted':
      return 'Another device answered this request.';
    default:
      return failure ? `The verification failed: ${failure.slice(0, 200)}` : `The verification was cancelled${request.cancellationCode ? ` (${request.cancellationCode})` : ''}.`;
  }
}

export interface EncryptionDeps {
  ctx: ConnectorContext<MatrixSettings>;
  /** The client, synced at least once; its crypto is running. */
  ready(): Promise<{ client: MatrixClient; verifications: Verifications }>;
  keys: SecretStorageKeys;
}

function cryptoOf(client: MatrixClient): CryptoApi {
  const crypto = client.getCrypto();
  if (!crypto) throw new ConnectorError('protocol', 'End-to-end encryption is not running for this account. Restart Groundswell.');
  return crypto;
}

/** The password UIA flow (m.login.password), as the homeserver asks for it when keys are uploaded. */
export function passwordAuth(userId: string, password: string) {
  return async <T>(makeRequest: (auth: Record<string, unknown> | null) => Promise<T>): Promise<T> => {
    try {
      return await makeRequest(null);
    } catch (error) {
      const flows = error instanceof MatrixError ? (error.data['flows'] as { stages?: unknown[] }[] | undefined) : undefined;
      if (error instanceof MatrixError && error.httpStatus === 401 && flows) {
        if (!flows.some((flow) => flow.stages?.length === 1 && flow.stages[0] === 'm.login.password')) {
          throw new ConnectorError('protocol', 'The homeserver wants another kind of confirmation than the password (single sign-on). Set up cross-signing in a web client such as Element.');
        }
        const session = typeof error.data['session'] === 'string' ? error.data['session'] : undefined;
        return makeRequest({ type: 'm.login.password', identifier: { type: 'm.id.user', user: userId }, password, ...(session ? { session } : {}) });
      }
      throw error;
    }
  };
}

/**
 * Whether the homeserver holds a cross-signing identity for the user. Asked of the server itself:
 * the crypto's own view counts keys it made locally even when their upload was refused (a wrong
 * password, a stop half-way), which would read as "ready" while nothing vouches for anything.
 */
async function identityOnServer(client: MatrixClient): Promise<boolean> {
  const userId = client.getSafeUserId();
  const answer = await client.downloadKeysForUsers([userId]);
  return answer.master_keys?.[userId] !== undefined;
}

/**
 * Cross-signing on first sign-in: made and uploaded with the password when the account has none;
 * an account that already has an identity elsewhere is left alone (verify this device from there).
 */
export async function setUpCrossSigningIfNew(client: MatrixClient, password: string | undefined, log: ConnectorContext['log']): Promise<void> {
  if (password === undefined) return;
  try {
    const crypto = cryptoOf(client);
    if (await identityOnServer(client)) return;
    await crypto.bootstrapCrossSigning({ authUploadDeviceSigningKeys: passwordAuth(client.getSafeUserId(), password), setupNewCrossSigning: true });
    log.info('cross-signing set up');
  } catch (error) {
    // Stopped meanwhile, or refused: the Security dialog offers it again, with the password prompt.
    log.warn('could not set up cross-signing at sign-in', { error: describe(error) });
  }
}

export function createEncryption({ ctx, ready, keys }: EncryptionDeps): EncryptionConnector {
  const run = async <T>(doing: string, work: (client: MatrixClient, crypto: CryptoApi, verifications: Verifications) => Promise<T>): Promise<T> => {
    const { client, verifications } = await ready();
    try {
      return await work(client, cryptoOf(client), verifications);
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      if (error instanceof MatrixError && error.httpStatus === 401 && error.data['flows']) {
        throw new ConnectorError('auth-failed', 'The homeserver did not accept that password.', { cause: error });
      }
      throw new ConnectorError('connection-failed', `Could not ${doing}: ${describe(error)}.`, { cause: error });
    } finally {
      ctx.securityChanged();
    }
  };

  const newRecoveryKey = async (client: MatrixClient, crypto: CryptoApi, setupNewSecretStorage: boolean): Promise<string> => {
    // New secret storage holds the identity only if its private keys are here to put in it: made
    // elsewhere, the identity would be left behind in the old storage, which the new key cannot open.
    if (await identityOnServer(client)) {
      const { privateKeysCachedLocally: held } = await crypto.getCrossSigningStatus();
      if (!held.masterKey || !held.selfSigningKey || !held.userSigningKey) {
        throw new ConnectorError(
          'invalid-input',
          'This device does not hold your cross-signing identity, so a recovery key made here could not protect it. Restore with your recovery key or verify this device from another of yours first, then try again.',
        );
      }
    }
    const generated = await crypto.createRecoveryKeyFromPassphrase();
    await crypto.bootstrapSecretStorage({ createSecretStorageKey: async () => generated, setupNewSecretStorage, setupNewKeyBackup: true });
    if (!generated.encodedPrivateKey) throw new Error('the SDK made no recovery key');
    return generated.encodedPrivateKey;
  };

  return {
    async status() {
      const { client, verifications } = await ready();
      const crypto = cryptoOf(client);
      const userId = client.getSafeUserId();
      const deviceId = client.getDeviceId() ?? '';
      // The SDK looks at the server's backup once per run; it may have been reset from another device
      // since (this one would keep "backing up" into a deleted version), so it looks again each time.
      const checked = await crypto.checkKeyBackupAndEnable().catch(() => null);
      const [ownKeys, ready_, hasIdentity, backupInfo, activeBackup, deviceMap] = await Promise.all([
        crypto.getOwnDeviceKeys(),
        crypto.isCrossSigningReady(),
        identityOnServer(client),
        checked ? checked.backupInfo : crypto.getKeyBackupInfo().catch(() => null),
        crypto.getActiveSessionBackupVersion(),
        crypto.getUserDeviceInfo([userId], true),
      ]);
      const devices: EncryptionDevice[] = [];
      for (const device of deviceMap.get(userId)?.values() ?? []) {
        const status = await crypto.getDeviceVerificationStatus(userId, device.deviceId);
        devices.push({ deviceId: device.deviceId, displayName: device.displayName ?? device.deviceId, verified: status?.crossSigningVerified ?? false, current: device.deviceId === deviceId });
      }
      devices.sort((a, b) => Number(b.current) - Number(a.current) || a.displayName.localeCompare(b.displayName));
      return {
        deviceId,
        fingerprint: ownKeys.ed25519,
        crossSigning: !hasIdentity ? 'not-set-up' : ready_ ? 'ready' : 'elsewhere',
        thisDeviceVerified: devices.find((d) => d.current)?.verified ?? false,
        devices,
        backup: activeBackup ? { state: 'on', version: activeBackup } : backupInfo?.version ? { state: 'locked', version: backupInfo.version } : { state: 'off' },
        verifications: verifications.views(),
      };
    },

    setUpCrossSigning: (password) =>
      run('set up cross-signing', async (client, crypto) => {
        if (await identityOnServer(client)) {
          if (await crypto.isCrossSigningReady()) return;
          // A new identity would silently replace the one the user's other devices trust.
          throw new ConnectorError('invalid-input', 'Your account already has a cross-signing identity, made on another device. Verify this device from there, or restore with your recovery key.');
        }
        await crypto.bootstrapCrossSigning({ authUploadDeviceSigningKeys: passwordAuth(client.getSafeUserId(), password), setupNewCrossSigning: true });
      }),

    verifyDevice: (deviceId) =>
      run('ask the device to verify', async (client, crypto, verifications) => {
        const userId = client.getSafeUserId();
        if (deviceId === client.getDeviceId()) throw new ConnectorError('invalid-input', 'That is this device; pick another of your devices.');
        const known = (await crypto.getUserDeviceInfo([userId], true)).get(userId)?.has(deviceId) ?? false;
        if (!known) throw new ConnectorError('not-found', 'That device is not on your account any more.');
        return verifications.track(await crypto.requestDeviceVerification(userId, deviceId), deviceId);
      }),

    respondToVerification: (requestId, action) => run('answer the verification', async (_client, _crypto, verifications) => verifications.respond(requestId, action)),

    setUpBackup: () =>
      run('set up key backup', async (client, crypto) => {
        if ((await crypto.getKeyBackupInfo())?.version) {
          throw new ConnectorError('invalid-input', 'This account already has a key backup. Restore it with its recovery key, or reset it.');
        }
        try {
          return { recoveryKey: await newRecoveryKey(client, crypto, true) };
        } finally {
          keys.forget();
        }
      }),

    restoreBackup: (recoveryKey) =>
      run('restore from the backup', async (client, crypto) => {
        let privateKey: Uint8Array<ArrayBuffer>;
        try {
          privateKey = new Uint8Array(decodeRecoveryKey(recoveryKey));
        } catch {
          throw new ConnectorError('invalid-input', 'That recovery key has a typo (its check digits do not add up). Copy it again, exactly as saved.');
        }
        try {
          const keyId = await client.secretStorage.getDefaultKeyId();
          const key = keyId ? await client.secretStorage.getKey(keyId) : null;
          if (!keyId || !key) throw new ConnectorError('not-found', 'This account has no secure backup on the server to restore from.');
          if (!(await client.secretStorage.checkKey(privateKey, key[1] as never))) {
            throw new ConnectorError('invalid-input', 'That recovery key does not open this account’s backup. It may belong to an older backup that was reset.');
          }
          // Each secret is encrypted to the storage keys it was stored with; this one may not open them all.
          const openedBy = async (secret: 'm.cross_signing.master' | 'm.megolm_backup.v1') => keyId in ((await client.secretStorage.isStored(secret)) ?? {});
          if (!(await openedBy('m.megolm_backup.v1'))) {
            throw new ConnectorError('not-found', 'The recovery key is right, but the backup’s key is not stored with it. Reset the backup from a device that reads your messages.');
          }
          keys.remember(keyId, privateKey);
          // The identity comes along from secret storage, and this device gets signed with it.
          if ((await identityOnServer(client)) && (await openedBy('m.cross_signing.master'))) await crypto.bootstrapCrossSigning({});
          await crypto.loadSessionBackupPrivateKeyFromSecretStorage();
          await crypto.checkKeyBackupAndEnable();
          const result = await crypto.restoreKeyBackup();
          return { imported: result.imported, total: result.total };
        } finally {
          keys.forget();
        }
      }),

    resetBackup: () =>
      run('reset the key backup', async (client, crypto) => {
        try {
          const recoveryKey = await newRecoveryKey(client, crypto, true);
          return { recoveryKey };
        } finally {
          keys.forget();
        }
      }),
  };
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}
