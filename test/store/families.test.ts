import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { unsafeSignalAddress } from '../../src/store/families/address.js';
import { Store } from '../../src/store/store.js';
import { AccountStore } from '../../src/store/account-store.js';
import { bytes, makeCreds } from './helpers.js';

const DAY = 86_400_000;
const kp = (n: number) => ({ public: bytes(32, n), private: bytes(32, n + 1) });

async function fresh(options = {}) {
  const backend = new MemoryBackend();
  return { backend, account: await AccountStore.open(backend, 'acc', options) };
}

describe('prekeys', () => {
  it('a used one-time prekey stays readable through its grace period, then is purged', async () => {
    const { account } = await fresh();
    await account.transaction((tx) => tx.preKeys.put([1, 2, 3].map((id) => ({ keyId: id, keyPair: kp(id) }))));
    await account.transaction((tx) => tx.preKeys.markUsed(1, 10 * DAY));
    await account.transaction((tx) => tx.preKeys.markUsed(2, 12 * DAY));
    // A retransmitted pkmsg for prekey 1 still finds it.
    expect(await account.preKeys.get(1)).toEqual({ keyId: 1, keyPair: kp(1), usedAt: 10 * DAY });
    expect(await account.purgeUsedPreKeys(10 * DAY)).toBe(0); // not older than the bound
    expect(await account.purgeUsedPreKeys(11 * DAY)).toBe(1);
    expect(await account.preKeys.getMany([1, 2, 3])).toEqual([
      undefined,
      { keyId: 2, keyPair: kp(2), usedAt: 12 * DAY },
      { keyId: 3, keyPair: kp(3), usedAt: undefined },
    ]);
  });

  it('reading prekeys (the upload, a pkmsg) does not keep them in the read cache, and still sees every later write', async () => {
    const { account } = await fresh();
    const ids = Array.from({ length: 50 }, (_, i) => i + 1);
    await account.transaction((tx) => tx.preKeys.put(ids.map((id) => ({ keyId: id, keyPair: kp(id) }))));
    const before = account.cacheUsage.entries;
    expect((await account.preKeys.getMany(ids)).map((k) => k?.keyId)).toEqual(ids);
    expect(await account.preKeys.get(7)).toEqual({ keyId: 7, keyPair: kp(7), usedAt: undefined });
    expect(account.cacheUsage.entries).toBe(before);
    await account.transaction((tx) => tx.preKeys.markUsed(7, DAY));
    expect((await account.preKeys.get(7))?.usedAt).toBe(DAY);
  });

  it('the public halves of stored prekeys, used or not; missing and purged ids left out', async () => {
    const { account } = await fresh();
    await account.transaction((tx) => tx.preKeys.put([1, 2, 3, 4].map((id) => ({ keyId: id, keyPair: kp(id) }))));
    await account.transaction((tx) => tx.preKeys.markUsed(2, DAY));
    await account.transaction((tx) => tx.preKeys.markUsed(3, DAY));
    await account.purgeUsedPreKeys(2 * DAY);
    const pubs = await account.preKeys.publicKeys([4, 3, 2, 1, 9]);
    expect([...pubs.entries()]).toEqual([
      [4, kp(4).public],
      [1, kp(1).public],
    ]);
    // The same answer as the full read, for every id.
    const full = await account.preKeys.getMany([1, 2, 3, 4, 9]);
    expect(full.filter((k) => k !== undefined).map((k) => [k.keyId, k.keyPair.public])).toEqual([...pubs.entries()].sort((a, b) => a[0] - b[0]));
  });
});

