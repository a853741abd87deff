import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { unsafeSignalAddress } from '../../src/store/families/address.js';
import { Store } from '../../src/store/store.js';
import { bytes, dump, makeCreds } from './helpers.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'wad-store-'));
  dirs.push(d);
  return d;
}

const ev = (type: string, n: number) => ({ type, t: n, data: { n } });

describe('event log', () => {
  it('assigns consecutive seqs atomically with the other writes and reads them back in order', async () => {
    const account = await new Store(new MemoryBackend()).account('a');
    const seqs = await account.transaction((tx) => {
      tx.sessions.put(unsafeSignalAddress('1', 'lid', 0), bytes(1, 1));
      return [...tx.events.append([ev('x', 1), ev('y', 2)]), ...tx.events.append([ev('z', 3)])];
    });
    expect(seqs).toEqual([1, 2, 3]);
    expect(account.events.lastSeq).toBe(3);
    expect((await account.events.read(2, 10)).map((e) => [e.seq, e.type, e.data])).toEqual([
      [2, 'y', { n: 2 }],
      [3, 'z', { n: 3 }],
    ]);
    expect(await account.events.read(1, 1)).toHaveLength(1);
    expect(await account.events.read(4, 10)).toEqual([]);
  });

  it('cursors only move forward and never past the last seq', async () => {
    const account = await new Store(new MemoryBackend()).account('a');
    await account.transaction((tx) => tx.events.append([ev('x', 1), ev('x', 2), ev('x', 3)]));
    expect(account.events.cursor('s')).toBeUndefined();
    expect(await account.transaction((tx) => tx.events.ack('s', 0))).toBe(0);
    expect(account.events.cursor('s')).toBe(0);
    expect(await account.transaction((tx) => tx.events.ack('s', 2))).toBe(2);
    expect(await account.transaction((tx) => tx.events.ack('s', 1))).toBe(2);
    expect(await account.transaction((tx) => tx.events.ack('s', 99))).toBe(3);
    await account.transaction((tx) => tx.events.removeSubscriber('s'));
    expect(account.events.subscribers().size).toBe(0);
  });

  it('seq and cursors survive trims and reopening the LevelDB store', async () => {
    const dir = await tempDir();
    let store = await Store.open(dir);
    let account = await store.account('a');
    for (let i = 1; i <= 5; i++) await account.transaction((tx) => tx.events.append([ev('x', i)]));
    await account.transaction((tx) => tx.events.ack('durable', 4));
    expect(await account.trimEvents(6)).toBe(5); // everything gone…
    expect(await account.events.firstSeq()).toBeUndefined();
    await store.close();

    store = await Store.open(dir);
    account = await store.account('a');
    expect(account.events.lastSeq).toBe(5); // …but the seq is remembered
    expect(account.events.cursor('durable')).toBe(4);
    expect(await account.transaction((tx) => tx.events.append([ev('y', 6)]))).toEqual([6]);
    expect(await account.events.firstSeq()).toBe(6);
    await store.close();
  });

  it('trims in chunks, oldest first, leaving a contiguous tail', async () => {
    const account = await new Store(new MemoryBackend()).account('a');
    await account.transaction((tx) => tx.events.append(Array.from({ length: 2500 }, (_, i) => ev('x', i))));
    expect(await account.trimEvents(2001)).toBe(2000);
    const rest = await account.events.read(0, 10_000);
    expect(rest.map((e) => e.seq)).toEqual(Array.from({ length: 500 }, (_, i) => 2001 + i));
  });
});

