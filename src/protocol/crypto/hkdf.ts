/**
 * HKDF-SHA256 (RFC 5869), as used by Noise, Signal and media keys.
 * An absent salt means 32 zero bytes, as the RFC (and libsignal) define it.
 */
import { hkdfSync } from 'node:crypto';

const EMPTY = new Uint8Array(0);

export function hkdf(
  ikm: Uint8Array,
  length: number,
  opts: { salt?: Uint8Array; info?: Uint8Array | string } = {},
): Uint8Array {
  const info = typeof opts.info === 'string' ? Buffer.from(opts.info, 'utf8') : opts.info ?? EMPTY;
  return new Uint8Array(hkdfSync('sha256', ikm, opts.salt ?? EMPTY, info, length));
}
