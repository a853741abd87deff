/** Errors of pairing (QR, pairing code, pair-success). */
export type PairingErrorCode =
  /** A pairing stanza lacks a part it must have, or a protobuf inside it does not decode. */
  | 'MALFORMED'
  /** The pair-success HMAC does not match our ADV secret (not our phone, or a stale secret). */
  | 'HMAC_MISMATCH'
  /** The phone's account signature over our identity does not verify. */
  | 'BAD_ACCOUNT_SIGNATURE'
  /** A pairing code that is not 8 Crockford base32 characters, or a phone number that is not E.164 digits. */
  | 'BAD_CODE'
  /** The phone's wrapped key does not open into a usable key (a mistyped code). */
  | 'BAD_KEY';

export class PairingError extends Error {
  override readonly name = 'PairingError';
  constructor(
    readonly code: PairingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