describe('wipe', () => {
  async function populated(backend = new MemoryBackend()) {
    const store = new Store(backend);
    await store.putAccount({ id: 'acc', createdAt: 1, config: { phone: '15550001111' } });
    const account = await store.account('acc');
    await account.transaction((tx) => {
      tx.creds.set(makeCreds());
      tx.sessions.put(unsafeSignalAddress('1', 'lid', 0), bytes(1, 1));
      tx.identities.put(unsafeSignalAddress('1', 'lid', 0), bytes(32, 1));
      tx.preKeys.put([{ keyId: 1, keyPair: { public: bytes(32, 1), private: bytes(32, 2) } }]);
      tx.senderKeys.put('g@g.us', unsafeSignalAddress('1', 'lid', 0), bytes(5, 5));
      tx.devices.put('1@lid', { devices: [{ id: 0 }], updatedAt: 1 });
      tx.tcTokens.put('1@lid', { token: bytes(4, 4), timestamp: 1 });
      tx.appState.putVersion('regular', { version: 1, hash: bytes(128, 0), indexValueMacs: {} });
      tx.sent.put('m1', { to: '1@lid', message: bytes(2, 2), t: 1 });
      tx.messages.put('1@lid', 'r1', { text: 'hi' });
      tx.events.append([ev('x', 1), ev('x', 2)]);
      tx.events.ack('sub', 1);
    });
    await account.learnLidMappings([{ pn: '15550001111', lid: '1' }]);
    return { backend, store, account };
  }

  it('logout deletes credentials and keys in one batch and keeps the event log', async () => {
    const { backend, store, account } = await populated();
    await account.sessions.get(unsafeSignalAddress('1', 'lid', 0)); // cached: must not survive the wipe
    const batches = backend.batchCount;
    await account.wipe('logout');
    expect(backend.batchCount).toBe(batches + 1);
    expect(account.creds).toBeUndefined();
    expect(await account.sessions.get(unsafeSignalAddress('1', 'lid', 0))).toBeUndefined();
    const left = (await dump(backend)).map(([k]) => k.replace(/[\0-\x1f\x7f-\xff]/g, '.'));
    expect(left.filter((k) => k.startsWith('a/acc/')).every((k) => /^a\/acc\/(ev\/|evc\/|evseq$)/.test(k))).toBe(true);
    expect(left).toContain('accounts/acc');
    expect(account.events.lastSeq).toBe(2);
    expect(account.events.cursor('sub')).toBe(1);
    expect(await account.transaction((tx) => tx.events.append([ev('loggedOut', 3)]))).toEqual([3]);
    // A fresh open sees the same clean state.
    const again = await new Store(backend).account('acc');
    expect(again.creds).toBeUndefined();
    expect(again.events.lastSeq).toBe(3);
    await store.close();
  });

  it('a wipe that fails deletes nothing', async () => {
    const { backend, account } = await populated();
    const before = await dump(backend);
    backend.failNextBatch(5);
    await expect(account.wipe('logout')).rejects.toMatchObject({ code: 'WRITE_FAILED' });
    expect(await dump(backend)).toEqual(before);
    expect(account.creds).toBeDefined();
  });

  it('remove deletes everything, the registry entry too, and closes the account store', async () => {
    const { backend, store, account } = await populated();
    await store.removeAccount('acc');
    expect(await dump(backend)).toEqual([]);
    expect(await store.listAccounts()).toEqual([]);
    await expect(account.transaction(() => {})).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(account.sessions.get(unsafeSignalAddress('1', 'lid', 0))).rejects.toMatchObject({ code: 'CLOSED' });
    const fresh = await store.account('acc');
    expect(fresh).not.toBe(account);
    expect(fresh.creds).toBeUndefined();
    expect(fresh.events.lastSeq).toBe(0);
  });
});

describe('close', () => {
  it('lets a running transaction finish and refuses the queued ones', async () => {
    const dir = await tempDir();
    const store = await Store.open(dir);
    const account = await store.account('a');
    const first = account.transaction((tx) => tx.events.append([ev('x', 1)]));
    const second = account.transaction((tx) => tx.events.append([ev('x', 2)]));
    const closing = store.close();
    await expect(first).resolves.toEqual([1]);
    await expect(second).rejects.toMatchObject({ code: 'CLOSED' });
    await closing;
    const again = await Store.open(dir);
    expect((await again.account('a')).events.lastSeq).toBe(1);
    await again.close();
  });
});
