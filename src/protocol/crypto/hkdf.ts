/**
 * HKDF-SHA256 (RFC 5869), as used by Noise, Signal and media keys.
 * An absent salt means 32 zero bytes, as the RFC (and libsignal) define it.
 * Short inputs run in sha256-small.ts (about twice as fast as hkdfSync, whose
 * KeyObject and job setup outweigh the few blocks hashed); long ones in
 * node:crypto.
 */
import { hkdfSync } from 'node:crypto';
import { hkdfSmall, MAX_PAD_KEY } from './sha256-small.js';

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
/** Input sizes up to which the JS HKDF is the faster one. */
const SMALL_IKM = 256;
const SMALL_INFO = 64;

export function hkdf(
  ikm: Uint8Array,
  length: number,
  opts: { salt?: Uint8Array; info?: Uint8Array | string } = {},
): Uint8Array {
  const info = typeof opts.info === 'string' ? encoder.encode(opts.info) : opts.info ?? EMPTY;
  const salt = opts.salt ?? EMPTY;
  if (salt.length <= MAX_PAD_KEY && ikm.length <= SMALL_IKM && info.length <= SMALL_INFO) return hkdfSmall(ikm, length, salt, info);
  return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
}
