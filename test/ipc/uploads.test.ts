/**
 * Media by binary frames (CONTRACTS.md §3 layout): chunks assembled into a
 * private temp file that message:send hands to the daemon as {path} and that
 * is deleted after; out-of-order, oversized and unknown uploads answered with
 * contract errors; a frame that breaks the layout closes only its connection
 * (1007); frames over 1 KiB travel compressed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { startIpcServer, type IpcServer, encodeBinaryFrame, decodeBinaryFrame, BINARY_TYPE, type BinaryChunkHeader } from '../../src/ipc/index.js';
import { BinaryLayoutError } from '../../src/contract/binary.js';
import { FakeDaemon } from './fake-daemon.js';
import { Raw, tempSocket } from './raw.js';

let fake: FakeDaemon;
let server: IpcServer;
let dir: string;
let socket: string;
let tmp: string;
const clients: Raw[] = [];

async function open(): Promise<Raw> {
  const c = await Raw.open(socket);
  clients.push(c);
  return c;
}

const header = (over: Partial<BinaryChunkHeader> = {}): BinaryChunkHeader => ({ type: 'image', conversationId: '15550002222@s.whatsapp.net', chunkIndex: 0, totalChunks: 1, mimeType: 'image/jpeg', ...over });
const chat = { tenantId: 'alice', conversationId: '15550002222' };

function uploadDirs(): string[] {
  return readdirSync(tmp).filter((n) => n.startsWith('wad-uploads-'));
}
function filesInUploads(): string[] {
  return uploadDirs().flatMap((d) => readdirSync(join(tmp, d)));
}

beforeEach(async () => {
  ({ dir, socket } = tempSocket());
  tmp = join(dir, 'tmp');
  (await import('node:fs')).mkdirSync(tmp);
  fake = new FakeDaemon();
  fake.seed('alice', '15550001111:2@s.whatsapp.net');
  server = await startIpcServer(fake, { socketPath: socket, tmpDir: tmp, uploads: { maxBytes: 1 << 20, maxOpen: 2 } });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.close();
  expect(uploadDirs()).toEqual([]);
  rmSync(dir, { recursive: true, force: true });
});

describe('binary frame codec', () => {
  it('round-trips any header and payload', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 1000 }), fc.uint8Array({ maxLength: 2000 }), fc.string({ maxLength: 60 }), (seq, total, payload, conv) => {
        const h = header({ conversationId: conv, totalChunks: total, chunkIndex: total - 1 });
        const f = decodeBinaryFrame(encodeBinaryFrame(BINARY_TYPE.UPLOAD_CHUNK, seq, h, payload));
        expect(f).toEqual({ messageType: 1, seq, header: h, payload });
      }),
      { numRuns: 200 },
    );
  });

  it('rejects broken layouts as layout errors, bad fields as contract errors', () => {
    const good = encodeBinaryFrame(1, 7, header(), new Uint8Array([1, 2, 3]));
    const cut = good.subarray(0, good.length - 1);
    expect(() => decodeBinaryFrame(cut)).toThrow(BinaryLayoutError);
    expect(() => decodeBinaryFrame(good.subarray(0, 10))).toThrow(BinaryLayoutError);
    const badLen = Uint8Array.from(good);
    new DataView(badLen.buffer).setUint32(4, 100_000);
    expect(() => decodeBinaryFrame(badLen)).toThrow(BinaryLayoutError);
    const notJson = Uint8Array.from(good);
    notJson[16] = 0x7a;
    expect(() => decodeBinaryFrame(notJson)).toThrow(BinaryLayoutError);
    expect(() => decodeBinaryFrame(encodeBinaryFrame(9, 7, header(), new Uint8Array()))).toThrow(expect.objectContaining({ code: 'INVALID_PAYLOAD' }));
    expect(() => decodeBinaryFrame(encodeBinaryFrame(1, 7, header({ chunkIndex: 3, totalChunks: 2 }), new Uint8Array()))).toThrow(expect.objectContaining({ code: 'INVALID_PAYLOAD' }));
    const noMime = encodeBinaryFrame(1, 7, { ...header(), mimeType: undefined } as unknown as BinaryChunkHeader, new Uint8Array());
    expect(() => decodeBinaryFrame(noMime)).toThrow(expect.objectContaining({ code: 'MISSING_FIELD' }));
  });
});

describe('uploads over the socket', () => {
  it('assembles chunks in order into a file, sends it as an opened file, deletes it after', async () => {
    const c = await open();
    const bytes = randomBytes(300_000);
    const chunks = [bytes.subarray(0, 100_000), bytes.subarray(100_000, 250_000), bytes.subarray(250_000)];
    chunks.forEach((p, i) => c.sendRaw(encodeBinaryFrame(1, 42, header({ chunkIndex: i, totalChunks: 3 }), p)));
    const ans = await c.request('message:send', { type: 'image', upload: 42, caption: 'sunset' }, chat);
    expect(ans.data.success).toBe(true);
    const sent = fake.media.at(-1)!;
    expect(Buffer.from(sent.bytes).equals(bytes)).toBe(true);
    expect(sent.content).toMatchObject({ type: 'image', caption: 'sunset', mimeType: 'image/jpeg', media: { size: bytes.length } });
    // Not a path: the daemon's path policy is for files callers name, not for the upload spool.
    expect('path' in (sent.content as { media: object }).media).toBe(false);
    expect(filesInUploads()).toEqual([]);
    // The upload was consumed.
    expect((await c.request('message:send', { type: 'image', upload: 42 }, chat)).data.error.code).toBe('NOT_FOUND');
  });

  it('out of order, too large, too many, unknown: contract errors, and the connection lives on', async () => {
    const c = await open();
    c.sendRaw(encodeBinaryFrame(1, 1, header({ chunkIndex: 1, totalChunks: 2 }), new Uint8Array(10)));
    expect((await c.next()).data).toMatchObject({ code: 'INVALID_PAYLOAD', details: { upload: 1 } });
    c.sendRaw(encodeBinaryFrame(1, 2, header({ chunkIndex: 0, totalChunks: 3 }), new Uint8Array(10)));
    c.sendRaw(encodeBinaryFrame(1, 2, header({ chunkIndex: 2, totalChunks: 3 }), new Uint8Array(10)));
    expect((await c.next()).data).toMatchObject({ code: 'INVALID_PAYLOAD', details: { upload: 2 } });
    expect((await c.request('message:send', { type: 'image', upload: 2 }, chat)).data.error.code).toBe('NOT_FOUND');
    c.sendRaw(encodeBinaryFrame(1, 3, header({ totalChunks: 2 }), new Uint8Array(600_000)));
    c.sendRaw(encodeBinaryFrame(1, 3, header({ chunkIndex: 1, totalChunks: 2 }), new Uint8Array(600_000)));
    expect((await c.next()).data.message).toMatch(/larger than 1048576/);
    c.sendRaw(encodeBinaryFrame(1, 4, header({ totalChunks: 2 }), new Uint8Array(1)));
    c.sendRaw(encodeBinaryFrame(1, 5, header({ totalChunks: 2 }), new Uint8Array(1)));
    c.sendRaw(encodeBinaryFrame(1, 6, header({ totalChunks: 2 }), new Uint8Array(1)));
    expect((await c.next()).data).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1000 });
    expect((await c.request('account:list')).data.success).toBe(true);
    expect(fake.media).toEqual([]);
    await c.close();
    // Partial uploads are deleted with their connection.
    for (let i = 0; i < 50 && filesInUploads().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(filesInUploads()).toEqual([]);
  });

  it('a frame that breaks the binary layout closes that connection with 1007, others keep going', async () => {
    const c = await open();
    const other = await open();
    c.sendRaw(new Uint8Array([0, 0, 0, 99, 1, 2, 3]));
    expect((await c.whenClosed()).code).toBe(1007);
    expect((await other.request('account:list')).data.success).toBe(true);
  });

  it('frames over 1 KiB are compressed on the wire (permessage-deflate), small ones are not', async () => {
    const c = await open();
    expect(c.ws.extensions).toMatch(/permessage-deflate/);
    // A 64 KiB text that compresses well: the answer (an event) arrives intact.
    await c.request('events:subscribe', {});
    await c.next((f) => f.type === 'events:synced');
    const sock = (c.ws as unknown as { _socket: { bytesRead: number } })._socket;
    let before = sock.bytesRead;
    fake.emit('alice', 'message:new', { id: 'big', content: 'a'.repeat(65_536) });
    const ev = await c.next((f) => f.type === 'message:new');
    expect(ev.data.content).toHaveLength(65_536);
    expect(sock.bytesRead - before).toBeLessThan(2000);
    // A small frame goes as it is: its JSON is readable in the bytes on the wire.
    before = sock.bytesRead;
    fake.emit('alice', 'message:new', { id: 'small', content: 'plain' });
    await c.next((f) => f.type === 'message:new');
    expect(sock.bytesRead - before).toBeGreaterThan(150);
  });
});
