// What the encoder refuses (EncodeError), and the two inputs where wad
// deliberately writes different bytes from Baileys.
import { describe, expect, it } from 'vitest';
import { EncodeError, decodeNode, encodeNode, type BinaryNode } from '../../../src/protocol/binary/index.js';
import { baileysDecode, baileysEncode, hex } from './support.js';

function encodeError(node: unknown): EncodeError {
  try {
    encodeNode(node as BinaryNode);
  } catch (err) {
    expect(err).toBeInstanceOf(EncodeError);
    return err as EncodeError;
  }
  throw new Error('expected an EncodeError');
}

describe('encodeNode input checks', () => {
  it('refuses nodes without a non-empty string tag', () => {
    for (const node of [null, 'x', 42, {}, { tag: '', attrs: {} }, { tag: 7, attrs: {} }]) {
      expect(encodeError(node).code).toBe('INVALID_NODE');
    }
  });

  it('refuses missing attrs and non-string attribute values', () => {
    expect(encodeError({ tag: 'iq' }).code).toBe('INVALID_ATTRS');
    expect(encodeError({ tag: 'iq', attrs: null }).code).toBe('INVALID_ATTRS');
    expect(encodeError({ tag: 'iq', attrs: { t: 1700000000 } }).code).toBe('INVALID_ATTRS');
    expect(encodeError({ tag: 'iq', attrs: { ok: true } }).code).toBe('INVALID_ATTRS');
  });

  it('skips undefined and null attribute values, as every client does', () => {
    const node = { tag: 'iq', attrs: { id: '1', participant: undefined, to: null } } as unknown as BinaryNode;
    expect(hex(encodeNode(node))).toBe(hex(encodeNode({ tag: 'iq', attrs: { id: '1' } })));
    expect(hex(encodeNode(node))).toBe(hex(baileysEncode(node)));
  });

  it('refuses content that is not a string, bytes or a node array', () => {
    for (const content of [null, 5, {}, new Uint16Array(2), new ArrayBuffer(2)]) {
      expect(encodeError({ tag: 'x', attrs: {}, content }).code).toBe('INVALID_CONTENT');
    }
    expect(encodeError({ tag: 'x', attrs: {}, content: [{ tag: 'ok', attrs: {} }, undefined] }).code).toBe('INVALID_NODE');
    expect(encodeError({ tag: 'x', attrs: {}, content: ['text'] }).code).toBe('INVALID_NODE');
  });

  it('refuses lists longer than LIST_16 allows', () => {
    const content = Array.from({ length: 65_536 }, () => ({ tag: 'a', attrs: {} }));
    expect(encodeError({ tag: 'x', attrs: {}, content }).code).toBe('TOO_MANY_ITEMS');
  });

  it('refuses cycles (as TOO_DEEP) instead of overflowing the stack', () => {
    const node: BinaryNode = { tag: 'x', attrs: {}, content: [] };
    (node.content as BinaryNode[]).push(node);
    expect(encodeError(node).code).toBe('TOO_DEEP');
  });

  it('accepts Buffer content like Uint8Array content', () => {
    const bytes = Uint8Array.of(1, 2, 3);
    expect(hex(encodeNode({ tag: 'enc', attrs: {}, content: Buffer.from(bytes) }))).toBe(hex(encodeNode({ tag: 'enc', attrs: {}, content: bytes })));
  });

  it('keeps working after an error (the shared buffer is reset)', () => {
    encodeError({ tag: 'x', attrs: { a: 'b' }, content: 5 });
    expect(hex(encodeNode({ tag: 'iq', attrs: {} }))).toBe('00f80119');
  });
});

describe('deliberate differences from Baileys', () => {
  it('writes names of Object.prototype members raw, where Baileys writes byte 0', async () => {
    for (const s of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
      const node = { tag: 'iq', attrs: { id: s } };
      expect(decodeNode(encodeNode(node)).attrs.id).toBe(s);
      expect((await baileysDecode(encodeNode(node))).attrs.id).toBe(s); // Baileys reads ours fine
      expect((await baileysDecode(baileysEncode(node))).attrs.id).toBe(''); // but mangles its own
    }
  });

  it('writes a JID with an empty server raw, where Baileys writes an undecodable JID_PAIR', async () => {
    for (const s of ['user@', 'a@b@', '@']) {
      const node = { tag: 'iq', attrs: { id: s } };
      expect(decodeNode(encodeNode(node)).attrs.id).toBe(s);
      expect((await baileysDecode(encodeNode(node))).attrs.id).toBe(s);
      await expect(baileysDecode(baileysEncode(node))).rejects.toThrow();
    }
    // with a device it is an AD_JID, which has no server on the wire: same bytes as Baileys
    const device = { tag: 'iq', attrs: { id: 'user:1@' } };
    expect(hex(encodeNode(device))).toBe(hex(baileysEncode(device)));
  });
});
