/**
 * What both handshake roles share for reading the peer's messages: protobuf
 * decoding, field checks and key agreement, so that hostile bytes only ever
 * surface as NoiseError BAD_HANDSHAKE (or DECRYPT, from symmetric.ts).
 */
import { sharedSecret } from '../crypto/index.js';
import { proto } from '../proto/index.js';
import { NoiseError } from './errors.js';

export function decodeHandshake(bytes: Uint8Array, expected: string): proto.HandshakeMessage {
  try {
    return proto.HandshakeMessage.decode(bytes);
  } catch (cause) {
    throw new NoiseError('BAD_HANDSHAKE', `${expected} does not decode`, { cause });
  }
}

export function requireBytes(value: Uint8Array | null | undefined, what: string, length?: number): Uint8Array {
  if (!value || (length !== undefined && value.length !== length)) {
    const got = value ? `${value.length} bytes` : 'missing';
    throw new NoiseError('BAD_HANDSHAKE', `${what}: ${got}${length !== undefined ? `, expected ${length}` : ''}`);
  }
  return value;
}

/** X25519 with the peer's key; a low-order key is the peer's fault, hence BAD_HANDSHAKE. */
export function agree(privateKey: Uint8Array, publicKey: Uint8Array, what: string): Uint8Array {
  try {
    return sharedSecret(privateKey, publicKey);
  } catch (cause) {
    throw new NoiseError('BAD_HANDSHAKE', `key agreement with the ${what} key failed`, { cause });
  }
}
