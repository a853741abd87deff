/** Errors of the crypto primitives. */
export type CryptoErrorCode =
  | 'BAD_KEY'
  | 'BAD_SIGNATURE_LENGTH'
  | 'WEAK_SHARED_SECRET'
  | 'AUTH_FAILED'
  | 'BAD_PADDING'
  | 'BAD_INPUT';

export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
