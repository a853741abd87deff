// Receipts and retry receipts: parsing against Baileys' receipt rules (chat,
// fromMe, status), building by wire shape, retry bundles read back by
// Baileys' own extractE2ESessionFromRetryReceipt.
import { extractE2ESessionFromRetryReceipt, getStatusFromReceiptType, proto as bproto } from 'baileys';
import { describe, expect, it } from 'vitest';
import type { BinaryNode } from '../../../src/protocol/binary/index.js';
import {
  buildReceipt,
  buildRetryReceipt,
  deliveryReceiptFor,
  parseReceipt,
  parseRetryRequest,
  receiptStatus,
  retryNeedsKeys,
  StanzaError,
} from '../../../src/protocol/stanza/index.js';

const ME = { pn: '15550001111:3@s.whatsapp.net', lid: '88880001111:3@lid' };

describe('parseReceipt', () => {
  it('reads ids from the id and the list, in order', () => {
    const r = parseReceipt(
      { tag: 'receipt', attrs: { id: 'a', from: '15550002222@s.whatsapp.net', type: 'read', t: '5' }, content: [{ tag: 'list', attrs: {}, content: [{ tag: 'item', attrs: { id: 'b' } }, { tag: 'item', attrs: { id: 'c' } }] }] },
      ME,
    );
    expect(r).toMatchObject({ ids: ['a', 'b', 'c'], type: 'read', chat: '15550002222@s.whatsapp.net', aboutOurMessage: true, byMe: false, t: 5 });
  });

  it('group receipts name the group and the member', () => {
    const r = parseReceipt({ tag: 'receipt', attrs: { id: 'a', from: '1@g.us', participant: '15550002222:1@s.whatsapp.net' } }, ME);
    expect(r).toMatchObject({ type: 'delivery', chat: '1@g.us', by: '15550002222:1@s.whatsapp.net' });
  });

  it('a read-self from our own device is about a message we received', () => {
    const r = parseReceipt({ tag: 'receipt', attrs: { id: 'a', from: '15550001111:5@s.whatsapp.net', recipient: '15550002222@s.whatsapp.net', type: 'read-self' } }, ME);
    expect(r).toMatchObject({ chat: '15550002222@s.whatsapp.net', aboutOurMessage: false, byMe: true });
    const sender = parseReceipt({ tag: 'receipt', attrs: { id: 'a', from: '15550001111:5@s.whatsapp.net', recipient: '15550002222@s.whatsapp.net', type: 'sender' } }, ME);
    expect(sender.aboutOurMessage).toBe(true);
  });

  it('unknown types are kept raw', () => {
    expect(parseReceipt({ tag: 'receipt', attrs: { id: 'a', from: '2@s.whatsapp.net', type: 'weird' } }, ME)).toMatchObject({ type: 'other', rawType: 'weird' });
  });

  it('rejects a receipt without id or from', () => {
    expect(() => parseReceipt({ tag: 'receipt', attrs: { from: '2@s.whatsapp.net' } }, ME)).toThrow(StanzaError);
  });

  it.each(['', 'sender', 'read', 'read-self', 'played', 'played-self', 'inactive', 'retry', 'peer_msg'])('status of type %j agrees with Baileys', (type) => {
    const theirs = getStatusFromReceiptType(type === '' ? undefined : type);
    const ours = receiptStatus(parseReceipt({ tag: 'receipt', attrs: { id: 'a', from: '2@s.whatsapp.net', ...(type ? { type } : {}) } }, ME).type);
    const S = bproto.WebMessageInfo.Status;
    const map: Record<string, number | undefined> = { server: S.SERVER_ACK, delivered: S.DELIVERY_ACK, read: S.READ, played: S.PLAYED };
    // Baileys reports `inactive` as nothing; WhatsApp treats it as a delivery (the sim forwards it as one).
    // Baileys has no status for `played-self`; like `read-self` it is our other device playing it.
    if (type === 'inactive') expect(ours).toBe('delivered');
    else if (type === 'played-self') expect(ours).toBe('played');
    else expect(ours === undefined ? undefined : map[ours]).toBe(theirs);
  });
});

