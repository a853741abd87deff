/**
 * SHA-256/512 and HMAC-SHA256 through node:crypto (8–50× faster than the
 * pure-JS @noble/hashes for these, perf-anchors.md). Parts are hashed in order
 * without concatenating them first.
 */
import { createHash, createHmac } from 'node:crypto';

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
