// Hostile and broken input: corrupted, truncated, replayed, misaddressed and
// far-future messages, unknown prekeys and untrusted identities. Each must fail
// with a typed SignalError, and the record handed in must come out exactly as
// it went in (a failed decrypt never changes the stored session).
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  decryptMessage,
  encryptMessage,
  initSessionFromBundle,
  pinnedIdentity,
  serializeSessionRecord,
  SignalError,
  UntrustedIdentityError,
  type MessageType,
  type SessionRecord,
} from '../../../src/protocol/signal/index.js';
import { signal } from '../../../src/protocol/proto/index.js';
import { LibPeer, OurPeer } from './support.js';

const text = (s: string) => new TextEncoder().encode(s);
const snapshot = (r: SessionRecord | undefined) => (r ? Buffer.from(serializeSessionRecord(r)).toString('hex') : 'none');

/** Runs a decrypt that must fail; returns its error after checking the record is untouched. */
function failedDecrypt(peer: OurPeer, type: MessageType, ciphertext: Uint8Array, record = peer.record): SignalError {
  const before = snapshot(record);
  let error: unknown;
  try {
    decryptMessage(record, peer.local, type, ciphertext, {
      preKey: (id) => peer.preKeys.get(id),
      signedPreKey: (id) => (id === peer.signedPreKey.keyId ? peer.signedPreKey.keyPair : undefined),
    });
  } catch (e) {
    error = e;
  }
  expect(error, 'decrypt should have failed').toBeInstanceOf(SignalError);
  expect(snapshot(record)).toBe(before);
  return error as SignalError;
}

