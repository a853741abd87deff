/**
 * Admission control on the control socket: handshake and idle deadlines, the
 * caps on handshakes and per TCP peer, who gives way to whom (the owner
 * before strangers, strangers only to strangers), the descriptor budget, and
 * a token's expiry cutting a subscribed connection. The clock is the test's,
 * so deadlines pass when the test says.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { startIpcServer, type IpcServer } from '../../src/ipc/index.js';
import type { IpcServerOptions } from '../../src/ipc/options.js';
import type { FdSource } from '../../src/ipc/fd-budget.js';
import { FakeDaemon } from './fake-daemon.js';
import { Raw, tempSocket } from './raw.js';

let fake: FakeDaemon;
let server: IpcServer;
let dir: string;
let socket: string;
let clock = 1_900_000_000_000;
const clients: Raw[] = [];
const sockets: Socket[] = [];

async function start(opts: Partial<IpcServerOptions> = {}): Promise<void> {
  await server?.close();
  server = await startIpcServer(fake, { socketPath: socket, now: () => clock, handshakeTimeoutMs: 1000, ...opts });
}

function startTcp(opts: Partial<IpcServerOptions> = {}): Promise<void> {
  return start({ listen: { host: '127.0.0.1', port: 0 }, tokens: [{ token: 'good' }, { token: 'soon', expiresAt: clock + 60_000 }], ...opts });
}

/** A bare socket that says nothing (or half a request): an unfinished handshake. */
function idleSocket(kind: 'unix' | 'tcp', partial = false): Promise<Socket & { gone: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const s = kind === 'unix' ? connect(socket) : connect({ host: '127.0.0.1', port: server.tcp!.port });
    const gone = new Promise<void>((r) => s.once('close', () => r()));
    s.on('error', () => {});
    // Reading, so that the daemon's end of it (or its 503) is noticed.
    s.resume();
    s.once('connect', () => {
      if (partial) s.write('GET / HTTP/1.1\r\nHost: x\r\n');
      sockets.push(s);
      resolve(Object.assign(s, { gone }));
    });
    s.once('error', reject);
  });
}

async function open(): Promise<Raw> {
  const c = await Raw.open(socket);
  clients.push(c);
  return c;
}

async function openTcp(token: string): Promise<Raw> {
  const c = await Raw.openUrl(`ws://127.0.0.1:${server.tcp!.port}/`, { headers: { Authorization: `Bearer ${token}` } });
  clients.push(c);
  return c;
}

/** Until the server has seen what the test did (accepts are asynchronous). */
async function settle(pred: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(pred()).toBe(true);
}

/** Lets a few sweeps run (they run every quarter of the handshake deadline, on the real clock). */
const sweeps = (): Promise<void> => new Promise((r) => setTimeout(r, 300));

