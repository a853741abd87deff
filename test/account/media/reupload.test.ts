// Media re-upload requests with a fake connection and a phone played by
// Baileys' own code: the receipt we send decrypts on the phone side, the
// phone's answer resolves the download's new direct path; refusals, wrong
// keys, silence and closing reject with REUPLOAD_FAILED.
import { randomBytes } from 'node:crypto';
import { aesDecryptGCM, aesEncryptGCM, hkdf, proto as bproto } from 'baileys';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MediaReuploads } from '../../../src/account/media/index.js';
import type { BinaryNode } from '../../../src/protocol/binary/index.js';

const mediaKey = randomBytes(32);
const target = { messageId: 'MSG1', chat: '15550001111@s.whatsapp.net', fromMe: false };
const retryKey = (k: Uint8Array) => hkdf(Buffer.from(k), 32, { info: 'WhatsApp Media Retry Notification' });
const child = (n: BinaryNode, tag: string) => (n.content as BinaryNode[]).find((c) => c.tag === tag)!;

/** The phone: reads our receipt, answers like WhatsApp does. */
function phoneAnswer(receipt: BinaryNode, body: { directPath?: string; result: number }): BinaryNode {
  const enc = child(receipt, 'encrypt');
  const id = receipt.attrs.id!;
  const req = aesDecryptGCM(Buffer.from(child(enc, 'enc_p').content as Uint8Array), retryKey(mediaKey), Buffer.from(child(enc, 'enc_iv').content as Uint8Array), Buffer.from(id));
  expect(bproto.ServerErrorReceipt.decode(req).stanzaId).toBe(id);
  return answer(id, body, mediaKey);
}

function answer(id: string, body: { directPath?: string; result: number }, key: Uint8Array): BinaryNode {
  const iv = randomBytes(12);
  const ct = aesEncryptGCM(bproto.MediaRetryNotification.encode({ stanzaId: id, ...body }).finish(), retryKey(key), iv, Buffer.from(id));
  return {
    tag: 'notification',
    attrs: { id, type: 'mediaretry', from: '15550002222@s.whatsapp.net' },
    content: [
      { tag: 'rmr', attrs: { jid: target.chat, from_me: 'false' } },
      { tag: 'encrypt', attrs: {}, content: [{ tag: 'enc_p', attrs: {}, content: ct }, { tag: 'enc_iv', attrs: {}, content: iv }] },
    ],
  };
}

afterEach(() => vi.useRealTimers());

describe('MediaReuploads', () => {
  it('sends the receipt to our own user and resolves with the new direct path; concurrent requests share it', async () => {
    const sent: BinaryNode[] = [];
    const r = new MediaReuploads({ send: async (n) => void sent.push(n), ownJid: () => '15550002222@s.whatsapp.net' });
    const a = r.request(target, mediaKey);
    const b = r.request(target, mediaKey);
    await Promise.resolve();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.attrs).toEqual({ id: 'MSG1', to: '15550002222@s.whatsapp.net', type: 'server-error' });
    await r.handle({ tag: 'notification', attrs: { type: 'devices' } });
    await r.handle(phoneAnswer(sent[0]!, { directPath: '/v/new.enc', result: 1 }));
    expect(await a).toBe('/v/new.enc');
    expect(await b).toBe('/v/new.enc');
  });

  it('rejects a NOT_FOUND answer, an error code, an answer under another key', async () => {
    const sent: BinaryNode[] = [];
    const r = new MediaReuploads({ send: async (n) => void sent.push(n), ownJid: () => 'me@s.whatsapp.net' });
    const a = r.request(target, mediaKey);
    await r.handle(phoneAnswer(sent[0]!, { result: 2 }));
    await expect(a).rejects.toMatchObject({ code: 'REUPLOAD_FAILED', message: expect.stringContaining('NOT_FOUND') });
    const b = r.request(target, mediaKey);
    await r.handle({ tag: 'notification', attrs: { id: 'MSG1', type: 'mediaretry' }, content: [{ tag: 'rmr', attrs: { jid: target.chat, from_me: 'false' } }, { tag: 'error', attrs: { code: '2' } }] });
    await expect(b).rejects.toMatchObject({ code: 'REUPLOAD_FAILED' });
    // An answer under another media key than the request's does not decrypt.
    const c = r.request(target, randomBytes(32));
    await r.handle(answer('MSG1', { directPath: '/v/x', result: 1 }, mediaKey));
    await expect(c).rejects.toMatchObject({ code: 'REUPLOAD_FAILED', message: expect.stringContaining('decrypt') });
  });

  it('times out, is bounded, and rejects everything on close', async () => {
    vi.useFakeTimers();
    const r = new MediaReuploads({ send: async () => undefined, ownJid: () => 'me@s.whatsapp.net', timeoutMs: 1_000, maxPending: 2 });
    const a = r.request({ ...target, messageId: 'A' }, mediaKey);
    const b = r.request({ ...target, messageId: 'B' }, mediaKey);
    await expect(r.request({ ...target, messageId: 'C' }, mediaKey)).rejects.toMatchObject({ code: 'REUPLOAD_FAILED' });
    vi.advanceTimersByTime(1_000);
    await expect(a).rejects.toMatchObject({ code: 'REUPLOAD_FAILED' });
    await expect(b).rejects.toMatchObject({ code: 'REUPLOAD_FAILED' });
    const d = r.request({ ...target, messageId: 'D' }, mediaKey);
    r.close();
    await expect(d).rejects.toMatchObject({ code: 'REUPLOAD_FAILED', message: expect.stringContaining('stopped') });
  });

  it('a send failure rejects with NETWORK', async () => {
    const r = new MediaReuploads({ send: async () => Promise.reject(new Error('offline')), ownJid: () => 'me@s.whatsapp.net' });
    await expect(r.request(target, mediaKey)).rejects.toMatchObject({ code: 'NETWORK' });
  });
});
