// Stored media: an account's media with a real account store, the
// simulator's media endpoint and a fake connection port: where the file of a
// sent or received message is found, sends built through the account's
// media, downloads of stored messages to identical bytes, and media failures
// as the control plane's codes with the media code kept.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountMedia, findStoredMedia, MediaError, MediaHttp, SharedMedia } from '../../../src/account/media/index.js';
import type { ConnectionPort } from '../../../src/account/ports.js';
import { DaemonError } from '../../../src/contract/errors.js';
import { mediaToDaemonError, toDaemonError } from '../../../src/daemon/error-map.js';
import { decodeContent } from '../../../src/protocol/message/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import { startSim, type SimHandle } from '../../../src/sim/index.js';
import { Store, type AccountStore, type ValueMap } from '../../../src/store/index.js';
import { settledLeftovers, simMediaConn } from './support.js';

const CHAT = '15550001111@s.whatsapp.net';
const GROUP = '120363000000000001@g.us';
let sim: SimHandle;
let dir: string;
let store: Store;
let account: AccountStore;
let http: MediaHttp;

beforeAll(async () => {
  sim = await startSim();
  dir = mkdtempSync(join(tmpdir(), 'wad-daemon-media-'));
  store = await Store.open(join(dir, 'data'));
  account = await store.account('acc');
  http = await MediaHttp.fromCaFile(sim.mediaCaPath);
});
afterAll(async () => {
  http?.close();
  await store?.close();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A port whose only IQ is media_conn, answered from the simulator; stanzas sent are kept. */
function fakePort(sent: unknown[] = []): ConnectionPort {
  return {
    send: async (node) => void sent.push(node),
    query: async () => {
      throw new Error('no IQs here');
    },
    execute: async () => simMediaConn(sim) as never,
    nextId: () => 'id',
  };
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

describe('findStoredMedia', () => {
  it('finds our sends in the sent cache (any chat) and received files in their record', async () => {
    const msg = { documentMessage: { mediaKey: randomBytes(32), directPath: '/v/t62/document/x.enc', fileLength: 12, mimetype: 'application/pdf', fileName: 'a.pdf', fileSha256: randomBytes(32) } };
    const rec = decodeContent({ imageMessage: { mediaKey: randomBytes(32), url: 'https://h/v/y.enc', directPath: '/v/y.enc', fileLength: 5, mimetype: 'image/png' } });
    await account.transaction((tx) => {
      tx.sent.put('SENT1', { to: GROUP, message: proto.Message.encode(msg).finish(), t: 1 });
      tx.sent.put('SENTTEXT', { to: CHAT, message: proto.Message.encode({ conversation: 'hi' }).finish(), t: 1 });
      tx.messages.put(GROUP, 'IN1', { type: 'image', sender: '15550002222@s.whatsapp.net', fromMe: false, t: 1, media: rec.media as ValueMap });
      tx.messages.put(CHAT, 'TEXT1', { type: 'text', sender: CHAT, fromMe: false, t: 1, content: 'x' });
    });
    const sent = await findStoredMedia(account, 'whatever@s.whatsapp.net', 'SENT1');
    expect(sent).toMatchObject({ found: true, media: { target: { messageId: 'SENT1', chat: GROUP, fromMe: true }, info: { type: 'document', mimeType: 'application/pdf', fileLength: 12, fileName: 'a.pdf' } } });
    expect(sent.found && sent.media.ref).toMatchObject({ type: 'document', directPath: '/v/t62/document/x.enc', fileLength: 12 });
    expect(sent.found && Buffer.from(sent.media.ref.mediaKey!).equals(msg.documentMessage.mediaKey)).toBe(true);

    const got = await findStoredMedia(account, GROUP, 'IN1');
    expect(got).toMatchObject({ found: true, media: { ref: { type: 'image', directPath: '/v/y.enc', url: 'https://h/v/y.enc', fileLength: 5 }, target: { messageId: 'IN1', chat: GROUP, fromMe: false, participant: '15550002222@s.whatsapp.net' }, info: { type: 'image', mimeType: 'image/png' } } });

    expect(await findStoredMedia(account, CHAT, 'SENTTEXT')).toEqual({ found: false, why: 'not-media' });
    expect(await findStoredMedia(account, CHAT, 'TEXT1')).toEqual({ found: false, why: 'not-media' });
    expect(await findStoredMedia(account, CHAT, 'IN1')).toEqual({ found: false, why: 'absent' });
  });
});

describe('mediaToDaemonError', () => {
  it('maps media codes to the contract and keeps the media code', () => {
    const cases: Array<[ConstructorParameters<typeof MediaError>[0], string]> = [
      ['GONE', 'NOT_FOUND'],
      ['REUPLOAD_FAILED', 'NOT_FOUND'],
      ['NO_HOSTS', 'NOT_FOUND'],
      ['BAD_MAC', 'UNAVAILABLE'],
      ['HASH_MISMATCH', 'UNAVAILABLE'],
      ['TRUNCATED', 'UNAVAILABLE'],
      ['NETWORK', 'UNAVAILABLE'],
      ['TOO_LARGE', 'UNAVAILABLE'],
      ['IO', 'INTERNAL_ERROR'],
    ];
    for (const [media, code] of cases) {
      const e = mediaToDaemonError(new MediaError(media, 'x', { status: 404 }));
      expect(e).toBeInstanceOf(DaemonError);
      expect(e).toMatchObject({ code, details: { media, status: 404 } });
    }
    expect(toDaemonError(new MediaError('NO_MESSAGE', 'x'))).toMatchObject({ code: 'NOT_FOUND', details: { media: 'NO_MESSAGE' } });
    expect(toDaemonError(new MediaError('NOT_MEDIA', 'x'))).toMatchObject({ code: 'INVALID_PAYLOAD', details: { media: 'NOT_MEDIA' } });
  });
});

describe('SharedMedia', () => {
  it('empties the spool root a killed daemon left', async () => {
    const root = join(dir, 'spool-left');
    mkdirSync(join(root, 'acc'), { recursive: true });
    writeFileSync(join(root, 'acc', 'wad-media-dead.spool'), 'x');
    await SharedMedia.open({ http, spoolRoot: root });
    expect(existsSync(root)).toBe(false);
  });
});

describe('AccountMedia with a store', () => {
  it('builds media sends and downloads stored messages, sent or received', async () => {
    const spoolDir = join(dir, 'spool', 'acc');
    const sentStanzas: unknown[] = [];
    const am = createAccountMedia({ port: fakePort(sentStanzas), http, spoolDir, ownJid: () => '15550009999@s.whatsapp.net' });
    expect(am.handlers.map((h) => h.tags)).toEqual([['notification']]);

    // A media send builds through the account's media: uploaded to the sim, a message Baileys-shaped.
    const bytes = randomBytes(1_500_000);
    const { message: built } = await am.build({ type: 'document', media: bytes, fileName: 'big.bin' }, CHAT);
    expect(built.documentMessage).toMatchObject({ fileName: 'big.bin', fileLength: bytes.length, mimetype: 'application/octet-stream' });
    await account.transaction((tx) => tx.sent.put('OUT1', { to: CHAT, message: proto.Message.encode(built).finish(), t: 2 }));
    const out = await am.downloadStored(account, CHAT, 'OUT1');
    expect(out).toMatchObject({ type: 'document', fileLength: bytes.length, fileName: 'big.bin' });
    expect((await collect(out)).equals(bytes)).toBe(true);

    // A received one, under its chat.
    await account.transaction((tx) => tx.messages.put(CHAT, 'IN2', { type: 'document', sender: CHAT, fromMe: false, t: 3, media: decodeContent(built).media as ValueMap }));
    const inb = await am.downloadStored(account, CHAT, 'IN2');
    expect((await collect(inb)).equals(bytes)).toBe(true);
    // Streams read to the end left no temp file (1.5 MB went through a spool file).
    expect(await settledLeftovers(spoolDir)).toEqual([]);

    await expect(am.downloadStored(account, CHAT, 'NOPE')).rejects.toMatchObject({ name: 'MediaError', code: 'NO_MESSAGE' });
    await account.transaction((tx) => tx.messages.put(CHAT, 'TXT', { type: 'text', sender: CHAT, fromMe: false, t: 4 }));
    await expect(am.downloadStored(account, CHAT, 'TXT')).rejects.toMatchObject({ code: 'NOT_MEDIA' });
    // A record whose key is not the blob's: BAD_MAC.
    const forged = { ...(decodeContent(built).media as Record<string, unknown>), mediaKey: randomBytes(32).toString('base64') };
    await account.transaction((tx) => tx.messages.put(CHAT, 'FORGED', { type: 'document', sender: CHAT, fromMe: false, t: 5, media: forged as ValueMap }));
    await expect(am.downloadStored(account, CHAT, 'FORGED')).rejects.toMatchObject({ code: 'BAD_MAC' });
    // A path with no path policy given is the caller's mistake.
    await expect(am.build({ type: 'document', media: { path: join(dir, 'missing.bin') } }, CHAT)).rejects.toMatchObject({ name: 'MediaError', code: 'PATH_REFUSED', reason: 'OUTSIDE_ROOTS' });

    am.close();
    expect(sentStanzas).toEqual([]);
  });
});
