/**
 * SHA-256 (FIPS 180-4) in plain JS, for HMAC and HKDF over short inputs.
 *
 * Why not node:crypto here: Signal derives its keys from 1–250-byte inputs
 * (a chain step is HMAC(chainKey, 0x01), a message key HKDF(seed, 80)), and
 * node:crypto spends most of such a call creating its Hmac or KeyObject and
 * crossing into C++ (~3 µs per HMAC, ~10 µs per hkdfSync) where the hashing
 * itself is a few 64-byte blocks of ~0.25 µs each. Here an HMAC key's padded
 * blocks are hashed once ("pads") and reused, and nothing is allocated per
 * block. Long inputs still go to node:crypto (hash.ts and hkdf.ts choose).
 *
 * Not reentrant by design: the scratch state below is shared, and every
 * function runs to completion synchronously.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INITIAL = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const BLOCK = 64;
const DIGEST = 32;

/** Message schedule scratch. */
const W = new Int32Array(64);

/** One SHA-256 block into the chaining state held at state[s..s+8]. */
function compress(state: Int32Array, s: number, block: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++, at += 4) W[i] = (block[at]! << 24) | (block[at + 1]! << 16) | (block[at + 2]! << 8) | block[at + 3]!;
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!;
    const w2 = W[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (s1 + W[i - 7]! + s0 + W[i - 16]!) | 0;
  }
  let a = state[s]!;
  let b = state[s + 1]!;
  let c = state[s + 2]!;
  let d = state[s + 3]!;
  let e = state[s + 4]!;
  let f = state[s + 5]!;
  let g = state[s + 6]!;
  let h = state[s + 7]!;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[s] = (state[s]! + a) | 0;
  state[s + 1] = (state[s + 1]! + b) | 0;
  state[s + 2] = (state[s + 2]! + c) | 0;
  state[s + 3] = (state[s + 3]! + d) | 0;
  state[s + 4] = (state[s + 4]! + e) | 0;
  state[s + 5] = (state[s + 5]! + f) | 0;
  state[s + 6] = (state[s + 6]! + g) | 0;
  state[s + 7] = (state[s + 7]! + h) | 0;
}

// One running hash at a time: its chaining state, the partial block and the length so far.
const state = new Int32Array(8);
const pending = new Uint8Array(BLOCK);
let filled = 0;
let length = 0;

/** Starts a hash from a saved chaining state that has absorbed `absorbed` bytes (whole blocks). */
function begin(from: Int32Array, fromAt: number, absorbed: number): void {
  for (let i = 0; i < 8; i++) state[i] = from[fromAt + i]!;
  filled = 0;
  length = absorbed;
}

function absorb(data: Uint8Array): void {
  let at = 0;
  length += data.length;
  if (filled > 0) {
    const take = Math.min(BLOCK - filled, data.length);
    for (let i = 0; i < take; i++) pending[filled + i] = data[i]!;
    filled += take;
    at = take;
    if (filled < BLOCK) return;
    compress(state, 0, pending, 0);
    filled = 0;
  }
  for (; at + BLOCK <= data.length; at += BLOCK) compress(state, 0, data, at);
  for (; at < data.length; at++) pending[filled++] = data[at]!;
}

function absorbByte(byte: number): void {
  length += 1;
  pending[filled++] = byte;
  if (filled === BLOCK) {
    compress(state, 0, pending, 0);
    filled = 0;
  }
}

/** Pads, and writes the digest to `out` at `outAt`. */
function finish(out: Uint8Array, outAt: number): void {
  pending[filled++] = 0x80;
  if (filled > BLOCK - 8) {
    pending.fill(0, filled);
    compress(state, 0, pending, 0);
    filled = 0;
  }
  pending.fill(0, filled, BLOCK - 8);
  const bits = length * 8;
  const high = Math.floor(bits / 0x100000000);
  const low = bits >>> 0;
  pending[56] = high >>> 24;
  pending[57] = high >>> 16;
  pending[58] = high >>> 8;
  pending[59] = high;
  pending[60] = low >>> 24;
  pending[61] = low >>> 16;
  pending[62] = low >>> 8;
  pending[63] = low;
  compress(state, 0, pending, 0);
  for (let i = 0; i < 8; i++) {
    const v = state[i]!;
    out[outAt + 4 * i] = v >>> 24;
    out[outAt + 4 * i + 1] = v >>> 16;
    out[outAt + 4 * i + 2] = v >>> 8;
    out[outAt + 4 * i + 3] = v;
  }
}

