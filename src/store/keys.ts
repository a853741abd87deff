/**
 * Key layout of the store: every key is bytes, built from a namespace prefix
 * and parts, so that the records an operation scans (an account, a user's
 * devices, events from a seq) are one contiguous range in byte order.
 *
 *   accounts/<id>                       registry of accounts (daemon-wide)
 *   daemon/<name>                       daemon-wide records (the Web build last fetched)
 *   a/<id>/<family>/<part>/<part>…      one account's records
 *
 * Text parts are UTF-8 and must not contain '/' (the separator) or NUL; numbers
 * that order a range (prekey ids, seqs) are fixed-width big-endian so byte
 * order is numeric order. Owns the layout only; must not know record shapes.
 */
import { ACCOUNT_ID_PATTERN } from '../contract/api.js';
import { StoreError } from './errors.js';

const SEP = 0x2f; // '/'
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Account ids become key parts and file-system-safe names: keep them plain. */
export { ACCOUNT_ID_PATTERN };

export function assertAccountId(id: string): void {
  if (typeof id !== 'string' || !ACCOUNT_ID_PATTERN.test(id)) {
    throw new StoreError('BAD_KEY', `account id must match ${ACCOUNT_ID_PATTERN} (got ${JSON.stringify(id)})`);
  }
}

export type KeyPart = string | Uint8Array;

/** Fixed-width big-endian u32 (prekey ids). */
export function u32(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new StoreError('BAD_KEY', `not a u32: ${n}`);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

/** Fixed-width big-endian u64 for safe integers (seqs). */
export function u64(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new StoreError('BAD_KEY', `not a safe non-negative integer: ${n}`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

export function readU32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset);
}

export function readU64(bytes: Uint8Array, offset: number): number {
  return Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset));
}

function textPart(part: string): Uint8Array {
  if (part.length === 0 || part.includes('/') || part.includes('\0')) {
    throw new StoreError('BAD_KEY', `key part must be non-empty without '/' or NUL (got ${JSON.stringify(part)})`);
  }
  return encoder.encode(part);
}

/**
 * Joins parts with '/' separators. Binary parts (u32/u64) are fixed-width, so
 * a '/' byte inside them cannot make two different keys collide.
 */
export function key(prefix: Uint8Array, ...parts: KeyPart[]): Uint8Array {
  const encoded = parts.map((p) => (typeof p === 'string' ? textPart(p) : p));
  let size = prefix.length;
  for (const p of encoded) size += p.length + 1;
  const out = new Uint8Array(size);
  out.set(prefix, 0);
  let o = prefix.length;
  for (const p of encoded) {
    out.set(p, o);
    o += p.length;
    out[o++] = SEP;
  }
  // Drop the final separator: `key(p, 'a')` is 'p' + 'a', and `prefixOf(p, 'a')` is 'p' + 'a/'.
  return out.subarray(0, size - (encoded.length > 0 ? 1 : 0));
}

/** The prefix shared by every key that starts with these parts (ends with '/'). */
export function prefixOf(prefix: Uint8Array, ...parts: KeyPart[]): Uint8Array {
  const k = key(prefix, ...parts);
  const out = new Uint8Array(k.length + 1);
  out.set(k);
  out[k.length] = SEP;
  return out;
}

/** The namespace of one account: `a/<id>/`. @throws StoreError BAD_KEY */
export function accountPrefix(accountId: string): Uint8Array {
  assertAccountId(accountId);
  return encoder.encode(`a/${accountId}/`);
}

export const ACCOUNTS_PREFIX = encoder.encode('accounts/');
export const DAEMON_PREFIX = encoder.encode('daemon/');

/**
 * The smallest key greater than every key starting with `prefix`, for an
 * exclusive upper bound. Our prefixes end in '/', never in 0xff.
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const out = Uint8Array.from(prefix);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i]!++;
      return out.subarray(0, i + 1);
    }
  }
  throw new StoreError('BAD_KEY', 'prefix has no upper bound');
}

export function prefixRange(prefix: Uint8Array): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: prefix, lt: prefixEnd(prefix) };
}

/** The text after `prefix` (for keys whose tail is one text part). */
export function tailText(k: Uint8Array, prefix: Uint8Array): string {
  return decoder.decode(k.subarray(prefix.length));
}

/** A Map key with the same order as the bytes: one char per byte. */
export function keyString(k: Uint8Array): string {
  return Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('latin1');
}

export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}