beforeEach(async () => {
  ({ dir, socket } = tempSocket());
  fake = new FakeDaemon();
  fake.seed('alice', '15550001111:2@s.whatsapp.net');
  server = undefined as unknown as IpcServer;
  await start();
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('deadlines', () => {
  it('a socket that does not finish its upgrade in time is cut; a finished one stays', async () => {
    await startTcp();
    const quiet = await idleSocket('unix');
    const half = await idleSocket('tcp', true);
    const ws = await open();
    await settle(() => server.admission.handshakes === 2);
    await sweeps();
    expect(server.admission.handshakes).toBe(2);
    clock += 1000;
    await Promise.all([quiet.gone, half.gone]);
    expect(server.admission).toMatchObject({ handshakes: 0, connections: 1, timedOut: 2 });
    expect((await ws.request('account:list')).data.success).toBe(true);
  });

  it('a connection with nothing going on is closed (1013) after the idle deadline; subscribed, watching or busy ones are not', async () => {
    await start({ idleTimeoutMs: 60_000 });
    const idle = await open();
    const subscribed = await open();
    await subscribed.request('events:subscribe', {});
    const watching = await open();
    // account:add makes the connection watch the new account until it is online.
    expect((await watching.request('account:add', { id: 'carol' })).data.success).toBe(true);
    clock += 59_000;
    await sweeps();
    expect(idle.closed).toBeUndefined();
    clock += 1_000;
    expect((await idle.whenClosed()).code).toBe(1013);
    await sweeps();
    expect(subscribed.closed).toBeUndefined();
    expect(watching.closed).toBeUndefined();
    expect(server.connections).toBe(2);
  });
});

describe('caps and who gives way', () => {
  it('per TCP peer: the peer\'s oldest unfinished handshake gives way; with all its slots upgraded, the next is refused (503)', async () => {
    await startTcp({ maxConnectionsPerPeer: 3 });
    const first = await idleSocket('tcp');
    await idleSocket('tcp');
    await idleSocket('tcp');
    await settle(() => server.admission.handshakes === 3);
    await idleSocket('tcp');
    await first.gone;
    await settle(() => server.admission.handshakes === 3);
    // Three token clients take the three slots, pushing out the bare sockets.
    for (let i = 0; i < 3; i++) await openTcp('good');
    await settle(() => server.admission.handshakes === 0 && server.connections === 3);
    await expect(openTcp('good')).rejects.toMatchObject({ status: 503 });
    // The owner is not a TCP peer.
    expect((await (await open()).request('account:list')).data.success).toBe(true);
  });

  it('handshakes: the oldest gives way; a stranger may push out a stranger, never the owner', async () => {
    await startTcp({ maxHandshakes: 2 });
    const u1 = await idleSocket('unix');
    const u2 = await idleSocket('unix');
    await settle(() => server.admission.handshakes === 2);
    const stranger = await idleSocket('tcp');
    await stranger.gone;
    expect(u1.destroyed || u2.destroyed).toBe(false);
    // The owner's newcomer pushes out the owner's oldest unfinished handshake and gets in.
    const c = await open();
    await u1.gone;
    expect((await c.request('account:list')).data.success).toBe(true);
    expect(server.admission.refused).toBe(1);
  });

  it('the owner pushes out a stranger\'s handshake before anything of its own', async () => {
    await startTcp({ maxConnections: 2 });
    const idle = await open();
    const stranger = await idleSocket('tcp');
    await settle(() => server.admission.handshakes === 1);
    const c = await open();
    await stranger.gone;
    expect(idle.closed).toBeUndefined();
    expect((await c.request('account:list')).data.success).toBe(true);
  });
});

describe('file descriptors', () => {
  /** A process with 60 descriptors open besides the control socket's, and a limit of 100. */
  const small: FdSource = { limit: () => 100, count: async () => 60, countNow: () => 60 };

  it('strangers stop short of the reserve, the owner may use half of it, nobody more', async () => {
    await startTcp({ fdSource: small, fdReserve: 20, maxConnectionsPerPeer: 1000 });
    for (let i = 0; i < 25; i++) await idleSocket('tcp');
    // 100 - 20 reserved - 60 others: strangers hold 20 at most, newer ones in place of older ones.
    await settle(() => server.admission.evicted === 5);
    expect(server.admission.sockets).toBe(20);
    for (let i = 0; i < 15; i++) await idleSocket('unix');
    // The owner may dip into half the reserve: 30 in all, the last five in strangers' places.
    await settle(() => server.admission.evicted === 10);
    expect(server.admission.sockets).toBe(30);
    const c = await open();
    expect((await c.request('account:list')).data.success).toBe(true);
    expect(server.admission.sockets).toBe(30);
  });

  it('a stranger is refused at once when strangers cannot free enough', async () => {
    await startTcp({ fdSource: small, fdReserve: 20 });
    for (let i = 0; i < 30; i++) await idleSocket('unix');
    await settle(() => server.admission.sockets === 30);
    const s = await idleSocket('tcp');
    await s.gone;
    expect(server.admission).toMatchObject({ sockets: 30, refused: 1, evicted: 0 });
  });
});

describe('token expiry', () => {
  it('a subscribed connection gets no event once its token has expired, and is closed (4001)', async () => {
    await startTcp();
    const c = await openTcp('soon');
    await c.request('events:subscribe', {});
    fake.emit('alice', 'message:new', { id: 'before' });
    expect((await c.next((f) => f.type === 'message:new')).data.id).toBe('before');
    clock += 60_000;
    fake.emit('alice', 'message:new', { id: 'after' });
    expect((await c.whenClosed()).code).toBe(4001);
    expect(c.frames.filter((f) => f.type === 'message:new')).toEqual([]);
  });

  it('is ended at expiry even when nothing happens on it', async () => {
    await server.close();
    server = await startIpcServer(fake, { socketPath: socket, listen: { host: '127.0.0.1', port: 0 }, tokens: [{ token: 'brief', expiresAt: Date.now() + 300 }] });
    const c = await openTcp('brief');
    await c.request('events:subscribe', {});
    expect((await c.whenClosed()).code).toBe(4001);
  });
});
