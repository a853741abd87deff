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
import { hkdfSmall, hmacByte, hmacBytePair, hmacPads } from '../../crypto/sha256-small.js';

const MESSAGE_KEY_SEED = 0x01;
const CHAIN_KEY_SEED = 0x02;
const INFO = new TextEncoder().encode('WhisperGroup');

export interface MessageKey {
  readonly iv: Uint8Array;
  readonly cipherKey: Uint8Array;
}

// States hold plain Uint8Arrays (not Buffers), so that they compare equal to
// copies that crossed a thread (structured clone makes Uint8Arrays); the JS
// HMAC below makes exactly those.

/** The message-key seed of the chain key's own iteration. */
export function messageKeySeed(chainKey: Uint8Array): Uint8Array {
  return hmacByte(hmacPads(chainKey), MESSAGE_KEY_SEED);
}

/** The chain key of the next iteration. */
export function nextChainKey(chainKey: Uint8Array): Uint8Array {
  return hmacByte(hmacPads(chainKey), CHAIN_KEY_SEED);
}

/** Both at once: the chain key's HMAC pads are computed once for the two. */
export function chainStep(chainKey: Uint8Array): { readonly seed: Uint8Array; readonly next: Uint8Array } {
  const [seed, next] = hmacBytePair(chainKey, MESSAGE_KEY_SEED, CHAIN_KEY_SEED);
  return { seed, next };
}

/** AES-256-CBC key and IV from a message-key seed. */
export function messageKeyFromSeed(seed: Uint8Array): MessageKey {
  const okm = hkdfSmall(seed, 48, undefined, INFO);
  return { iv: okm.subarray(0, 16), cipherKey: okm.subarray(16, 48) };
}
