/**
 * Who may talk to the daemon and how much: the socket refuses other users,
 * the TCP listener wants a valid, unexpired bearer token and keeps a token to
 * its accounts, rate limits answer RATE_LIMITED with retryAfter per
 * connection and per account, and connections are capped.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { startIpcServer, type IpcServer } from '../../src/ipc/index.js';
import type { IpcServerOptions } from '../../src/ipc/options.js';
import { FakeDaemon } from './fake-daemon.js';
import { Raw, tempSocket } from './raw.js';

let fake: FakeDaemon;
let server: IpcServer;
let dir: string;
let socket: string;
const clients: Raw[] = [];
let clock = 1_800_000_000_000;

async function start(opts: Partial<IpcServerOptions> = {}): Promise<void> {
  await server?.close();
  server = await startIpcServer(fake, { socketPath: socket, now: () => clock, ...opts });
}

async function open(): Promise<Raw> {
  const c = await Raw.open(socket);
  clients.push(c);
  return c;
}

async function openTcp(token?: string): Promise<Raw> {
  const c = await Raw.openUrl(`ws://127.0.0.1:${server.tcp!.port}/`, token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } });
  clients.push(c);
  return c;
}

beforeEach(async () => {
  ({ dir, socket } = tempSocket());
  fake = new FakeDaemon();
  fake.seed('alice', '15550001111:2@s.whatsapp.net');
  fake.seed('bob', '15550002222:2@s.whatsapp.net');
  server = undefined as unknown as IpcServer;
  await start();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const asRoot = process.getuid?.() === 0;

describe('the Unix socket', () => {
  it.skipIf(!asRoot)('refuses a second user (EACCES), who gets in only when the mode is opened (control)', () => {
    chmodSync(dir, 0o755);
    const probe = (): string => {
      const r = spawnSync(
        process.execPath,
        ['-e', `const s=require('net').connect(${JSON.stringify(socket)});s.on('connect',()=>{console.log('CONNECTED');s.destroy()});s.on('error',(e)=>console.log(e.code))`],
        { uid: 65534, gid: 65534, encoding: 'utf8', timeout: 10_000 },
      );
      return r.stdout.trim();
    };
    expect(probe()).toBe('EACCES');
    chmodSync(socket, 0o666);
    expect(probe()).toBe('CONNECTED');
    chmodSync(socket, 0o600);
  });
});

describe('the TCP listener', () => {
  beforeEach(async () => {
    await start({
      listen: { host: '127.0.0.1', port: 0 },
      tokens: [{ token: 'good-token' }, { token: 'old-token', expiresAt: clock - 1 }, { token: 'alice-only', accounts: ['alice'] }, { token: 'soon', expiresAt: clock + 60_000 }],
    });
  });

  it('wants a bearer token: AUTH_REQUIRED, AUTH_INVALID, TOKEN_EXPIRED as HTTP 401 with the code', async () => {
    for (const [token, code] of [
      [undefined, 'AUTH_REQUIRED'],
      ['wrong', 'AUTH_INVALID'],
      ['old-token', 'TOKEN_EXPIRED'],
    ] as const) {
      const err = await openTcp(token).then(
        () => undefined,
        (e: { status: number; body: { code: string } }) => e,
      );
      expect(err, String(token)).toMatchObject({ status: 401, body: { code } });
    }
    const raw = await Raw.openUrl(`ws://127.0.0.1:${server.tcp!.port}/`, { headers: { Authorization: 'Basic Zm9vOmJhcg==' } }).catch((e: { body: unknown }) => e.body);
    expect(raw).toMatchObject({ code: 'AUTH_INVALID' });
    const c = await openTcp('good-token');
    expect((await c.request('account:list')).data.accounts).toHaveLength(2);
  });

  it('keeps a scoped token to its accounts (FORBIDDEN), in lists and event streams too', async () => {
    const c = await openTcp('alice-only');
    expect((await c.request('account:list')).data.accounts.map((a: { id: string }) => a.id)).toEqual(['alice']);
    expect((await c.request('account:status', {}, { tenantId: 'bob' })).data.error.code).toBe('FORBIDDEN');
    expect((await c.request('events:ack', { name: 'n', account: 'bob', seq: 1 })).data.error.code).toBe('FORBIDDEN');
    expect((await c.request('events:subscribe', { accounts: ['bob'] })).data.error.code).toBe('FORBIDDEN');
    await c.request('events:subscribe', {});
    fake.emit('bob', 'message:new', { id: 'B' });
    fake.emit('alice', 'message:new', { id: 'A' });
    const ev = await c.next((f) => f.type === 'message:new');
    expect(ev.data.id).toBe('A');
    expect(c.frames.filter((f) => f.type === 'message:new')).toEqual([]);
  });

  it('local paths for media are refused over TCP', async () => {
    const c = await openTcp('good-token');
    const ans = await c.request('message:send', { type: 'document', path: '/etc/passwd' }, { tenantId: 'alice', conversationId: '15550002222' });
    expect(ans.data.error.code).toBe('FORBIDDEN');
    expect(fake.media).toEqual([]);
  });

  it('a token that expires while connected: TOKEN_EXPIRED, then the connection closes (4001)', async () => {
    const c = await openTcp('soon');
    expect((await c.request('account:list')).data.success).toBe(true);
    clock += 60_000;
    expect((await c.request('account:list')).data.error.code).toBe('TOKEN_EXPIRED');
    expect((await c.whenClosed()).code).toBe(4001);
  });
});

describe('limits', () => {
  it('rate-limits per connection with retryAfter; another connection is unaffected; tokens come back with time', async () => {
    await start({ rateLimit: { perSecond: 10, burst: 5 } });
    const c = await open();
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(await c.request('account:list'));
    expect(answers.slice(0, 5).every((a) => a.data.success)).toBe(true);
    expect(answers[5]!.data).toMatchObject({ success: false, error: { code: 'RATE_LIMITED', retryAfter: 100, details: { limit: 'connection' } } });
    // Acks do not count: a busy consumer's acks never starve its requests (nor the reverse).
    expect((await c.request('events:ack', { name: 'n', account: 'alice', seq: 0 })).data.success).toBe(true);
    const other = await open();
    expect((await other.request('account:list')).data.success).toBe(true);
    clock += 100;
    expect((await c.request('account:list')).data.success).toBe(true);
  });

  it('rate-limits per account across connections', async () => {
    await start({ accountRateLimit: { perSecond: 2, burst: 3 } });
    const a = await open();
    const b = await open();
    const res = [];
    for (const c of [a, b, a, b]) res.push((await c.request('account:status', {}, { tenantId: 'alice' })).data);
    expect(res.map((d) => d.success)).toEqual([true, true, true, false]);
    expect(res[3]).toMatchObject({ error: { code: 'RATE_LIMITED', retryAfter: 500, details: { limit: 'account' } } });
    expect((await b.request('account:status', {}, { tenantId: 'bob' })).data.success).toBe(true);
  });

  it('caps connections: an owner newcomer pushes out the connection idle the longest (1013); busy ones stay, and then the next is refused (503)', async () => {
    await start({ maxConnections: 2 });
    const a = await open();
    const b = await open();
    // b was heard from last: a has been idle the longest.
    expect((await b.request('account:list')).data.success).toBe(true);
    const c = await open();
    expect((await a.whenClosed()).code).toBe(1013);
    expect(b.closed).toBeUndefined();
    // Subscribed connections are not idle: nobody gives way now.
    for (const x of [b, c]) await x.request('events:subscribe', {});
    await expect(open()).rejects.toThrow(/503/);
    expect(server.connections).toBe(2);
  });
});
