// Message stanzas: parsing checked against Baileys' decodeMessageNode as the
// oracle (chat, author, fromMe, the LID/PN alt), builders by their wire shape.
import { decodeMessageNode } from 'baileys';
import { describe, expect, it } from 'vitest';
import type { BinaryNode } from '../../../src/protocol/binary/index.js';
import {
  buildDirectMessage,
  buildGroupMessage,
  buildRetryResend,
  parseIncomingMessage,
  StanzaError,
} from '../../../src/protocol/stanza/index.js';

const ME = { pn: '15550001111:3@s.whatsapp.net', lid: '88880001111:3@lid' };
const enc = (type: string, bytes = [1, 2, 3]): BinaryNode => ({ tag: 'enc', attrs: { v: '2', type }, content: Uint8Array.from(bytes) });

const CASES: Array<[string, BinaryNode]> = [
  ['1:1 from a peer device', { tag: 'message', attrs: { id: 'A1', from: '15550002222:5@s.whatsapp.net', t: '1700000000', type: 'text', sender_lid: '88880002222@lid', notify: 'Bob' }, content: [enc('pkmsg')] }],
  ['1:1 from a peer phone', { tag: 'message', attrs: { id: 'A2', from: '15550002222@s.whatsapp.net', t: '1700000001' }, content: [enc('msg')] }],
  ['our own copy', { tag: 'message', attrs: { id: 'A3', from: '15550001111@s.whatsapp.net', recipient: '15550002222@s.whatsapp.net', t: '1' }, content: [enc('msg')] }],
  ['LID-addressed 1:1', { tag: 'message', attrs: { id: 'A4', from: '88880002222:2@lid', sender_pn: '15550002222@s.whatsapp.net', t: '1' }, content: [enc('msg')] }],
  ['group', { tag: 'message', attrs: { id: 'A5', from: '1203630000@g.us', participant: '15550002222:5@s.whatsapp.net', participant_lid: '88880002222@lid', addressing_mode: 'pn', t: '9' }, content: [enc('pkmsg'), enc('skmsg')] }],
  ['our group message', { tag: 'message', attrs: { id: 'A6', from: '1203630000@g.us', participant: '88880001111@lid', addressing_mode: 'lid', participant_pn: '15550001111@s.whatsapp.net', t: '9' }, content: [enc('skmsg')] }],
  ['our own copy, PN-addressed, with the peer’s LID', { tag: 'message', attrs: { id: 'A8', from: '15550001111:2@s.whatsapp.net', recipient: '15550002222@s.whatsapp.net', peer_recipient_lid: '88880002222@lid', t: '1' }, content: [enc('msg')] }],
  ['our own copy, LID-addressed, with the peer’s PN', { tag: 'message', attrs: { id: 'A9', from: '88880001111:2@lid', recipient: '88880002222@lid', peer_recipient_pn: '15550002222@s.whatsapp.net', t: '1' }, content: [enc('msg')] }],
  ['status', { tag: 'message', attrs: { id: 'A7', from: 'status@broadcast', participant: '15550002222@s.whatsapp.net', t: '9' }, content: [enc('skmsg')] }],
];

describe('parseIncomingMessage', () => {
  it.each(CASES)('%s: chat, author, fromMe and alt match Baileys', (_name, stanza) => {
    const ours = parseIncomingMessage(stanza, ME);
    const { fullMessage, author } = decodeMessageNode(stanza as never, ME.pn, ME.lid);
    expect(ours.chat).toBe(fullMessage.key.remoteJid);
    expect(ours.fromMe).toBe(fullMessage.key.fromMe);
    expect(ours.author).toBe(author);
    // Baileys' alt is the chat's: on our own copies the peer's (peer_recipient_*), which names the recipient, not us.
    const alt = fullMessage.key.participantAlt ?? fullMessage.key.remoteJidAlt ?? undefined;
    if (ours.recipient) {
      expect(ours.recipientAlt).toBe(alt);
      expect(ours.authorAlt).toBeUndefined();
    } else expect(ours.authorAlt).toBe(alt);
    expect(ours.addressingMode).toBe(fullMessage.key.addressingMode);
    expect(ours.encs.map((e) => e.type)).toEqual((stanza.content as BinaryNode[]).map((c) => c.attrs.type));
  });

  it('keeps enc order, counts and offline', () => {
    const m = parseIncomingMessage(
      { tag: 'message', attrs: { id: 'X', from: '15550002222@s.whatsapp.net', offline: '1' }, content: [{ ...enc('msg'), attrs: { type: 'msg', count: '2', mediatype: 'image' } }] },
      ME,
    );
    expect(m.offline).toBe(true);
    expect(m.encs[0]).toMatchObject({ type: 'msg', count: 2, mediaType: 'image' });
  });

  it.each<[string, BinaryNode]>([
    ['no id', { tag: 'message', attrs: { from: '1@s.whatsapp.net' } }],
    ['no from', { tag: 'message', attrs: { id: 'x' } }],
    ['group without participant', { tag: 'message', attrs: { id: 'x', from: '1@g.us' } }],
    ['recipient on a message from someone else', { tag: 'message', attrs: { id: 'x', from: '2@s.whatsapp.net', recipient: '3@s.whatsapp.net' } }],
    ['unknown server', { tag: 'message', attrs: { id: 'x', from: '2@example.com' } }],
    ['enc without type', { tag: 'message', attrs: { id: 'x', from: '2@s.whatsapp.net' }, content: [{ tag: 'enc', attrs: {}, content: Uint8Array.of(1) }] }],
  ])('rejects %s with a StanzaError', (_name, stanza) => {
    expect(() => parseIncomingMessage(stanza, ME)).toThrow(StanzaError);
  });

  it('names every missing attribute at once', () => {
    expect(() => parseIncomingMessage({ tag: 'message', attrs: {} }, ME)).toThrow(/missing id; missing from/);
  });
});

