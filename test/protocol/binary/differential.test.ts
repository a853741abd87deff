// Differential tests against Baileys 7's codec: for random stanzas and for every
// token, wad's encoder must produce the same bytes, and each decoder must read
// the other's bytes to the same node.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeNode, encodeNode, type BinaryNode } from '../../../src/protocol/binary/index.js';
import {
  ALL_TOKENS,
  baileysDecode,
  baileysEncode,
  baileysMangles,
  bytesArb,
  hex,
  jidArb,
  nodeArb,
  plain,
  roundTripNodeArb,
  stringArb,
} from './support.js';

const cleanJidArb = jidArb.filter((s) => !baileysMangles(s));

async function expectSameAsBaileys(node: BinaryNode): Promise<void> {
  const ours = encodeNode(node);
  const theirs = baileysEncode(node);
  expect(hex(ours)).toBe(hex(theirs));
  expect(plain(decodeNode(theirs))).toEqual(plain(await baileysDecode(ours)));
}

describe('encodeNode / decodeNode against Baileys', () => {
  it('random stanzas: same bytes, same decoded nodes both ways', async () => {
    await fc.assert(fc.asyncProperty(nodeArb, expectSameAsBaileys), { numRuns: 2500 });
  });

  it('every string kind as tag, attribute key, value and content', async () => {
    await fc.assert(
      fc.asyncProperty(stringArb.filter((s) => s.length > 0), stringArb, stringArb, stringArb, (tag, key, value, content) =>
        expectSameAsBaileys({ tag, attrs: { [key]: value }, content }),
      ),
      { numRuns: 3000 },
    );
  });

  it('every JID kind as attribute value and as content', async () => {
    await fc.assert(
      fc.asyncProperty(cleanJidArb, cleanJidArb, (a, b) => expectSameAsBaileys({ tag: 'message', attrs: { to: a, participant: b }, content: b })),
      { numRuns: 2000 },
    );
  });

  it('binary content across the BINARY_8 / BINARY_20 / BINARY_32 boundaries', async () => {
    for (const n of [0, 1, 255, 256, 257, 65_535, (1 << 20) - 1, 1 << 20, (1 << 20) + 1]) {
      const content = new Uint8Array(n).map((_, i) => i & 0xff);
      await expectSameAsBaileys({ tag: 'enc', attrs: { v: '2', type: 'msg' }, content });
    }
    await fc.assert(fc.asyncProperty(bytesArb, (content) => expectSameAsBaileys({ tag: 'enc', attrs: {}, content })), { numRuns: 200 });
  });

  it('raw strings across the length boundaries (1 byte, 3-byte and 4-byte lengths)', async () => {
    for (const n of [85, 86, 127, 128, 255, 256, 257, (1 << 20) - 1, 1 << 20, (1 << 20) + 1]) {
      await expectSameAsBaileys({ tag: 'x', attrs: { v: 'a'.repeat(n) }, content: 'é'.repeat(n >> 1) });
    }
  });

  it('lists across the LIST_8 / LIST_16 boundary', async () => {
    for (const n of [0, 1, 254, 255, 256, 257, 1000, 65_535]) {
      const content = Array.from({ length: n }, (_, i) => ({ tag: 'user', attrs: { jid: `${15550000000 + i}@s.whatsapp.net` } }));
      await expectSameAsBaileys({ tag: 'list', attrs: {}, content });
    }
    // 2·attrs + 1 + content crosses 255 items in one node's own list
    const attrs = Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`k${i}`, `v${i}`]));
    await expectSameAsBaileys({ tag: 'x', attrs, content: 'y' });
  });

  it('every single- and double-byte token as tag, attribute key, value and content', async () => {
    expect(ALL_TOKENS).toHaveLength(235 + 4 * 256);
    for (const t of ALL_TOKENS) {
      const node = { tag: t, attrs: { [t]: t }, content: t };
      await expectSameAsBaileys(node);
      // and each comes back as itself: a token is never mangled
      expect(plain(decodeNode(encodeNode(node)))).toEqual(plain(node));
    }
  });
});

describe('round trip', () => {
  it('nodes of canonical strings, bytes and lists decode to themselves', () => {
    fc.assert(
      fc.property(roundTripNodeArb, (node) => {
        expect(plain(decodeNode(encodeNode(node)))).toEqual(plain(node));
      }),
      { numRuns: 2000 },
    );
  });
});