describe('LID migration', () => {
  const pnAddr = (d: number) => unsafeSignalAddress('15550001111', 's.whatsapp.net', d);
  const lidAddr = (d: number) => unsafeSignalAddress('777', 'lid', d);

  it('resolves PN and LID JIDs of one contact to one address once the mapping is known', async () => {
    const { account } = await fresh();
    expect(await account.signalAddress('15550001111:2@s.whatsapp.net')).toEqual(pnAddr(2));
    await account.learnLidMappings([{ pn: '15550001111@s.whatsapp.net', lid: '777@lid' }]);
    expect(await account.signalAddress('15550001111:2@s.whatsapp.net')).toEqual(lidAddr(2));
    expect(await account.signalAddress('777:2@lid')).toEqual(lidAddr(2));
    expect(await account.signalAddress('15550001111@c.us')).toEqual(lidAddr(0));
    expect(await account.lids.pnForLid('777')).toBe('15550001111');
    await expect(account.signalAddress('123@g.us')).rejects.toMatchObject({ code: 'BAD_KEY' });
  });

  it('moves sessions, identity keys and sender keys to the LID in the mapping batch, never dropping one', async () => {
    const { backend, account } = await fresh();
    await account.transaction((tx) => {
      tx.sessions.put(pnAddr(0), bytes(3, 1));
      tx.sessions.put(pnAddr(5), bytes(3, 2));
      tx.identities.put(pnAddr(0), bytes(32, 3));
      tx.senderKeys.put('g1@g.us', pnAddr(5), bytes(4, 4));
      tx.sessions.put(lidAddr(5), bytes(3, 9)); // the peer already talks to us as LID on device 5
      tx.sessions.put(unsafeSignalAddress('15550001111', 'hosted', 1), bytes(3, 7));
    });
    await account.sessions.get(pnAddr(0)); // cached under the PN key: must not survive the move
    const batches = backend.batchCount;
    expect(await account.learnLidMappings([{ pn: '15550001111', lid: '777' }])).toBe(5);
    expect(backend.batchCount).toBe(batches + 1);
    expect(await account.sessions.get(pnAddr(0))).toBeUndefined();
    expect(await account.sessions.ofUser({ user: '15550001111', server: 's.whatsapp.net' })).toEqual([]);
    expect(await account.sessions.get(lidAddr(0))).toEqual(bytes(3, 1));
    expect(await account.sessions.get(lidAddr(5))).toEqual(bytes(3, 9)); // LID record wins by default
    expect(await account.identities.get(lidAddr(0))).toEqual(bytes(32, 3));
    expect(await account.senderKeys.get('g1@g.us', lidAddr(5))).toEqual(bytes(4, 4));
    expect(await account.sessions.get(unsafeSignalAddress('777', 'hosted.lid', 1))).toEqual(bytes(3, 7));
    // Learning the same mapping again moves nothing.
    expect(await account.learnLidMappings([{ pn: '15550001111', lid: '777' }])).toBe(0);
  });

  it('lets the caller merge two records of one device', async () => {
    const { account } = await fresh();
    await account.transaction((tx) => {
      tx.sessions.put(pnAddr(1), bytes(2, 1));
      tx.sessions.put(lidAddr(1), bytes(2, 2));
    });
    const seen: string[] = [];
    await account.learnLidMappings([{ pn: '15550001111', lid: '777' }], (family, lid, pn) => {
      seen.push(family);
      return new Uint8Array([...lid, ...pn]);
    });
    expect(seen).toEqual(['session']);
    expect(await account.sessions.get(lidAddr(1))).toEqual(new Uint8Array([2, 2, 1, 1]));
  });

  it('a failed migration leaves the mapping unknown and the sessions under the PN', async () => {
    const { backend, account } = await fresh();
    await account.transaction((tx) => tx.sessions.put(pnAddr(0), bytes(2, 1)));
    backend.failNextBatch(1);
    await expect(account.learnLidMappings([{ pn: '15550001111', lid: '777' }])).rejects.toMatchObject({ code: 'WRITE_FAILED' });
    expect(await account.lids.lidForPn('15550001111')).toBeUndefined();
    expect(await account.sessions.get(await account.signalAddress('15550001111@s.whatsapp.net'))).toEqual(bytes(2, 1));
  });
});

describe('sent-message cache', () => {
  it('keeps the newest N messages', async () => {
    const { account } = await fresh({ sentMessagesMax: 10 });
    for (let i = 0; i < 30; i++) {
      await account.transaction((tx) => tx.sent.put(`m${i}`, { to: 'x@s.whatsapp.net', message: bytes(2, i), t: i }));
    }
    const present = [];
    for (let i = 0; i < 30; i++) if (await account.sent.get(`m${i}`)) present.push(i);
    expect(present).toEqual(Array.from({ length: 10 }, (_, i) => 20 + i));
    expect(await account.sent.get('m29')).toEqual({ to: 'x@s.whatsapp.net', message: bytes(2, 29), t: 29 });
  });

  it('a message sent again is not evicted with its older copy, and bounds survive reopening', async () => {
    const { backend, account } = await fresh({ sentMessagesMax: 3 });
    const put = (id: string, t: number) => account.transaction((tx) => tx.sent.put(id, { to: 'x@lid', message: bytes(1, t), t }));
    await put('a', 1);
    await put('b', 2);
    await put('a', 3);
    await put('c', 4); // evicts index entry 0 (old 'a'), but 'a' was re-sent
    expect((await account.sent.get('a'))?.t).toBe(3);
    const again = await AccountStore.open(backend, 'acc', { sentMessagesMax: 3 });
    await again.transaction((tx) => tx.sent.put('d', { to: 'x@lid', message: bytes(1, 5), t: 5 }));
    expect(await again.sent.get('b')).toBeUndefined();
    expect((await again.sent.get('a'))?.t).toBe(3);
  });
});