/** Decrypt that may succeed (with the original plaintext) or fail with a typed error; never changes its input. */
function decryptOrTypedError(peer: OurPeer, type: MessageType, ciphertext: Uint8Array, expected: string): 'ok' | string {
  const record = peer.record;
  const before = snapshot(record);
  try {
    const out = decryptMessage(record, peer.local, type, ciphertext, {
      preKey: (id) => peer.preKeys.get(id),
      signedPreKey: (id) => (id === peer.signedPreKey.keyId ? peer.signedPreKey.keyPair : undefined),
    });
    expect(new TextDecoder().decode(out.plaintext)).toBe(expected);
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(SignalError);
    return (e as SignalError).code;
  } finally {
    expect(snapshot(record)).toBe(before);
  }
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

describe('typed errors leave the record untouched', () => {
  beforeAll(() => {
    vi.spyOn(console, 'info').mockImplementation(() => {});
  });

  /** libsignal sent us a pkmsg; we hold an established session and a fresh `msg` from it. */
  async function established() {
    const lib = new LibPeer();
    const ours = new OurPeer();
    await lib.startSession(ours.bundle(true));
    const first = await lib.encrypt(text('hello'));
    await ours.decrypt(first.type, first.ciphertext);
    const reply = await ours.encrypt(text('hi'));
    await lib.decrypt(reply.type, reply.ciphertext);
    const msg = await lib.encrypt(text('how are you'));
    expect(msg.type).toBe('msg');
    return { lib, ours, first, msg };
  }

  it('every single-bit corruption of a msg fails (only the version byte’s low nibble is free)', async () => {
    const { ours, msg } = await established();
    const codes = new Set<string>();
    for (let bit = 0; bit < msg.ciphertext.length * 8; bit++) {
      const corrupted = flipBit(msg.ciphertext, bit);
      if (bit < 4) {
        // The low nibble is the sender's highest supported version; the MAC covers a fixed 0x33.
        expect(decryptOrTypedError(ours, 'msg', corrupted, 'how are you')).toBe('ok');
        continue;
      }
      codes.add(failedDecrypt(ours, 'msg', corrupted).code);
    }
    expect([...codes].every((c) => ['BAD_MAC', 'BAD_VERSION', 'INVALID_MESSAGE', 'INVALID_KEY', 'DUPLICATE_MESSAGE', 'TOO_MANY_SKIPPED'].includes(c))).toBe(true);
    expect(codes.has('BAD_MAC')).toBe(true);
    // The untouched message still decrypts afterwards.
    expect(decryptOrTypedError(ours, 'msg', msg.ciphertext, 'how are you')).toBe('ok');
  });

  it('every single-bit corruption of a pkmsg fails or yields the same plaintext, for a fresh and an existing record', async () => {
    const lib = new LibPeer();
    const ours = new OurPeer();
    await lib.startSession(ours.bundle(true));
    const pk = await lib.encrypt(text('first'));
    expect(pk.type).toBe('pkmsg');
    const outcomes = new Set<string>();
    for (let bit = 0; bit < pk.ciphertext.length * 8; bit += 3) outcomes.add(decryptOrTypedError(ours, 'pkmsg', flipBit(pk.ciphertext, bit), 'first'));
    // The same with a record that already holds a session from another pkmsg.
    await ours.decrypt(pk.type, pk.ciphertext);
    for (let bit = 1; bit < pk.ciphertext.length * 8; bit += 3) outcomes.add(decryptOrTypedError(ours, 'pkmsg', flipBit(pk.ciphertext, bit), 'first'));
    expect(outcomes.has('BAD_MAC')).toBe(true);
    expect(outcomes.has('INVALID_PREKEY_ID') || outcomes.has('INVALID_SIGNED_PREKEY_ID')).toBe(true);
  });

  it('every truncation of a msg and a pkmsg fails', async () => {
    const { ours, first, msg } = await established();
    for (let n = 0; n < msg.ciphertext.length; n++) failedDecrypt(ours, 'msg', msg.ciphertext.subarray(0, n));
    const fresh = new OurPeer();
    for (let n = 0; n < first.ciphertext.length; n++) {
      failedDecrypt(ours, 'pkmsg', first.ciphertext.subarray(0, n));
      failedDecrypt(fresh, 'pkmsg', first.ciphertext.subarray(0, n));
    }
  });

  it('random bytes give typed errors only', async () => {
    const { ours } = await established();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom<MessageType>('msg', 'pkmsg'), fc.boolean(), (bytes, type, versioned) => {
        if (versioned && bytes.length > 0) bytes[0] = 0x33;
        failedDecrypt(ours, type, bytes);
      }),
      { numRuns: 400 },
    );
  });

  it('a replayed message is DUPLICATE_MESSAGE, before and after a ratchet step', async () => {
    const { lib, ours, first, msg } = await established();
    await ours.decrypt(msg.type, msg.ciphertext);
    expect(failedDecrypt(ours, 'msg', msg.ciphertext)).toMatchObject({ code: 'DUPLICATE_MESSAGE', counter: 0 });
    // The first pkmsg again: its session is found by base key, its key is spent.
    expect(failedDecrypt(ours, 'pkmsg', first.ciphertext).code).toBe('DUPLICATE_MESSAGE');
    const answer = await ours.encrypt(text('fine'));
    await lib.decrypt(answer.type, answer.ciphertext);
    const next = await lib.encrypt(text('good'));
    await ours.decrypt(next.type, next.ciphertext);
    expect(failedDecrypt(ours, 'msg', msg.ciphertext).code).toBe('DUPLICATE_MESSAGE');
    expect(failedDecrypt(ours, 'msg', next.ciphertext).code).toBe('DUPLICATE_MESSAGE');
  });

  it('a message for someone else: NO_SESSION without a record, BAD_MAC with an unrelated session', async () => {
    const { msg } = await established();
    const stranger = new OurPeer();
    expect(failedDecrypt(stranger, 'msg', msg.ciphertext).code).toBe('NO_SESSION');
    const { ours: other } = await established();
    expect(failedDecrypt(other, 'msg', msg.ciphertext).code).toBe('BAD_MAC');
  });

  it('a pkmsg for a prekey we no longer hold is INVALID_PREKEY_ID; an unknown signed prekey INVALID_SIGNED_PREKEY_ID', async () => {
    const lib = new LibPeer();
    const ours = new OurPeer();
    const bundle = ours.bundle(true);
    await lib.startSession(bundle);
    const pk = await lib.encrypt(text('first'));
    ours.preKeys.delete(bundle.preKey!.keyId);
    expect(failedDecrypt(ours, 'pkmsg', pk.ciphertext)).toMatchObject({ code: 'INVALID_PREKEY_ID', keyId: bundle.preKey!.keyId, kind: 'one-time' });

    const lib2 = new LibPeer();
    await lib2.startSession({ ...ours.bundle(false), signedPreKey: { ...bundle.signedPreKey, keyId: 99 } });
    const pk2 = await lib2.encrypt(text('first'));
    expect(failedDecrypt(ours, 'pkmsg', pk2.ciphertext)).toMatchObject({ code: 'INVALID_SIGNED_PREKEY_ID', keyId: 99, kind: 'signed' });
  });

  it('a pkmsg built on another device’s signed prekey is BAD_MAC', async () => {
    const ours = new OurPeer();
    const impostor = new OurPeer();
    // The impostor's bundle under our signed prekey id: the agreement cannot match our keys.
    const lib = new LibPeer();
    await lib.startSession({ ...impostor.bundle(false), signedPreKey: { ...impostor.bundle(false).signedPreKey, keyId: ours.signedPreKey.keyId } });
    const pk = await lib.encrypt(text('first'));
    expect(failedDecrypt(ours, 'pkmsg', pk.ciphertext).code).toBe('BAD_MAC');
  });

  it('more than MAX_SKIP messages ahead is TOO_MANY_SKIPPED, exactly where libsignal draws the line', async () => {
    const sender = new OurPeer();
    const receiver = new OurPeer();
    await sender.startSession(receiver.bundle(true));
    const hello = await sender.encrypt(text('hello'));
    await receiver.decrypt(hello.type, hello.ciphertext);
    const back = await receiver.encrypt(text('back'));
    await sender.decrypt(back.type, back.ciphertext);
    const burst: Uint8Array[] = [];
    for (let i = 0; i < 2001; i++) burst.push((await sender.encrypt(text(`m${i}`))).ciphertext);
    // Counter 2000 needs 2001 new keys: refused. Counter 1999 needs 2000: accepted.
    expect(failedDecrypt(receiver, 'msg', burst[2000]!)).toMatchObject({ code: 'TOO_MANY_SKIPPED' });
    expect(new TextDecoder().decode(await receiver.decrypt('msg', burst[1999]!))).toBe('m1999');
    expect(new TextDecoder().decode(await receiver.decrypt('msg', burst[2000]!))).toBe('m2000');
    expect(new TextDecoder().decode(await receiver.decrypt('msg', burst[0]!))).toBe('m0');

    // libsignal-node: the same two outcomes.
    const libSender = new LibPeer();
    const ours = new OurPeer();
    await libSender.startSession(ours.bundle(false));
    const h = await libSender.encrypt(text('hello'));
    await ours.decrypt(h.type, h.ciphertext);
    const b = await ours.encrypt(text('back'));
    await libSender.decrypt(b.type, b.ciphertext);
    const ourBurst: Uint8Array[] = [];
    for (let i = 0; i < 2001; i++) ourBurst.push((await libSender.encrypt(text(`m${i}`))).ciphertext);
    expect(failedDecrypt(ours, 'msg', ourBurst[2000]!).code).toBe('TOO_MANY_SKIPPED');
    const reverse = new LibPeer();
    const ourSender = new OurPeer();
    await ourSender.startSession(reverse.bundle(false));
    const h2 = await ourSender.encrypt(text('hello'));
    await reverse.decrypt(h2.type, h2.ciphertext);
    const b2 = await reverse.encrypt(text('back'));
    await ourSender.decrypt(b2.type, b2.ciphertext);
    const theirBurst: Uint8Array[] = [];
    for (let i = 0; i < 2001; i++) theirBurst.push((await ourSender.encrypt(text(`m${i}`))).ciphertext);
    vi.spyOn(console, 'error').mockImplementation(() => {});
    await expect(reverse.decrypt('msg', theirBurst[2000]!)).rejects.toThrow();
    expect(new TextDecoder().decode(await reverse.decrypt('msg', theirBurst[1999]!))).toBe('m1999');
  });

  it('a ratchet key that is a low-order point is INVALID_KEY', async () => {
    const { ours, msg } = await established();
    const body = signal.WhisperMessage.decode(msg.ciphertext.subarray(1, msg.ciphertext.length - 8));
    const forged = signal.WhisperMessage.encode({ ...body, ephemeralKey: Uint8Array.of(5, ...new Uint8Array(32)) }).finish();
    const bytes = Uint8Array.of(0x33, ...forged, ...new Uint8Array(8));
    expect(failedDecrypt(ours, 'msg', bytes).code).toBe('INVALID_KEY');
  });

  it('an untrusted identity is refused on decrypt, encrypt and session setup, changing nothing', async () => {
    const { ours, msg } = await established();
    const record = ours.record;
    const before = snapshot(record);
    const distrust = { isTrustedIdentity: pinnedIdentity(new Uint8Array(32).fill(9)) };
    const attempts = [
      () => decryptMessage(record, ours.local, 'msg', msg.ciphertext, distrust),
      () => encryptMessage(record, ours.local, text('x'), distrust),
      () => initSessionFromBundle(record, ours.local, new OurPeer().bundle(true), distrust),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(UntrustedIdentityError);
      expect(snapshot(record)).toBe(before);
    }
    // A key we pinned is accepted.
    const current = record!.current!.remoteIdentity;
    expect(() => decryptMessage(record, ours.local, 'msg', msg.ciphertext, { isTrustedIdentity: pinnedIdentity(current) })).not.toThrow();
  });

  it('encrypting without a session is NO_SESSION', () => {
    const ours = new OurPeer();
    expect(() => encryptMessage(undefined, ours.local, text('x'))).toThrow(expect.objectContaining({ code: 'NO_SESSION' }));
  });

  it('a bundle with a bad signature or malformed keys is refused', () => {
    const ours = new OurPeer();
    const bundle = new OurPeer().bundle(true);
    const badSig = bundle.signedPreKey.signature.slice();
    badSig[10]! ^= 1;
    const cases: Array<[typeof bundle, string]> = [
      [{ ...bundle, signedPreKey: { ...bundle.signedPreKey, signature: badSig } }, 'BAD_SIGNATURE'],
      [{ ...bundle, signedPreKey: { ...bundle.signedPreKey, signature: badSig.subarray(0, 63) } }, 'BAD_SIGNATURE'],
      [{ ...bundle, identityKey: new OurPeer().local.identityKey.public }, 'BAD_SIGNATURE'],
      [{ ...bundle, identityKey: bundle.identityKey.subarray(0, 31) }, 'INVALID_KEY'],
      [{ ...bundle, preKey: { keyId: 1, publicKey: Uint8Array.of(6, ...bundle.identityKey) } }, 'INVALID_KEY'],
      [{ ...bundle, preKey: { keyId: 1, publicKey: new Uint8Array(32) } }, 'INVALID_KEY'],
    ];
    for (const [b, code] of cases) {
      expect(() => initSessionFromBundle(undefined, ours.local, b)).toThrow(expect.objectContaining({ code }));
    }
  });
});
