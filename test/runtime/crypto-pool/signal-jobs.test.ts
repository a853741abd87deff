// 1:1 Signal jobs through the pool, on worker threads and inline: a
// conversation whose records only ever exist as stored bytes, and the
// session layer's typed errors (with their extra fields) rebuilt on this side.
import { afterAll, describe, expect, it } from 'vitest';
import {
  DuplicateMessageError,
  InvalidPreKeyError,
  UntrustedIdentityError,
  generateIdentityKeyPair,
  generatePreKeys,
  generateRegistrationId,
  generateSignedPreKey,
  peekPreKeyMessage,
} from '../../../src/protocol/signal/index.js';
import { CryptoPool, type CryptoPoolOptions, type JobBundle, type JobIdentity } from '../../../src/runtime/crypto-pool/index.js';

const text = (s: string) => new TextEncoder().encode(s);
const read = (b: Uint8Array) => new TextDecoder().decode(b);

class Device {
  readonly local: JobIdentity = { identityKey: generateIdentityKeyPair(), registrationId: generateRegistrationId() };
  readonly signed = generateSignedPreKey(this.local.identityKey, 7);
  readonly preKeys = new Map(generatePreKeys(100, 3).map((k) => [k.keyId, k.keyPair]));
  /** The stored session record with the peer, as bytes. */
  record: Uint8Array | null = null;

  bundle(preKeyId = 100): JobBundle {
    return {
      registrationId: this.local.registrationId,
      identityKey: this.local.identityKey.public,
      signedPreKey: { keyId: 7, publicKey: this.signed.keyPair.public, signature: this.signed.signature },
      preKey: { keyId: preKeyId, publicKey: this.preKeys.get(preKeyId)!.public },
    };
  }
}

const modes: Array<[string, CryptoPoolOptions]> = [
  ['worker threads', { threads: 2 }],
  ['inline', { inline: 'all' }],
];
const pools: CryptoPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe.each(modes)('1:1 jobs (%s)', (_, options) => {
  const pool = new CryptoPool(options);
  pools.push(pool);

  async function send(from: Device, to: Device, body: string) {
    const e = await pool.run('signal.encrypt', { record: from.record, local: from.local, plaintext: text(body), trusted: null });
    from.record = e.record;
    return e;
  }

  async function receive(to: Device, e: { type: 'pkmsg' | 'msg'; ciphertext: Uint8Array }) {
    const header = e.type === 'pkmsg' ? peekPreKeyMessage(e.ciphertext) : undefined;
    const d = await pool.run('signal.decrypt', {
      record: to.record,
      local: to.local,
      type: e.type,
      ciphertext: e.ciphertext,
      preKey: header?.preKeyId !== undefined ? (to.preKeys.get(header.preKeyId) ?? null) : null,
      signedPreKey: header ? to.signed.keyPair : null,
      trusted: null,
    });
    to.record = d.record;
    if (d.usedPreKeyId !== null) to.preKeys.delete(d.usedPreKeyId);
    return d;
  }

  it('carries a conversation with both sides ratcheting, records only as bytes', async () => {
    const alice = new Device();
    const bob = new Device();
    const init = await pool.run('signal.init', { record: null, local: alice.local, bundle: bob.bundle(), trusted: null });
    expect(init.identityChanged).toBe(false);
    alice.record = init.record;
    const first = await send(alice, bob, 'hello bob');
    expect(first.type).toBe('pkmsg');
    expect(first.remoteRegistrationId).toBe(bob.local.registrationId);
    const got = await receive(bob, first);
    expect(read(got.plaintext)).toBe('hello bob');
    expect(got.usedPreKeyId).toBe(100);
    expect([...got.remoteIdentity]).toEqual([...alice.local.identityKey.public]);
    for (let i = 0; i < 10; i++) {
      const [from, to] = i % 2 === 0 ? [bob, alice] : [alice, bob];
      const e = await send(from, to, `message ${i}`);
      expect(e.type).toBe('msg');
      expect(read((await receive(to, e)).plaintext)).toBe(`message ${i}`);
    }
  });

  it('rebuilds the session errors with their class, code and fields, and keeps the stored record', async () => {
    const alice = new Device();
    const bob = new Device();
    alice.record = (await pool.run('signal.init', { record: null, local: alice.local, bundle: bob.bundle(), trusted: null })).record;
    const e = await send(alice, bob, 'once');
    await receive(bob, e);
    const stored = bob.record!;
    const again = receive(bob, e);
    await expect(again).rejects.toBeInstanceOf(DuplicateMessageError);
    await expect(again).rejects.toMatchObject({ code: 'DUPLICATE_MESSAGE', counter: 0 });
    expect(bob.record).toBe(stored);

    // A pkmsg whose one-time prekey we no longer hold.
    const carol = new Device();
    carol.record = (await pool.run('signal.init', { record: null, local: carol.local, bundle: bob.bundle(101), trusted: null })).record;
    const pk = await send(carol, bob, 'late');
    const noPreKey = pool.run('signal.decrypt', {
      record: null,
      local: bob.local,
      type: 'pkmsg',
      ciphertext: pk.ciphertext,
      preKey: null,
      signedPreKey: bob.signed.keyPair,
      trusted: null,
    });
    await expect(noPreKey).rejects.toBeInstanceOf(InvalidPreKeyError);
    await expect(noPreKey).rejects.toMatchObject({ code: 'INVALID_PREKEY_ID', kind: 'one-time', keyId: 101 });

    // A pinned identity that is not the sender's.
    const pinned = new Device().local.identityKey.public;
    const untrusted = pool.run('signal.init', { record: null, local: alice.local, bundle: bob.bundle(102), trusted: pinned });
    await expect(untrusted).rejects.toBeInstanceOf(UntrustedIdentityError);
    const err = (await untrusted.catch((x: unknown) => x)) as UntrustedIdentityError;
    expect([...err.identityKey]).toEqual([...bob.local.identityKey.public]);
  });
});
