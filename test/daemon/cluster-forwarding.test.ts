// Request forwarding between daemons, without a database: the owner's
// listener (secret, bounds, the lease check) and the forwarding side (the
// router and its peer client) against a fake daemon, the owner lookup given.
import { createServer as createHttpServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFiles } from '../../src/account/media/local-file.js';
import type { MediaDownload } from '../../src/contract/api.js';
import { ClusterSecret } from '../../src/daemon/cluster/secret.js';
import { startForwardServer, type ForwardServer } from '../../src/daemon/cluster/forward-server.js';
import { FORWARD_PATH, PeerClient, PeerError } from '../../src/daemon/cluster/peer-client.js';
import { ForwardRouter } from '../../src/daemon/cluster/router.js';
import { withOwners } from '../../src/daemon/cluster/accounts-view.js';
import { webhooksOfAll } from '../../src/daemon/cluster/webhooks-view.js';
import type { PeerAnswer } from '../../src/daemon/cluster/peer-answer.js';
import { dispatch } from '../../src/ipc/dispatch.js';
import { toErrorPayload } from '../../src/ipc/errors.js';
import { parseFrame, type Request } from '../../src/ipc/requests.js';
import { NO_UPLOADS } from '../../src/http/control.js';
import { FakeDaemon } from '../ipc/fake-daemon.js';

const SECRET = 'the-shared-secret-of-this-test-cluster';
const quiet = pino({ level: 'silent' });
const JID = '15550001111@s.whatsapp.net';

let spool: string;
const closers: Array<() => unknown> = [];

beforeAll(async () => {
  spool = await mkdtemp(join(tmpdir(), 'wad-fwd-unit-'));
});
afterAll(async () => {
  for (const c of closers.reverse()) await c();
  await rm(spool, { recursive: true, force: true });
});

/** An owner daemon's listener over a fake daemon that runs `held` accounts. */
async function owner(opts: { held?: Set<string>; maxInflight?: number; maxBytes?: number; maxUploadBytes?: number } = {}) {
  const api = new FakeDaemon();
  api.seed('acc', '15550002222:2@s.whatsapp.net');
  const held = opts.held ?? new Set(['acc']);
  const server: ForwardServer = await startForwardServer({
    listen: { host: '127.0.0.1', port: 0 },
    secret: new ClusterSecret(SECRET),
    daemonId: 'owner',
    held: (a) => held.has(a),
    api,
    maxInflight: opts.maxInflight ?? 8,
    maxBytes: opts.maxBytes ?? 1 << 20,
    maxUploadBytes: opts.maxUploadBytes ?? 1 << 20,
    spoolDir: join(spool, 'owner'),
    idleMs: 10_000,
    logger: quiet,
  });
  closers.push(() => server.close());
  return { api, server, held, endpoint: `http://127.0.0.1:${server.address.port}` };
}

function client(opts: { secret?: string; maxInflight?: number; maxBytes?: number; timeoutMs?: number } = {}): PeerClient {
  const c = new PeerClient({ secret: new ClusterSecret(opts.secret ?? SECRET), daemonId: 'here', timeoutMs: opts.timeoutMs ?? 5000, maxBytes: opts.maxBytes ?? 1 << 20, maxInflight: opts.maxInflight ?? 8 });
  closers.push(() => c.close());
  return c;
}

/** A router on a daemon that holds nothing and finds every account at `endpoint`, with more of its deps given. */
function routerWith(endpoint: string, more: Partial<ConstructorParameters<typeof ForwardRouter>[0]>): ForwardRouter {
  return new ForwardRouter({ daemonId: 'here', held: () => false, owners: { lookup: async () => ({ owner: 'owner', endpoint }), forget: () => {} }, peers: client(), timeoutMs: 5000, logger: quiet, ...more });
}

/** A router on a daemon that holds nothing and finds every account at `endpoint`; counts lookups. */
function router(endpoint: string | null, peers: PeerClient = client()) {
  const lookups: string[] = [];
  const r = new ForwardRouter({
    daemonId: 'here',
    held: () => false,
    owners: {
      lookup: async (a) => {
        lookups.push(a);
        return { owner: 'owner', endpoint };
      },
      forget: () => {},
    },
    peers,
    timeoutMs: 5000,
    logger: quiet,
  });
  return { r, lookups };
}

