/**
 * Random bytes for the hot paths (a ratchet key per message, padding per
 * message), drawn from a pool that node:crypto refills 4 KiB at a time: one
 * CSPRNG call costs far more than the 32 bytes it returns (~3 µs), so small
 * draws from a pool are several times cheaper. Every byte is handed out once
 * and wiped from the pool as it is taken. Same source as randomBytes
 * (OpenSSL's CSPRNG), so the output is as good; only the batching differs.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let used = POOL_BYTES;

/** `n` fresh random bytes (a copy the caller owns). */
export function poolRandomBytes(n: number): Uint8Array {
  if (n > POOL_BYTES / 4) {
    const out = new Uint8Array(n);
    randomFillSync(out);
    return out;
  }
  if (used + n > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const out = pool.slice(used, used + n);
  pool.fill(0, used, used + n);
  used += n;
  return out;
}
