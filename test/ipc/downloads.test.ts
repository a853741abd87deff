/**
 * media:download over the control socket: the daemon's chunks of any size
 * become 256 KiB DOWNLOAD_CHUNK frames in the §3 layout, in order, then the
 * ack with the totals; WadClient reassembles them in memory or into a new
 * file. Failures half way, lengths that disagree and a client that goes away
 * end the daemon's side (its iterator is closed, so its temp file goes) and
 * leave no file at the client.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WadClient, WadClientError } from '../../src/client/index.js';
import { type MediaDownload } from '../../src/contract/api.js';
import { DaemonError } from '../../src/contract/errors.js';
import { BINARY_TYPE, decodeBinaryFrame, encodeBinaryFrame, startIpcServer, type IpcServer } from '../../src/ipc/index.js';
import { DOWNLOAD_CHUNK_BYTES, sendDownload } from '../../src/ipc/downloads.js';
import { parseRequest } from '../../src/ipc/requests.js';
import { FakeDaemon } from './fake-daemon.js';
import { Raw, tempSocket } from './raw.js';

const CHUNK = DOWNLOAD_CHUNK_BYTES;
const CHAT = '15550002222@s.whatsapp.net';
let fake: FakeDaemon;
let server: IpcServer;
let dir: string;
let client: WadClient;

/** A file served in pieces of the given sizes; `closed` tells whether the consumer let go of it. */
function served(bytes: Buffer, opts: { pieces?: number[]; failAfter?: number; declared?: number | null; type?: string; mimeType?: string } = {}): MediaDownload & { closed: () => boolean } {
  let closed = false;
  const pieces = opts.pieces ?? [64 * 1024];
  async function* gen(): AsyncGenerator<Uint8Array> {
    try {
      let at = 0;
      for (let i = 0; at < bytes.length; i++) {
        if (opts.failAfter !== undefined && at >= opts.failAfter) throw new DaemonError('UNAVAILABLE', 'media host went away', { media: 'NETWORK' });
        const n = Math.max(1, pieces[i % pieces.length]!);
        yield bytes.subarray(at, at + n);
        at += n;
      }
    } finally {
      closed = true;
    }
  }
  return {
    type: opts.type ?? 'document',
    mimeType: opts.mimeType ?? 'application/pdf',
    ...(opts.declared === null ? {} : { fileLength: opts.declared ?? bytes.length }),
    fileName: 'f.pdf',
    [Symbol.asyncIterator]: () => gen(),
    closed: () => closed,
  };
}

beforeEach(async () => {
  let socket: string;
  ({ dir, socket } = tempSocket());
  fake = new FakeDaemon();
  server = await startIpcServer(fake, { socketPath: socket });
  client = await WadClient.connect({ socket, reconnect: false });
});
afterEach(async () => {
  await client?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sendDownload', () => {
  it('cuts any stream of pieces into full 256 KiB frames and a last one, numbered and totalled', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3 * CHUNK + 7 }), fc.array(fc.integer({ min: 1, max: 300_000 }), { minLength: 1, maxLength: 5 }), async (size, pieces) => {
        const bytes = randomBytes(size);
        const frames: Uint8Array[] = [];
        const r = await sendDownload(served(bytes, { pieces }), 7, CHAT, async (f) => void frames.push(f));
        const decoded = frames.map((f) => decodeBinaryFrame(f, BINARY_TYPE.DOWNLOAD_CHUNK));
        expect(r).toEqual({ download: 7, type: 'document', mimeType: 'application/pdf', fileLength: size, totalChunks: Math.max(1, Math.ceil(size / CHUNK)), fileName: 'f.pdf' });
        expect(decoded.map((d) => [d.seq, d.header.chunkIndex, d.header.totalChunks])).toEqual(decoded.map((_d, i) => [7, i, r.totalChunks]));
        expect(decoded.slice(0, -1).every((d) => d.payload.length === CHUNK)).toBe(true);
        expect(Buffer.concat(decoded.map((d) => d.payload)).equals(bytes)).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('refuses bytes that disagree with the declared length; reads a source of unknown length whole', async () => {
    const bytes = randomBytes(CHUNK + 10);
    const sink = async () => {};
    await expect(sendDownload(served(bytes, { declared: 10 }), 1, CHAT, sink)).rejects.toMatchObject({ code: 'INTERNAL_ERROR' });
    await expect(sendDownload(served(bytes, { declared: bytes.length + 1 }), 1, CHAT, sink)).rejects.toMatchObject({ code: 'INTERNAL_ERROR' });
    expect(await sendDownload(served(bytes, { declared: null }), 1, CHAT, sink)).toMatchObject({ fileLength: bytes.length, totalChunks: 2 });
    // A type or mime type the header cannot carry falls back to document / octet-stream.
    expect(await sendDownload(served(bytes, { type: 'ptt', mimeType: 'not a mime' }), 1, CHAT, sink)).toMatchObject({ type: 'document', mimeType: 'application/octet-stream' });
  });
});