const req = (frame: Record<string, unknown>): Request => parseFrame({ id: 'r1', ack: true, ...frame });

/** What the caller would get: the result, or the error payload. */
async function outcome(p: Promise<Record<string, unknown>>): Promise<{ ok: true; result: Record<string, unknown> } | { ok: false; error: ReturnType<typeof toErrorPayload> }> {
  return p.then(
    (result) => ({ ok: true as const, result }),
    (err: unknown) => ({ ok: false as const, error: toErrorPayload(err) }),
  );
}

const notHere = () => Promise.reject(new Error('ran here instead of at the owner'));

describe('the cluster secret', () => {
  it('accepts exactly "Bearer <secret>" and nothing else', () => {
    const s = new ClusterSecret(SECRET);
    expect(s.accepts(s.header)).toBe(true);
    expect(s.accepts(`bearer   ${SECRET}`)).toBe(true);
    for (const h of [undefined, '', SECRET, `Bearer ${SECRET}x`, `Bearer ${SECRET.slice(0, -1)}`, `Basic ${SECRET}`, `Bearer ${SECRET} extra`]) expect(s.accepts(h), String(h)).toBe(false);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80 }), (guess) => {
        expect(s.accepts(`Bearer ${guess}`)).toBe(guess === SECRET);
      }),
    );
  });
});

