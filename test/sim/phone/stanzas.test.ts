// Stanza shapes the phone sends, checked against Baileys' own builders and
// parsers where Baileys has one (buildAckStanza, extractE2ESessionFromRetryReceipt).
import { describe, expect, it } from 'vitest';
import { buildAckStanza } from 'baileys/lib/Utils/stanza-ack.js';
import { extractE2ESessionFromRetryReceipt } from 'baileys/lib/Utils/signal.js';
import type { SimNode } from '../../../src/sim/phone-host.js';
import { PhoneKeys } from '../../../src/sim/phone/keys.js';
import { buildRetryMessage, buildRetryReceipt, retryReceiptBundle } from '../../../src/sim/phone/retry.js';
import {
  buildAck,
  buildDeliveryReceipt,
  buildFanoutMessage,
  deviceJid,
  newMessageId,
  parseIncomingMessage,
  parseReceipt,
} from '../../../src/sim/phone/stanzas.js';

const ME = '15550001111@s.whatsapp.net';

describe('acks', () => {
  it("equal Baileys' buildAckStanza for messages, receipts and notifications", () => {
    const nodes: SimNode[] = [
      { tag: 'message', attrs: { id: 'A', from: '15550002222:3@s.whatsapp.net', type: 'text', t: '1' } },
      { tag: 'message', attrs: { id: 'B', from: '120363@g.us', participant: '15550002222@s.whatsapp.net', type: 'text' } },
      { tag: 'message', attrs: { id: 'C', from: '15550001111:2@s.whatsapp.net', recipient: '15550002222@s.whatsapp.net', type: 'text' } },
      { tag: 'receipt', attrs: { id: 'D', from: '15550002222@s.whatsapp.net', type: 'read' } },
      { tag: 'notification', attrs: { id: 'E', from: 's.whatsapp.net', type: 'devices' } },
    ];
    for (const n of nodes) {
      expect(buildAck(n, ME)).toEqual(buildAckStanza(n as never, undefined, ME));
      expect(buildAck(n, ME, 500)).toEqual(buildAckStanza(n as never, 500, ME));
    }
  });
});

describe('retry receipts', () => {
  it("carry a bundle that Baileys' extractE2ESessionFromRetryReceipt and ours read back the same", () => {
    const keys = PhoneKeys.generate();
    const up = keys.mintPreKeys(1);
    const bundle = { registrationId: up.registrationId, identityKey: up.identityKey, signedPreKey: up.signedPreKey, preKey: up.preKeys[0] };
    const msg = parseIncomingMessage({ tag: 'message', attrs: { id: 'X', from: '15550002222:3@s.whatsapp.net' }, content: [] })!;
    const receipt = buildRetryReceipt(msg, 2, 1_790_000_000, bundle);
    expect(receipt.attrs).toEqual({ id: 'X', to: '15550002222:3@s.whatsapp.net', type: 'retry' });
    const theirs = extractE2ESessionFromRetryReceipt(receipt as never) as unknown as {
      registrationId: number;
      identityKey: Uint8Array;
      signedPreKey: { keyId: number; publicKey: Uint8Array; signature: Uint8Array };
      preKey: { keyId: number; publicKey: Uint8Array };
    };
    expect(theirs).toBeTruthy();
    expect(theirs.registrationId).toBe(up.registrationId);
    expect(Buffer.from(theirs.identityKey).subarray(-32)).toEqual(Buffer.from(up.identityKey));
    expect(theirs.signedPreKey.keyId).toBe(up.signedPreKey.keyId);
    expect(theirs.preKey.keyId).toBe(up.preKeys[0]!.keyId);
    expect(Buffer.from(theirs.preKey.publicKey).subarray(-32)).toEqual(Buffer.from(up.preKeys[0]!.publicKey));
    const ours = retryReceiptBundle(receipt)!;
    expect(ours.registrationId).toBe(up.registrationId);
    expect(Buffer.from(ours.signedPreKey.signature)).toEqual(Buffer.from(up.signedPreKey.signature));
    expect(ours.preKey?.keyId).toBe(up.preKeys[0]!.keyId);
    expect(parseReceipt({ ...receipt, attrs: { ...receipt.attrs, from: '15550002222:3@s.whatsapp.net' } })?.retry).toEqual({ count: 2 });
    expect(retryReceiptBundle({ tag: 'receipt', attrs: {}, content: [] })).toBeUndefined();
  });

  it('resend goes to the device (1:1) or to the group with participant', () => {
    const enc = { jid: 'd', type: 'msg' as const, ciphertext: new Uint8Array([1]) };
    expect(buildRetryMessage({ id: 'I', device: '1:2@s.whatsapp.net', enc, count: 1 }).attrs).toEqual({ id: 'I', to: '1:2@s.whatsapp.net', type: 'text', device_fanout: 'false' });
    const g = buildRetryMessage({ id: 'I', device: '1:2@s.whatsapp.net', group: '9@g.us', enc, count: 3 });
    expect(g.attrs).toEqual({ id: 'I', to: '9@g.us', participant: '1:2@s.whatsapp.net', type: 'text' });
    expect((g.content as SimNode[])[0]!.attrs).toEqual({ v: '2', type: 'msg', count: '3' });
  });
});

