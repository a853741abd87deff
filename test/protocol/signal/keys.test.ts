// Key helpers: signed prekeys cross-checked with libsignal-node's curve
// (curve25519-js, an independent XEdDSA/curve25519 implementation) both ways,
// registration ids and prekey id ranges as libsignal makes them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toSignalPublicKey } from '../../../src/protocol/crypto/curve25519.js';
import {
  generateIdentityKeyPair,
  generatePreKeys,
  generateRegistrationId,
  generateSignedPreKey,
  MAX_PREKEY_ID,
  verifySignedPreKey,
} from '../../../src/protocol/signal/index.js';
import { libCurve, libsignal } from './support.js';

describe('signed prekeys', () => {
  it('ours verify with libsignal’s curve25519-js verifier', () => {
    for (let i = 0; i < 20; i++) {
      const identity = generateIdentityKeyPair();
      const spk = generateSignedPreKey(identity, i + 1);
      expect(spk.signature).toHaveLength(64);
      const pub33 = Buffer.from(toSignalPublicKey(identity.public));
      const msg33 = Buffer.from(toSignalPublicKey(spk.keyPair.public));
      expect(libCurve.verifySignature(pub33, msg33, Buffer.from(spk.signature))).toBe(true);
      // and a different message does not
      const other = Buffer.from(toSignalPublicKey(generateIdentityKeyPair().public));
      expect(libCurve.verifySignature(pub33, other, Buffer.from(spk.signature))).toBe(false);
    }
  });

  it('libsignal’s verify with ours', () => {
    for (let i = 0; i < 20; i++) {
      const identity = libsignal.keyhelper.generateIdentityKeyPair();
      const spk = libsignal.keyhelper.generateSignedPreKey(identity, i + 1);
      expect(verifySignedPreKey(identity.pubKey, spk.keyPair.pubKey, spk.signature)).toBe(true);
      expect(verifySignedPreKey(identity.pubKey.subarray(1), spk.keyPair.pubKey.subarray(1), spk.signature)).toBe(true);
      const bad = Buffer.from(spk.signature);
      bad[5]! ^= 0x40;
      expect(verifySignedPreKey(identity.pubKey, spk.keyPair.pubKey, bad)).toBe(false);
    }
  });

  it('a signature over arbitrary bytes from libsignal verifies with ours and no other key', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 33, maxLength: 33 }), (msg) => {
        const identity = libsignal.keyhelper.generateIdentityKeyPair();
        const sig = libCurve.calculateSignature(identity.privKey, Buffer.from(msg));
        expect(verifySignedPreKey(identity.pubKey, msg.subarray(1), sig)).toBe(msg[0] === 5);
      }),
      { numRuns: 20 },
    );
  });
});

describe('registration ids and prekeys', () => {
  it('registration ids are 14-bit and never 0, from the given randomness', () => {
    expect(generateRegistrationId(() => Uint8Array.of(0xff, 0xff))).toBe(0x3fff);
    expect(generateRegistrationId(() => Uint8Array.of(0x40, 0x01))).toBe(1);
    const draws = [Uint8Array.of(0x40, 0), Uint8Array.of(0x12, 0x34)];
    expect(generateRegistrationId(() => draws.shift()!)).toBe(0x1234);
    for (let i = 0; i < 200; i++) {
      const id = generateRegistrationId();
      expect(id).toBeGreaterThanOrEqual(1);
      expect(id).toBeLessThanOrEqual(16383);
    }
  });

  it('prekeys get consecutive ids that wrap before the 24-bit limit, skipping 0', () => {
    expect(generatePreKeys(1, 3).map((k) => k.keyId)).toEqual([1, 2, 3]);
    expect(generatePreKeys(MAX_PREKEY_ID - 2, 4).map((k) => k.keyId)).toEqual([MAX_PREKEY_ID - 2, MAX_PREKEY_ID - 1, 1, 2]);
    const keys = generatePreKeys(10, 5);
    expect(new Set(keys.map((k) => Buffer.from(k.keyPair.public).toString('hex'))).size).toBe(5);
    expect(() => generatePreKeys(0, 1)).toThrow(RangeError);
    expect(() => generateSignedPreKey(generateIdentityKeyPair(), -1)).toThrow(RangeError);
  });

  it('key pairs are 32-byte raw keys', () => {
    const k = generateIdentityKeyPair();
    expect(k.public).toHaveLength(32);
    expect(k.private).toHaveLength(32);
  });
});
