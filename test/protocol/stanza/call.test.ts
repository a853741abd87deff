// Call stanzas: what the server delivers (offers, ends, relays), read as WhatsApp Web reads them,
// and the reject we send, in the shape Baileys' rejectCall sends.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BinaryNode } from '../../../src/protocol/binary/index.js';
import { buildCallReject, parseCallStanza, StanzaError } from '../../../src/protocol/stanza/index.js';

const n = (tag: string, attrs: Record<string, string>, content?: BinaryNode[]): BinaryNode => (content ? { tag, attrs, content } : { tag, attrs });

describe('parseCallStanza', () => {
  it('reads a video offer from a LID caller with its number', () => {
    const call = parseCallStanza(
      n('call', { from: '99887766@lid', id: 'S1', t: '1766531871', notify: 'Ann', offline: '0' }, [
        n('offer', { 'call-id': 'ABC', 'call-creator': '99887766:3@lid', caller_pn: '15550001111@s.whatsapp.net' }, [n('video', { enc: 'vp8' })]),
      ]),
    );
    expect(call).toEqual({
      signal: 'offer',
      stanzaId: 'S1',
      callId: 'ABC',
      creator: '99887766:3@lid',
      from: '99887766@lid',
      callerPn: '15550001111@s.whatsapp.net',
      t: 1766531871,
      offline: true,
      video: true,
      isGroup: false,
      groupJid: undefined,
      reason: undefined,
      notify: 'Ann',
    });
  });

  it('reads group offers, offer notices with video media, and terminate reasons', () => {
    const g = parseCallStanza(n('call', { from: '1555@s.whatsapp.net', id: 'S2' }, [n('offer', { 'call-id': 'G', 'call-creator': '1555@s.whatsapp.net', 'group-jid': '1203@g.us' })]));
    expect(g).toMatchObject({ isGroup: true, groupJid: '1203@g.us', video: false, t: 0, offline: false });
    expect(parseCallStanza(n('call', { from: '1555@s.whatsapp.net', id: 'S3' }, [n('offer_notice', { 'call-id': 'N', 'call-creator': '1555@s.whatsapp.net', media: 'video', type: 'group' })]))).toMatchObject({
      signal: 'offer_notice',
      video: true,
      isGroup: true,
    });
    expect(parseCallStanza(n('call', { from: '1555@s.whatsapp.net', id: 'S4' }, [n('terminate', { 'call-id': 'T', 'call-creator': '1555@s.whatsapp.net', reason: 'timeout' })]))).toMatchObject({ signal: 'terminate', reason: 'timeout' });
  });

  it('refuses what lacks an id, a from, a signal or a call id', () => {
    const offer = n('offer', { 'call-id': 'X', 'call-creator': '1555@s.whatsapp.net' });
    for (const bad of [n('call', { from: '1555@s.whatsapp.net' }, [offer]), n('call', { id: 'x' }, [offer]), n('call', { id: 'x', from: '1555@s.whatsapp.net' }), n('call', { id: 'x', from: '1555@s.whatsapp.net' }, [n('offer', {})])]) {
      expect(() => parseCallStanza(bad)).toThrow(StanzaError);
    }
  });

  it('never throws anything but StanzaError on arbitrary attributes', () => {
    const attr = fc.option(fc.constantFrom('', 'x', '1555@s.whatsapp.net', '1:2@lid', '12', 'not a jid@'), { nil: undefined });
    fc.assert(
      fc.property(attr, attr, attr, attr, fc.constantFrom('offer', 'terminate', 'reject', 'accept', 'transport'), (id, from, callId, creator, tag) => {
        const strip = (o: Record<string, string | undefined>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, string>;
        const stanza = n('call', strip({ id, from }), [n(tag, strip({ 'call-id': callId, 'call-creator': creator }))]);
        try {
          const c = parseCallStanza(stanza);
          expect(c.callId).toBe(callId);
          expect(c.signal).toBe(tag);
        } catch (err) {
          expect(err).toBeInstanceOf(StanzaError);
        }
      }),
    );
  });
});

describe('buildCallReject', () => {
  it("is Baileys' rejectCall stanza with an id", () => {
    expect(buildCallReject({ id: 'R1', me: '15550002222@s.whatsapp.net', to: '15550001111@s.whatsapp.net', callId: 'ABC' })).toEqual(
      n('call', { id: 'R1', from: '15550002222@s.whatsapp.net', to: '15550001111@s.whatsapp.net' }, [n('reject', { 'call-id': 'ABC', 'call-creator': '15550001111@s.whatsapp.net', count: '0' })]),
    );
  });
});
