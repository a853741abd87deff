// Shared helpers for the codec tests: Baileys as the oracle, node normalisation
// (Buffer vs Uint8Array, absent vs undefined content) and fast-check arbitraries.
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { decodeBinaryNode, decodeDecompressedBinaryNode, encodeBinaryNode, jidDecode as baileysJidDecode } from 'baileys';
import * as baileysConstants from 'baileys/lib/WABinary/constants.js';
import { DOUBLE_BYTE_TOKENS, SINGLE_BYTE_TOKENS, type BinaryNode } from '../../../src/protocol/binary/index.js';

export { baileysConstants };

/** A node as plain data, so Buffer and Uint8Array content compare equal. */
export type Plain = { tag: string; attrs: Record<string, string>; content?: Plain[] | string | { hex: string } };

export function plain(node: BinaryNode): Plain {
  const out: Plain = { tag: node.tag, attrs: { ...node.attrs } };
  const c = node.content;
  if (typeof c === 'string') out.content = c;
  else if (c instanceof Uint8Array) out.content = { hex: Buffer.from(c.buffer, c.byteOffset, c.length).toString('hex') };
  else if (Array.isArray(c)) out.content = c.map(plain);
  return out;
}

export function baileysEncode(node: BinaryNode): Uint8Array {
  return new Uint8Array(encodeBinaryNode(node as Parameters<typeof encodeBinaryNode>[0]));
}

export async function baileysDecode(frame: Uint8Array): Promise<BinaryNode> {
  return (await decodeBinaryNode(Buffer.from(frame))) as BinaryNode;
}

/** Baileys' synchronous decoder of inflated node bytes (no flag byte). */
export function baileysDecodeInner(bytes: Uint8Array): BinaryNode {
  return decodeDecompressedBinaryNode(Buffer.from(bytes), baileysConstants) as BinaryNode;
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export const ALL_TOKENS: string[] = [...SINGLE_BYTE_TOKENS.slice(1), ...DOUBLE_BYTE_TOKENS.flat()];

const OBJECT_PROTO_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));
const tokenSet = new Set(ALL_TOKENS);

/**
 * True for strings Baileys encodes wrongly (see encode.ts): names of
 * Object.prototype members (its token table is an object literal) and JIDs
 * whose server is empty (it writes a JID_PAIR nobody can decode). wad writes
 * both raw; the differential tests leave them out and test them apart.
 */
export function baileysMangles(s: string): boolean {
  if (s === '') return false;
  if (OBJECT_PROTO_KEYS.has(s)) return true;
  if (tokenSet.has(s)) return false;
  if (s.length <= 127 && (/^[0-9.-]+$/.test(s) || /^[0-9A-F]+$/.test(s))) return false;
  const jid = baileysJidDecode(s);
  if (!jid) return false;
  if (jid.device !== undefined) return baileysMangles(jid.user);
  if ((jid.server as string) === '') return true;
  return baileysMangles(jid.user) || baileysMangles(jid.server);
}

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));

/** JIDs of every kind, including the odd ones other clients also produce. */
export const jidArb: fc.Arbitrary<string> = fc.oneof(
  // users and devices on every server, with agents, devices over 255 and device 0
  fc
    .record({
      user: fc.oneof(digits(1, 15), fc.constant(''), fc.stringMatching(/^[0-9A-Za-z.-]{1,20}$/)),
      agent: fc.option(fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('x', '0x1f', '')), { nil: undefined }),
      device: fc.option(fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('', 'x', '1.5', '-1', '0x10')), { nil: undefined }),
      server: fc.constantFrom(
        's.whatsapp.net', 'c.us', 'lid', 'g.us', 'broadcast', 'newsletter', 'hosted', 'hosted.lid', 'bot', 'call', 'msgr', 'interop', 'example.com',
      ),
    })
    .map(({ user, agent, device, server }) => `${user}${agent === undefined ? '' : '_' + agent}${device === undefined ? '' : ':' + device}@${server}`),
  fc.constantFrom('status@broadcast', '@s.whatsapp.net', '@g.us', '120363025246125888@g.us', '1234567890-1600000000@g.us', '0@c.us'),
  // interop as WhatsApp prints it: integrator-user:device@interop
  fc.tuple(digits(1, 4), digits(1, 12), digits(1, 3)).map(([i, u, d]) => `${i}-${u}:${d}@interop`),
);