/**
 * An HMAC-SHA256 key with its padded blocks already hashed: the chaining
 * states after key⊕ipad (words 0–7) and key⊕opad (words 8–15).
 */
export type HmacPads = Int32Array;

/** The longest key taken here; longer ones are hashed first by HMAC's definition (hash.ts does that). */
export const MAX_PAD_KEY = BLOCK;

const padBlock = new Uint8Array(BLOCK);

/** @throws RangeError for a key longer than a block (the caller hashes such keys). */
export function hmacPads(key: Uint8Array): HmacPads {
  if (key.length > BLOCK) throw new RangeError(`HMAC key of ${key.length} bytes is longer than a block`);
  const pads = new Int32Array(16);
  pads.set(INITIAL, 0);
  pads.set(INITIAL, 8);
  padBlock.fill(0x36);
  for (let i = 0; i < key.length; i++) padBlock[i] = key[i]! ^ 0x36;
  compress(pads, 0, padBlock, 0);
  padBlock.fill(0x5c);
  for (let i = 0; i < key.length; i++) padBlock[i] = key[i]! ^ 0x5c;
  compress(pads, 8, padBlock, 0);
  return pads;
}

const innerDigest = new Uint8Array(DIGEST);

/** Completes an HMAC whose message has been absorbed after begin(pads inner): writes it to out[outAt..+32]. */
function finishHmac(pads: HmacPads, out: Uint8Array, outAt: number): void {
  finish(innerDigest, 0);
  begin(pads, 8, BLOCK);
  absorb(innerDigest);
  finish(out, outAt);
}

/** HMAC-SHA256 of the concatenated parts under prepared pads. */
export function hmacWithPads(pads: HmacPads, parts: readonly Uint8Array[]): Uint8Array {
  begin(pads, 0, BLOCK);
  for (const p of parts) absorb(p);
  const out = new Uint8Array(DIGEST);
  finishHmac(pads, out, 0);
  return out;
}

/** HMAC-SHA256 of one byte (a chain step's constant) under prepared pads. */
export function hmacByte(pads: HmacPads, byte: number): Uint8Array {
  begin(pads, 0, BLOCK);
  absorbByte(byte);
  const out = new Uint8Array(DIGEST);
  finishHmac(pads, out, 0);
  return out;
}

const ZERO_SALT_PADS = hmacPads(new Uint8Array(DIGEST));

/**
 * HKDF-SHA256 (RFC 5869) with a salt of at most a block (absent: 32 zero
 * bytes, as the RFC says) and at most 255 × 32 bytes of output.
 */
export function hkdfSmall(ikm: Uint8Array, outLength: number, salt: Uint8Array | undefined, info: Uint8Array): Uint8Array {
  if (outLength > 255 * DIGEST) throw new RangeError(`HKDF output of ${outLength} bytes is too long`);
  const prk = hmacWithPads(salt === undefined || salt.length === 0 ? ZERO_SALT_PADS : hmacPads(salt), [ikm]);
  const pads = hmacPads(prk);
  const blocks = Math.ceil(outLength / DIGEST);
  const okm = new Uint8Array(blocks * DIGEST);
  for (let i = 0; i < blocks; i++) {
    begin(pads, 0, BLOCK);
    if (i > 0) absorb(okm.subarray((i - 1) * DIGEST, i * DIGEST));
    absorb(info);
    absorbByte(i + 1);
    finishHmac(pads, okm, i * DIGEST);
  }
  return outLength === okm.length ? okm : okm.subarray(0, outLength);
}