describe('media:download over the socket', () => {
  it('WadClient gets identical bytes in memory and in a new 0600 file', async () => {
    const bytes = randomBytes(3 * CHUNK + 123);
    fake.files.set('M1', served(bytes, { pieces: [1000, 70_000, 333_333] }));
    const got = await client.downloadMedia('alice', '15550002222', 'M1');
    expect(got).toMatchObject({ type: 'document', mimeType: 'application/pdf', fileLength: bytes.length, fileName: 'f.pdf' });
    expect(got.data!.equals(bytes)).toBe(true);
    expect(fake.calls.at(-1)).toEqual({ method: 'downloadMedia', args: ['alice', CHAT, 'M1'] });

    const to = join(dir, 'out.pdf');
    fake.files.set('M2', served(bytes));
    expect(await client.downloadMedia('alice', CHAT, 'M2', { to })).toMatchObject({ path: to, fileLength: bytes.length });
    expect(readFileSync(to).equals(bytes)).toBe(true);
    expect(statSync(to).mode & 0o777).toBe(0o600);
    // An existing file is never overwritten, and nothing is asked of the daemon then.
    const before = fake.calls.length;
    await expect(client.downloadMedia('alice', CHAT, 'M2', { to })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(fake.calls.length).toBe(before);
    // Empty files are one empty chunk.
    fake.files.set('M3', served(Buffer.alloc(0)));
    expect((await client.downloadMedia('alice', CHAT, 'M3')).data!.length).toBe(0);
  });

  it('a failure half way is the ack’s error; the daemon’s source is closed and no file is left', async () => {
    const to = join(dir, 'half.bin');
    const file = served(randomBytes(2 * CHUNK + 5), { failAfter: CHUNK + 1 });
    fake.files.set('BAD', file);
    const err = await client.downloadMedia('alice', CHAT, 'BAD', { to }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WadClientError);
    expect(err).toMatchObject({ code: 'UNAVAILABLE', details: { media: 'NETWORK' } });
    expect(file.closed()).toBe(true);
    expect(existsSync(to)).toBe(false);
    await expect(client.downloadMedia('alice', CHAT, 'NONE')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a client that goes away mid-download ends the daemon’s side', async () => {
    const raw = await Raw.open(server.socketPath);
    const file = served(randomBytes(40 * CHUNK), { pieces: [CHUNK] });
    fake.files.set('BIG', file);
    let chunks = 0;
    raw.ws.on('message', (_d, isBinary) => {
      if (isBinary && ++chunks === 2) raw.ws.terminate();
    });
    raw.ws.send(JSON.stringify({ id: 'r1', type: 'media:download', tenantId: 'alice', conversationId: CHAT, data: { messageId: 'BIG', download: 1 }, ack: true }));
    await new Promise<void>((resolve) => {
      const t = setInterval(() => file.closed() && (clearInterval(t), resolve()), 10);
    });
    expect(chunks).toBeLessThan(40);
  });

  it('the request needs a chat, a message id and a download number; clients cannot send download frames', async () => {
    const req = (data: unknown, conv: string | null = CHAT) => JSON.stringify({ id: 'x', type: 'media:download', tenantId: 'alice', ...(conv !== null ? { conversationId: conv } : {}), data });
    expect(parseRequest(req({ messageId: 'M', download: 3 }))).toMatchObject({ type: 'media:download', account: 'alice', chat: CHAT, data: { messageId: 'M', download: 3 } });
    expect(() => parseRequest(req({ messageId: 'M', download: 3 }, null))).toThrow(expect.objectContaining({ code: 'MISSING_FIELD' }));
    expect(() => parseRequest(req({ messageId: 'M' }))).toThrow(expect.objectContaining({ code: 'MISSING_FIELD' }));
    expect(() => parseRequest(req({ messageId: 'M', download: -1 }))).toThrow(expect.objectContaining({ code: 'INVALID_PAYLOAD' }));
    const raw = await Raw.open(server.socketPath);
    raw.ws.send(encodeBinaryFrame(BINARY_TYPE.DOWNLOAD_CHUNK, 1, { type: 'image', conversationId: CHAT, chunkIndex: 0, totalChunks: 1, mimeType: 'image/jpeg' }, randomBytes(10)));
    expect((await raw.next((f) => f.type === 'error')).data).toMatchObject({ code: 'INVALID_PAYLOAD' });
    raw.ws.close();
  });
});
