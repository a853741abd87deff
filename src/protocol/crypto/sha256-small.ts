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

/**
 * One SHA-256 block into the chaining state held at state[s..s+8].
 *
 * Written out 16 rounds at a time with the message schedule in 16 locals
 * (w0..w15, a rolling window) rather than a 64-word array: V8 keeps them in
 * registers, which makes a block ~1.4x faster than the textbook loop. Round r
 * of a group renames the working variables instead of shifting them: the
 * variable that plays "h" in round r plays "g" in round r + 1, and so on.
 */
function compress(state: Int32Array, s: number, x: Uint8Array, at: number): void {
  let w0 = (x[at + 0]! << 24) | (x[at + 1]! << 16) | (x[at + 2]! << 8) | x[at + 3]!;
  let w1 = (x[at + 4]! << 24) | (x[at + 5]! << 16) | (x[at + 6]! << 8) | x[at + 7]!;
  let w2 = (x[at + 8]! << 24) | (x[at + 9]! << 16) | (x[at + 10]! << 8) | x[at + 11]!;
  let w3 = (x[at + 12]! << 24) | (x[at + 13]! << 16) | (x[at + 14]! << 8) | x[at + 15]!;
  let w4 = (x[at + 16]! << 24) | (x[at + 17]! << 16) | (x[at + 18]! << 8) | x[at + 19]!;
  let w5 = (x[at + 20]! << 24) | (x[at + 21]! << 16) | (x[at + 22]! << 8) | x[at + 23]!;
  let w6 = (x[at + 24]! << 24) | (x[at + 25]! << 16) | (x[at + 26]! << 8) | x[at + 27]!;
  let w7 = (x[at + 28]! << 24) | (x[at + 29]! << 16) | (x[at + 30]! << 8) | x[at + 31]!;
  let w8 = (x[at + 32]! << 24) | (x[at + 33]! << 16) | (x[at + 34]! << 8) | x[at + 35]!;
  let w9 = (x[at + 36]! << 24) | (x[at + 37]! << 16) | (x[at + 38]! << 8) | x[at + 39]!;
  let w10 = (x[at + 40]! << 24) | (x[at + 41]! << 16) | (x[at + 42]! << 8) | x[at + 43]!;
  let w11 = (x[at + 44]! << 24) | (x[at + 45]! << 16) | (x[at + 46]! << 8) | x[at + 47]!;
  let w12 = (x[at + 48]! << 24) | (x[at + 49]! << 16) | (x[at + 50]! << 8) | x[at + 51]!;
  let w13 = (x[at + 52]! << 24) | (x[at + 53]! << 16) | (x[at + 54]! << 8) | x[at + 55]!;
  let w14 = (x[at + 56]! << 24) | (x[at + 57]! << 16) | (x[at + 58]! << 8) | x[at + 59]!;
  let w15 = (x[at + 60]! << 24) | (x[at + 61]! << 16) | (x[at + 62]! << 8) | x[at + 63]!;
  let a = state[s]!;
  let b = state[s + 1]!;
  let c = state[s + 2]!;
  let d = state[s + 3]!;
  let e = state[s + 4]!;
  let f = state[s + 5]!;
  let g = state[s + 6]!;
  let h = state[s + 7]!;
  let t = 0;
  for (let j = 0; ; j += 16) {
    // t = h + Σ1(e) + Ch(e, f, g) + K[j + r] + w[r]; d += t; h = t + Σ0(a) + Maj(a, b, c)
    t = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + (g ^ (e & (f ^ g))) + K[j + 0]! + w0) | 0;
    d = (d + t) | 0;
    h = (t + (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) | (c & (a | b)))) | 0;
    t = (g + (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) + (f ^ (d & (e ^ f))) + K[j + 1]! + w1) | 0;
    c = (c + t) | 0;
    g = (t + (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) + ((h & a) | (b & (h | a)))) | 0;
    t = (f + (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) + (e ^ (c & (d ^ e))) + K[j + 2]! + w2) | 0;
    b = (b + t) | 0;
    f = (t + (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) + ((g & h) | (a & (g | h)))) | 0;
    t = (e + (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) + (d ^ (b & (c ^ d))) + K[j + 3]! + w3) | 0;
    a = (a + t) | 0;
    e = (t + (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & g) | (h & (f | g)))) | 0;
    t = (d + (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) + (c ^ (a & (b ^ c))) + K[j + 4]! + w4) | 0;
    h = (h + t) | 0;
    d = (t + (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) + ((e & f) | (g & (e | f)))) | 0;
    t = (c + (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) + (b ^ (h & (a ^ b))) + K[j + 5]! + w5) | 0;
    g = (g + t) | 0;
    c = (t + (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) + ((d & e) | (f & (d | e)))) | 0;
    t = (b + (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) + (a ^ (g & (h ^ a))) + K[j + 6]! + w6) | 0;
    f = (f + t) | 0;
    b = (t + (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) + ((c & d) | (e & (c | d)))) | 0;
    t = (a + (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) + (h ^ (f & (g ^ h))) + K[j + 7]! + w7) | 0;
    e = (e + t) | 0;
    a = (t + (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) + ((b & c) | (d & (b | c)))) | 0;
    t = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + (g ^ (e & (f ^ g))) + K[j + 8]! + w8) | 0;
    d = (d + t) | 0;
    h = (t + (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) | (c & (a | b)))) | 0;
    t = (g + (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) + (f ^ (d & (e ^ f))) + K[j + 9]! + w9) | 0;
    c = (c + t) | 0;
    g = (t + (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) + ((h & a) | (b & (h | a)))) | 0;
    t = (f + (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) + (e ^ (c & (d ^ e))) + K[j + 10]! + w10) | 0;
    b = (b + t) | 0;
    f = (t + (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) + ((g & h) | (a & (g | h)))) | 0;
    t = (e + (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) + (d ^ (b & (c ^ d))) + K[j + 11]! + w11) | 0;
    a = (a + t) | 0;
    e = (t + (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & g) | (h & (f | g)))) | 0;
    t = (d + (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) + (c ^ (a & (b ^ c))) + K[j + 12]! + w12) | 0;
    h = (h + t) | 0;
    d = (t + (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) + ((e & f) | (g & (e | f)))) | 0;
    t = (c + (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) + (b ^ (h & (a ^ b))) + K[j + 13]! + w13) | 0;
    g = (g + t) | 0;
    c = (t + (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) + ((d & e) | (f & (d | e)))) | 0;
    t = (b + (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) + (a ^ (g & (h ^ a))) + K[j + 14]! + w14) | 0;
    f = (f + t) | 0;
    b = (t + (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) + ((c & d) | (e & (c | d)))) | 0;
    t = (a + (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) + (h ^ (f & (g ^ h))) + K[j + 15]! + w15) | 0;
    e = (e + t) | 0;
    a = (t + (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) + ((b & c) | (d & (b | c)))) | 0;
    if (j === 48) break;
    // The next 16 schedule words: w[i] = σ1(w[i-2]) + w[i-7] + σ0(w[i-15]) + w[i-16], in place.
    w0 = (((w14 >>> 17) | (w14 << 15)) ^ ((w14 >>> 19) | (w14 << 13)) ^ (w14 >>> 10)) + w9 + (((w1 >>> 7) | (w1 << 25)) ^ ((w1 >>> 18) | (w1 << 14)) ^ (w1 >>> 3)) + w0 | 0;
    w1 = (((w15 >>> 17) | (w15 << 15)) ^ ((w15 >>> 19) | (w15 << 13)) ^ (w15 >>> 10)) + w10 + (((w2 >>> 7) | (w2 << 25)) ^ ((w2 >>> 18) | (w2 << 14)) ^ (w2 >>> 3)) + w1 | 0;
    w2 = (((w0 >>> 17) | (w0 << 15)) ^ ((w0 >>> 19) | (w0 << 13)) ^ (w0 >>> 10)) + w11 + (((w3 >>> 7) | (w3 << 25)) ^ ((w3 >>> 18) | (w3 << 14)) ^ (w3 >>> 3)) + w2 | 0;
    w3 = (((w1 >>> 17) | (w1 << 15)) ^ ((w1 >>> 19) | (w1 << 13)) ^ (w1 >>> 10)) + w12 + (((w4 >>> 7) | (w4 << 25)) ^ ((w4 >>> 18) | (w4 << 14)) ^ (w4 >>> 3)) + w3 | 0;
    w4 = (((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)) + w13 + (((w5 >>> 7) | (w5 << 25)) ^ ((w5 >>> 18) | (w5 << 14)) ^ (w5 >>> 3)) + w4 | 0;
    w5 = (((w3 >>> 17) | (w3 << 15)) ^ ((w3 >>> 19) | (w3 << 13)) ^ (w3 >>> 10)) + w14 + (((w6 >>> 7) | (w6 << 25)) ^ ((w6 >>> 18) | (w6 << 14)) ^ (w6 >>> 3)) + w5 | 0;
    w6 = (((w4 >>> 17) | (w4 << 15)) ^ ((w4 >>> 19) | (w4 << 13)) ^ (w4 >>> 10)) + w15 + (((w7 >>> 7) | (w7 << 25)) ^ ((w7 >>> 18) | (w7 << 14)) ^ (w7 >>> 3)) + w6 | 0;
    w7 = (((w5 >>> 17) | (w5 << 15)) ^ ((w5 >>> 19) | (w5 << 13)) ^ (w5 >>> 10)) + w0 + (((w8 >>> 7) | (w8 << 25)) ^ ((w8 >>> 18) | (w8 << 14)) ^ (w8 >>> 3)) + w7 | 0;
    w8 = (((w6 >>> 17) | (w6 << 15)) ^ ((w6 >>> 19) | (w6 << 13)) ^ (w6 >>> 10)) + w1 + (((w9 >>> 7) | (w9 << 25)) ^ ((w9 >>> 18) | (w9 << 14)) ^ (w9 >>> 3)) + w8 | 0;
    w9 = (((w7 >>> 17) | (w7 << 15)) ^ ((w7 >>> 19) | (w7 << 13)) ^ (w7 >>> 10)) + w2 + (((w10 >>> 7) | (w10 << 25)) ^ ((w10 >>> 18) | (w10 << 14)) ^ (w10 >>> 3)) + w9 | 0;
    w10 = (((w8 >>> 17) | (w8 << 15)) ^ ((w8 >>> 19) | (w8 << 13)) ^ (w8 >>> 10)) + w3 + (((w11 >>> 7) | (w11 << 25)) ^ ((w11 >>> 18) | (w11 << 14)) ^ (w11 >>> 3)) + w10 | 0;
    w11 = (((w9 >>> 17) | (w9 << 15)) ^ ((w9 >>> 19) | (w9 << 13)) ^ (w9 >>> 10)) + w4 + (((w12 >>> 7) | (w12 << 25)) ^ ((w12 >>> 18) | (w12 << 14)) ^ (w12 >>> 3)) + w11 | 0;
    w12 = (((w10 >>> 17) | (w10 << 15)) ^ ((w10 >>> 19) | (w10 << 13)) ^ (w10 >>> 10)) + w5 + (((w13 >>> 7) | (w13 << 25)) ^ ((w13 >>> 18) | (w13 << 14)) ^ (w13 >>> 3)) + w12 | 0;
    w13 = (((w11 >>> 17) | (w11 << 15)) ^ ((w11 >>> 19) | (w11 << 13)) ^ (w11 >>> 10)) + w6 + (((w14 >>> 7) | (w14 << 25)) ^ ((w14 >>> 18) | (w14 << 14)) ^ (w14 >>> 3)) + w13 | 0;
    w14 = (((w12 >>> 17) | (w12 << 15)) ^ ((w12 >>> 19) | (w12 << 13)) ^ (w12 >>> 10)) + w7 + (((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)) + w14 | 0;
    w15 = (((w13 >>> 17) | (w13 << 15)) ^ ((w13 >>> 19) | (w13 << 13)) ^ (w13 >>> 10)) + w8 + (((w0 >>> 7) | (w0 << 25)) ^ ((w0 >>> 18) | (w0 << 14)) ^ (w0 >>> 3)) + w15 | 0;
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
  return padsInto(key, new Int32Array(16));
}

function padsInto(key: Uint8Array, pads: Int32Array): HmacPads {
  if (key.length > BLOCK) throw new RangeError(`HMAC key of ${key.length} bytes is longer than a block`);
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

const pairPads = new Int32Array(16);

/**
 * HMAC-SHA256 of two one-byte messages under one key (a ratchet chain step:
 * 0x01 gives the message key seed, 0x02 the next chain key), the key's pads
 * computed once for both.
 */
export function hmacBytePair(key: Uint8Array, first: number, second: number): [Uint8Array, Uint8Array] {
  padsInto(key, pairPads);
  return [hmacByte(pairPads, first), hmacByte(pairPads, second)];
}

const ZERO_SALT_PADS = hmacPads(new Uint8Array(DIGEST));
// HKDF's own scratch: its pseudorandom key and that key's pads never leave it.
const prk = new Uint8Array(DIGEST);
const prkPads = new Int32Array(16);
const saltPads = new Int32Array(16);

/**
 * HKDF-SHA256 (RFC 5869) with a salt of at most a block (absent: 32 zero
 * bytes, as the RFC says) and at most 255 × 32 bytes of output.
 */
export function hkdfSmall(ikm: Uint8Array, outLength: number, salt: Uint8Array | undefined, info: Uint8Array): Uint8Array {
  if (outLength > 255 * DIGEST) throw new RangeError(`HKDF output of ${outLength} bytes is too long`);
  const extract = salt === undefined || salt.length === 0 ? ZERO_SALT_PADS : padsInto(salt, saltPads);
  begin(extract, 0, BLOCK);
  absorb(ikm);
  finishHmac(extract, prk, 0);
  padsInto(prk, prkPads);
  const blocks = Math.ceil(outLength / DIGEST);
  const okm = new Uint8Array(blocks * DIGEST);
  for (let i = 0; i < blocks; i++) {
    begin(prkPads, 0, BLOCK);
    if (i > 0) absorb(okm.subarray((i - 1) * DIGEST, i * DIGEST));
    absorb(info);
    absorbByte(i + 1);
    finishHmac(prkPads, okm, i * DIGEST);
  }
  return outLength === okm.length ? okm : okm.subarray(0, outLength);
}
