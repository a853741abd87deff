/**
 * Errors of the simulator (src/sim, excluding the phone's own module). Each
 * carries a string `code`; admin routes map them to HTTP statuses.
 */
export type SimErrorCode =
  /** A pairing ref that no waiting companion holds (QR ref expired, no link-code hello). */
  | 'UNKNOWN_REF'
  /** The companion went away, or answered the pairing with an error. */
  | 'PAIRING_FAILED'
  /** A device jid the server does not know. */
  | 'UNKNOWN_DEVICE'
  /** A phone number or group the server does not know. */
  | 'NOT_FOUND'
  /** A user that already exists. */
  | 'ALREADY_EXISTS'
  /** A request that does not have the required shape. */
  | 'BAD_REQUEST'
  /** A bounded table or queue is full. */
  | 'LIMIT';

export class SimError extends Error {
  override readonly name = 'SimError';
  constructor(
    readonly code: SimErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
