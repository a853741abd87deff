// WhatsApp's plaintext padding against Baileys' writeRandomPadMax16 /
// unpadRandomMax16, plus golden vectors for every pad length.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unpadRandomMax16, writeRandomPadMax16 } from 'baileys/lib/Utils/generics.js';
import { padMessage, PaddingError, unpadMessage } from '../../../src/protocol/signal/index.js';
import { hex } from './support.js';

describe('padding', () => {
  it('golden: the low nibble of the random byte picks 1..16 bytes of that value', () => {
    const msg = Uint8Array.of(0xaa, 0xbb);
    expect(hex(padMessage(msg, 0x00))).toBe('aabb01');
    expect(hex(padMessage(msg, 0xf3))).toBe('aabb04040404');
    expect(hex(padMessage(msg, 0x0f))).toBe('aabb' + '10'.repeat(16));
    expect(hex(padMessage(new Uint8Array(0), 0x21))).toBe('0202');
    for (let r = 0; r < 256; r++) {
      const padded = padMessage(msg, r);
      const n = (r & 15) + 1;
      expect(padded.length).toBe(2 + n);
      expect([...padded.subarray(2)].every((b) => b === n)).toBe(true);
    }
  });

  it('Baileys unpads ours and we unpad Baileys’', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(255), (msg, r) => {
        expect(hex(unpadRandomMax16(padMessage(msg, r)))).toBe(hex(msg));
        const theirs = writeRandomPadMax16(Buffer.from(msg));
        expect(theirs.length - msg.length).toBeGreaterThanOrEqual(1);
        expect(theirs.length - msg.length).toBeLessThanOrEqual(16);
        expect(hex(unpadMessage(theirs))).toBe(hex(msg));
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with Baileys on what unpads at all', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        let theirs: string;
        try {
          theirs = hex(unpadRandomMax16(bytes));
        } catch {
          theirs = 'error';
        }
        let ours: string;
        try {
          ours = hex(unpadMessage(bytes));
        } catch (e) {
          expect(e).toBeInstanceOf(PaddingError);
          ours = 'error';
        }
        expect(ours).toBe(theirs);
      }),
      { numRuns: 500 },
    );
    expect(() => unpadMessage(new Uint8Array(0))).toThrow(PaddingError);
    expect(() => unpadMessage(Uint8Array.of(1, 2, 9))).toThrow(expect.objectContaining({ code: 'BAD_PADDING' }));
  });
});
