/**
 * The WhatsApp 1:1 wire formats carried in `<enc v="2" type="msg|pkmsg">`:
 *
 *   msg   = 0x33 ‖ WhisperMessage ‖ MAC[8]
 *           MAC = HMAC-SHA256(macKey, senderIdentity33 ‖ receiverIdentity33 ‖ 0x33 ‖ WhisperMessage)[0..8]
 *   pkmsg = 0x33 ‖ PreKeyWhisperMessage{ ..., message = msg }
 *
 * (0x33: message version 3 in the high nibble, current version 3 in the low one.)
 * Parsing checks structure only; keys and the MAC are checked by the ratchet.
 * Parsed keys are copies, never views into the caller's buffer.
 */
import { hmacSha256 } from '../crypto/hash.js';
import { DJB_TYPE } from '../crypto/curve25519.js';
import { signal } from '../proto/index.js';
import { InvalidKeyError, InvalidMessageError } from './errors.js';

export const VERSION_BYTE = 0x33;
const CURRENT_VERSION = 3;
const MAC_LENGTH = 8;
const VERSION_PREFIX = Uint8Array.of(VERSION_BYTE);

export interface WhisperMessageFields {
  readonly ratchetKey: Uint8Array;
  readonly counter: number;
  readonly previousCounter: number;
  readonly ciphertext: Uint8Array;
}

/** A parsed `msg`: its fields plus what the MAC covers and the MAC itself. */
export interface ParsedWhisperMessage extends WhisperMessageFields {
  /** The WhisperMessage protobuf bytes (MAC input after the identities and version byte). */
  readonly body: Uint8Array;
  readonly mac: Uint8Array;
}

export interface PreKeyMessageFields {
  readonly registrationId: number;
  readonly preKeyId: number | undefined;
  readonly signedPreKeyId: number;
  readonly baseKey: Uint8Array;
  readonly identityKey: Uint8Array;
}

export interface ParsedPreKeyMessage extends PreKeyMessageFields {
  readonly message: ParsedWhisperMessage;
}

function checkVersion(bytes: Uint8Array, what: string): void {
  if (bytes.length === 0) throw new InvalidMessageError('INVALID_MESSAGE', `empty ${what}`);
  // libsignal (Java/Rust) accepts exactly message version 3; the low nibble is the sender's newest version.
  if (bytes[0]! >> 4 !== CURRENT_VERSION) {
    throw new InvalidMessageError('BAD_VERSION', `${what} version ${bytes[0]! >> 4} is not ${CURRENT_VERSION}`);
  }
}

/** The 32-byte key of a wire key (0x05 ‖ 32 bytes). @throws InvalidKeyError */
export function decodeWireKey(key: Uint8Array | null | undefined, what: string): Uint8Array {
  if (!key || key.length !== 33 || key[0] !== DJB_TYPE) {
    throw new InvalidKeyError(`${what} is not a 33-byte Curve25519 key with type 0x05`);
  }
  return copyBytes(key.subarray(1));
}

/**
 * A fresh copy (never a view: `Buffer#slice` is one), so state kept from a
 * message neither retains nor shares the caller's buffer.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

export function encodeWireKey(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(33);
  out[0] = DJB_TYPE;
  out.set(key, 1);
  return out;
}

function decodeProto<T>(decode: () => T, what: string): T {
  try {
    return decode();
  } catch (cause) {
    throw new InvalidMessageError('INVALID_MESSAGE', `${what} is not valid protobuf`, { cause });
  }
}

/** @throws InvalidMessageError (truncated, malformed, wrong version), InvalidKeyError */
export function parseWhisperMessage(bytes: Uint8Array): ParsedWhisperMessage {
  checkVersion(bytes, 'msg');
  if (bytes.length < 1 + MAC_LENGTH + 1) throw new InvalidMessageError('INVALID_MESSAGE', `msg of ${bytes.length} bytes is truncated`);
  const body = bytes.subarray(1, bytes.length - MAC_LENGTH);
  const m = decodeProto(() => signal.WhisperMessage.decode(body), 'msg');
  if (m.counter == null || m.ciphertext == null || m.ephemeralKey == null) {
    throw new InvalidMessageError('INVALID_MESSAGE', 'msg lacks its ratchet key, counter or ciphertext');
  }
  return {
    ratchetKey: decodeWireKey(m.ephemeralKey, 'msg ratchet key'),
    counter: m.counter,
    previousCounter: m.previousCounter ?? 0,
    ciphertext: m.ciphertext,
    body,
    mac: bytes.subarray(bytes.length - MAC_LENGTH),
  };
}

/** @throws InvalidMessageError, InvalidKeyError */
export function parsePreKeyMessage(bytes: Uint8Array): ParsedPreKeyMessage {
  checkVersion(bytes, 'pkmsg');
  const m = decodeProto(() => signal.PreKeyWhisperMessage.decode(bytes.subarray(1)), 'pkmsg');
  if (m.signedPreKeyId == null || m.baseKey == null || m.identityKey == null || m.message == null) {
    throw new InvalidMessageError('INVALID_MESSAGE', 'pkmsg lacks its signed prekey id, base key, identity key or message');
  }
  return {
    registrationId: m.registrationId ?? 0,
    preKeyId: m.preKeyId ?? undefined,
    signedPreKeyId: m.signedPreKeyId,
    baseKey: decodeWireKey(m.baseKey, 'pkmsg base key'),
    identityKey: decodeWireKey(m.identityKey, 'pkmsg identity key'),
    message: parseWhisperMessage(m.message),
  };
}

/** The MAC of a `msg` body, keyed by its message's MAC key. */
export function whisperMac(macKey: Uint8Array, senderIdentity33: Uint8Array, receiverIdentity33: Uint8Array, body: Uint8Array): Uint8Array {
  return hmacSha256(macKey, senderIdentity33, receiverIdentity33, VERSION_PREFIX, body).subarray(0, MAC_LENGTH);
}

/** A complete `msg`: version byte, protobuf and truncated MAC. */
export function encodeWhisperMessage(
  fields: WhisperMessageFields,
  macKey: Uint8Array,
  senderIdentity33: Uint8Array,
  receiverIdentity33: Uint8Array,
): Uint8Array {
  const body = signal.WhisperMessage.encode({
    ephemeralKey: encodeWireKey(fields.ratchetKey),
    counter: fields.counter,
    previousCounter: fields.previousCounter,
    ciphertext: fields.ciphertext,
  }).finish();
  const out = new Uint8Array(1 + body.length + MAC_LENGTH);
  out[0] = VERSION_BYTE;
  out.set(body, 1);
  out.set(whisperMac(macKey, senderIdentity33, receiverIdentity33, body), 1 + body.length);
  return out;
}

/** A complete `pkmsg` wrapping an encoded `msg`. */
export function encodePreKeyMessage(fields: PreKeyMessageFields, message: Uint8Array): Uint8Array {
  const body = signal.PreKeyWhisperMessage.encode({
    ...(fields.preKeyId !== undefined ? { preKeyId: fields.preKeyId } : {}),
    baseKey: encodeWireKey(fields.baseKey),
    identityKey: encodeWireKey(fields.identityKey),
    message,
    registrationId: fields.registrationId,
    signedPreKeyId: fields.signedPreKeyId,
  }).finish();
  const out = new Uint8Array(1 + body.length);
  out[0] = VERSION_BYTE;
  out.set(body, 1);
  return out;
}
