// Media re-upload requests against Baileys 7: Baileys reads the receipt we
// build (and we read the one it builds), we read and decrypt a mediaretry
// notification made the way the phone makes it, and Baileys decrypts ours.
import { randomBytes } from 'node:crypto';
import { aesDecryptGCM, aesEncryptGCM, decodeMediaRetryNode, decryptMediaRetryData, encryptMediaRetryRequest, hkdf, proto as bproto } from 'baileys';
import { describe, expect, it } from 'vitest';
import type { BinaryNode } from '../../../src/protocol/binary/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import {
  buildMediaRetryReceipt,
  decryptMediaRetry,
  MediaCryptoError,
  parseMediaRetryNotification,
} from '../../../src/protocol/media/index.js';

const child = (n: BinaryNode, tag: string) => (n.content as BinaryNode[]).find((c) => c.tag === tag)!;
const bytes = (n: BinaryNode) => n.content as Uint8Array;

function encryptLikePhone(mediaKey: Uint8Array, msgId: string, body: { directPath?: string; result: number }): { ciphertext: Buffer; iv: Buffer } {
  const key = hkdf(Buffer.from(mediaKey), 32, { info: 'WhatsApp Media Retry Notification' });
  const iv = randomBytes(12);
  const plain = bproto.MediaRetryNotification.encode({ stanzaId: msgId, ...body }).finish();
  return { ciphertext: aesEncryptGCM(plain, key, iv, Buffer.from(msgId)), iv };
}

describe('media retry', () => {
  const mediaKey = randomBytes(32);
  const target = { messageId: '3EB0ABCDEF0123456789', chat: '120363000000000001@g.us', fromMe: false, participant: '15550001111@s.whatsapp.net' };

  it('our receipt has Baileys’ shape and its payload decrypts with Baileys’ key and GCM', () => {
    const ours = buildMediaRetryReceipt(target, mediaKey, '15550002222@s.whatsapp.net');
    const theirs = encryptMediaRetryRequest(
      { id: target.messageId, remoteJid: target.chat, fromMe: false, participant: target.participant },
      mediaKey,
      '15550002222:3@s.whatsapp.net',
    ) as unknown as BinaryNode;
    expect(ours.attrs).toEqual(theirs.attrs);
    expect(child(ours, 'rmr').attrs).toEqual(child(theirs, 'rmr').attrs);
    expect((ours.content as BinaryNode[]).map((c) => c.tag)).toEqual((theirs.content as BinaryNode[]).map((c) => c.tag));
    const enc = child(ours, 'encrypt');
    const key = hkdf(mediaKey, 32, { info: 'WhatsApp Media Retry Notification' });
    const plain = aesDecryptGCM(Buffer.from(bytes(child(enc, 'enc_p'))), key, Buffer.from(bytes(child(enc, 'enc_iv'))), Buffer.from(target.messageId));
    expect(bproto.ServerErrorReceipt.decode(plain).stanzaId).toBe(target.messageId);
    // And the receipt Baileys builds carries the same payload ours does.
    const tEnc = child(theirs, 'encrypt');
    const tPlain = aesDecryptGCM(Buffer.from(bytes(child(tEnc, 'enc_p'))), key, Buffer.from(bytes(child(tEnc, 'enc_iv'))), Buffer.from(target.messageId));
    expect(proto.ServerErrorReceipt.decode(tPlain).stanzaId).toBe(target.messageId);
  });

  it('reads a mediaretry notification and decrypts the new direct path', () => {
    const enc = encryptLikePhone(mediaKey, target.messageId, { directPath: '/v/t62/new.enc?ccb=1', result: 1 });
    const node: BinaryNode = {
      tag: 'notification',
      attrs: { id: target.messageId, type: 'mediaretry', from: '15550002222@s.whatsapp.net' },
      content: [
        { tag: 'rmr', attrs: { jid: target.chat, from_me: 'false', participant: target.participant } },
        { tag: 'encrypt', attrs: {}, content: [{ tag: 'enc_p', attrs: {}, content: enc.ciphertext }, { tag: 'enc_iv', attrs: {}, content: enc.iv }] },
      ],
    };
    const notice = parseMediaRetryNotification(node)!;
    expect(notice.target).toEqual(target);
    expect(decryptMediaRetry(notice.encrypted!, mediaKey, target.messageId)).toEqual({ result: 'SUCCESS', directPath: '/v/t62/new.enc?ccb=1' });
    // Baileys reads the same node the same way.
    const ev = decodeMediaRetryNode(node as never);
    expect(decryptMediaRetryData(ev.media!, mediaKey, target.messageId).directPath).toBe('/v/t62/new.enc?ccb=1');
  });

  it('reports NOT_FOUND, an error code, a foreign key and non-mediaretry nodes', () => {
    const enc = encryptLikePhone(mediaKey, target.messageId, { result: 2 });
    expect(decryptMediaRetry(enc, mediaKey, target.messageId)).toEqual({ result: 'NOT_FOUND' });
    expect(() => decryptMediaRetry(enc, randomBytes(32), target.messageId)).toThrow(MediaCryptoError);
    expect(() => decryptMediaRetry(enc, mediaKey, 'OTHERID')).toThrow(expect.objectContaining({ code: 'BAD_MAC' }));
    const err: BinaryNode = {
      tag: 'notification',
      attrs: { id: 'X', type: 'mediaretry' },
      content: [{ tag: 'rmr', attrs: { jid: target.chat, from_me: 'true' } }, { tag: 'error', attrs: { code: '2' } }],
    };
    expect(parseMediaRetryNotification(err)).toEqual({ target: { messageId: 'X', chat: target.chat, fromMe: true }, errorCode: 2 });
    expect(parseMediaRetryNotification({ tag: 'notification', attrs: { id: 'X', type: 'w:gp2' } })).toBeUndefined();
    expect(parseMediaRetryNotification({ tag: 'notification', attrs: { id: 'X', type: 'mediaretry' }, content: [] })).toBeUndefined();
  });

  it('omits participant outside groups and uses the iv it is given', () => {
    const receipt = buildMediaRetryReceipt({ ...target, fromMe: true, participant: undefined }, mediaKey, '1@s.whatsapp.net', Buffer.alloc(12, 7));
    expect(child(receipt, 'rmr').attrs).toEqual({ jid: target.chat, from_me: 'true' });
    expect(Buffer.from(bytes(child(child(receipt, 'encrypt'), 'enc_iv'))).equals(Buffer.alloc(12, 7))).toBe(true);
  });
});
