import { describe, expect, it } from 'vitest';
import type { EncryptionDevice, EncryptionStatus, VerificationView } from '../../src-shared/api.ts';
import {
  backupText,
  deviceLabel,
  emojiName,
  groupFingerprint,
  incomingRequests,
  orderVerifications,
  otherDevices,
  restoredText,
  verificationStep,
  verifyingDevice,
} from './security.ts';

const devices: EncryptionDevice[] = [
  { deviceId: 'GSWELL01', displayName: 'Groundswell on desk', verified: true, current: true },
  { deviceId: 'PHONE42', displayName: 'Element on phone', verified: false, current: false },
  { deviceId: 'NONAME', displayName: '', verified: true, current: false },
];

/** What security.status answers for a Matrix account; these are pure functions over it, no hub needed. */
function encryptionStatus(accountId: string, overrides: Partial<EncryptionStatus> = {}): EncryptionStatus {
  return {
    accountId,
    deviceId: 'GSWELL01',
    fingerprint: 'K2vQp0Xn3hT9sW1eR7uY5iO8aD4fG6jL2zC0bN1mV3k',
    crossSigning: 'not-set-up',
    thisDeviceVerified: false,
    devices,
    backup: { state: 'off' },
    verifications: [],
    ...overrides,
  };
}

function verification(phase: VerificationView['phase'], extra: Partial<VerificationView> = {}): VerificationView {
  return { requestId: `txn-${phase}`, incoming: true, otherUserId: '@me:example.org', otherDeviceId: 'PHONE42', phase, ...extra };
}

/** What a step offers, as "label→action" pairs: the mapping the dialog draws its buttons from. */
function buttons(v: VerificationView, confirmed = false): string[] {
  return verificationStep(v, devices, confirmed).buttons.map((b) => `${b.label}→${b.action}`);
}

describe('the fingerprint', () => {
  it('reads out in groups of four', () => {
    expect(groupFingerprint('K2vQp0Xn3hT9sW1eR7uY5iO8aD4fG6jL2zC0bN1mV3k')).toBe('K2vQ p0Xn 3hT9 sW1e R7uY 5iO8 aD4f G6jL 2zC0 bN1m V3k');
  });

  it('ignores the spacing it came with, and is empty for nothing', () => {
    expect(groupFingerprint(' abcd ef\ngh ij ')).toBe('abcd efgh ij');
    expect(groupFingerprint('abcdefgh')).toBe('abcd efgh');
    expect(groupFingerprint('')).toBe('');
  });
});

describe('devices', () => {
  it('are named by their display name and id, by id alone without a name, and "Another device" when unknown', () => {
    expect(deviceLabel(devices, 'PHONE42')).toBe('Element on phone (PHONE42)');
    expect(deviceLabel(devices, 'NONAME')).toBe('NONAME');
    expect(deviceLabel(devices, 'NEWONE')).toBe('NEWONE');
    expect(deviceLabel(devices, undefined)).toBe('Another device');
  });

  it('lists the other devices, unverified first, never this one', () => {
    const status = encryptionStatus('chat', { devices });
    expect(otherDevices(status).map((d) => d.deviceId)).toEqual(['PHONE42', 'NONAME']);
  });

  it('knows which device already has a verification under way', () => {
    const status = encryptionStatus('chat', { devices, verifications: [verification('ready'), verification('done', { requestId: 'old', otherDeviceId: 'NONAME' })] });
    expect(verifyingDevice(status, 'PHONE42')).toBe(true);
    expect(verifyingDevice(status, 'NONAME')).toBe(false);
  });
});

