// The ack attribute rules as a table (whatsapp-rust's stanza tests), against
// Baileys' buildAckStanza where the two agree, and against the simulator's
// checker of what a server accepts.
import { buildAckStanza } from 'baileys/lib/Utils/stanza-ack.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BinaryNode } from '../../../src/protocol/binary/index.js';
import { buildAck, isIdentityChangeNotification } from '../../../src/protocol/stanza/ack.js';
import { ackViolation } from '../../../src/sim/acks.js';

const ME = '15550001111:7@s.whatsapp.net';
const n = (tag: string, attrs: Record<string, string>, content?: BinaryNode[]): BinaryNode => (content ? { tag, attrs, content } : { tag, attrs });

const TABLE: Array<[string, BinaryNode, Record<string, string> | undefined]> = [
  ['message: no type, from = me', n('message', { id: 'm1', from: '1555@s.whatsapp.net', type: 'text', t: '1' }), { class: 'message', id: 'm1', to: '1555@s.whatsapp.net', from: ME }],
  ['group message: participant copied', n('message', { id: 'm2', from: 'g@g.us', participant: '1555:2@s.whatsapp.net', type: 'media' }), { class: 'message', id: 'm2', to: 'g@g.us', participant: '1555:2@s.whatsapp.net', from: ME }],
  ['own-device copy: recipient echoed', n('message', { id: 'm3', from: ME, recipient: '1666@s.whatsapp.net', type: 'text' }), { class: 'message', id: 'm3', to: ME, recipient: '1666@s.whatsapp.net', from: ME }],
  ['delivery receipt: no type', n('receipt', { id: 'r1', from: '1555@s.whatsapp.net' }), { class: 'receipt', id: 'r1', to: '1555@s.whatsapp.net' }],
  ['read receipt: type echoed', n('receipt', { id: 'r2', from: '1555@s.whatsapp.net', type: 'read' }), { class: 'receipt', id: 'r2', to: '1555@s.whatsapp.net', type: 'read' }],
  ['retry receipt in a group', n('receipt', { id: 'r3', from: 'g@g.us', participant: '1555:3@s.whatsapp.net', type: 'retry' }), { class: 'receipt', id: 'r3', to: 'g@g.us', participant: '1555:3@s.whatsapp.net', type: 'retry' }],
  ['notification: type echoed', n('notification', { id: 'n1', from: 'g@g.us', type: 'w:gp2', participant: '1555@s.whatsapp.net' }), { class: 'notification', id: 'n1', to: 'g@g.us', participant: '1555@s.whatsapp.net', type: 'w:gp2' }],
  ['prekey-low notification keeps type', n('notification', { id: 'n2', from: 's.whatsapp.net', type: 'encrypt' }, [n('count', { value: '3' })]), { class: 'notification', id: 'n2', to: 's.whatsapp.net', type: 'encrypt' }],
  ['identity change: type dropped', n('notification', { id: 'n3', from: '1555@s.whatsapp.net', type: 'encrypt' }, [n('identity', {})]), { class: 'notification', id: 'n3', to: '1555@s.whatsapp.net' }],
  ['call: type echoed', n('call', { id: 'c1', from: '1555@s.whatsapp.net', type: 'offer' }), { class: 'call', id: 'c1', to: '1555@s.whatsapp.net', type: 'offer' }],
  ['call offer without type: the signal names it', n('call', { id: 'c2', from: '1555@s.whatsapp.net', t: '1' }, [n('offer', { 'call-id': 'X', 'call-creator': '1555@s.whatsapp.net' })]), { class: 'call', id: 'c2', to: '1555@s.whatsapp.net', type: 'offer' }],
  ['call terminate', n('call', { id: 'c3', from: '1555:1@s.whatsapp.net' }, [n('terminate', { 'call-id': 'X', 'call-creator': '1555@s.whatsapp.net' })]), { class: 'call', id: 'c3', to: '1555:1@s.whatsapp.net', type: 'terminate' }],
  ['iq: no ack', n('iq', { id: 'i1', from: 's.whatsapp.net', type: 'result' }), undefined],
  ['ib: no ack', n('ib', { from: 's.whatsapp.net' }), undefined],
  ['no id: no ack', n('message', { from: '1555@s.whatsapp.net' }), undefined],
  ['no from: no ack', n('receipt', { id: 'x' }), undefined],
];

describe('buildAck', () => {
  it.each(TABLE)('%s', (_name, stanza, expected) => {
    const ack = buildAck(stanza, { me: ME });
    expect(ack?.attrs).toEqual(expected);
    if (ack) expect(ack.tag).toBe('ack');
  });

  it('adds error only for nacks', () => {
    expect(buildAck(TABLE[0]![1], { me: ME, error: 500 })?.attrs.error).toBe('500');
    expect(buildAck(TABLE[0]![1], { me: ME })?.attrs.error).toBeUndefined();
  });

  it('leaves `from` out of message acks when we do not know ourselves yet', () => {
    expect(buildAck(TABLE[0]![1])?.attrs.from).toBeUndefined();
  });

  const stanzaArb = fc
    .record({
      tag: fc.constantFrom('message', 'receipt', 'notification', 'call'),
      id: fc.stringMatching(/^[A-Z0-9]{4,12}$/),
      from: fc.constantFrom('1555@s.whatsapp.net', 'g@g.us', 's.whatsapp.net', '999@lid'),
      type: fc.option(fc.constantFrom('text', 'read', 'retry', 'encrypt', 'w:gp2', 'offer', 'sender'), { nil: undefined }),
      participant: fc.option(fc.constantFrom('1555:2@s.whatsapp.net', '8888:1@lid'), { nil: undefined }),
      recipient: fc.option(fc.constantFrom('1666@s.whatsapp.net'), { nil: undefined }),
      identity: fc.boolean(),
    })
    .map(({ tag, id, from, type, participant, recipient, identity }) => {
      const attrs: Record<string, string> = { id, from };
      if (type) attrs.type = type;
      if (participant) attrs.participant = participant;
      if (recipient) attrs.recipient = recipient;
      return n(tag, attrs, identity ? [n('identity', {})] : undefined);
    });

  it('equals Baileys except where WA Web drops type (messages, identity changes) or adds it (a call signal)', () => {
    fc.assert(
      fc.property(stanzaArb, fc.option(fc.constantFrom(487, 500), { nil: undefined }), (stanza, error) => {
        const ours = buildAck(stanza, { me: ME, error })!;
        const theirs = buildAckStanza(stanza as never, error, ME) as BinaryNode;
        const expected = { ...theirs.attrs };
        if (stanza.tag === 'message' || isIdentityChangeNotification(stanza)) delete expected.type;
        // WA Web names a call's signal in its ack; Baileys echoes only a type the stanza had.
        if (stanza.tag === 'call' && expected.type === undefined && Array.isArray(stanza.content)) expected.type = stanza.content[0]!.tag;
        expect(ours.attrs).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('never breaks the rules the simulated server enforces', () => {
    fc.assert(
      fc.property(stanzaArb, (stanza) => {
        expect(ackViolation(stanza, buildAck(stanza, { me: ME })!)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
