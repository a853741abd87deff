// One account's media wired to a connection port: media_conn through the w:m
// IqSpec (answered by the simulator's own IQ handler), a media send built and
// uploaded, and an expired file fetched again after a media retry that the
// test's "phone" answers.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aesEncryptGCM, hkdf, proto as bproto } from 'baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountMedia, mediaRefFromEvent, MediaHttp, type AccountMedia } from '../../../src/account/media/index.js';
import type { BinaryNode } from '../../../src/protocol/binary/index.js';
import type { IqSpec } from '../../../src/protocol/iq/index.js';
import { decodeContent } from '../../../src/protocol/message/index.js';
import { handleMediaConn } from '../../../src/sim/iq/media-conn.js';
import type { IqContext } from '../../../src/sim/iq/index.js';
import { startSim, type SimHandle } from '../../../src/sim/index.js';

let sim: SimHandle;
let http: MediaHttp;
let media: AccountMedia;
const sent: BinaryNode[] = [];
let iqs = 0;

beforeAll(async () => {
  sim = await startSim();
  http = await MediaHttp.fromCaFile(sim.mediaCaPath);
  media = createAccountMedia({
    port: {
      async execute<T>(spec: IqSpec<T>): Promise<T> {
        iqs++;
        const req = spec.build();
        return spec.parse(handleMediaConn({ hub: sim.hub } as IqContext, { ...req, attrs: { ...req.attrs, id: `q${iqs}` } }));
      },
      async send(node) {
        sent.push(node);
      },
    },
    http,
    spoolDir: mkdtempSync(join(tmpdir(), 'wad-account-media-')),
    ownJid: () => '15550009999@s.whatsapp.net',
    now: () => 1_700_000_000_000,
    builder: { inspect: false },
  });
});
afterAll(async () => {
  media?.close();
  http?.close();
  await sim?.close();
});

describe('account media', () => {
  it('builds a media send with media_conn from the connection, once for several sends', async () => {
    const bytes = randomBytes(20_000);
    const { message: m } = await media.build({ type: 'document', media: bytes, fileName: 'x.pdf' }, 'chat');
    await media.build({ type: 'image', media: randomBytes(100) }, 'chat');
    expect(iqs).toBe(1);
    const ev = decodeContent(m);
    const got = await media.download(mediaRefFromEvent(ev.type, ev.media!));
    expect((await got.buffer()).equals(bytes)).toBe(true);
    await got.dispose();
  });

  it('asks the sender to re-upload an expired file and downloads the new copy', async () => {
    const bytes = randomBytes(5_000);
    const { message: m } = await media.build({ type: 'video', media: bytes }, 'chat');
    const fresh = m.videoMessage!;
    const target = { messageId: 'ABC', chat: '15550001111@s.whatsapp.net', fromMe: false };
    const expiredRef = { type: 'video' as const, mediaKey: fresh.mediaKey!, directPath: '/v/t62/video/' + '0'.repeat(32) + '.enc', fileSha256: fresh.fileSha256!, fileLength: Number(fresh.fileLength) };
    const pending = media.download(expiredRef, target);
    // The phone answers the receipt with the file's new location.
    while (sent.length === 0) await new Promise((r) => setTimeout(r, 5));
    const receipt = sent.shift()!;
    expect(receipt.attrs).toEqual({ id: 'ABC', to: '15550009999@s.whatsapp.net', type: 'server-error' });
    const key = hkdf(Buffer.from(fresh.mediaKey!), 32, { info: 'WhatsApp Media Retry Notification' });
    const iv = randomBytes(12);
    const ct = aesEncryptGCM(bproto.MediaRetryNotification.encode({ stanzaId: 'ABC', directPath: fresh.directPath!, result: 1 }).finish(), key, iv, Buffer.from('ABC'));
    await media.handlers[0]!.handle({
      tag: 'notification',
      attrs: { id: 'ABC', type: 'mediaretry' },
      content: [
        { tag: 'rmr', attrs: { jid: target.chat, from_me: 'false' } },
        { tag: 'encrypt', attrs: {}, content: [{ tag: 'enc_p', attrs: {}, content: ct }, { tag: 'enc_iv', attrs: {}, content: iv }] },
      ],
    });
    const got = await pending;
    expect((await got.buffer()).equals(bytes)).toBe(true);
    await got.dispose();
    // Without the message it came in, an expired file is only GONE.
    await expect(media.download(expiredRef)).rejects.toMatchObject({ code: 'GONE' });
  });
});
