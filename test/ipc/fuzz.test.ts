/**
 * 10,000 hostile frames — invalid JSON, wrong field types, unknown types,
 * huge payloads, deep nesting, invalid UTF-8, binary garbage — each answered
 * with a contract error or a closed connection (1007 / 1009), while another
 * client keeps being served without a single failure. Seeded, so a failure
 * replays.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { rmSync } from 'node:fs';
import { startIpcServer, type IpcServer, REQUEST_TYPES } from '../../src/ipc/index.js';
import { FakeDaemon } from './fake-daemon.js';
import { Raw, tempSocket, type InFrame } from './raw.js';
import { prng } from '../protocol/binary/support.js';

const MAX_FRAME = 256 << 10;
const CODES = new Set(['AUTH_REQUIRED', 'AUTH_INVALID', 'TOKEN_EXPIRED', 'FORBIDDEN', 'NOT_MEMBER', 'INVALID_PAYLOAD', 'MISSING_FIELD', 'RATE_LIMITED', 'NOT_FOUND', 'ALREADY_EXISTS', 'INTERNAL_ERROR', 'UNAVAILABLE']);

let fake: FakeDaemon;
let server: IpcServer;
let dir: string;
let socket: string;

beforeAll(async () => {
  ({ dir, socket } = tempSocket());
  fake = new FakeDaemon();
  fake.seed('alice', '15550001111:2@s.whatsapp.net');
  fake.seed('bob', '15550002222:2@s.whatsapp.net');
  server = await startIpcServer(fake, { socketPath: socket, maxFrameBytes: MAX_FRAME, rateLimit: { perSecond: 1e6, burst: 1e6 }, accountRateLimit: { perSecond: 1e6, burst: 1e6 } });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Valid requests, one per type, to mutate. */
const TEMPLATES: Array<Record<string, any>> = [
  { type: 'account:add', data: { id: 'zed' } },
  { type: 'account:status', tenantId: 'alice', data: {} },
  { type: 'account:pair-code', tenantId: 'alice', data: { phone: '15550001111' } },
  { type: 'message:send', tenantId: 'alice', conversationId: '15550002222', data: { type: 'text', content: 'hi' } },
  { type: 'message:send', tenantId: 'alice', conversationId: '15550002222', data: { type: 'location', latitude: 1, longitude: 2 } },
  { type: 'message:send', tenantId: 'alice', conversationId: '15550002222', data: { type: 'poll', name: 'q', options: ['a', 'b'] } },
  { type: 'message:edit', tenantId: 'alice', conversationId: '15550002222', data: { messageId: 'M', content: 'x' } },
  { type: 'message:react', tenantId: 'alice', conversationId: '15550002222', data: { messageId: 'M', emoji: 'x' } },
  { type: 'message:read', tenantId: 'alice', conversationId: '15550002222', data: { messageIds: ['M'] } },
  { type: 'presence:update', tenantId: 'alice', data: { status: 'available' } },
  { type: 'group:create', tenantId: 'alice', data: { subject: 's', participants: ['15550002222'] } },
  { type: 'group:participants', tenantId: 'alice', conversationId: '120363000000000001', data: { action: 'add', participants: ['15550002222'] } },
  { type: 'events:ack', data: { name: 'n', account: 'alice', seq: 1 } },
  { type: 'events:subscribe', data: { name: 'n', types: ['message:new'] } },
];

/** Data fields without which a template is invalid. */
const REQUIRED: Record<string, string[]> = {
  'account:pair-code': ['phone'],
  'message:send': ['type', 'content', 'latitude', 'longitude', 'name', 'options'],
  'message:edit': ['messageId', 'content'],
  'message:react': ['messageId', 'emoji'],
  'message:read': ['messageIds'],
  'presence:update': ['status'],
  'group:create': ['subject', 'participants'],
  'group:participants': ['action', 'participants'],
  'events:ack': ['name', 'account', 'seq'],
};

const WRONG: Record<string, unknown[]> = {
  string: [5, -1.5, true, [], ['a'], {}, { a: 1 }],
  number: ['5', true, [], {}, Number.NaN === 0 ? 0 : 'NaN', 1e400 === Infinity ? '∞' : 0],
  array: ['a', 5, { 0: 'a' }, true],
  object: ['a', 5, [], true],
  boolean: ['true', 1, [], {}],
};
const kind = (v: unknown): keyof typeof WRONG => (Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : (typeof v as 'string'));

