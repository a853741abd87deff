/**
 * SHA-256/512 and HMAC-SHA256 through node:crypto (8–50× faster than the
 * pure-JS @noble/hashes for these). Parts are hashed in order without
 * concatenating them first. HMAC-SHA256 of a short message under a key of at
 * most a block runs in sha256-small.ts instead: there node:crypto's
 * per-call setup costs more than the hashing.
 */
import { createHash, createHmac } from 'node:crypto';
import { hmacPads, hmacWithPads, MAX_PAD_KEY } from './sha256-small.js';

/** Above this many message bytes node:crypto's HMAC is faster than the JS one (measured: ~300). */
const SMALL_HMAC_MESSAGE = 256;

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

export function sha512(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
}

export function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  if (key.length <= MAX_PAD_KEY && total <= SMALL_HMAC_MESSAGE) return hmacWithPads(hmacPads(key), parts);
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

export function hmacSha512(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = createHmac('sha512', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Constant-time comparison of two byte strings (false when lengths differ). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
