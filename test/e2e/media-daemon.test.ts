// Must-show (issue 9) through the whole daemon — createDaemon with its control
// socket, our messaging and media — against unmodified Baileys 7 over the
// simulator, driven only as a consumer would: WadClient on the Unix socket
// (and `wad send --file` once).
// - every media kind we send (binary frames over the socket) is downloaded and
//   decrypted by Baileys to identical bytes, with the metadata given;
// - every kind Baileys sends becomes a `message:new` with `media`, and
//   `media:download` gives identical bytes (in memory, or into a file), as it
//   does for our own sends;
// - a blob tampered on the simulator, a wrong MAC and a cut download each fail
//   with a typed error (UNAVAILABLE, `details.media`), no file is written and
//   no temp file is left; the daemon keeps serving.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // Baileys' fetch takes no CA; the daemon trusts the sim's CA file

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { downloadMediaMessage, type WAMessage } from 'baileys';
import sharp from 'sharp';
import type { TypedWadEvent } from '../../src/contract/events.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WadClient, WadClientError, type SendFileOptions } from '../../src/client/index.js';
import type { Daemon, WadEvent } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import type { MediaServer } from '../../src/sim/media.js';
import { BaileysClient } from '../sim/baileys-harness.js';
import { daemonWithSocket, jidOf, linkOverSocket } from '../ipc/e2e-support.js';
import { admin, sim as startSim, tempDir, until } from './support/daemon.js';
import { wadArgs } from '../support/wad-process.js';

const W = '15550019001';
const B = '15550019002';
let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let client: WadClient;
let baileys: BaileysClient;
let jpeg: Buffer;
const events: TypedWadEvent[] = [];
/** directPath → what the simulator serves instead of the stored blob. */
const tamper = new Map<string, { alter: (blob: Buffer) => Buffer; cut?: boolean }>();

/** The simulator keeps blobs intact; what leaves its media endpoint for a chosen path does not. */
function tamperOnServe(sim: SimHandle): void {
  const server = (sim.hub.media as MediaServer).tlsServer;
  const [serve] = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const rule = req.method === 'GET' ? tamper.get(new URL(req.url ?? '/', 'https://sim').pathname) : undefined;
    if (rule) {
      const end = res.end.bind(res) as (body?: unknown) => ServerResponse;
      // A cut transfer: fewer bytes than Content-Length, then the connection drops.
      if (rule.cut) res.once('finish', () => req.socket.destroy());
      res.end = ((body?: unknown) => end(Buffer.isBuffer(body) ? rule.alter(body) : body)) as typeof res.end;
    }
    serve!(req, res);
  });
}

const pathOf = (directPath: string | null | undefined): string => new URL(directPath!, 'https://sim').pathname;
const spoolLeft = (): string[] => (existsSync(join(dir.path, 'tmp', 'media', 'wad')) ? readdirSync(join(dir.path, 'tmp', 'media', 'wad')) : []);
const eventOf = (id: string) => until(`message:new ${id}`, () => events.find((e) => e.type === 'message:new' && e.data.id === id));

async function failure(p: Promise<unknown>): Promise<{ code: string; media: unknown }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WadClientError);
  return { code: (err as WadClientError).code, media: (err as WadClientError).details?.['media'] };
}

/** `wad send <id> <jid> --file PATH --caption T --json` as a user runs it. */
function cliSendFile(file: string, caption: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, wadArgs('send', 'wad', B, '--file', file, '--caption', caption, '--json', '--socket', d.socketPath), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (err += c));
    child.on('close', (code) => (code === 0 ? resolve((JSON.parse(out.trim()) as { messageId: string }).messageId) : reject(new Error(`wad send exited ${code}: ${err}`))));
  });
}

beforeAll(async () => {
  s = await startSim({ limits: { maxMediaBlobBytes: 16 * 1024 * 1024 } });
  tamperOnServe(s);
  dir = await tempDir('wad-e2e-media-');
  await admin(s, 'POST', '/phones', { phone: W, name: 'Wad' });
  await admin(s, 'POST', '/phones', { phone: B, name: 'Bailey' });
  d = await daemonWithSocket(s, dir.path);
  client = await WadClient.connect({ socket: d.socketPath, reconnect: false });
  await linkOverSocket(client, s, 'wad', W);
  const stream = client.subscribe({ accounts: ['wad'], types: ['message:new'] });
  void (async () => {
    for await (const ev of stream) events.push(ev);
  })();
  await stream.synced;
  baileys = new BaileysClient(s, 'b');
  await baileys.linkByQr(B);
  jpeg = await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 20, g: 120, b: 200 } } }).jpeg().toBuffer();
}, 60_000);

afterAll(async () => {
  baileys?.kill();
  await client?.close();
  await d?.stop();
  await s?.close();
  await dir?.remove();
});

