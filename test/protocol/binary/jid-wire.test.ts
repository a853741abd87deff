// JIDs on the wire: which encoding each kind gets, byte equality with Baileys,
// and exact round trips for the JIDs that survive the wire unchanged.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeNode, encodeNode, encodeNodeInner } from '../../../src/protocol/binary/index.js';
import { AD_JID, JID_PAIR } from '../../../src/protocol/binary/tags.js';
import { jidDecode } from '../../../src/protocol/jid/index.js';
import { baileysDecode, baileysEncode, baileysMangles, canonicalJidArb, hex, jidArb } from './support.js';

/** The bytes of the `to` value in <iq to=jid/>: list header (2), tag (1), key (1), then the value. */
const valueBytes = (jid: string) => encodeNodeInner({ tag: 'iq', attrs: { to: jid } }).subarray(4);

describe('JIDs on the wire', () => {
  it('device JIDs are AD_JID with the domain type and device byte; others are JID_PAIR', () => {
    fc.assert(
      fc.property(jidArb.filter((s) => !baileysMangles(s)), (jid) => {
        const bytes = valueBytes(jid);
        const d = jidDecode(jid)!;
        // a user JID whose whole text is a token or packable never reaches the JID path
        if (bytes[0] !== AD_JID && bytes[0] !== JID_PAIR) return;
        if (d.device !== undefined) {
          expect(bytes[0]).toBe(AD_JID);
          expect(bytes[1]).toBe((d.domainType || 0) & 0xff);
          expect(bytes[2]).toBe((d.device || 0) & 0xff);
        } else {
          expect(bytes[0]).toBe(JID_PAIR);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('every kind: same bytes as Baileys and the same node back, as attribute and as content', async () => {
    await fc.assert(
      fc.asyncProperty(jidArb.filter((s) => !baileysMangles(s)), async (jid) => {
        const node = { tag: 'receipt', attrs: { from: jid, participant: jid }, content: jid };
        expect(hex(encodeNode(node))).toBe(hex(baileysEncode(node)));
        expect(decodeNode(encodeNode(node))).toEqual(await baileysDecode(encodeNode(node)));
      }),
      { numRuns: 2000 },
    );
  });

  it('PN, LID, hosted, group, broadcast, newsletter, bot and call JIDs come back exactly', () => {
    fc.assert(
      fc.property(canonicalJidArb, (jid) => {
        const back = decodeNode(encodeNode({ tag: 'message', attrs: { to: jid }, content: jid }));
        expect(back.attrs.to).toBe(jid);
        expect(back.content).toBe(jid);
      }),
      { numRuns: 2000 },
    );
  });

  it('agents and devices that do not survive are changed the way every client changes them', () => {
    const cases: [string, string][] = [
      ['1555_1:3@s.whatsapp.net', '1555:3@lid'], // agent 1 is the LID domain
      ['1555_128:3@s.whatsapp.net', '1555:3@hosted'],
      ['1555_7:3@s.whatsapp.net', '1555:3@s.whatsapp.net'], // unknown domains read as PN
      ['1555:0@lid', '1555@lid'], // device 0 is the user
      ['1555:300@s.whatsapp.net', '1555:44@s.whatsapp.net'], // one device byte: 300 & 0xff
      ['1555:3@g.us', '1555:3@s.whatsapp.net'], // AD_JID has no group domain
      ['1555_1@s.whatsapp.net', '1555@s.whatsapp.net'], // an agent without device is dropped
    ];
    for (const [sent, received] of cases) expect(decodeNode(encodeNode({ tag: 'iq', attrs: { to: sent } })).attrs.to).toBe(received);
  });
});
