/**
 * Errors of the simulated primary phone (src/sim/phone). Each is a PhoneError
 * with a string code; the admin API maps them to HTTP answers (bad input →
 * 400, unknown peer → 404). Nothing here is thrown across the wire.
 */
export type PhoneErrorCode =
  /** The scanned string is not a WhatsApp linking QR (prefix, field count, base64, key sizes, platform). */
  | 'BAD_QR'
  /** A pairing code that is not 8 characters of Crockford base32. */
  | 'BAD_LINK_CODE'
  /** A wrapped key or key bundle from the companion has the wrong size or does not decrypt. */
  | 'BAD_LINK_BUNDLE'
  /** The companion's key bundle names another primary identity than this phone's. */
  | 'LINK_IDENTITY_MISMATCH'
  /** No companion is waiting for a pairing code (or the ref does not match). */
  | 'NO_PENDING_LINK'
  /** An ADV structure does not decode or lacks a required field. */
  | 'ADV_MALFORMED'
  /** An ADV signature or HMAC does not verify. */
  | 'ADV_BAD_SIGNATURE'
  /** A recipient jid the phone cannot send to (not a user jid). */
  | 'BAD_RECIPIENT'
  /** A message given as protobuf JSON that is not a proto Message, or has no known field. */
  | 'BAD_MESSAGE'
  /** The host has no devices (or no prekey bundle) for a recipient. */
  | 'NO_DEVICES'
  /** The server answered the phone's message with an error ack. */
  | 'SERVER_REJECTED'
  /** An incoming stanza that cannot be decrypted (no session, bad MAC, unknown type). */
  | 'DECRYPT_FAILED'
  /** The server would not take the phone's app state patch, or its answer could not be used. */
  | 'APP_STATE_REFUSED'
  /** A history seed or sync policy that does not have the documented shape. */
  | 'BAD_HISTORY'
  /** The phone's history holds its bound of chats, messages, push names or mappings. */
  | 'HISTORY_FULL';

export class PhoneError extends Error {
  override readonly name = 'PhoneError';
  constructor(
    readonly code: PhoneErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
