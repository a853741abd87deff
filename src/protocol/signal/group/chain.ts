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
import { hkdfSmall } from '../../crypto/sha256-small.js';

// The chain's HMAC steps are the 1:1 chain's (libsignal's ChainKey and SenderChainKey agree).
// States hold plain Uint8Arrays (not Buffers), so that they compare equal to
// copies that crossed a thread (structured clone makes Uint8Arrays); the JS
// HMAC of those steps makes exactly those.
export { chainStep, messageKeySeed, nextChainKey } from '../kdf.js';

const INFO = new TextEncoder().encode('WhisperGroup');

export interface MessageKey {
  readonly iv: Uint8Array;
  readonly cipherKey: Uint8Array;
}

/** AES-256-CBC key and IV from a message-key seed. */
export function messageKeyFromSeed(seed: Uint8Array): MessageKey {
  const okm = hkdfSmall(seed, 48, undefined, INFO);
  return { iv: okm.subarray(0, 16), cipherKey: okm.subarray(16, 48) };
}
