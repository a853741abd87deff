// CONTRACTS.md §4: what `wad/protocol` promises to outside callers.
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeBinaryNode } from 'baileys';
import { decodeNode, encodeNode, jidDecode, jidEncode, type BinaryNode } from '../../src/protocol/index.js';

const stanza: BinaryNode = {
  tag: 'message',
  attrs: { id: '3EB0ABCDEF', to: '15550002222@s.whatsapp.net', type: 'text' },
  content: [{ tag: 'enc', attrs: { v: '2', type: 'msg' }, content: new Uint8Array([1, 2, 3, 250]) }],
};

describe('wad/protocol entry points', () => {
  it('encodeNode starts with the 0x00 flag byte and equals what WhatsApp Web (Baileys) sends', () => {
    const bytes = encodeNode(stanza);
    expect(bytes[0]).toBe(0);
    expect(Buffer.from(bytes).equals(Buffer.from(encodeBinaryNode(stanza)))).toBe(true);
  });

  it('decodeNode reads plain and zlib-compressed (flag 0x02) frames to the same node', () => {
    const plain = encodeNode(stanza);
    const compressed = new Uint8Array([0x02, ...deflateSync(plain.subarray(1))]);
    for (const frame of [plain, compressed]) {
      const node = decodeNode(frame);
      expect(node.tag).toBe('message');
      expect(node.attrs).toEqual(stanza.attrs);
      const enc = (node.content as BinaryNode[])[0]!;
      expect(Array.from(enc.content as Uint8Array)).toEqual([1, 2, 3, 250]);
    }
  });

  it('jidDecode and jidEncode are inverse on device jids', () => {
    const jid = jidEncode('15550001111', 's.whatsapp.net', 7);
    expect(jid).toBe('15550001111:7@s.whatsapp.net');
    expect(jidDecode(jid)).toMatchObject({ user: '15550001111', server: 's.whatsapp.net', device: 7 });
  });
});