/** One hostile frame: what to send, and as what. */
function hostile(r: () => number, i: number): { payload: string | Buffer; binary: boolean; kind: string } {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const roll = r();
  const valid = (): Record<string, any> => ({ id: `f${i}`, version: 1, timestamp: Date.now(), ack: r() < 0.5, ...structuredClone(pick(TEMPLATES)) });
  if (roll < 0.15) {
    // Random characters: not JSON, or JSON that is not a request.
    const n = Math.floor(r() * 200);
    let s = '';
    for (let k = 0; k < n; k++) s += String.fromCharCode(Math.floor(r() * 0x2fff));
    return { payload: s, binary: false, kind: 'garbage text' };
  }
  if (roll < 0.3) {
    const s = JSON.stringify(valid());
    return { payload: s.slice(0, Math.floor(r() * (s.length - 1))), binary: false, kind: 'truncated' };
  }
  if (roll < 0.4) {
    const f = valid();
    f['type'] = pick(['', 'x', 'message:sendd', 'Account:list', '__proto__', 'constructor', 'ack', 'error', 'events:synced', pick(REQUEST_TYPES) + ' ']);
    return { payload: JSON.stringify(f), binary: false, kind: 'unknown type' };
  }
  if (roll < 0.7) {
    // One field of a valid request gets a value of the wrong type.
    const f = valid();
    const envelope = ['id', 'type', 'version', 'timestamp', 'ack', 'tenantId', 'conversationId', 'data'].filter((k) => f[k] !== undefined);
    const dataKeys = Object.keys(f['data'] ?? {}).filter((k) => !(f['type'] === 'account:add' && k === 'id'));
    if (dataKeys.length > 0 && r() < 0.6) {
      const k = pick(dataKeys);
      f['data'][k] = pick(WRONG[kind(f['data'][k])]!);
      return { payload: JSON.stringify(f), binary: false, kind: `wrong type data.${k}` };
    }
    const k = pick(envelope);
    f[k] = k === 'version' ? pick([2, 0, '1', null === f ? 1 : 1.5]) : k === 'data' ? pick(['x', 5, [], true]) : pick(WRONG[kind(f[k])]!);
    return { payload: JSON.stringify(f), binary: false, kind: `wrong type ${k}` };
  }
  if (roll < 0.78) {
    const f = valid();
    const k = pick((REQUIRED[f['type'] as string] ?? []).filter((x) => f['data'][x] !== undefined).concat(['id', 'type']));
    if (k === 'id' || k === 'type') delete f[k];
    else delete f['data'][k];
    return { payload: JSON.stringify(f), binary: false, kind: `missing ${k}` };
  }
  if (roll < 0.84) {
    const depth = 1000 + Math.floor(r() * 20_000);
    return { payload: `{"id":"d${i}","type":"account:list","data":${'['.repeat(depth)}${']'.repeat(depth)}}`, binary: false, kind: 'deep nesting' };
  }
  if (roll < 0.86) {
    const f = valid();
    f['data'] = { ...f['data'], pad: 'p'.repeat(MAX_FRAME + Math.floor(r() * 1000)) };
    return { payload: JSON.stringify(f), binary: false, kind: 'huge' };
  }
  if (roll < 0.88) {
    const b = Buffer.from(JSON.stringify(valid()));
    b[Math.floor(r() * b.length)] = 0xff;
    return { payload: b, binary: false, kind: 'invalid utf-8 text' };
  }
  const n = Math.floor(r() * 100);
  const b = Buffer.alloc(n);
  for (let k = 0; k < n; k++) b[k] = Math.floor(r() * 256);
  if (n >= 16 && r() < 0.5) b.writeUInt32BE(n, 0);
  return { payload: b, binary: true, kind: 'binary garbage' };
}

it('10,000 hostile frames: each answered with a contract error or a closed connection; the daemon serves others throughout', async () => {
  const r = prng(0x5eed);
  let bystanderOk = 0;
  let stop = false;
  const bystander = await Raw.open(socket);
  const bystanding = (async () => {
    while (!stop) {
      const a = await bystander.request('message:send', { type: 'text', content: `ok ${bystanderOk}` }, { tenantId: 'alice', conversationId: '15550002222' });
      expect(a.data.success, JSON.stringify(a.data)).toBe(true);
      bystanderOk++;
      await new Promise((res) => setTimeout(res, 2));
    }
  })();

  const outcomes = new Map<string, number>();
  let c = await Raw.open(socket);
  for (let i = 0; i < 10_000; i++) {
    const h = hostile(r, i);
    c.ws.send(h.payload, { binary: h.binary, compress: h.payload.length > 1024 });
    const got = await c.nextOrClose(10_000);
    let outcome: string;
    if ('closed' in got) {
      expect([1007, 1009], `${h.kind}: closed ${got.closed.code}`).toContain(got.closed.code);
      outcome = `closed ${got.closed.code}`;
      c = await Raw.open(socket);
    } else {
      const f = got as InFrame;
      const code = f.type === 'error' ? f.data.code : f.type === 'ack' && f.data.success === false ? f.data.error.code : undefined;
      expect(CODES.has(code), `${h.kind}: ${JSON.stringify(f).slice(0, 300)}`).toBe(true);
      outcome = String(code);
    }
    outcomes.set(`${h.kind.split(' data.')[0]!.split(' ')[0]} → ${outcome}`, (outcomes.get(`${h.kind.split(' data.')[0]!.split(' ')[0]} → ${outcome}`) ?? 0) + 1);
  }
  stop = true;
  if (process.env['FUZZ_REPORT']) console.log([...outcomes].sort().map(([k, n]) => `${n}\t${k}`).join('\n'));
  await bystanding;
  await c.close();
  await bystander.close();
  expect(bystanderOk).toBeGreaterThan(20);
  // Every family of hostile input was exercised.
  const seen = [...outcomes.keys()].join('\n');
  for (const k of ['garbage', 'truncated', 'unknown', 'wrong', 'missing', 'deep', 'huge → closed 1009', 'invalid → closed 1007', 'binary → closed 1007']) expect(seen).toContain(k);
  // No request reached the daemon except the bystander's.
  expect(fake.calls.filter((x) => x.method !== 'sendMessage' && x.method !== 'listAccounts')).toEqual([]);
  // Our side of each close resolves before the server has handled its own: wait for it to.
  await vi.waitFor(() => expect(server.connections).toBe(0), { timeout: 10_000, interval: 20 });
  // 10,000 round trips one after another: seconds alone, far more on a loaded 2-core machine.
}, 180_000);