describe('a forwarded request', () => {
  it("runs at the owner and comes back as the owner's answer, its errors unchanged", async () => {
    const o = await owner();
    const { r } = router(o.endpoint);
    const status = await outcome(r.run(req({ type: 'account:status', tenantId: 'acc' }), NO_UPLOADS, notHere));
    expect(status).toEqual({ ok: true, result: { ...o.api.accountStatus('acc') } });
    // The same error the owner gives its own callers, field for field.
    const unknownAccount = req({ type: 'message:send', tenantId: 'nobody', conversationId: JID, data: { type: 'text', content: 'x' } });
    const direct = await outcome(dispatch(unknownAccount, { api: o.api, uploads: NO_UPLOADS, allowPaths: false, scope: undefined }));
    o.held.add('nobody');
    expect(direct.ok).toBe(false);
    expect(await outcome(r.run(unknownAccount, NO_UPLOADS, notHere))).toEqual(direct);
  });

  it('with a wrong secret is refused before anything runs', async () => {
    const o = await owner();
    const before = o.api.calls.length;
    const err = await client({ secret: 'another-secret-of-another-cluster-x' }).post(o.endpoint, { id: 'r', type: 'account:status', tenantId: 'acc' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PeerError);
    expect((err as PeerError).reason).toBe('refused-secret');
    expect(o.api.calls.length).toBe(before);
  });

  it('is refused by a daemon that no longer holds the account, looked up again once, and never bounced further', async () => {
    const o = await owner({ held: new Set() });
    const { r, lookups } = router(o.endpoint);
    const got = await outcome(r.run(req({ type: 'account:status', tenantId: 'acc' }), NO_UPLOADS, notHere));
    expect(got.ok).toBe(false);
    if (got.ok) return;
    expect(got.error.code).toBe('UNAVAILABLE');
    expect(got.error.details).toMatchObject({ account: 'acc', owner: 'owner', notOwner: true });
    // One lookup, one fresh lookup after the refusal: two tries in all.
    expect(lookups).toEqual(['acc', 'acc']);
    expect(o.api.calls.filter((c) => c.method === 'accountStatus')).toHaveLength(0);
  });

  it('beyond the frame bound is refused (413 at the owner, or not sent at all)', async () => {
    const o = await owner({ maxBytes: 2048 });
    const big = req({ type: 'message:send', tenantId: 'acc', conversationId: JID, data: { type: 'text', content: 'x'.repeat(4000) } });
    const atOwner = await outcome(router(o.endpoint).r.run(big, NO_UPLOADS, notHere));
    expect(atOwner).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    const unsent = await outcome(router(o.endpoint, client({ maxBytes: 2048 })).r.run(big, NO_UPLOADS, notHere));
    expect(unsent).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(o.api.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(0);
  });

  it('with an upload over the bound is refused; one within it is sent as the owner read it', async () => {
    const o = await owner({ maxUploadBytes: 10_000 });
    const dir = await mkdtemp(join(spool, 'up-'));
    const { writeFile } = await import('node:fs/promises');
    const send = async (bytes: number) => {
      const path = join(dir, `u${bytes}`);
      await writeFile(path, Buffer.alloc(bytes, 7));
      const uploads = { take: async () => ({ path, mimeType: 'application/pdf', type: 'document' as const, bytes }), release: async () => {} };
      return outcome(router(o.endpoint).r.run(req({ type: 'message:send', tenantId: 'acc', conversationId: JID, data: { type: 'document', upload: 1, fileName: 'a.pdf' } }), uploads, notHere));
    };
    expect(await send(20_000)).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await send(9_000)).toMatchObject({ ok: true });
    expect(o.api.media).toHaveLength(1);
    expect(o.api.media[0]!.bytes).toEqual(new Uint8Array(9_000).fill(7));
    // A profile picture's upload too (its request takes no mimeType).
    const path = join(dir, 'picture');
    await writeFile(path, Buffer.alloc(500, 9));
    const uploads = { take: async () => ({ path, mimeType: 'image/jpeg', type: 'image' as const, bytes: 500 }), release: async () => {} };
    expect(await outcome(router(o.endpoint).r.run(req({ type: 'profile:picture', tenantId: 'acc', data: { upload: 1 } }), uploads, notHere))).toEqual({ ok: true, result: { id: '2' } });
    const picture = o.api.calls.find((c) => c.method === 'setProfilePicture')!.args[1] as { size: number; read(): AsyncIterable<Uint8Array> };
    expect(picture.size).toBe(500);
  });

  it('beyond the in-flight bounds is RATE_LIMITED at once, at either end', async () => {
    const o = await owner({ maxInflight: 1 });
    let release!: () => void;
    o.api.holdNext.set('sendMessage', new Promise<void>((r) => (release = r)));
    const send = req({ type: 'message:send', tenantId: 'acc', conversationId: JID, data: { type: 'text', content: 'held' } });
    const first = outcome(router(o.endpoint).r.run(send, NO_UPLOADS, notHere));
    await expectEventually(() => o.api.calls.some((c) => c.method === 'sendMessage'));
    expect(await outcome(router(o.endpoint).r.run(send, NO_UPLOADS, notHere))).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    // The forwarding side's own bound: one in flight from this client.
    const one = client({ maxInflight: 1 });
    const o2 = await owner();
    let release2!: () => void;
    o2.api.holdNext.set('sendMessage', new Promise<void>((r) => (release2 = r)));
    const held = outcome(router(o2.endpoint, one).r.run(send, NO_UPLOADS, notHere));
    await expectEventually(() => one.inflight === 1 && o2.api.calls.some((c) => c.method === 'sendMessage'));
    expect(await outcome(router(o2.endpoint, one).r.run(send, NO_UPLOADS, notHere))).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', retryAfter: 1000 } });
    release();
    release2();
    expect(await first).toMatchObject({ ok: true });
    expect(await held).toMatchObject({ ok: true });
  });

  it('with an answer over the bound, or from an owner that takes none, is UNAVAILABLE naming the owner', async () => {
    const huge: Server = createHttpServer((q, s) => {
      q.resume();
      s.end(JSON.stringify({ ok: true, result: { pad: 'x'.repeat(100_000) } }));
    });
    await new Promise<void>((r) => huge.listen(0, '127.0.0.1', () => r()));
    closers.push(() => huge.close());
    const endpoint = `http://127.0.0.1:${(huge.address() as { port: number }).port}`;
    const status = req({ type: 'account:status', tenantId: 'acc' });
    const over = await outcome(router(endpoint, client({ maxBytes: 10_000 })).r.run(status, NO_UPLOADS, notHere));
    expect(over).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', details: { account: 'acc', owner: 'owner', endpoint, reason: 'bad-answer' } } });
    const none = await outcome(router(null).r.run(status, NO_UPLOADS, notHere));
    expect(none).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', details: { account: 'acc', owner: 'owner', endpoint: null } } });
  });

  it('naming a local file by path: read here under this daemon\'s path policy and sent as an upload; refused here as for a local account; requests without an account run here', async () => {
    const o = await owner();
    const dir = await mkdtemp(join(spool, 'paths-'));
    const files = await LocalFiles.create({ allowedRoots: [dir], maxBytes: 100_000 });
    const r = routerWith(o.endpoint, { localFiles: files });
    const path = join(dir, 'report.pdf');
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 13) & 0xff));
    await writeFile(path, bytes);
    const send = (p: string, allowPaths = true) => outcome(r.run(req({ type: 'message:send', tenantId: 'acc', conversationId: JID, data: { type: 'document', path: p } }), NO_UPLOADS, notHere, { allowPaths }));
    expect(await send(path)).toMatchObject({ ok: true });
    expect(o.api.media).toHaveLength(1);
    expect(Buffer.from(o.api.media[0]!.bytes).equals(bytes)).toBe(true);
    expect(o.api.media[0]!.content).toMatchObject({ type: 'document', fileName: 'report.pdf', mimeType: 'application/pdf' });
    // Refused here, before the owner is asked: the caller's connection takes no paths, a path outside the roots, too large.
    expect(await send(path, false)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', details: { field: 'data.path' } } });
    expect(await send('/etc/hostname')).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', details: { media: 'PATH_REFUSED', reason: 'OUTSIDE_ROOTS' } } });
    await writeFile(join(dir, 'big'), Buffer.alloc(100_001));
    expect(await send(join(dir, 'big'))).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD', details: { media: 'PATH_REFUSED', reason: 'TOO_LARGE' } } });
    expect(o.api.media).toHaveLength(1);
    expect(await outcome(router('http://127.0.0.1:9').r.run(req({ type: 'webhook:list' }), NO_UPLOADS, async () => ({ here: true })))).toEqual({ ok: true, result: { here: true } });
    expect(new URL(FORWARD_PATH, 'http://x').pathname).toBe('/wad-cluster/v1/request');
  });
});

