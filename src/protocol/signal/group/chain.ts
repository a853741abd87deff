/**
 * The sender-key chain: how a chain key yields per-message keys and its
 * successor. Owns only the derivations; it keeps no state and never decides
 * which iteration a message may use (cipher.ts does).
 *
 * As libsignal's SenderChainKey / SenderMessageKey define it:
 *   seed      = HMAC-SHA256(chainKey, 0x01)
 *   next      = HMAC-SHA256(chainKey, 0x02)
 *   HKDF(seed, salt = 32 zero bytes, info = "WhisperGroup") → iv ‖ cipherKey (16 ‖ 32)
 * libsignal derives 64 bytes and takes iv = [0,16), key = [16,48); HKDF
 * output is a prefix-stable stream, so 48 bytes give the same keys.
 */
import { hkdf, hmacSha256 } from '../../crypto/index.js';

const MESSAGE_KEY_SEED = new Uint8Array([0x01]);
const CHAIN_KEY_SEED = new Uint8Array([0x02]);
const INFO = new TextEncoder().encode('WhisperGroup');

export interface MessageKey {
  readonly iv: Uint8Array;
  readonly cipherKey: Uint8Array;
}

// States hold plain Uint8Arrays (not Buffers), so that they compare equal to
// copies that crossed a thread (structured clone makes Uint8Arrays). A view
// costs no copy: digests own their memory.
function plain(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** The message-key seed of the chain key's own iteration. */
export function messageKeySeed(chainKey: Uint8Array): Uint8Array {
  return plain(hmacSha256(chainKey, MESSAGE_KEY_SEED));
}

/** The chain key of the next iteration. */
export function nextChainKey(chainKey: Uint8Array): Uint8Array {
  return plain(hmacSha256(chainKey, CHAIN_KEY_SEED));
}

/** AES-256-CBC key and IV from a message-key seed. */
export function messageKeyFromSeed(seed: Uint8Array): MessageKey {
  const okm = hkdf(seed, 48, { info: INFO });
  return { iv: okm.subarray(0, 16), cipherKey: okm.subarray(16, 48) };
}
