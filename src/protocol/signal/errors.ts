/**
 * Errors of the Signal 1:1 layer. Each says what happened in its class and `code`,
 * so callers can decide without parsing messages: a DuplicateMessageError is
 * acked and dropped, most others ask the sender to retry with a fresh session.
 * Functions of src/protocol/signal throw only these for bad input from the
 * network or the store (a CryptoError is wrapped as the `cause` of one of
 * these); RangeError means the caller passed an impossible argument.
 */
export type SignalErrorCode =
  | 'UNTRUSTED_IDENTITY'
  | 'NO_SESSION'
  | 'BAD_MAC'
  | 'DUPLICATE_MESSAGE'
  | 'INVALID_PREKEY_ID'
  | 'INVALID_SIGNED_PREKEY_ID'
  | 'INVALID_MESSAGE'
  | 'BAD_VERSION'
  | 'CHAIN_CLOSED'
  | 'BAD_CIPHERTEXT'
  | 'TOO_MANY_SKIPPED'
  | 'BAD_SIGNATURE'
  | 'INVALID_KEY'
  | 'BAD_PADDING'
  | 'BAD_RECORD';

export class SignalError extends Error {
  override readonly name: string = 'SignalError';
  constructor(
    readonly code: SignalErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The peer's identity key is not one the caller's trust policy accepts. */
export class UntrustedIdentityError extends SignalError {
  override readonly name = 'UntrustedIdentityError';
  constructor(readonly identityKey: Uint8Array) {
    super('UNTRUSTED_IDENTITY', 'the remote identity key is not trusted');
  }
}

/** There is no session to encrypt with, or none the message could belong to. */
export class NoSessionError extends SignalError {
  override readonly name = 'NoSessionError';
  constructor(message = 'no session with this peer') {
    super('NO_SESSION', message);
  }
}

/** The message's MAC does not match: wrong session, wrong keys or a forged/corrupted message. */
export class BadMacError extends SignalError {
  override readonly name = 'BadMacError';
  constructor() {
    super('BAD_MAC', 'message authentication failed');
  }
}

/** The message key for this counter was already used: the message was decrypted before. */
export class DuplicateMessageError extends SignalError {
  override readonly name = 'DuplicateMessageError';
  constructor(readonly counter: number) {
    super('DUPLICATE_MESSAGE', `message ${counter} was already decrypted`);
  }
}

/** A PreKeySignalMessage names a prekey we do not hold (used already, or never ours). */
export class InvalidPreKeyError extends SignalError {
  override readonly name = 'InvalidPreKeyError';
  constructor(
    readonly kind: 'one-time' | 'signed',
    readonly keyId: number,
  ) {
    super(kind === 'signed' ? 'INVALID_SIGNED_PREKEY_ID' : 'INVALID_PREKEY_ID', `no ${kind} prekey with id ${keyId}`);
  }
}

/** Bytes that are not a well-formed message of a version we speak. */
export class InvalidMessageError extends SignalError {
  override readonly name = 'InvalidMessageError';
  constructor(
    code: 'INVALID_MESSAGE' | 'BAD_VERSION' | 'CHAIN_CLOSED' | 'BAD_CIPHERTEXT',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** The message is further ahead in its chain than we keep keys for (MAX_SKIP). */
export class TooManySkippedMessagesError extends SignalError {
  override readonly name = 'TooManySkippedMessagesError';
  constructor(readonly skipped: number) {
    super('TOO_MANY_SKIPPED', `message is ${skipped} keys ahead of its chain; the limit is exceeded`);
  }
}

/** A signed prekey's signature does not verify with the claimed identity key. */
export class InvalidSignatureError extends SignalError {
  override readonly name = 'InvalidSignatureError';
  constructor(message = 'signed prekey signature does not verify') {
    super('BAD_SIGNATURE', message);
  }
}

/** A public key that is malformed or unusable (wrong length or type byte, low-order point). */
export class InvalidKeyError extends SignalError {
  override readonly name = 'InvalidKeyError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_KEY', message, options);
  }
}

/** A decrypted plaintext whose WhatsApp padding is impossible. */
export class PaddingError extends SignalError {
  override readonly name = 'PaddingError';
  constructor(message: string) {
    super('BAD_PADDING', message);
  }
}

/** Stored session-record bytes that do not decode. */
export class RecordFormatError extends SignalError {
  override readonly name = 'RecordFormatError';
  constructor(message: string) {
    super('BAD_RECORD', message);
  }
}
