// The frame's flag byte and compression, and the bounds that keep decoding
// untrusted bytes cheap.
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  decodeNode,
  decodeNodeInner,
  encodeNode,
  encodeNodeInner,
  unpackFrame,
  type BinaryNode,
} from '../../../src/protocol/binary/index.js';
import { baileysDecode, baileysDecodeInner, plain } from './support.js';

const STANZA: BinaryNode = {
  tag: 'iq',
  attrs: { id: '3EB0ABCDEF', type: 'result', from: '@s.whatsapp.net' },
  content: Array.from({ length: 50 }, (_, i) => ({ tag: 'user', attrs: { jid: `${15550000000 + i}@s.whatsapp.net` } })),
};

function frame(flag: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  out[0] = flag;
  out.set(body, 1);
  return out;
}

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return err as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

describe('frame payloads', () => {
  it('flag 0x02: a zlib-deflated node decodes like the plain one, and like Baileys reads it', async () => {
    const compressed = frame(0x02, deflateSync(encodeNodeInner(STANZA)));
    expect(plain(decodeNode(compressed))).toEqual(plain(STANZA));
    expect(plain(decodeNode(compressed))).toEqual(plain(await baileysDecode(compressed)));
  });

  it('only bit 0x02 means compressed; other flag bits are ignored', () => {
    for (const flag of [0x00, 0x01, 0x04, 0x80, 0xfd]) expect(plain(decodeNode(frame(flag, encodeNodeInner(STANZA))))).toEqual(plain(STANZA));
    expect(plain(decodeNode(frame(0xff, deflateSync(encodeNodeInner(STANZA)))))).toEqual(plain(STANZA));
  });

  it('encodeNode is the flag byte 0x00 then encodeNodeInner', () => {
    expect([...encodeNode(STANZA)]).toEqual([0, ...encodeNodeInner(STANZA)]);
    expect(plain(decodeNodeInner(encodeNodeInner(STANZA)))).toEqual(plain(STANZA));
  });

  it('a zip bomb over the bound is TOO_LARGE, without inflating it whole', () => {
    const bomb = frame(0x02, deflateSync(new Uint8Array(64 * 1024 * 1024)));
    expect(bomb.length).toBeLessThan(100_000);
    expect(decodeError(() => decodeNode(bomb)).code).toBe('TOO_LARGE');
    const small = frame(0x02, deflateSync(new Uint8Array(4096)));
    expect(decodeError(() => decodeNode(small, { maxBytes: 1024 })).code).toBe('TOO_LARGE');
  });

  it('bad zlib, empty frames and non-bytes are DecodeErrors', () => {
    expect(decodeError(() => decodeNode(frame(0x02, Uint8Array.of(1, 2, 3)))).code).toBe('INFLATE_FAILED');
    expect(decodeError(() => decodeNode(frame(0x02, new Uint8Array(0)))).code).toBe('INFLATE_FAILED');
    expect(decodeError(() => decodeNode(new Uint8Array(0))).code).toBe('EMPTY_FRAME');
    expect(decodeError(() => decodeNode(Uint8Array.of(0))).code).toBe('TRUNCATED');
    expect(decodeError(() => decodeNode('00f80113' as unknown as Uint8Array)).code).toBe('INVALID_INPUT');
    expect(decodeError(() => unpackFrame(new Uint8Array(2000), { maxBytes: 1000 })).code).toBe('TOO_LARGE');
  });

  it('returns binary content as a Uint8Array view of the payload', () => {
    const payload = encodeNode({ tag: 'enc', attrs: {}, content: Uint8Array.of(1, 2, 3) });
    const content = decodeNode(payload).content as Uint8Array;
    expect(content.constructor).toBe(Uint8Array);
    expect(content.buffer).toBe(payload.buffer);
  });
});

describe('decode limits', () => {
  const nest = (depth: number): BinaryNode => (depth === 0 ? { tag: 'leaf', attrs: {} } : { tag: 'n', attrs: {}, content: [nest(depth - 1)] });

  it('nodes nested deeper than maxDepth are TOO_DEEP', () => {
    expect(() => decodeNode(encodeNode(nest(64)))).not.toThrow();
    expect(decodeError(() => decodeNode(encodeNode(nest(65)))).code).toBe('TOO_DEEP');
    expect(decodeError(() => decodeNode(encodeNode(nest(5)), { maxDepth: 4 })).code).toBe('TOO_DEEP');
  });

  it('more nodes than maxNodes are TOO_MANY_NODES', () => {
    expect(decodeError(() => decodeNode(encodeNode(STANZA), { maxNodes: 50 })).code).toBe('TOO_MANY_NODES');
    expect(() => decodeNode(encodeNode(STANZA), { maxNodes: 51 })).not.toThrow();
  });

  it('length fields beyond the input are TRUNCATED, even 32-bit ones with the top bit set', () => {
    for (const body of ['f802 1d fe ffffffff 00', 'f802 1d fd 0fffff', 'f803 19 08 fe 80000000', 'f9ffff 19', 'f803 19 08 ff7f 12']) {
      expect(decodeError(() => decodeNodeInner(Buffer.from(body.replace(/ /g, ''), 'hex'))).code).toBe('TRUNCATED');
    }
  });

  it('a long chain of JID servers decodes without recursion, like Baileys', () => {
    const jid = Array.from({ length: 2000 }, (_, i) => `u${i}`).join('@');
    const bytes = encodeNodeInner({ tag: 'iq', attrs: { to: jid } });
    expect(decodeNodeInner(bytes).attrs.to).toBe(jid);
    expect(baileysDecodeInner(bytes).attrs.to).toBe(jid);
  });

  it('strings nested in JID users beyond 32 levels are TOO_DEEP', () => {
    // JID_PAIR whose user is a JID_PAIR whose user is ...
    const bytes = Buffer.from('f8021c' + 'fa'.repeat(40) + '0003'.repeat(40), 'hex');
    expect(decodeError(() => decodeNodeInner(bytes)).code).toBe('TOO_DEEP');
  });

  it('self re-reading interop JIDs run out of budget (Baileys takes exponential time here)', () => {
    // P(k) = JID_PAIR(user: INTEROP_JID(server: P(k-1)), server: P(k-1)), P(0) invalid:
    // the interop's optional server fails and is re-read as the pair's server, so a
    // naive reader parses P(0) 2^k times (Baileys: 0.2 s at k = 15, 6 s at 20, 37 s at 22).
    const body = ('f8 03 19 08 ' + 'fa f5 00 0000 0000 '.repeat(15) + ' f1').replace(/ /g, '');
    expect(decodeError(() => decodeNodeInner(Buffer.from(body, 'hex'))).code).toBe('TOO_MUCH_WORK');
    const deeper = ('f8 03 19 08 ' + 'fa f5 00 0000 0000 '.repeat(2000) + ' f1').replace(/ /g, '');
    expect(['TOO_MUCH_WORK', 'TOO_DEEP']).toContain(decodeError(() => decodeNodeInner(Buffer.from(deeper, 'hex'))).code);
  });
});