describe('what a verification offers', () => {
  it('an incoming request: Accept or Decline (which cancels)', () => {
    expect(buttons(verification('requested'))).toEqual(['Accept→accept', 'Decline→cancel']);
    expect(verificationStep(verification('requested'), devices)).toMatchObject({ title: 'Request from Element on phone (PHONE42)', tone: 'plain', showEmoji: false });
    expect(verificationStep(verification('requested'), devices).text).toMatch(/^Element on phone \(PHONE42\) wants to verify this session\./);
  });

  it('our own request: wait for the other device, or cancel', () => {
    const ours = verification('requested', { incoming: false });
    expect(buttons(ours)).toEqual(['Cancel→cancel']);
    expect(verificationStep(ours, devices)).toMatchObject({ title: 'Verifying with Element on phone (PHONE42)' });
    expect(verificationStep(ours, devices).text).toMatch(/^Waiting for Element on phone \(PHONE42\) to accept…/);
  });

  it('ready: either side may start the emoji comparison', () => {
    expect(buttons(verification('ready'))).toEqual(['Start emoji comparison→start', 'Cancel→cancel']);
    expect(buttons(verification('ready', { incoming: false }))).toEqual(['Start emoji comparison→start', 'Cancel→cancel']);
  });

  it('started: waits for the other device', () => {
    expect(verificationStep(verification('started'), devices)).toMatchObject({ text: 'Waiting for the other device…', showEmoji: false });
    expect(buttons(verification('started'))).toEqual(['Cancel→cancel']);
  });

  it('the emoji: They match (confirm) or They don’t match (mismatch), with the emoji shown', () => {
    const emoji = [{ symbol: '🐶', name: 'dog' }];
    const step = verificationStep(verification('compare-emoji', { emoji }), devices);
    expect(step.showEmoji).toBe(true);
    expect(step.buttons.map((b) => [b.label, b.action, b.style])).toEqual([
      ['They match', 'confirm', 'primary'],
      ['They don’t match', 'mismatch', 'danger-outline'],
    ]);
  });

  it('after "They match" here, waits for the other device instead of asking again', () => {
    const emoji = [{ symbol: '🐶', name: 'dog' }];
    const step = verificationStep(verification('compare-emoji', { emoji }), devices, true);
    expect(step.text).toBe('Waiting for Element on phone (PHONE42) to confirm the emoji…');
    expect(step.showEmoji).toBe(true);
    expect(step.buttons.map((b) => b.action)).toEqual(['cancel']);
  });

  it('the emoji phase without emoji yet is still waiting', () => {
    expect(verificationStep(verification('compare-emoji'), devices)).toMatchObject({ text: 'Waiting for the other device…', showEmoji: false });
  });

  it('done says Verified; cancelled says why; neither offers anything', () => {
    expect(verificationStep(verification('done'), devices)).toMatchObject({ text: 'Verified', tone: 'ok', buttons: [] });
    expect(verificationStep(verification('cancelled', { reason: 'The verification timed out. Start it again.' }), devices)).toMatchObject({
      text: 'The verification timed out. Start it again.',
      tone: 'bad',
      buttons: [],
    });
    expect(verificationStep(verification('cancelled'), devices).text).toBe('The verification was cancelled.');
  });

  it('names an unknown other device "Another device"', () => {
    expect(verificationStep(verification('requested', { otherDeviceId: undefined }), devices).text).toMatch(/^Another device wants to verify this session/);
  });
});

describe('the list of verifications', () => {
  it('puts those still going first, in the hub’s order otherwise', () => {
    const list = [verification('done', { requestId: 'a' }), verification('ready', { requestId: 'b' }), verification('cancelled', { requestId: 'c' }), verification('requested', { requestId: 'd' })];
    expect(orderVerifications(list).map((v) => v.requestId)).toEqual(['b', 'd', 'a', 'c']);
  });

  it('finds the requests from other devices that nobody answered', () => {
    const status = encryptionStatus('chat', {
      verifications: [
        verification('requested', { requestId: 'in' }),
        verification('requested', { requestId: 'out', incoming: false }),
        verification('ready', { requestId: 'accepted' }),
        verification('requested', { requestId: '' }),
      ],
    });
    expect(incomingRequests(status).map((v) => v.requestId)).toEqual(['in']);
  });
});

describe('words', () => {
  it('emoji names start with a capital', () => {
    expect(emojiName('dog')).toBe('Dog');
    expect(emojiName('Santa')).toBe('Santa');
  });

  it('restores and backups', () => {
    expect(restoredText(38, 40)).toBe('Restored 38 of 40 keys');
    expect(restoredText(1, 1)).toBe('Restored 1 of 1 key');
    expect(backupText('3')).toBe('Backing up (version 3)');
    expect(backupText(undefined)).toBe('Backing up');
  });
});