describe('message shapes', () => {
  it('fan-out: participants with one enc per device, skmsg after them for groups', () => {
    const m = buildFanoutMessage({
      id: 'I',
      to: '9@g.us',
      group: true,
      encs: [{ jid: '1@s.whatsapp.net', type: 'pkmsg', ciphertext: new Uint8Array([1]) }],
      skmsg: new Uint8Array([2]),
    });
    expect(m.attrs).toEqual({ id: 'I', to: '9@g.us', type: 'text', addressing_mode: 'pn' });
    const [participants, skmsg] = m.content as SimNode[];
    expect(participants!.tag).toBe('participants');
    expect((participants!.content as SimNode[])[0]).toEqual({ tag: 'to', attrs: { jid: '1@s.whatsapp.net' }, content: [{ tag: 'enc', attrs: { v: '2', type: 'pkmsg' }, content: new Uint8Array([1]) }] });
    expect(skmsg!.attrs).toEqual({ v: '2', type: 'skmsg' });
  });

  it('receipts: plain, group (participant), own-device copy (sender), peer (peer_msg)', () => {
    const parse = (attrs: Record<string, string>) => parseIncomingMessage({ tag: 'message', attrs, content: [] })!;
    expect(buildDeliveryReceipt(parse({ id: 'A', from: '2:3@s.whatsapp.net' })).attrs).toEqual({ id: 'A', to: '2:3@s.whatsapp.net' });
    expect(buildDeliveryReceipt(parse({ id: 'B', from: '9@g.us', participant: '2@s.whatsapp.net' })).attrs).toEqual({ id: 'B', to: '9@g.us', participant: '2@s.whatsapp.net' });
    expect(buildDeliveryReceipt(parse({ id: 'C', from: '1:2@s.whatsapp.net', recipient: '2@s.whatsapp.net' })).attrs).toEqual({
      id: 'C',
      to: '1:2@s.whatsapp.net',
      recipient: '2@s.whatsapp.net',
      type: 'sender',
    });
    expect(buildDeliveryReceipt(parse({ id: 'D', from: '1:2@s.whatsapp.net', category: 'peer' })).attrs).toEqual({ id: 'D', to: '1:2@s.whatsapp.net', type: 'peer_msg' });
  });

  it('ids look like WhatsApp Web ids and device jids are canonical', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newMessageId(ME, 1_790_000_000_000)));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^3EB0[0-9A-F]{18}$/);
    expect(deviceJid('1:0@s.whatsapp.net')).toBe('1@s.whatsapp.net');
    expect(deviceJid('1:7@s.whatsapp.net')).toBe('1:7@s.whatsapp.net');
    expect(deviceJid('nope')).toBeUndefined();
  });
});
