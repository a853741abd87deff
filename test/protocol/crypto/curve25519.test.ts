// XEdDSA and X25519 against independent implementations: libsignal-node's
// curve (curve25519-js, the legacy "sign bit in s[63]" scheme WhatsApp clients
// verify with) and node:crypto's own X25519.
import { createRequire } from 'node:module';
import { diffieHellman, generateKeyPairSync, createPrivateKey, createPublicKey } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  fromSignalPublicKey,
  generateKeyPair,
  keyPairFromPrivate,
  sharedSecret,
  toSignalPublicKey,
  xeddsaSign,
  xeddsaVerify,
} from '../../../src/protocol/crypto/index.js';

const require = createRequire(import.meta.url);
const libCurve = require('libsignal/src/curve.js') as {
  calculateSignature(priv: Buffer, msg: Buffer): Buffer;
  verifySignature(pub: Buffer, msg: Buffer, sig: Buffer): boolean;
  calculateAgreement(pub: Buffer, priv: Buffer): Buffer;
  generateKeyPair(): { pubKey: Buffer; privKey: Buffer };
};

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

describe('X25519', () => {
  it('agrees with libsignal and with node:crypto on random keys', () => {
    for (let i = 0; i < 50; i++) {
      const a = generateKeyPair();
      const b = libCurve.generateKeyPair();
      const ours = sharedSecret(a.private, fromSignalPublicKey(b.pubKey));
      const theirs = libCurve.calculateAgreement(Buffer.from(toSignalPublicKey(a.public)), b.privKey);
      expect(Buffer.from(ours).toString('hex')).toBe(theirs.toString('hex'));
    }
  });

  it('derives the public key node:crypto derives from any 32 bytes', () => {
    fc.assert(
      fc.property(bytes(32), (raw) => {
        const kp = keyPairFromPrivate(raw);
        const der = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), raw]), format: 'der', type: 'pkcs8' });
        const spki = createPublicKey(der).export({ format: 'der', type: 'spki' });
        expect(Buffer.from(kp.public).equals(spki.subarray(12))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('is symmetric', () => {
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    const a = generateKeyPair();
    const pubB = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    const privB = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16);
    const viaNode = diffieHellman({ privateKey, publicKey: createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), a.public]), format: 'der', type: 'spki' }) });
    expect(Buffer.from(sharedSecret(a.private, pubB)).equals(viaNode)).toBe(true);
    expect(Buffer.from(sharedSecret(privB, a.public)).equals(viaNode)).toBe(true);
  });

  it('rejects low-order points and bad lengths with CryptoError', () => {
    const a = generateKeyPair();
    expect(() => sharedSecret(a.private, new Uint8Array(32))).toThrow(CryptoError);
    expect(() => sharedSecret(a.private, new Uint8Array(31))).toThrow(CryptoError);
    expect(() => fromSignalPublicKey(new Uint8Array(33).fill(6))).toThrow(CryptoError);
  });
});

describe('XEdDSA', () => {
  it('our signatures verify with libsignal (curve25519-js)', () => {
    fc.assert(
      fc.property(bytes(32), fc.uint8Array({ maxLength: 300 }), (raw, msg) => {
        const kp = keyPairFromPrivate(raw);
        const sig = xeddsaSign(kp.private, msg);
        expect(libCurve.verifySignature(Buffer.from(toSignalPublicKey(kp.public)), Buffer.from(msg), Buffer.from(sig))).toBe(true);
        expect(xeddsaVerify(kp.public, msg, sig)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("libsignal's signatures (either sign bit) verify with ours", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (msg) => {
        const kp = libCurve.generateKeyPair();
        const sig = libCurve.calculateSignature(kp.privKey, Buffer.from(msg));
        expect(xeddsaVerify(kp.pubKey, msg, sig)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('rejects a flipped bit anywhere in message, signature or key', () => {
    const kp = generateKeyPair();
    const msg = new TextEncoder().encode('a signed prekey');
    const sig = xeddsaSign(kp.private, msg);
    for (let bit = 0; bit < 64 * 8; bit += 7) {
      const bad = new Uint8Array(sig);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(xeddsaVerify(kp.public, msg, bad)).toBe(false);
    }
    const badMsg = new Uint8Array(msg);
    badMsg[0]! ^= 1;
    expect(xeddsaVerify(kp.public, badMsg, sig)).toBe(false);
    expect(xeddsaVerify(generateKeyPair().public, msg, sig)).toBe(false);
    expect(xeddsaVerify(kp.public, msg, sig.subarray(0, 63))).toBe(false);
  });

  it('is deterministic for a fixed random input (a golden self-vector)', () => {
    const priv = new Uint8Array(32).map((_, i) => i * 7 + 1);
    const random = new Uint8Array(64).map((_, i) => 255 - i);
    const msg = new TextEncoder().encode('wad');
    const s1 = xeddsaSign(priv, msg, random);
    const s2 = xeddsaSign(priv, msg, random);
    expect(Buffer.from(s1).equals(Buffer.from(s2))).toBe(true);
    expect(s1[63]! & 0x80).toBe(0); // XEdDSA: the public sign bit is always 0
  });
});