describe('message builders', () => {
  const ct = Uint8Array.of(9, 9);
  it('1:1: participants in order, device-identity only with a pkmsg, tctoken when given', () => {
    const withMsg = buildDirectMessage({ id: 'I', to: '2@s.whatsapp.net', type: 'text', encs: [{ jid: '2@s.whatsapp.net', type: 'msg', ciphertext: ct }], deviceIdentity: ct });
    expect((withMsg.content as BinaryNode[]).map((c) => c.tag)).toEqual(['participants']);
    const withPk = buildDirectMessage({
      id: 'I',
      to: '2@s.whatsapp.net',
      type: 'text',
      encs: [
        { jid: '2@s.whatsapp.net', type: 'pkmsg', ciphertext: ct },
        { jid: '1:4@s.whatsapp.net', type: 'msg', ciphertext: ct },
      ],
      deviceIdentity: ct,
      tctoken: Uint8Array.of(7),
      attrs: { edit: '7', mediatype: 'image', decryptFailHide: true },
    });
    expect(withPk.attrs).toEqual({ id: 'I', to: '2@s.whatsapp.net', type: 'text', edit: '7' });
    const [participants, identity, token] = withPk.content as BinaryNode[];
    expect(identity!.tag).toBe('device-identity');
    expect(token!.tag).toBe('tctoken');
    const tos = participants!.content as BinaryNode[];
    expect(tos.map((t) => t.attrs.jid)).toEqual(['2@s.whatsapp.net', '1:4@s.whatsapp.net']);
    expect((tos[0]!.content as BinaryNode[])[0]!.attrs).toEqual({ v: '2', type: 'pkmsg', mediatype: 'image', 'decrypt-fail': 'hide' });
  });

  it('1:1 with no device is refused', () => {
    expect(() => buildDirectMessage({ id: 'I', to: '2@s.whatsapp.net', type: 'text', encs: [] })).toThrow(StanzaError);
  });

  it('group: distribution before the skmsg, addressing mode on the stanza', () => {
    const g = buildGroupMessage({ id: 'G', to: '1@g.us', type: 'text', addressingMode: 'pn', skmsg: ct, distribution: [{ jid: '2:1@s.whatsapp.net', type: 'pkmsg', ciphertext: ct }], deviceIdentity: ct });
    expect(g.attrs.addressing_mode).toBe('pn');
    expect((g.content as BinaryNode[]).map((c) => c.tag)).toEqual(['participants', 'enc', 'device-identity']);
    const plain = buildGroupMessage({ id: 'G', to: '1@g.us', type: 'text', addressingMode: 'lid', skmsg: ct, distribution: [] });
    expect((plain.content as BinaryNode[]).map((c) => c.tag)).toEqual(['enc']);
  });

  it('retry resend: one device, count on the enc, group/own-device/peer addressing', () => {
    const enc1 = { type: 'msg' as const, ciphertext: ct };
    const peer = buildRetryResend({ id: 'R', chat: '2@s.whatsapp.net', device: '2:3@s.whatsapp.net', type: 'text', enc: enc1, count: 2 });
    expect(peer.attrs).toEqual({ id: 'R', to: '2:3@s.whatsapp.net', type: 'text', device_fanout: 'false' });
    expect((peer.content as BinaryNode[])[0]!.attrs).toEqual({ v: '2', type: 'msg', count: '2' });
    const own = buildRetryResend({ id: 'R', chat: '2@s.whatsapp.net', device: '1:4@s.whatsapp.net', type: 'text', enc: enc1, count: 1, ownDevice: true });
    expect(own.attrs).toEqual({ id: 'R', to: '1:4@s.whatsapp.net', type: 'text', recipient: '2@s.whatsapp.net' });
    const group = buildRetryResend({ id: 'R', chat: '1@g.us', device: '2:3@s.whatsapp.net', type: 'text', enc: { type: 'pkmsg', ciphertext: ct }, count: 1, deviceIdentity: ct });
    expect(group.attrs).toEqual({ id: 'R', to: '1@g.us', type: 'text', participant: '2:3@s.whatsapp.net' });
    expect((group.content as BinaryNode[]).map((c) => c.tag)).toEqual(['enc', 'device-identity']);
  });
});
