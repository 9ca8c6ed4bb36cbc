/** What the store throws for conditions a caller can act on; anything else is a bug or a broken disk. */
export type StoreErrorCode = 'profile-too-new' | 'invalid-input' | 'not-found' | 'disk-full' | 'damaged';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}