describe('receipt builders', () => {
  it('delivery has no type; several ids go to a list; read carries t', () => {
    expect(buildReceipt({ ids: ['a'], to: '2@s.whatsapp.net' })).toEqual({ tag: 'receipt', attrs: { id: 'a', to: '2@s.whatsapp.net' } });
    const read = buildReceipt({ ids: ['a', 'b'], to: '1@g.us', participant: '2@s.whatsapp.net', type: 'read', t: 7 });
    expect(read.attrs).toEqual({ id: 'a', to: '1@g.us', participant: '2@s.whatsapp.net', type: 'read', t: '7' });
    expect(read.content).toEqual([{ tag: 'list', attrs: {}, content: [{ tag: 'item', attrs: { id: 'b' } }] }]);
    expect(() => buildReceipt({ ids: [], to: 'x@s.whatsapp.net' })).toThrow(RangeError);
  });

  it('delivery receipts: peer, sender (own copy), group, inactive', () => {
    const base = { id: 'm', category: undefined, participant: undefined };
    expect(deliveryReceiptFor({ ...base, from: '2:1@s.whatsapp.net', chat: '2:1@s.whatsapp.net', kind: 'chat', author: '2:1@s.whatsapp.net', fromMe: false }, { active: true }).attrs).toEqual({ id: 'm', to: '2:1@s.whatsapp.net' });
    expect(deliveryReceiptFor({ ...base, from: '2:1@s.whatsapp.net', chat: '2:1@s.whatsapp.net', kind: 'chat', author: '2:1@s.whatsapp.net', fromMe: false }, { active: false }).attrs.type).toBe('inactive');
    expect(deliveryReceiptFor({ ...base, from: '1:4@s.whatsapp.net', chat: '2@s.whatsapp.net', kind: 'chat', author: '1:4@s.whatsapp.net', fromMe: true }, { active: true }).attrs).toEqual({ id: 'm', to: '1:4@s.whatsapp.net', recipient: '2@s.whatsapp.net', type: 'sender' });
    expect(deliveryReceiptFor({ ...base, from: 'g@g.us', chat: 'g@g.us', kind: 'group', author: '2:1@s.whatsapp.net', fromMe: false }, { active: true }).attrs).toEqual({ id: 'm', to: 'g@g.us', participant: '2:1@s.whatsapp.net' });
    expect(deliveryReceiptFor({ ...base, category: 'peer', from: '1:4@s.whatsapp.net', chat: '1:4@s.whatsapp.net', kind: 'chat', author: '1:4@s.whatsapp.net', fromMe: true }, { active: true }).attrs.type).toBe('peer_msg');
  });
});

describe('retry receipts', () => {
  const keys = {
    identityKey: new Uint8Array(32).fill(1),
    signedPreKey: { keyId: 0x010203, publicKey: new Uint8Array(32).fill(2), signature: new Uint8Array(64).fill(3) },
    preKey: { keyId: 77, publicKey: new Uint8Array(32).fill(4) },
    deviceIdentity: Uint8Array.of(5, 5),
  };

  it('first try without keys, later tries with them', () => {
    expect(retryNeedsKeys(1)).toBe(false);
    expect(retryNeedsKeys(2)).toBe(true);
    expect(retryNeedsKeys(1, true)).toBe(true);
  });

  it('the bundle we send is read back the same by Baileys and by us', () => {
    const r = buildRetryReceipt({ id: 'M', from: '2:1@s.whatsapp.net', participant: undefined, recipient: undefined, t: 99, count: 2, registrationId: 0x3fff, keys });
    expect(r.attrs).toEqual({ id: 'M', to: '2:1@s.whatsapp.net', type: 'retry' });
    const theirs = extractE2ESessionFromRetryReceipt(r as never);
    expect(theirs).not.toBeNull();
    expect(theirs!.registrationId).toBe(0x3fff);
    expect(Buffer.from(theirs!.signedPreKey.publicKey).subarray(-32)).toEqual(Buffer.from(keys.signedPreKey.publicKey));
    expect(theirs!.signedPreKey.keyId).toBe(0x010203);
    expect(theirs!.preKey?.keyId).toBe(77);
    const ours = parseRetryRequest(r);
    expect(ours).toMatchObject({ count: 2, id: 'M', registrationId: 0x3fff });
    expect(ours.bundle?.preKey?.keyId).toBe(77);
    expect(ours.bundle?.deviceIdentity).toEqual(Uint8Array.of(5, 5));
  });

  it('a receipt without keys, or with malformed keys, has no bundle', () => {
    const plain = buildRetryReceipt({ id: 'M', from: '2@s.whatsapp.net', t: 1, count: 1, registrationId: 5 });
    expect(parseRetryRequest(plain).bundle).toBeUndefined();
    const bad = buildRetryReceipt({ id: 'M', from: '2@s.whatsapp.net', t: 1, count: 2, registrationId: 5, keys: { ...keys, identityKey: new Uint8Array(31) } });
    expect(parseRetryRequest(bad).bundle).toBeUndefined();
    expect(extractE2ESessionFromRetryReceipt(bad as never)).toBeNull();
  });

  it('a receipt without <retry> is a StanzaError', () => {
    expect(() => parseRetryRequest({ tag: 'receipt', attrs: { id: 'x' } } as BinaryNode)).toThrow(StanzaError);
  });
});
