// Seeded signing keys (Ed25519 key pairs whose public point has sign bit 0):
// their node:crypto signatures must verify as XEdDSA everywhere a WhatsApp
// client checks them: our verifier, libsignal-node's (curve25519-js, which
// Baileys runs) and whatsapp-rust's (the WASM bridge); and the key pair must be
// the same Curve25519 pair XEdDSA would sign with.
import { createRequire } from 'node:module';
import { createPrivateKey, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { ed25519 } from '@noble/curves/ed25519.js';
import { verifySignature as bridgeVerify } from 'whatsapp-rust-bridge';
import { describe, expect, it } from 'vitest';
import {
  CryptoError,
  generateSeededSigningKey,
  keyPairFromPrivate,
  seededSigningKey,
  signWithSeed,
  toSignalPublicKey,
  xeddsaSign,
  xeddsaVerify,
} from '../../../src/protocol/crypto/index.js';

const require = createRequire(import.meta.url);
const libCurve = require('libsignal/src/curve.js') as { verifySignature(pub: Buffer, msg: Buffer, sig: Buffer): boolean };

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const message = fc.uint8Array({ maxLength: 300 });

/** The Ed25519 public key of a seed, as node:crypto derives it. */
function edwardsPublic(seed: Uint8Array): Uint8Array {
  const jwk = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(seed).toString('base64url'), x: '' }, format: 'jwk' }).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x!, 'base64url'));
}

/** A seed whose Edwards public key has the given sign bit. */
function seedWithSignBit(bit: 0 | 1): Uint8Array {
  for (;;) {
    const seed = randomBytes(32);
    if (edwardsPublic(seed)[31]! >> 7 === bit) return seed;
  }
}

describe('seeded signing keys', () => {
  it('are Curve25519 pairs: the public key is the Montgomery form of the Ed25519 one, the private key its scalar', () => {
    for (let i = 0; i < 40; i++) {
      const key = generateSeededSigningKey();
      const ed = edwardsPublic(key.seed);
      expect(ed[31]! & 0x80).toBe(0);
      expect(hex(key.public)).toBe(hex(ed25519.utils.toMontgomery(ed)));
      expect(hex(keyPairFromPrivate(key.private).public)).toBe(hex(key.public));
      expect(hex(seededSigningKey(key.seed).private)).toBe(hex(key.private));
    }
  });

  it('sign what our XEdDSA verifier, libsignal (curve25519-js) and whatsapp-rust (WASM) accept', () => {
    const keys = Array.from({ length: 8 }, generateSeededSigningKey);
    fc.assert(
      fc.property(fc.nat(keys.length - 1), message, (k, msg) => {
        const key = keys[k]!;
        const sig = signWithSeed(key.seed, msg);
        expect(sig.length).toBe(64);
        expect(xeddsaVerify(key.public, msg, sig)).toBe(true);
        expect(libCurve.verifySignature(Buffer.from(toSignalPublicKey(key.public)), Buffer.from(msg), Buffer.from(sig))).toBe(true);
        expect(bridgeVerify(toSignalPublicKey(key.public), msg, sig)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('can also sign as XEdDSA with the private scalar, under the same public key', () => {
    const key = generateSeededSigningKey();
    const msg = new TextEncoder().encode('one key, two signers');
    expect(xeddsaVerify(key.public, msg, xeddsaSign(key.private, msg))).toBe(true);
  });

  it('sign deterministically, and a flipped bit anywhere fails verification', () => {
    const key = generateSeededSigningKey();
    const msg = new TextEncoder().encode('a sender key message');
    const sig = signWithSeed(key.seed, msg);
    expect(hex(signWithSeed(key.seed, msg))).toBe(hex(sig));
    for (let bit = 0; bit < 64 * 8; bit += 5) {
      const bad = new Uint8Array(sig);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(xeddsaVerify(key.public, msg, bad)).toBe(false);
    }
    const badMsg = new Uint8Array(msg);
    badMsg[3]! ^= 0x10;
    expect(xeddsaVerify(key.public, badMsg, sig)).toBe(false);
    expect(xeddsaVerify(generateSeededSigningKey().public, msg, sig)).toBe(false);
  });

  it('refuse a seed whose Edwards public key has sign bit 1, and seeds of the wrong length', () => {
    const odd = seedWithSignBit(1);
    expect(() => seededSigningKey(odd)).toThrow(CryptoError);
    expect(() => signWithSeed(odd, new Uint8Array(3))).toThrow(CryptoError);
    // Why it must: XEdDSA verifiers rebuild the point with sign bit 0, the negation of this key's.
    const sig = ed25519.sign(new Uint8Array(3), odd);
    const montgomery = ed25519.utils.toMontgomery(edwardsPublic(odd));
    expect(xeddsaVerify(montgomery, new Uint8Array(3), sig)).toBe(false);
    expect(() => seededSigningKey(new Uint8Array(31))).toThrow(CryptoError);
    expect(() => signWithSeed(new Uint8Array(33), new Uint8Array(3))).toThrow(CryptoError);
    expect(seededSigningKey(seedWithSignBit(0)).seed.length).toBe(32);
  });
});
