/**
 * The padding WhatsApp puts on every plaintext before Signal encryption
 * (Baileys' writeRandomPadMax16 / unpadRandomMax16): 1..16 bytes, each holding
 * the pad length, chosen at random so message lengths leak less.
 */
import { poolRandomBytes } from '../crypto/random-pool.js';
import { PaddingError } from './errors.js';

/** `message` followed by n bytes of value n, n in 1..16 taken from the low nibble of `random`. */
export function padMessage(message: Uint8Array, random: number = poolRandomBytes(1)[0]!): Uint8Array {
  const n = (random & 0x0f) + 1;
  const out = new Uint8Array(message.length + n);
  out.set(message, 0);
  out.fill(n, message.length);
  return out;
}

/**
 * Strips the padding: the last byte says how many bytes to drop. Like WhatsApp's
 * clients, the pad bytes themselves are not checked (other senders pad differently).
 * @throws PaddingError for an empty input or a pad longer than the input
 */
export function unpadMessage(padded: Uint8Array): Uint8Array {
  if (padded.length === 0) throw new PaddingError('padded plaintext is empty');
  const n = padded[padded.length - 1]!;
  if (n > padded.length) throw new PaddingError(`pad of ${n} bytes is longer than the ${padded.length}-byte plaintext`);
  return padded.subarray(0, padded.length - n);
}
