/**
 * WadClient against the IPC server and the fake daemon: typed verbs and
 * their errors, QR updates after addAccount, uploads, and event streams that
 * survive a server restart with no gap and no duplicate.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WadClient, WadClientError } from '../../src/client/index.js';
import { type WadEvent } from '../../src/contract/api.js';
import { DaemonError } from '../../src/contract/errors.js';
import { startIpcServer, type IpcServer } from '../../src/ipc/index.js';
import type { FakeDaemon } from '../ipc/fake-daemon.js';
import { fakeWorld, take } from '../ipc/fake-world.js';

let fake: FakeDaemon;
let server: IpcServer | undefined;
let dir: string;
let socket: string;
const clients: WadClient[] = [];

async function client(opts: ConstructorParameters<typeof WadClient>[0] = {}): Promise<WadClient> {
  const c = await WadClient.connect({ socket, reconnect: { initialMs: 20, maxMs: 100 }, ...opts });
  clients.push(c);
  return c;
}

function msg(account: string, n: number): WadEvent {
  return fake.emit(account, 'message:new', { id: `M${n}`, type: 'text', content: `n${n}` }, 'x@s.whatsapp.net');
}

async function until(probe: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !probe(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(probe()).toBe(true);
}

beforeEach(async () => {
  ({ fake, server, dir, socket } = await fakeWorld());
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('requests', () => {
  it('typed verbs reach the daemon and return its answers', async () => {
    const c = await client();
    expect((await c.listAccounts()).map((a) => a.id)).toEqual(['alice', 'bob']);
    expect(await c.accountStatus('bob')).toMatchObject({ id: 'bob', state: 'online' });
    const id = await c.sendText('alice', '15550002222', 'hello');
    expect(id).toMatch(/^3EB0/);
    expect(fake.calls.at(-1)).toEqual({ method: 'sendMessage', args: ['alice', '15550002222@s.whatsapp.net', { type: 'text', content: 'hello' }] });
    expect(await c.react('alice', '15550002222', id, '❤️')).toBe(`R-${id}`);
    expect(await c.createGroup('alice', 'friends', ['15550002222'])).toMatch(/@g\.us$/);
    expect((await c.groupMetadata('alice', '120363000000000001@g.us')).subject).toBe('Fake group');
    await c.typing('alice', '15550002222', true, { recording: true });
    expect(fake.calls.at(-1)!.args[2]).toBe('recording');
    await c.restartAccount('bob');
    expect(fake.calls.at(-1)).toEqual({ method: 'restartAccount', args: ['bob'] });
  });

  it('rejects with WadClientError carrying the contract code', async () => {
    const c = await client();
    await expect(c.accountStatus('ghost')).rejects.toMatchObject({ name: 'WadClientError', code: 'NOT_FOUND' });
    await expect(c.sendText('alice', 'not a jid', 'x')).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    await fake.stopAccount('bob');
    await expect(c.sendText('bob', '15550001111', 'x')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('says plainly that no daemon is running', async () => {
    const err = await WadClient.connect({ socket: join(dir, 'none.sock') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WadClientError);
    expect(err).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/no wad daemon is listening on .*none\.sock/) });
  });

  it('a request made while reconnecting waits for the daemon to come back', async () => {
    const c = await client();
    const lost = new Promise<void>((r) => c.onStatus((s) => s === 'reconnecting' && r()));
    await server!.close();
    await lost;
    const pending = c.listAccounts();
    await new Promise((r) => setTimeout(r, 50));
    server = await startIpcServer(fake, { socketPath: socket });
    expect((await pending).length).toBe(2);
  });

  it('uses the TCP listener with a token; a bad token fails at once', async () => {
    await server!.close();
    server = await startIpcServer(fake, { socketPath: socket, listen: { host: '127.0.0.1', port: 0 }, tokens: [{ token: 's3cret' }] });
    const url = `ws://127.0.0.1:${server.tcp!.port}/`;
    const c = await client({ url, token: 's3cret' });
    expect(await c.listAccounts()).toHaveLength(2);
    await expect(WadClient.connect({ url, token: 'nope' })).rejects.toMatchObject({ code: 'AUTH_INVALID' });
    await expect(WadClient.connect({ url })).rejects.toMatchObject({ code: 'AUTH_REQUIRED' });
  });
});

describe('accounts', () => {
  it('addAccount streams QR updates; waitForState resolves when linked', async () => {
    const c = await client();
    const qrs: string[] = [];
    await c.addAccount('carol', { onUpdate: (ev) => typeof ev.data['qr'] === 'string' && qrs.push(ev.data['qr']) });
    const linked = c.waitForState('carol', { onUpdate: () => {} });
    while (qrs.length < 2) await new Promise((r) => setTimeout(r, 5));
    expect(qrs[0]).toMatch(/^2@ref-carol-1,/);
    fake.link('carol');
    expect(await linked).toBe('online');
    expect(await c.waitForState('carol')).toBe('online');
  });

  it('with a phone, the pairing code comes back', async () => {
    const c = await client();
    expect(await c.addAccount('dave', { phone: '15550004444' })).toEqual({ pairCode: 'ABCD1234' });
    expect(await c.requestPairCode('dave', '15550004444')).toBe('WXYZ9876');
  });
});

describe('sendReliably', () => {
  const keys = () => fake.calls.filter((x) => x.method === 'sendMessage').map((x) => (x.args[3] as { idempotencyKey?: string } | undefined)?.idempotencyKey);

  it('repeats under one key across a lost connection and an unacked send, until the answer', async () => {
    const c = await client();
    fake.holdNext.set('sendMessage', new Promise(() => {}));
    const sending = c.sendReliably('alice', '15550002222', { type: 'text', content: 'exactly once' }, { initialDelayMs: 10 });
    await until(() => keys().length === 1);
    // The daemon goes away with the request unanswered: the outcome is unknown, so it is asked again.
    await server!.close();
    fake.failNext.set('sendMessage', new DaemonError('UNAVAILABLE', 'no server ack', { messaging: 'ACK_TIMEOUT', mayHaveBeenDelivered: true, messageId: '3EB0X' }));
    server = await startIpcServer(fake, { socketPath: socket });
    expect(await sending).toMatch(/^3EB0/);
    const used = keys();
    expect(used).toHaveLength(3);
    expect(new Set(used).size).toBe(1);
    expect(used[0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('takes the caller\'s key; a final answer is not repeated; uploads are refused', async () => {
    const c = await client();
    await c.sendReliably('alice', '15550002222', { type: 'text', content: 'mine' }, { idempotencyKey: 'order-17' });
    expect(keys().at(-1)).toBe('order-17');
    fake.failNext.set('sendMessage', new DaemonError('NOT_FOUND', 'no such quoted message'));
    const before = keys().length;
    await expect(c.sendReliably('alice', '15550002222', { type: 'reply', content: 'x', quoted: 'Q' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(keys().length).toBe(before + 1);
    await expect(c.sendReliably('alice', '15550002222', { type: 'image', upload: 3 })).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
  });
});

describe('media', () => {
  it('sendFile uploads a multi-chunk file and the daemon gets the same bytes', async () => {
    const c = await client();
    const bytes = randomBytes(700_000);
    const path = join(dir, 'holiday.jpg');
    writeFileSync(path, bytes);
    await c.sendFile('alice', '15550002222', path, { caption: 'beach' });
    const m = fake.media.at(-1)!;
    expect(Buffer.from(m.bytes).equals(bytes)).toBe(true);
    expect(m.content).toMatchObject({ type: 'image', mimeType: 'image/jpeg', caption: 'beach' });
    await c.sendFile('alice', '15550002222', { bytes: new Uint8Array([1, 2, 3]), fileName: 'notes.pdf' });
    expect(fake.media.at(-1)!.content).toMatchObject({ type: 'document', mimeType: 'application/pdf', fileName: 'notes.pdf' });
  });
});

describe('event streams', () => {
  it('durable: resume after a server restart with no gap and no duplicate; acks move the cursor', async () => {
    const c = await client();
    const stream = c.subscribe({ name: 'app', accounts: ['alice'] });
    const it = stream[Symbol.asyncIterator]();
    for (let i = 1; i <= 5; i++) msg('alice', i);
    expect((await take(it, 5)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);

    await server!.close();
    for (let i = 6; i <= 9; i++) msg('alice', i); // while the daemon's socket is down
    server = await startIpcServer(fake, { socketPath: socket });
    for (let i = 10; i <= 12; i++) msg('alice', i);

    const after = await take(it, 7);
    expect(after.map((e) => e.seq)).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect(after[0]).toMatchObject({ account: 'alice', type: 'message:new', conversationId: 'x@s.whatsapp.net', data: { id: 'M6', content: 'n6' } });
    await stream.close();
    // Everything handed out was acked (the last one on close).
    expect(fake.cursors.get('app\u0000alice')).toBe(12);
  });

  it('live: resumes across a reconnect from the last seq it saw', async () => {
    const c = await client();
    const stream = c.subscribe({ accounts: ['bob'] });
    await stream.synced;
    const it = stream[Symbol.asyncIterator]();
    msg('bob', 1);
    expect((await take(it, 1))[0]!.seq).toBe(1);
    await server!.close();
    msg('bob', 2);
    server = await startIpcServer(fake, { socketPath: socket });
    msg('bob', 3);
    expect((await take(it, 2)).map((e) => e.seq)).toEqual([2, 3]);
  });

  it('a new client with the same name starts after the last ack (duplicates only of unacked events)', async () => {
    const c1 = await client();
    const s1 = c1.subscribe({ name: 'crm', accounts: ['alice'] });
    const it1 = s1[Symbol.asyncIterator]();
    for (let i = 1; i <= 6; i++) msg('alice', i);
    const got = await take(it1, 4); // 1..4 handed out; 1..3 processed (auto-acked when 4 was asked for)
    expect(got.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    await s1.flush();
    await c1.close(); // a crash would look the same to the daemon: 4 was never acked
    expect(fake.cursors.get('crm\u0000alice')).toBe(3);
    const c2 = await client();
    const it2 = c2.subscribe({ name: 'crm', accounts: ['alice'] })[Symbol.asyncIterator]();
    expect((await take(it2, 3)).map((e) => e.seq)).toEqual([4, 5, 6]);
  });

  it('ends (done) when the client is closed; with the error when the daemon is gone for good', async () => {
    const c = await client();
    const stream = c.subscribe({});
    const next = stream.next();
    await c.close();
    expect(await next).toEqual({ value: undefined, done: true });
    const once = await client({ reconnect: false });
    const s2 = once.subscribe({});
    await s2.synced;
    const next2 = s2.next().catch((e: unknown) => e);
    await server!.close();
    server = undefined;
    expect(await next2).toMatchObject({ code: 'UNAVAILABLE' });
  });
});
