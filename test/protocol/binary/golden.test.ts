// Golden vectors written out by hand from the wire format, checked against both
// wad and Baileys, plus the token tables themselves.
import { describe, expect, it } from 'vitest';
import { DOUBLE_BYTE_TOKENS, SINGLE_BYTE_TOKENS, decodeNode, encodeNode, type BinaryNode } from '../../../src/protocol/binary/index.js';
import * as tags from '../../../src/protocol/binary/tags.js';
import { TOKEN_CODES } from '../../../src/protocol/binary/tokens.js';
import { baileysConstants, baileysDecode, baileysEncode, hex, plain } from './support.js';

const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

describe('token tables', () => {
  it('are WhatsApp Web’s dictionaries, in order', () => {
    expect(SINGLE_BYTE_TOKENS).toEqual(baileysConstants.SINGLE_BYTE_TOKENS);
    expect(DOUBLE_BYTE_TOKENS).toEqual(baileysConstants.DOUBLE_BYTE_TOKENS);
    expect(SINGLE_BYTE_TOKENS).toHaveLength(236);
    expect(DOUBLE_BYTE_TOKENS.map((d) => d.length)).toEqual([256, 256, 256, 256]);
  });

  it('map every token to its wire code', () => {
    expect(TOKEN_CODES.size).toBe(235 + 1024);
    expect(TOKEN_CODES.get('message')).toBe(19);
    expect(TOKEN_CODES.get('body')).toBe(0xed75); // dictionary 1, index 117
    expect(TOKEN_CODES.has('')).toBe(false);
    expect(TOKEN_CODES.has('constructor')).toBe(false);
  });

  it('use the tag values of the wire format', () => {
    const { TAGS } = baileysConstants;
    expect([tags.LIST_EMPTY, tags.DICTIONARY_0, tags.DICTIONARY_3, tags.INTEROP_JID, tags.FB_JID, tags.AD_JID]).toEqual([
      TAGS.LIST_EMPTY, TAGS.DICTIONARY_0, TAGS.DICTIONARY_3, TAGS.INTEROP_JID, TAGS.FB_JID, TAGS.AD_JID,
    ]);
    expect([tags.LIST_8, tags.LIST_16, tags.JID_PAIR, tags.HEX_8, tags.BINARY_8, tags.BINARY_20, tags.BINARY_32, tags.NIBBLE_8, tags.PACKED_MAX]).toEqual([
      TAGS.LIST_8, TAGS.LIST_16, TAGS.JID_PAIR, TAGS.HEX_8, TAGS.BINARY_8, TAGS.BINARY_20, TAGS.BINARY_32, TAGS.NIBBLE_8, TAGS.PACKED_MAX,
    ]);
  });
});

