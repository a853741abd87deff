// A damaged record of a family the account can rebuild (message records, the
// sent cache, prekeys, device lists, chat settings, privacy tokens) reads as
// absent and is counted, instead of failing every use of it for good; the
// bounded families evict a damaged record with its index entry.
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { AccountStore } from '../../src/store/index.js';
import { key, prefixRange, utf8 } from '../../src/store/keys.js';
import { bytes } from './helpers.js';

const garbage = Uint8Array.of(0xde, 0xad, 0xbe, 0xef);

async function damage(backend: MemoryBackend, prefix: string): Promise<number> {
  const keys: Uint8Array[] = [];
  for await (const [k] of backend.iterate(prefixRange(utf8(prefix)))) keys.push(k);
  await backend.batch(keys.map((k) => ({ type: 'put' as const, key: k, value: garbage })));
  return keys.length;
}

describe('damaged records of rebuildable families', () => {
  it('read as absent, counted; healthy records beside them read as ever', async () => {
    const backend = new MemoryBackend();
    let account = await AccountStore.open(backend, 'acc');
    await account.transaction((tx) => {
      tx.messages.put('c@s.whatsapp.net', 'm1', { type: 'text', content: 'one' });
      tx.messages.put('c@s.whatsapp.net', 'm2', { type: 'text', content: 'two' });
      tx.sent.put('s1', { to: 'c@s.whatsapp.net', message: bytes(3, 1), t: 1 });
      tx.preKeys.put([{ keyId: 7, keyPair: { public: bytes(32, 1), private: bytes(32, 2) } }]);
      tx.devices.put('c@s.whatsapp.net', { devices: [{ id: 0 }], updatedAt: 1 });
      tx.chats.put('c@s.whatsapp.net', { expiration: 60 });
      tx.tcTokens.put('c@s.whatsapp.net', { token: bytes(4, 1), timestamp: 1 });
    });
    await account.close();
    await backend.batch([{ type: 'put', key: key(utf8('a/acc/'), 'msg', 'c@s.whatsapp.net', 'm1'), value: garbage }]);
    for (const family of ['sm/', 'pk/', 'dev/', 'chat/', 'tct/']) expect(await damage(backend, `a/acc/${family}`)).toBeGreaterThan(0);

    account = await AccountStore.open(backend, 'acc');
    expect(await account.messages.get('c@s.whatsapp.net', 'm1')).toBeUndefined();
    expect(await account.messages.get('c@s.whatsapp.net', 'm2')).toMatchObject({ content: 'two' });
    expect(await account.sent.get('s1')).toBeUndefined();
    expect(await account.preKeys.get(7)).toBeUndefined();
    expect(await account.devices.get('c@s.whatsapp.net')).toBeUndefined();
    expect(await account.chats.get('c@s.whatsapp.net')).toBeUndefined();
    expect(await account.tcTokens.get('c@s.whatsapp.net')).toBeUndefined();
    expect(account.damagedRecordsSkipped).toBe(6);
    // Written again, it reads as written.
    await account.transaction((tx) => tx.devices.put('c@s.whatsapp.net', { devices: [{ id: 0 }, { id: 3 }], updatedAt: 2 }));
    expect((await account.devices.get('c@s.whatsapp.net'))?.devices.map((d) => d.id)).toEqual([0, 3]);
  });

  it('a damaged record of a bounded family is evicted with its index entry', async () => {
    const backend = new MemoryBackend();
    const account = await AccountStore.open(backend, 'acc', { sentMessagesMax: 2 });
    await account.transaction((tx) => tx.sent.put('old', { to: 'c@s.whatsapp.net', message: bytes(1, 1), t: 1 }));
    await backend.batch([{ type: 'put', key: key(utf8('a/acc/'), 'sm', 'old'), value: garbage }]);
    for (const id of ['b', 'c']) await account.transaction((tx) => tx.sent.put(id, { to: 'c@s.whatsapp.net', message: bytes(1, 2), t: 2 }));
    expect(await backend.get(key(utf8('a/acc/'), 'sm', 'old'))).toBeUndefined();
    expect(await account.sent.get('c')).toBeDefined();
  });
});
