/**
 * The words and choices of the Security dialog: how a fingerprint is read out, what a device is
 * called, and which buttons a verification offers in each phase. Plain data, so every rule is
 * unit-tested; SecurityDialog only draws them.
 */
import type { EncryptionDevice, EncryptionStatus, VerificationAction, VerificationView } from '../../src-shared/api.ts';
import { missingCase } from '../../src-shared/domain.ts';

/** "abcdEFGH12" → "abcd EFGH 12": groups of four are what people compare by eye against another screen. */
export function groupFingerprint(fingerprint: string): string {
  const plain = fingerprint.replace(/\s+/g, '');
  return (plain.match(/.{1,4}/g) ?? []).join(' ');
}

/** `Laptop (ABCDEF)`, the bare id when the device has no name of its own, or "Another device" when unknown. */
export function deviceLabel(devices: readonly EncryptionDevice[], deviceId: string | undefined): string {
  if (deviceId === undefined || deviceId === '') return 'Another device';
  const name = devices.find((d) => d.deviceId === deviceId)?.displayName.trim() ?? '';
  return name === '' || name === deviceId ? deviceId : `${name} (${deviceId})`;
}

/** The user's devices other than this Groundswell, unverified first (they are the ones to act on), then by name. */
export function otherDevices(status: EncryptionStatus): EncryptionDevice[] {
  return status.devices
    .filter((d) => !d.current && d.deviceId !== status.deviceId)
    .sort((a, b) => Number(a.verified) - Number(b.verified) || (a.displayName || a.deviceId).localeCompare(b.displayName || b.deviceId));
}

/** Still going: neither verified nor given up. */
export function isVerificationActive(v: VerificationView): boolean {
  return v.phase !== 'done' && v.phase !== 'cancelled';
}

/** Those still going first (they want an answer), then the finished ones; otherwise in the hub's order. */
export function orderVerifications(verifications: readonly VerificationView[]): VerificationView[] {
  return [...verifications.filter(isVerificationActive), ...verifications.filter((v) => !isVerificationActive(v))];
}

/** A device with a verification already under way offers no second "Verify". */
export function verifyingDevice(status: EncryptionStatus, deviceId: string): boolean {
  return status.verifications.some((v) => v.otherDeviceId === deviceId && isVerificationActive(v));
}

/** Requests from another device that nobody has answered yet: what the main window points out. */
export function incomingRequests(status: EncryptionStatus): VerificationView[] {
  return status.verifications.filter((v) => v.incoming && v.phase === 'requested' && v.requestId !== '');
}

export interface VerificationButton {
  action: VerificationAction;
  label: string;
  style: 'primary' | 'plain' | 'danger-outline';
}

export interface VerificationStep {
  /** A short title for the verification: who it is with and which way it goes. */
  title: string;
  text: string;
  tone: 'plain' | 'ok' | 'bad';
  /** Draw the seven emoji large, with their names. */
  showEmoji: boolean;
  buttons: VerificationButton[];
}

const CANCEL: VerificationButton = { action: 'cancel', label: 'Cancel', style: 'plain' };

/**
 * What one verification shows and offers. `confirmed`: the user already said the emoji match here,
 * and the other device has yet to say so (the hub's phase stays 'compare-emoji' until both have).
 */
export function verificationStep(v: VerificationView, devices: readonly EncryptionDevice[], confirmed = false): VerificationStep {
  const other = deviceLabel(devices, v.otherDeviceId);
  const title = v.incoming ? `Request from ${other}` : `Verifying with ${other}`;
  const step = (text: string, buttons: VerificationButton[], tone: VerificationStep['tone'] = 'plain', showEmoji = false): VerificationStep => ({
    title,
    text,
    tone,
    showEmoji,
    buttons,
  });
  switch (v.phase) {
    case 'requested':
      return v.incoming
        ? step(`${other} wants to verify this session. Accept only if you started this on your other device.`, [
            { action: 'accept', label: 'Accept', style: 'primary' },
            { action: 'cancel', label: 'Decline', style: 'plain' },
          ])
        : step(`Waiting for ${other} to accept… Open your other session and accept the request there.`, [CANCEL]);
    case 'ready':
      // Either side may start: whoever is in front of their screen first.
      return step('Both devices are ready. Start comparing emoji here, or on the other device.', [
        { action: 'start', label: 'Start emoji comparison', style: 'primary' },
        CANCEL,
      ]);
    case 'started':
      return step('Waiting for the other device…', [CANCEL]);
    case 'compare-emoji':
      if (v.emoji === undefined || v.emoji.length === 0) return step('Waiting for the other device…', [CANCEL]);
      if (confirmed) return step(`Waiting for ${other} to confirm the emoji…`, [CANCEL], 'plain', true);
      return step(
        `Check that ${other} shows the same emoji, in the same order.`,
        [
          { action: 'confirm', label: 'They match', style: 'primary' },
          { action: 'mismatch', label: 'They don’t match', style: 'danger-outline' },
        ],
        'plain',
        true,
      );
    case 'done':
      return step('Verified', [], 'ok');
    case 'cancelled':
      return step(v.reason !== undefined && v.reason.trim() !== '' ? v.reason : 'The verification was cancelled.', [], 'bad');
    default:
      return missingCase(v.phase);
  }
}

/** The SDK names the emoji in lower case ("dog"); under a large symbol a capital reads better. */
export function emojiName(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** "Restored 12 of 40 keys": what a restore brought back; the rest were not in the backup or not readable. */
export function restoredText(imported: number, total: number): string {
  return `Restored ${imported} of ${total} ${total === 1 ? 'key' : 'keys'}`;
}

/** "Backing up (version 3)". */
export function backupText(version: string | undefined): string {
  return version === undefined || version === '' ? 'Backing up' : `Backing up (version ${version})`;
}
