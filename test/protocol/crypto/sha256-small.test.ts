// The JS SHA-256 behind short HMACs and HKDFs against node:crypto (OpenSSL),
// over every input shape the padding code distinguishes: empty, one byte, the
// 55/56/63/64-byte block edges, many blocks, inputs split into parts at any
// point, keys up to a block, and HKDF salts, infos and output lengths.
import { createHmac, hkdfSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hkdf, hmacSha256 } from '../../../src/protocol/crypto/index.js';
import { hkdfSmall, hmacByte, hmacBytePair, hmacPads, hmacWithPads } from '../../../src/protocol/crypto/sha256-small.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const nodeHmac = (key: Uint8Array, data: Uint8Array) => hex(createHmac('sha256', key).update(data).digest());
const nodeHkdf = (ikm: Uint8Array, len: number, salt: Uint8Array, info: Uint8Array) => hex(new Uint8Array(hkdfSync('sha256', ikm, salt, info, len)));

const key = fc.uint8Array({ maxLength: 64 });
const edgeLength = fc.oneof(fc.constantFrom(0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129), fc.nat(600));
const message = edgeLength.chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));

/** `data` cut into parts at the given points. */
function split(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    parts.push(data.subarray(from, p));
    from = p;
  }
  parts.push(data.subarray(from));
  return parts;
}

describe('JS HMAC-SHA256', () => {
  it('equals node:crypto for keys up to a block and messages of every length, however split', () => {
    fc.assert(
      fc.property(key, message, fc.array(fc.nat(), { maxLength: 5 }), (k, m, cuts) => {
        expect(hex(hmacWithPads(hmacPads(k), split(m, cuts)))).toBe(nodeHmac(k, m));
      }),
      { numRuns: 400 },
    );
  });

  it('one-byte messages under reused pads (a chain step) equal node:crypto', () => {
    fc.assert(
      fc.property(key, fc.integer({ min: 0, max: 255 }), (k, b) => {
        const pads = hmacPads(k);
        expect(hex(hmacByte(pads, b))).toBe(nodeHmac(k, Uint8Array.of(b)));
        expect(hex(hmacByte(pads, b ^ 1))).toBe(nodeHmac(k, Uint8Array.of(b ^ 1)));
      }),
      { numRuns: 200 },
    );
  });

  it('a pair of one-byte messages under one key (a chain step) equals node:crypto', () => {
    fc.assert(
      fc.property(key, fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (k, x, y) => {
        const [first, second] = hmacBytePair(k, x, y);
        expect([hex(first), hex(second)]).toEqual([nodeHmac(k, Uint8Array.of(x)), nodeHmac(k, Uint8Array.of(y))]);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses keys longer than a block (HMAC hashes those first: hash.ts leaves them to node:crypto)', () => {
    expect(() => hmacPads(new Uint8Array(65))).toThrow(RangeError);
    const long = new Uint8Array(100).fill(9);
    expect(hex(hmacSha256(long, Uint8Array.of(1)))).toBe(nodeHmac(long, Uint8Array.of(1)));
  });

  it('hmacSha256 gives node:crypto’s result on both sides of its size switch', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), message, (k, m) => {
        expect(hex(hmacSha256(k, m))).toBe(nodeHmac(k, m));
      }),
      { numRuns: 200 },
    );
  });
});

describe('JS HKDF-SHA256', () => {
  it('equals node:crypto for salts up to a block (or none), any info and output length', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.option(key, { nil: undefined }),
        fc.uint8Array({ maxLength: 100 }),
        fc.integer({ min: 1, max: 600 }),
        (ikm, salt, info, len) => {
          expect(hex(hkdfSmall(ikm, len, salt, info))).toBe(nodeHkdf(ikm, len, salt ?? new Uint8Array(0), info));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hkdf gives node:crypto’s result on both sides of its size switch, with string or byte info', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.uint8Array({ maxLength: 90 }), fc.string({ maxLength: 80 }), fc.integer({ min: 1, max: 200 }), (ikm, salt, info, len) => {
        const bytes = new TextEncoder().encode(info);
        expect(hex(hkdf(ikm, len, { salt, info }))).toBe(nodeHkdf(ikm, len, salt, bytes));
        expect(hex(hkdf(ikm, len, { salt, info: bytes }))).toBe(nodeHkdf(ikm, len, salt, bytes));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses more output than HKDF-SHA256 can give', () => {
    expect(() => hkdfSmall(new Uint8Array(32), 255 * 32 + 1, undefined, new Uint8Array(0))).toThrow(RangeError);
  });
});