/** JIDs that come back unchanged through the wire (AD_JID only where the server survives). */
export const canonicalJidArb: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(digits(1, 15), fc.constantFrom('s.whatsapp.net', 'lid', 'g.us', 'broadcast', 'newsletter', 'hosted', 'hosted.lid', 'bot', 'call', 'c.us')).map(([u, s]) => `${u}@${s}`),
  fc.tuple(digits(1, 15), fc.integer({ min: 1, max: 255 }), fc.constantFrom('s.whatsapp.net', 'lid', 'hosted', 'hosted.lid')).map(([u, d, s]) => `${u}:${d}@${s}`),
  fc.constantFrom('status@broadcast', '@s.whatsapp.net'),
);

const tokenArb = fc.constantFrom(...ALL_TOKENS);
const nibbleArb = fc.stringMatching(/^[0-9.-]{1,130}$/);
const hexArb = fc.stringMatching(/^[0-9A-F]{1,130}$/);
const unicodeArb = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ maxLength: 20 }));

/** Strings of every kind the encoder distinguishes, minus the ones Baileys mangles. */
export const stringArb: fc.Arbitrary<string> = fc
  .oneof(tokenArb, tokenArb, nibbleArb, hexArb, unicodeArb, jidArb, jidArb)
  .filter((s) => !baileysMangles(s));

/** Byte contents around the BINARY_8 / BINARY_20 / BINARY_32 boundaries. */
export const bytesArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 40, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(0, 255, 256, 257, 65_535, (1 << 20) - 1, 1 << 20, (1 << 20) + 1), fc.integer({ min: 0, max: 255 }))
      .map(([n, fill]) => new Uint8Array(n).map((_, i) => (i * 31 + fill) & 0xff)),
  },
);

/** Random stanzas: strings everywhere a string goes, bytes and child lists as content. */
export const nodeArb: fc.Arbitrary<BinaryNode> = fc.letrec<{ node: BinaryNode }>((tie) => ({
  node: fc.record({
    tag: stringArb.filter((s) => s.length > 0),
    attrs: fc.dictionary(stringArb, stringArb, { maxKeys: 5 }),
    content: fc.option(
      fc.oneof({ depthSize: 'small' }, stringArb, bytesArb, fc.array(tie('node'), { maxLength: 4 })),
      { nil: undefined },
    ),
  }, { requiredKeys: ['tag', 'attrs'] }),
})).node;

/** A node built from the "canonical" strings, which must come back exactly as sent. */
export const roundTripNodeArb: fc.Arbitrary<BinaryNode> = fc.letrec<{ node: BinaryNode }>((tie) => {
  const exact = fc.oneof(
    tokenArb,
    nibbleArb.filter((s) => s.length <= 127),
    hexArb.filter((s) => s.length <= 127),
    canonicalJidArb,
    fc.string({ unit: 'grapheme', maxLength: 50 }).filter((s) => !s.includes('@') && !baileysMangles(s)),
  );
  return {
    node: fc.record({
      tag: exact.filter((s) => s.length > 0),
      attrs: fc.dictionary(exact.filter((s) => s !== '__proto__'), exact, { maxKeys: 5 }),
      content: fc.option(
        fc.oneof({ depthSize: 'small' }, fc.uint8Array({ maxLength: 300 }), fc.array(tie('node'), { maxLength: 4 })),
        { nil: undefined },
      ),
    }, { requiredKeys: ['tag', 'attrs'] }),
  };
}).node;

/** A small deterministic PRNG (mulberry32) so fuzz failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