describe('a forwarded download', () => {
  /** A MediaDownload of `bytes` in 64 KiB pieces that fails after `failAfter` bytes, or never sends more. */
  function served(bytes: Buffer, opts: { failAfter?: number; hangAfter?: number } = {}): MediaDownload {
    return {
      type: 'document',
      mimeType: 'application/pdf',
      fileName: 'f.pdf',
      fileLength: bytes.length,
      async *[Symbol.asyncIterator]() {
        for (let at = 0; at < bytes.length; at += 65_536) {
          if (opts.failAfter !== undefined && at >= opts.failAfter) throw new Error('verification failed');
          if (opts.hangAfter !== undefined && at >= opts.hangAfter) await new Promise(() => {});
          yield bytes.subarray(at, at + 65_536);
        }
      },
    };
  }
  const read = async (m: MediaDownload): Promise<Buffer> => {
    const parts: Uint8Array[] = [];
    for await (const p of m) parts.push(p);
    return Buffer.concat(parts);
  };

  it('streams the owner\'s bytes unchanged, with their description; its refusals come back as they were', async () => {
    const o = await owner();
    const bytes = randomBytes(300_000);
    o.api.files.set('M1', served(bytes));
    const peers = client();
    const m = (await router(o.endpoint, peers).r.download('acc', JID, 'M1'))!;
    expect(m).toMatchObject({ type: 'document', mimeType: 'application/pdf', fileName: 'f.pdf', fileLength: bytes.length });
    expect((await read(m)).equals(bytes)).toBe(true);
    await expectEventually(() => peers.inflight === 0);
    expect(await outcome(router(o.endpoint).r.download('acc', JID, 'NONE') as Promise<never>)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    // Not held there any more: the owner refuses, and with no owner left the download is this daemon's.
    const moved = await owner({ held: new Set() });
    const r = new ForwardRouter({ daemonId: 'here', held: () => false, owners: { lookup: async () => ({ owner: 'owner', endpoint: moved.endpoint }), forget: () => {} }, peers: client(), timeoutMs: 5000, logger: quiet });
    let asked = 0;
    const r2 = new ForwardRouter({ daemonId: 'here', held: () => false, owners: { lookup: async () => (asked++ === 0 ? { owner: 'owner', endpoint: moved.endpoint } : { owner: null, endpoint: null }), forget: () => {} }, peers: client(), timeoutMs: 5000, logger: quiet });
    expect(await outcome(r.download('acc', JID, 'M1') as Promise<never>)).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', details: { notOwner: true } } });
    expect(await r2.download('acc', JID, 'M1')).toBeUndefined();
  });

  it('that breaks off at the owner, or goes silent, fails naming the owner and never ends short; it holds an in-flight slot until it is done', async () => {
    const o = await owner();
    const bytes = randomBytes(400_000);
    o.api.files.set('BROKEN', served(bytes, { failAfter: 200_000 }));
    o.api.files.set('SILENT', served(bytes, { hangAfter: 200_000 }));
    const peers = client({ timeoutMs: 500, maxInflight: 1 });
    const { r } = router(o.endpoint, peers);
    const broken = (await r.download('acc', JID, 'BROKEN'))!;
    expect(await outcome(read(broken) as Promise<never>)).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', details: { account: 'acc', owner: 'owner', reason: 'broken' } } });
    await expectEventually(() => peers.inflight === 0);
    const silent = (await r.download('acc', JID, 'SILENT'))!;
    expect(peers.inflight).toBe(1);
    expect(await outcome(r.run(req({ type: 'account:status', tenantId: 'acc' }), NO_UPLOADS, notHere))).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(await outcome(read(silent) as Promise<never>)).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', details: { owner: 'owner', reason: 'timeout' } } });
    await expectEventually(() => peers.inflight === 0);
    // A download nobody reads is dropped after the same silence, freeing its slot.
    await r.download('acc', JID, 'BROKEN');
    await expectEventually(() => peers.inflight === 0);
  });
});

async function expectEventually(fn: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !fn(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(fn()).toBe(true);
}

describe('listings over the cluster', () => {
  const leases = new Map([
    ['mine', { owner: 'here', endpoint: 'http://here' }],
    ['theirs', { owner: 'x', endpoint: 'http://x' }],
    ['silent', { owner: 'y', endpoint: 'http://y' }],
  ]);
  /** Peers: x answers account:list and webhook:list; y never does. */
  const peers = {
    asked: [] as string[],
    post: async (endpoint: string, frame: Record<string, unknown>): Promise<PeerAnswer> => {
      peers.asked.push(`${endpoint} ${String(frame['type'])}`);
      if (endpoint !== 'http://x') throw new PeerError('timeout', 'no answer', true);
      if (frame['type'] === 'account:list') return { ok: true, result: { accounts: [{ id: 'theirs', state: 'online', jid: '1@s.whatsapp.net' }, { id: 'mine', state: 'stopped' }] } };
      return { ok: true, result: { webhooks: [{ id: 'w1', url: 'u', events: null, accounts: null, state: 'paused', lag: 5, delivered: 7, failures: 3, lastError: 'HTTP 500' }] } };
    },
  };
  const deps = { owners: { all: async () => leases }, peers, daemonId: 'here', endpoint: 'http://here', timeoutMs: 5000, logger: quiet };

  it('account:list: each account with its owner; another daemon\'s as that daemon reports it, the lease\'s word when it does not answer', async () => {
    const listed = await withOwners(
      [
        { id: 'mine', state: 'online' },
        { id: 'theirs', state: 'stopped' },
        { id: 'silent', state: 'stopped' },
        { id: 'free', state: 'stopped' },
      ],
      deps,
    );
    expect(listed).toEqual([
      { id: 'mine', state: 'online', owner: 'here', ownerEndpoint: 'http://here', running: true },
      { id: 'theirs', state: 'online', jid: '1@s.whatsapp.net', owner: 'x', ownerEndpoint: 'http://x', running: true },
      { id: 'silent', state: 'stopped', owner: 'y', ownerEndpoint: 'http://y', running: true },
      { id: 'free', state: 'stopped', owner: null, ownerEndpoint: null, running: false },
    ]);
    // Each other daemon asked once; this one not at all.
    expect(peers.asked.sort()).toEqual(['http://x account:list', 'http://y account:list']);
  });

  it('webhook:list: counts summed over the daemons, paused when any paused it, the silent ones named', async () => {
    const out = await webhooksOfAll([{ id: 'w1', url: 'u', events: null, accounts: null, state: 'active', lag: 1, delivered: 2, failures: 0 }], deps);
    expect(out).toEqual({ webhooks: [{ id: 'w1', url: 'u', events: null, accounts: null, state: 'paused', lastError: 'HTTP 500', lag: 6, delivered: 9, failures: 3 }], unanswered: ['y'] });
  });
});
