/**
 * Errors of the Noise transport (handshake, certificate chain, framing,
 * transport cipher). Every failure in src/protocol/noise is a NoiseError with
 * one of these codes; the connection that raised it must be closed.
 */
export type NoiseErrorCode =
  /** The intro bytes at the start of a client stream are not `WA` 6 3 (or the `ED` routing variant). */
  | 'BAD_INTRO'
  /** A frame that cannot be a valid Noise frame (e.g. a transport frame shorter than its tag). */
  | 'BAD_FRAME'
  /** A frame length above the decoder's limit, or a payload too long for the 3-byte length. */
  | 'FRAME_TOO_LARGE'
  /** The stream ended inside the intro or a frame. */
  | 'TRUNCATED'
  /** A handshake message that does not decode or lacks a required field. */
  | 'BAD_HANDSHAKE'
  /** AES-GCM authentication failed: tampered, replayed, reordered or foreign bytes. */
  | 'DECRYPT'
  /** A transport counter is exhausted (2^32 frames): reusing it would reuse an IV. */
  | 'COUNTER'
  /** The server certificate chain lacks a certificate, its details or its signature. */
  | 'CERT_MISSING'
  /** A certificate's details do not decode, or a key or signature has the wrong length. */
  | 'CERT_MALFORMED'
  /** The intermediate certificate is not signed by the root key. */
  | 'CERT_ROOT_SIGNATURE'
  /** The leaf certificate is not signed by the intermediate's key. */
  | 'CERT_LEAF_SIGNATURE'
  /** An issuer serial does not name its issuer (root serial, intermediate serial). */
  | 'CERT_SERIAL'
  /** The leaf certificate's key is not the static key the server proved in the handshake. */
  | 'CERT_KEY_MISMATCH'
  /** A certificate is not valid at the given time (checked only when a time is given). */
  | 'CERT_VALIDITY';

export class NoiseError extends Error {
  override readonly name = 'NoiseError';
  constructor(
    readonly code: NoiseErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