// [description, node, frame bytes in hex]
const VECTORS: [string, BinaryNode, string][] = [
  ['tokens only', { tag: 'message', attrs: { type: 'text' } }, '00 f803 13 04 38'],
  ['double-byte token tag, raw text content', { tag: 'body', attrs: {}, content: 'Hi' }, '00 f802 ed75 fc02 4869'],
  ['empty string is BINARY_8 0', { tag: 'iq', attrs: { id: '' } }, '00 f803 19 08 fc00'],
  ['nibble, odd length', { tag: 'iq', attrs: { id: '123-4.5' } }, '00 f803 19 08 ff84 123a 4b5f'],
  ['hex (upper case only)', { tag: 'iq', attrs: { id: '3EB0AB' } }, '00 f803 19 08 fb03 3eb0ab'],
  ['lower-case hex is raw', { tag: 'iq', attrs: { id: '3eb0' } }, '00 f803 19 08 fc04 33656230'],
  ['PN user JID', { tag: 'iq', attrs: { to: '15551234567@s.whatsapp.net' } }, '00 f803 19 11 fa ff86 155512345 67f 03'],
  ['server-only JID', { tag: 'iq', attrs: { to: '@s.whatsapp.net' } }, '00 f803 19 11 fa 00 03'],
  ['PN device → AD_JID domain 0', { tag: 'iq', attrs: { to: '15551234567:3@s.whatsapp.net' } }, '00 f803 19 11 f7 00 03 ff86 155512345 67f'],
  ['LID device → AD_JID domain 1', { tag: 'iq', attrs: { to: '123:5@lid' } }, '00 f803 19 11 f7 01 05 ff82 123f'],
  ['hosted device → domain 128', { tag: 'iq', attrs: { to: '1555:99@hosted' } }, '00 f803 19 11 f7 80 63 ff02 1555'],
  ['hosted LID device → domain 129', { tag: 'iq', attrs: { to: '1555:99@hosted.lid' } }, '00 f803 19 11 f7 81 63 ff02 1555'],
  ['device 0 is still AD_JID', { tag: 'iq', attrs: { to: '1555:0@s.whatsapp.net' } }, '00 f803 19 11 f7 00 00 ff02 1555'],
  ['agent is the domain type', { tag: 'iq', attrs: { to: '1555_1:2@s.whatsapp.net' } }, '00 f803 19 11 f7 01 02 ff02 1555'],
  ['agent without device is dropped (JID_PAIR)', { tag: 'iq', attrs: { to: '1555_1@s.whatsapp.net' } }, '00 f803 19 11 fa ff02 1555 03'],
  ['group JID', { tag: 'iq', attrs: { to: '120363@g.us' } }, '00 f803 19 11 fa ff03 120363 1c'],
  ['status broadcast', { tag: 'iq', attrs: { to: 'status@broadcast' } }, '00 f803 19 11 fa 0b 0d'],
  ['empty list content', { tag: 'list', attrs: {}, content: [] }, '00 f802 71 00'],
  ['BINARY_20', { tag: 'enc', attrs: {}, content: new Uint8Array(256) }, '00 f802 1d fd000100' + '00'.repeat(256)],
];

describe('golden vectors', () => {
  for (const [name, node, expected] of VECTORS) {
    it(name, async () => {
      expect(hex(encodeNode(node))).toBe(hex(bytes(expected)));
      expect(hex(baileysEncode(node))).toBe(hex(bytes(expected)));
      expect(plain(decodeNode(bytes(expected)))).toEqual(plain(await baileysDecode(bytes(expected))));
    });
  }

  it('LIST_16 and BINARY_32 headers', () => {
    const many = encodeNode({ tag: 'list', attrs: {}, content: Array.from({ length: 256 }, () => ({ tag: 'item', attrs: {} })) });
    expect(hex(many.subarray(0, 7))).toBe('00f80271f90100');
    const big = encodeNode({ tag: 'enc', attrs: {}, content: new Uint8Array(1 << 20) });
    expect(hex(big.subarray(4, 9))).toBe('fe00100000');
  });
});

// Messenger and interop JIDs are only ever received, so they are tested on the decode side.
describe('FB_JID and INTEROP_JID', () => {
  // <iq to=…/>: f803 19 11, then the JID
  const cases: [string, string, string][] = [
    ['FB_JID', 'f803 19 11 f6 ff02 1234 0005 cc', '1234:5@msgr'],
    ['INTEROP_JID with server', 'f803 19 11 f5 ff02 1234 0005 0007 cc', '7-1234:5@msgr'],
    ['INTEROP_JID without server at the end', 'f803 19 11 f5 ff02 1234 0005 0007', '7-1234:5@interop'],
    ['INTEROP_JID followed by a non-string', 'f804 19 11 f5 ff02 1234 0005 0007 f800', '7-1234:5@interop'],
  ];
  for (const [name, body, jid] of cases) {
    it(name, async () => {
      const frame = bytes('00' + body);
      expect(decodeNode(frame).attrs.to).toBe(jid);
      expect(plain(decodeNode(frame))).toEqual(plain(await baileysDecode(frame)));
    });
  }

  it('an INTEROP_JID without server takes a following attribute key as its server, as Baileys reads it', async () => {
    // <iq to=INTEROP id="1" type/>: the reader takes 'id' (0x08) as the server,
    // then '1' as the next key and 'type' as its value
    const frame = bytes('00 f805 19 11 f5 ff02 1234 0005 0007 08 ff81 1f 04');
    expect(decodeNode(frame).attrs).toEqual({ to: '7-1234:5@id', '1': 'type' });
    expect(plain(decodeNode(frame))).toEqual(plain(await baileysDecode(frame)));
  });
});
