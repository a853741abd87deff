// The account manager on the supervisor: one child per account, lifecycle
// calls touching only their account, crash restarts and the per-account
// budget, and the contract's error codes. Against the in-memory fake server.
import { afterEach, describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newCreds } from '../../../src/account/creds.js';
import { MediaHttp, SharedMedia } from '../../../src/account/media/index.js';
import { EventHub } from '../../../src/daemon/event-sink.js';
import type { WadEvent } from '../../../src/contract/api.js';
import { AccountManager } from '../../../src/daemon/accounts/index.js';
import { CryptoPool } from '../../../src/runtime/crypto-pool/index.js';
import { createSupervisor, type Supervisor } from '../../../src/runtime/supervisor/index.js';
import { MemoryBackend, Store } from '../../../src/store/index.js';
import { FakeServer } from '../../account/support/fake-server.js';
import { settings, silent } from '../../account/support/harness.js';

interface World {
  server: FakeServer;
  store: Store;
  supervisor: Supervisor;
  manager: AccountManager;
  events: WadEvent[];
}

let world: World | undefined;
afterEach(async () => {
  world?.manager.close();
  await world?.supervisor.stop();
  world = undefined;
});

async function setup(linked: string[], opts: { maxAccounts?: number; maxRestarts?: number; bootConcurrency?: number } = {}): Promise<World> {
  return setupWith(new FakeServer(), new Store(new MemoryBackend()), linked, opts);
}

async function setupWith(server: FakeServer, store: Store, linked: string[], opts: { maxAccounts?: number; maxRestarts?: number; bootConcurrency?: number } = {}): Promise<World> {
  for (const [i, id] of linked.entries()) {
    await store.putAccount({ id, createdAt: 1, config: {} });
    await (await store.account(id)).transaction((tx) => tx.creds.set({ ...newCreds(), registered: true, me: { id: `1555000000${i}:2@s.whatsapp.net` } }));
  }
  const supervisor = createSupervisor({ restartDelayMs: 0 });
  await supervisor.start();
  const hub = new EventHub(silent);
  const events: WadEvent[] = [];
  hub.onEvent((e) => events.push(e));
  const manager = new AccountManager({
    store,
    pool: new CryptoPool({ inline: 'all' }),
    supervisor,
    logger: silent,
    settings: settings(server, { connectTimeoutMs: 2000 }),
    sinkFor: (s) => hub.sinkFor(s),
    limits: { maxAccounts: opts.maxAccounts ?? 10, autoStart: true, restart: { maxRestarts: opts.maxRestarts ?? 3, withinMs: 60_000 } },
    transport: server.transport,
    media: await SharedMedia.open({ http: await MediaHttp.fromCaFile(null), spoolRoot: join(tmpdir(), `wad-manager-media-${process.pid}`) }),
    ...(opts.bootConcurrency !== undefined ? { bootConcurrency: opts.bootConcurrency } : {}),
  });
  await manager.init();
  world = { server, store, supervisor, manager, events };
  return world;
}