describe('media through the daemon', () => {
  it('each kind we send over the socket is downloaded by Baileys to identical bytes, with its metadata', async () => {
    const doc = join(dir.path, 'report.pdf');
    const cases: Array<{ field: string; bytes: Buffer; name: string; opts: SendFileOptions; expected: Record<string, unknown> }> = [
      { field: 'imageMessage', bytes: jpeg, name: 'photo.jpg', opts: { caption: 'an image' }, expected: { caption: 'an image', mimetype: 'image/jpeg', width: 96, height: 64 } },
      { field: 'videoMessage', bytes: randomBytes(700_001), name: 'clip.mp4', opts: { caption: 'a clip', seconds: 3, width: 320, height: 240 }, expected: { caption: 'a clip', mimetype: 'video/mp4', seconds: 3, width: 320 } },
      { field: 'audioMessage', bytes: randomBytes(50_000), name: 'song.mp3', opts: { seconds: 7 }, expected: { mimetype: 'audio/mpeg', seconds: 7 } },
      { field: 'audioMessage', bytes: randomBytes(20_000), name: 'note.ogg', opts: { ptt: true, seconds: 2 }, expected: { ptt: true, mimetype: 'audio/ogg; codecs=opus' } },
      { field: 'stickerMessage', bytes: randomBytes(9_000), name: 's.webp', opts: { type: 'sticker', width: 512, height: 512 }, expected: { mimetype: 'image/webp', width: 512 } },
      // Metadata a caller may add: a GIF-style video with its own thumbnail, a view-once image.
      { field: 'videoMessage', bytes: randomBytes(30_000), name: 'loop.mp4', opts: { gifPlayback: true, jpegThumbnail: jpeg }, expected: { gifPlayback: true } },
      { field: 'imageMessage', bytes: jpeg, name: 'once.jpg', opts: { viewOnce: true }, expected: { viewOnce: true } },
    ];
    const sent: Array<[string, (typeof cases)[number]]> = [];
    for (const c of cases) sent.push([await client.sendFile('wad', B, { bytes: c.bytes, fileName: c.name }, c.opts), c]);
    // The document goes through the command line, as a user sends one.
    const docBytes = randomBytes(1_500_000);
    writeFileSync(doc, docBytes);
    const docId = await cliSendFile(doc, 'the report');
    sent.push([docId, { field: 'documentMessage', bytes: docBytes, name: 'report.pdf', opts: {}, expected: { fileName: 'report.pdf', caption: 'the report', mimetype: 'application/pdf' } }]);

    for (const [id, c] of sent) {
      const got: WAMessage = await baileys.waitFor(() => baileys.received.find((m) => m.key.id === id), `${c.field} ${c.name} at Baileys`);
      const content = got.message?.viewOnceMessage?.message ?? got.message;
      if (c.opts.viewOnce) expect(got.message?.viewOnceMessage, c.name).toBeTruthy();
      const body = (content as Record<string, Record<string, unknown>>)[c.field];
      if (c.opts.jpegThumbnail) expect(Buffer.from(body!.jpegThumbnail as Uint8Array).equals(jpeg)).toBe(true);
      expect(body, c.name).toMatchObject({ ...c.expected, fileLength: expect.anything() });
      expect(Number(body!.fileLength)).toBe(c.bytes.length);
      const bytes = (await downloadMediaMessage(got, 'buffer', {})) as Buffer;
      expect(bytes.equals(c.bytes), c.name).toBe(true);
    }
    // The image got a JPEG thumbnail made from it.
    const img = baileys.received.find((m) => m.key.id === sent[0]![0])!.message!.imageMessage!;
    expect(Buffer.from(img.jpegThumbnail!).subarray(0, 2).toString('hex')).toBe('ffd8');
    // Our own sends download too (from the sent cache), to the bytes sent.
    const again = await client.downloadMedia('wad', jidOf(B), sent[1]![0]);
    expect(again).toMatchObject({ type: 'video', mimeType: 'video/mp4', fileLength: 700_001 });
    expect(again.data!.equals(sent[1]![1].bytes)).toBe(true);
  });

  it('each kind Baileys sends is a message:new with media, and media:download gives identical bytes', async () => {
    const cases: Array<{ type: string; content: Record<string, unknown>; media: Record<string, unknown>; caption?: string }> = [
      { type: 'image', content: { image: jpeg, caption: 'from baileys', mimetype: 'image/jpeg' }, media: { mimetype: 'image/jpeg' }, caption: 'from baileys' },
      { type: 'video', content: { video: randomBytes(2_600_000), caption: 'big clip', mimetype: 'video/mp4', seconds: 5 }, media: { mimetype: 'video/mp4', seconds: 5 }, caption: 'big clip' },
      { type: 'audio', content: { audio: randomBytes(40_000), mimetype: 'audio/mp4', seconds: 4 }, media: { mimetype: 'audio/mp4' } },
      { type: 'audio', content: { audio: randomBytes(20_000), ptt: true, mimetype: 'audio/ogg; codecs=opus', seconds: 2 }, media: { ptt: true } },
      { type: 'document', content: { document: randomBytes(100_000), mimetype: 'application/pdf', fileName: 'in.pdf' }, media: { mimetype: 'application/pdf', fileName: 'in.pdf' } },
      { type: 'sticker', content: { sticker: randomBytes(8_000) }, media: { mimetype: 'image/webp' } },
    ];
    for (const c of cases) {
      const bytes = Object.values(c.content)[0] as Buffer;
      const m = await baileys.sock!.sendMessage(jidOf(W), c.content as never);
      const ev = await eventOf(m!.key.id!);
      expect(ev.data).toMatchObject({ type: c.type, chat: jidOf(B), fromMe: false, ...(c.caption ? { content: c.caption } : {}) });
      expect(ev.data.media).toMatchObject({ ...c.media, fileLength: bytes.length, directPath: expect.any(String), mediaKey: expect.any(String) });
      const to = c.type === 'video' ? join(dir.path, 'in-video.mp4') : undefined;
      const file = await client.downloadMedia('wad', String(ev.data.chat), String(ev.data.id), to ? { to } : {});
      expect(file).toMatchObject({ type: c.type, fileLength: bytes.length });
      const got = to ? readFileSync(to) : file.data!;
      expect(got.equals(bytes), c.type).toBe(true);
    }
    expect(spoolLeft()).toEqual([]);
  });

  it('a tampered blob, a wrong MAC and a cut download each fail with a typed error; nothing is written, nothing left', async () => {
    const chat = jidOf(B);
    const to = join(dir.path, 'never.bin');
    const send = async (content: Record<string, unknown>) => (await baileys.sock!.sendMessage(jidOf(W), content as never))!;

    // Tampered on the server: one byte of the ciphertext flipped (the message declares the blob's hash).
    const a = await send({ document: randomBytes(300_000), mimetype: 'application/zip', fileName: 'a.zip' });
    tamper.set(pathOf(a.message!.documentMessage!.directPath), {
      alter: (b) => {
        const x = Buffer.from(b);
        x[150_000]! ^= 0x04;
        return x;
      },
    });
    await eventOf(a.key.id!);
    expect(await failure(client.downloadMedia('wad', chat, a.key.id!, { to }))).toEqual({ code: 'UNAVAILABLE', media: 'HASH_MISMATCH' });

    // A wrong MAC: the same genuine blob, but the message's media key is not the one it was sealed with.
    const b = await send({ image: jpeg, mimetype: 'image/jpeg' });
    const forged = { imageMessage: { ...b.message!.imageMessage!, mediaKey: randomBytes(32) } };
    const forgedId = `3EB0${randomBytes(8).toString('hex').toUpperCase()}`;
    await baileys.sock!.relayMessage(jidOf(W), forged, { messageId: forgedId });
    await eventOf(forgedId);
    expect(await failure(client.downloadMedia('wad', chat, forgedId, { to }))).toEqual({ code: 'UNAVAILABLE', media: 'BAD_MAC' });
    // …and a MAC altered on the server for a message that declares no blob hash.
    const c = await send({ document: randomBytes(40_000), mimetype: 'application/pdf', fileName: 'c.pdf' });
    const noHashId = `3EB0${randomBytes(8).toString('hex').toUpperCase()}`;
    const { fileEncSha256: _h, ...noHash } = c.message!.documentMessage!;
    await baileys.sock!.relayMessage(jidOf(W), { documentMessage: noHash }, { messageId: noHashId });
    tamper.set(pathOf(c.message!.documentMessage!.directPath), {
      alter: (blob) => {
        const x = Buffer.from(blob);
        x[x.length - 1]! ^= 0x80;
        return x;
      },
    });
    await eventOf(noHashId);
    expect(await failure(client.downloadMedia('wad', chat, noHashId, { to }))).toEqual({ code: 'UNAVAILABLE', media: 'BAD_MAC' });

    // Cut: the server stops half way through and drops the connection.
    const e = await send({ video: randomBytes(900_000), mimetype: 'video/mp4', seconds: 1 });
    tamper.set(pathOf(e.message!.videoMessage!.directPath), { alter: (blob) => blob.subarray(0, 400_000), cut: true });
    await eventOf(e.key.id!);
    expect(await failure(client.downloadMedia('wad', chat, e.key.id!, { to }))).toEqual({ code: 'UNAVAILABLE', media: 'TRUNCATED' });

    expect(existsSync(to)).toBe(false);
    expect(spoolLeft()).toEqual([]);
    // Not a media message, and no such message: the contract's codes.
    const t = await baileys.sock!.sendMessage(jidOf(W), { text: 'just text' });
    await eventOf(t!.key.id!);
    expect((await failure(client.downloadMedia('wad', chat, t!.key.id!))).code).toBe('INVALID_PAYLOAD');
    expect((await failure(client.downloadMedia('wad', chat, 'NO-SUCH-ID'))).code).toBe('NOT_FOUND');
    // The daemon still serves: an untouched file of the same sender downloads.
    tamper.clear();
    const ok = await client.downloadMedia('wad', chat, a.key.id!);
    expect(ok.fileLength).toBe(300_000);
  });
});
