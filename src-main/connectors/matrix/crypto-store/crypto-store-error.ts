/** Failures of the durable crypto store, with a code the hub maps to what the user should do. */
export type CryptoStoreErrorCode =
  /** Another process (or another open in this one) holds the store. */
  | 'locked'
  /** The files on disk cannot be read back; the device's keys are not trustworthy. */
  | 'unreadable'
  /** A commit could not be written to disk; the transaction was aborted instead. */
  | 'write-failed'
  /** The caller broke the rules (overlapping prefixes, globals owned by something else, use after close). */
  | 'misuse';

export class CryptoStoreError extends Error {
  readonly code: CryptoStoreErrorCode;
  constructor(code: CryptoStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CryptoStoreError';
    this.code = code;
  }
}