async function until(what: string, fn: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const online = (w: World, id: string) => w.manager.waitFor(id, (s) => s.state === 'online', 5000);
const connsOf = (w: World, jidUser: string) => w.server.conns.filter((c) => String(c.payload?.username ?? '') === jidUser);

describe('AccountManager', () => {
  it('starts every registered account and reports each one', async () => {
    const w = await setup(['a', 'b', 'c']);
    await Promise.all(['a', 'b', 'c'].map((id) => online(w, id)));
    expect(w.manager.list().map((s) => [s.id, s.state])).toEqual([
      ['a', 'online'],
      ['b', 'online'],
      ['c', 'online'],
    ]);
    expect(w.manager.status('b').jid).toBe('15550000001:2@s.whatsapp.net');
    expect(() => w.manager.status('zz')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('at boot, starts linked accounts only; an unlinked one waits for add or start', async () => {
    const server = new FakeServer();
    const store = new Store(new MemoryBackend());
    await store.putAccount({ id: 'pending', createdAt: 1, config: {} });
    await (await store.account('pending')).transaction((tx) => tx.creds.set(newCreds()));
    const w = await setupWith(server, store, ['a']);
    await online(w, 'a');
    expect(w.manager.status('pending')).toMatchObject({ state: 'stopped', reason: 'not linked' });
    expect(w.manager.running('pending')).toBeUndefined();
    await w.manager.start('pending');
    await w.manager.waitFor('pending', (s) => s.state === 'qr', 5000);
  });

  it('at boot, accounts come up in the background a slot at a time; one stopped before its turn stays stopped', async () => {
    const w = await setup(['a', 'b', 'c', 'd'], { bootConcurrency: 1 });
    // init() returned before the boot got far: with one slot, at most one account runs yet.
    expect(['a', 'b', 'c', 'd'].filter((id) => w.manager.running(id)).length).toBeLessThanOrEqual(1);
    await w.manager.stop('c');
    await Promise.all(['a', 'b', 'd'].map((id) => online(w, id)));
    await w.manager.booted;
    expect(w.manager.status('c').state).toBe('stopped');
    expect(connsOf(w, '15550000002')).toEqual([]);
    await w.manager.start('c');
    await online(w, 'c');
  });

  it('restart, stop and start touch only their account', async () => {
    const w = await setup(['a', 'b']);
    await Promise.all(['a', 'b'].map((id) => online(w, id)));
    const bConn = connsOf(w, '15550000001')[0]!;
    await w.manager.restart('a');
    await online(w, 'a');
    expect(connsOf(w, '15550000000')).toHaveLength(2);
    expect(connsOf(w, '15550000000')[0]!.alive).toBe(false);
    expect(bConn.alive).toBe(true);
    await w.manager.stop('a');
    expect(w.manager.status('a').state).toBe('stopped');
    expect(w.manager.running('a')).toBeUndefined();
    expect(bConn.alive).toBe(true);
    await w.manager.start('a');
    await online(w, 'a');
    expect(bConn.alive).toBe(true);
  });

  it('a crash restarts that account alone; past its budget it is given up and reported', async () => {
    const w = await setup(['a', 'b'], { maxRestarts: 2 });
    await Promise.all(['a', 'b'].map((id) => online(w, id)));
    const bConn = connsOf(w, '15550000001')[0]!;
    for (let i = 1; i <= 2; i++) {
      const rt = w.manager.running('a')!;
      rt.connection.signal({ type: 'FAULT.CRASH' });
      await w.manager.waitFor('a', (s) => s.state === 'connecting', 5000);
      await online(w, 'a');
      expect(w.manager.running('a')).not.toBe(rt);
      expect(w.supervisor.whichChildren().find((c) => c.id === 'a')!.restarts).toBe(i);
    }
    await until('crash events', () => w.events.filter((e) => e.account === 'a' && e.type === 'account:status').length === 2);
    expect(w.events.filter((e) => e.account === 'a' && e.type === 'account:status').map((e) => e.data)).toEqual([
      { event: 'crashed', error: 'injected crash (FAULT.CRASH)', willRestart: true },
      { event: 'crashed', error: 'injected crash (FAULT.CRASH)', willRestart: true },
    ]);
    w.manager.running('a')!.connection.signal({ type: 'FAULT.CRASH' });
    await w.manager.waitFor('a', (s) => s.state === 'stopped', 5000);
    expect(w.manager.status('a').reason).toMatch(/crashed too often/);
    expect(bConn.alive).toBe(true);
    expect(w.manager.status('b').state).toBe('online');
  });

  it('adds a new account: registered, waiting with a QR; a pairing code can be asked for', async () => {
    const w = await setup([]);
    await w.manager.add('new1');
    await w.manager.waitFor('new1', (s) => s.state === 'qr', 5000);
    await until('qr event', () => w.events.some((e) => e.account === 'new1' && e.data.state === 'qr'));
    expect(w.events.some((e) => e.account === 'new1' && e.data.state === 'qr' && String(e.data.qr).startsWith('https://wa.me/settings/linked_devices#'))).toBe(true);
    await expect(w.manager.requestPairCode('new1', '012')).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    const code = await w.manager.requestPairCode('new1', '+1 555 000 1234');
    expect(code).toMatch(/^[1-9A-HJ-NP-TV-Z]{8}$/);
    const hello = w.server.last.iqs('md').find((n) => Array.isArray(n.content) && n.content[0]!.tag === 'link_code_companion_reg')!;
    expect((hello.content as Array<{ attrs: Record<string, string> }>)[0]!.attrs).toMatchObject({ jid: '15550001234@s.whatsapp.net', stage: 'companion_hello' });
    await until('pair code event', () => w.events.some((e) => e.account === 'new1' && e.data.pairCode === code));
    expect((await w.store.listAccounts()).map((r) => r.id)).toEqual(['new1']);
  });

  it('refuses what the contract refuses', async () => {
    const w = await setup(['a'], { maxAccounts: 2 });
    await online(w, 'a');
    await expect(w.manager.add('a')).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(w.manager.add('bad id!')).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    await expect(w.manager.requestPairCode('a', '15550001234')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await w.manager.add('b');
    await expect(w.manager.add('c')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(w.manager.start('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('logout of a stopped account wipes it locally; remove deletes everything', async () => {
    const w = await setup(['a', 'b']);
    await Promise.all(['a', 'b'].map((id) => online(w, id)));
    await w.manager.stop('a');
    await w.manager.logout('a');
    expect(w.manager.status('a').state).toBe('loggedOut');
    expect((await w.store.account('a')).creds).toBeUndefined();
    await w.manager.remove('b');
    expect(() => w.manager.status('b')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect((await w.store.listAccounts()).map((r) => r.id)).toEqual(['a']);
    expect((await w.store.account('b')).creds).toBeUndefined();
  });
});