describe('creds', () => {
  it('updates compose within a transaction and survive reopening; the object is frozen', async () => {
    const { backend, account } = await fresh();
    await expect(account.transaction((tx) => tx.creds.update({ registered: true }))).rejects.toMatchObject({ code: 'NO_CREDS' });
    await account.transaction((tx) => {
      tx.creds.set(makeCreds());
      tx.creds.update({ nextPreKeyId: 31 });
      tx.creds.update({ me: { id: '1555:3@s.whatsapp.net', lid: '9:3@lid' }, registered: true });
    });
    const creds = account.creds!;
    expect(creds.nextPreKeyId).toBe(31);
    expect(Object.isFrozen(creds) && Object.isFrozen(creds.me)).toBe(true);
    const reopened = await AccountStore.open(backend, 'acc');
    expect(reopened.creds).toEqual(creds);
    expect(reopened.creds?.identityKey.private).toEqual(makeCreds().identityKey.private);
  });
});

describe('other families', () => {
  it('device lists, tctokens, app state, messages, sender-key distribution', async () => {
    const { account } = await fresh();
    await account.transaction((tx) => {
      tx.devices.put('1555@s.whatsapp.net', { devices: [{ id: 0 }, { id: 4, keyIndex: 2 }], updatedAt: 100 });
      tx.tcTokens.put('1555@s.whatsapp.net', { token: bytes(8, 1), timestamp: 50, expiresAt: 1000 });
      tx.appState.putSyncKey(bytes(6, 1), { keyData: bytes(32, 2), fingerprint: { rawId: 1, deviceIndexes: [0, 1] }, timestamp: 7 });
      tx.appState.putVersion('regular_low', { version: 9, hash: bytes(128, 3), indexValueMacs: { 'aGk=': bytes(32, 4) } });
      tx.messages.put('1555@s.whatsapp.net', 'ABC', { text: 'hello', t: 5 });
      tx.senderKeys.setDistributed('g@g.us', ['1555:1@s.whatsapp.net', '9@lid']);
    });
    expect(await account.devices.get('1555:7@s.whatsapp.net')).toEqual({ devices: [{ id: 0, keyIndex: undefined }, { id: 4, keyIndex: 2 }], updatedAt: 100 });
    expect(await account.devices.getMany(['1555@s.whatsapp.net', '2@lid'])).toHaveLength(2);
    expect(await account.tcTokens.getValid('1555@s.whatsapp.net', 999)).toBeDefined();
    expect(await account.tcTokens.getValid('1555@s.whatsapp.net', 1000)).toBeUndefined();
    expect(await account.appState.getSyncKey(bytes(6, 1))).toEqual({ keyData: bytes(32, 2), fingerprint: { rawId: 1, deviceIndexes: [0, 1] }, timestamp: 7 });
    expect(await account.appState.getVersion('regular_low')).toEqual({ version: 9, hash: bytes(128, 3), indexValueMacs: { 'aGk=': bytes(32, 4) } });
    expect(await account.messages.get('1555@s.whatsapp.net', 'ABC')).toEqual({ text: 'hello', t: 5 });
    expect(await account.messages.has('1555@s.whatsapp.net', 'XYZ')).toBe(false);
    expect(await account.senderKeys.distributedTo('g@g.us')).toEqual(new Set(['1555:1@s.whatsapp.net', '9@lid']));
    await account.transaction((tx) => tx.senderKeys.clearDistributed('g@g.us'));
    expect((await account.senderKeys.distributedTo('g@g.us')).size).toBe(0);
  });
});

describe('accounts registry', () => {
  it('lists, reads and replaces account entries', async () => {
    const store = new Store(new MemoryBackend());
    await store.putAccount({ id: 'b', createdAt: 2, config: { phone: '1' } });
    await store.putAccount({ id: 'a', createdAt: 1, config: {} });
    await store.putAccount({ id: 'b', createdAt: 2, config: { phone: '2' } });
    expect((await store.listAccounts()).map((a) => [a.id, a.config])).toEqual([
      ['a', {}],
      ['b', { phone: '2' }],
    ]);
    expect(await store.getAccount('zz')).toBeUndefined();
    expect(await store.account('a')).toBe(await store.account('a'));
    await store.close();
    await expect(store.account('a')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
