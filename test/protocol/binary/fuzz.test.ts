// 100,000 random and mutated frames into decodeNode: every failure must be a
// DecodeError, and whenever either decoder accepts one of the uncompressed inputs
// it also reads, Baileys must read it to the same node — except where wad's
// bounds refuse it.
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, decodeNode, encodeNodeInner, type BinaryNode } from '../../../src/protocol/binary/index.js';
import { baileysDecodeInner, hex, nodeArb, plain, prng } from './support.js';

const TOTAL = 100_000;
const MARKERS = [0x00, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff];

function corpus(): Uint8Array[] {
  const real: BinaryNode[] = [
    {
      tag: 'message',
      attrs: { to: '15551234567@s.whatsapp.net', id: '3EB0C431D4B7A2F1', type: 'text', t: '1700000000' },
      content: [{ tag: 'enc', attrs: { v: '2', type: 'msg' }, content: new Uint8Array(180).fill(0x5a) }],
    },
    {
      tag: 'iq',
      attrs: { from: '@s.whatsapp.net', type: 'result', id: '123.45-6' },
      content: [{ tag: 'usync', attrs: {}, content: [{ tag: 'list', attrs: {}, content: Array.from({ length: 20 }, (_, i) => ({ tag: 'user', attrs: { jid: `1555000${i}:${i}@lid` } })) }] }],
    },
  ];
  const random = fc.sample(nodeArb, { numRuns: 400, seed: 42 }).map(encodeNodeInner).filter((b) => b.length <= 4096);
  return [...real.map(encodeNodeInner), ...random];
}

function mutate(base: Uint8Array, rnd: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rnd() * n);
  let b = base.slice();
  const rounds = 1 + pick(3);
  for (let r = 0; r < rounds && b.length > 0; r++) {
    const at = pick(b.length);
    switch (pick(6)) {
      case 0: // bit flips
        b[at]! ^= 1 << pick(8);
        break;
      case 1: // truncation
        b = b.subarray(0, at);
        break;
      case 2: // length-field blowup: a length marker followed by huge lengths
        b[at] = [0xf8, 0xf9, 0xfc, 0xfd, 0xfe, 0xfb, 0xff][pick(7)]!;
        for (let i = at + 1; i < Math.min(b.length, at + 5); i++) b[i] = rnd() < 0.7 ? 0xff : 0x80;
        break;
      case 3: // a marker byte where data was
        b[at] = MARKERS[pick(MARKERS.length)]!;
        break;
      case 4: { // insert or delete a byte
        const out = new Uint8Array(b.length + (rnd() < 0.5 ? 1 : -1));
        if (out.length > b.length) {
          out.set(b.subarray(0, at));
          out[at] = pick(256);
          out.set(b.subarray(at), at + 1);
        } else {
          out.set(b.subarray(0, at));
          out.set(b.subarray(at + 1), at);
        }
        b = out;
        break;
      }
      default: // random byte
        b[at] = pick(256);
    }
  }
  return b;
}

const BOUNDS = new Set(['TOO_DEEP', 'TOO_MANY_NODES', 'TOO_MUCH_WORK', 'TOO_LARGE']);

describe('decodeNode on hostile bytes', () => {
  it(`${TOTAL} random and mutated frames: only DecodeError, and agreement with Baileys`, () => {
    const rnd = prng(0xdec0de);
    const seeds = corpus();
    const wrongErrors: string[] = [];
    const disagreements: string[] = [];
    let decoded = 0;
    let failed = 0;

    for (let n = 0; n < TOTAL; n++) {
      const kind = n % 10;
      const compressed = n % 50 === 1; // inflateSync is slow to set up: 2,000 of these suffice
      let inner: Uint8Array;
      let frame: Uint8Array;
      if (kind === 0) {
        inner = Uint8Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256));
      } else {
        inner = mutate(seeds[Math.floor(rnd() * seeds.length)]!, rnd);
      }
      if (compressed) {
        // mutated compressed payloads, flag 0x02
        const z = deflateSync(seeds[Math.floor(rnd() * seeds.length)]!);
        frame = new Uint8Array(z.length + 1);
        frame[0] = 2;
        frame.set(mutate(z, rnd).subarray(0, z.length), 1);
      } else {
        frame = new Uint8Array(inner.length + 1);
        frame.set(inner, 1);
      }

      let ours: BinaryNode | undefined;
      let ourError: unknown;
      try {
        ours = decodeNode(frame);
        decoded++;
      } catch (err) {
        failed++;
        ourError = err;
        if (!(err instanceof DecodeError)) wrongErrors.push(`${hex(frame)}: ${String(err)}`);
      }
      // Baileys (slow to throw) reads a quarter of the uncompressed inputs
      if (compressed || n % 4 !== 0) continue;

      let theirs: BinaryNode | undefined;
      try {
        theirs = baileysDecodeInner(inner);
      } catch {
        theirs = undefined;
      }
      if (ours && !theirs) disagreements.push(`only wad decodes ${hex(inner)}`);
      else if (ours && theirs && JSON.stringify(plain(ours)) !== JSON.stringify(plain(theirs))) disagreements.push(`different nodes from ${hex(inner)}`);
      else if (!ours && theirs && !BOUNDS.has((ourError as DecodeError).code) && !hasHighBinary32(inner)) {
        disagreements.push(`only Baileys decodes ${hex(inner)} (${(ourError as DecodeError).code})`);
      }
    }

    expect(wrongErrors).toEqual([]);
    expect(disagreements.slice(0, 5)).toEqual([]);
    // the corpus must exercise both outcomes
    expect(decoded).toBeGreaterThan(TOTAL / 20);
    expect(failed).toBeGreaterThan(TOTAL / 4);
  });
});

/**
 * Baileys reads a BINARY_32 length with the top bit set as a negative number
 * and then walks backwards through the buffer; wad reads it as the unsigned
 * length it is and reports TRUNCATED. Inputs with such a length are excused.
 */
function hasHighBinary32(b: Uint8Array): boolean {
  for (let i = 0; i + 1 < b.length; i++) if (b[i] === 0xfe && b[i + 1]! >= 0x80) return true;
  return false;
}
