/**
 * Errors of Signal group messaging (sender keys). Every failure in
 * src/protocol/signal/group is a GroupCipherError with one of these codes.
 * Functions here never mutate their input record, so after any of these
 * errors the caller's stored record is still the valid one.
 */
export type GroupCipherErrorCode =
  /** No sender-key state for this message's key id (the distribution message has not arrived yet, or was rotated away). Retry after processing it. */
  | 'NO_SENDER_KEY'
  /** Encrypting with a record that holds no state of our own (no signing private key). */
  | 'NO_SIGNING_KEY'
  /** The skmsg signature does not verify with the sender's signing key: forged, corrupted, or signed by another key with the same id. */
  | 'BAD_SIGNATURE'
  /** The message's iteration was already used, or is older than the state and not among the kept skipped keys. */
  | 'DUPLICATE'
  /** The message's iteration is further ahead of the chain than MAX_FORWARD_JUMP. */
  | 'TOO_FAR_AHEAD'
  /** The version byte's high nibble is not 3. */
  | 'BAD_VERSION'
  /** Fewer bytes than a version byte, a protobuf and a signature need. */
  | 'TRUNCATED'
  /** The protobuf does not decode or lacks a field (id, iteration, ciphertext). */
  | 'BAD_MESSAGE'
  /** A SenderKeyDistributionMessage that does not decode, lacks a field, or has a key of the wrong length. */
  | 'BAD_DISTRIBUTION'
  /** The signature verified but AES-CBC failed (bad length or padding): the sender encrypted with other keys. */
  | 'DECRYPT_FAILED'
  /** The chain has reached the largest iteration a uint32 can carry. */
  | 'CHAIN_EXHAUSTED'
  /** Serialised record bytes that are not a valid record of a known format version. */
  | 'BAD_RECORD';

export class GroupCipherError extends Error {
  override readonly name = 'GroupCipherError';
  constructor(
    readonly code: GroupCipherErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
