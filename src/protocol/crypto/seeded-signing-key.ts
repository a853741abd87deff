/**
 * Curve25519 signing keys that node:crypto can sign with, for keys only we
 * ever sign with (a group sender key's signing key: members receive only its
 * public half).
 *
 * XEdDSA signs with a Montgomery private key through Edwards arithmetic that
 * node:crypto does not offer (pure JS manages ~3k signatures/s). But an
 * Ed25519 key pair whose public point A has sign bit 0 already is an XEdDSA
 * key pair: its clamped scalar a is a Curve25519 private key whose public key
 * is the Montgomery u of A, and XEdDSA verification (which rebuilds A from u
 * with sign bit 0 and checks sB = R + hA, h = SHA-512(R ‖ A ‖ M)) is Ed25519
 * verification, so it accepts the Ed25519 signatures as they are. Such a key
 * is drawn by trying seeds until A's sign bit is 0 (one try in two); keeping
 * the seed lets node:crypto sign at Ed25519 speed.
 *
 * The signatures are deterministic (RFC 8032 derives the nonce from the seed
 * and the message) where XEdDSA's are randomised; both are secret, uniform
 * nonces, and verifiers cannot tell the two apart.
 */
import { randomBytes, sign as nodeSign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { BoundedCache } from './bounded-cache.js';
import { clampPrivateKey, keyPairFromPrivate, type KeyPair } from './curve25519.js';
import { CryptoError } from './errors.js';
import { sha512 } from './hash.js';
import { importEd25519PrivateKey, ed25519RawPublic } from './key-objects.js';

export interface SeededSigningKey extends KeyPair {
  /** The 32-byte Ed25519 seed (RFC 8032's private key) `private` is derived from. */
  readonly seed: Uint8Array;
}

const SEED_BYTES = 32;
const SIGNER_CACHE_LIMIT = 256;
// Per seed: its private KeyObject, or null when its signatures would not verify as XEdDSA.
const signers = new BoundedCache<KeyObject | null>(SIGNER_CACHE_LIMIT);

function compatibleKey(seed: Uint8Array): KeyObject | null {
  const key = importEd25519PrivateKey(seed);
  return (ed25519RawPublic(key)[31]! & 0x80) === 0 ? key : null;
}

function signer(seed: Uint8Array): KeyObject | null {
  if (seed.length !== SEED_BYTES) return null;
  return signers.get(seed, () => compatibleKey(seed));
}

/**
 * The key pair of a seed. @throws CryptoError BAD_KEY for a seed of the wrong
 * length or whose public point has sign bit 1 (XEdDSA verifiers would rebuild
 * the negated point and reject every signature).
 */
export function seededSigningKey(seed: Uint8Array): SeededSigningKey {
  if (seed.length !== SEED_BYTES) throw new CryptoError('BAD_KEY', `signing seed must be ${SEED_BYTES} bytes, got ${seed.length}`);
  if (!signer(seed)) throw new CryptoError('BAD_KEY', 'signing seed gives an Edwards public key with sign bit 1');
  // RFC 8032: the scalar is the clamped first half of SHA-512(seed), clamped as X25519 clamps.
  const { public: pub, private: priv } = keyPairFromPrivate(clampPrivateKey(sha512(seed).subarray(0, 32)));
  return { public: pub, private: priv, seed: new Uint8Array(seed) };
}

/** A fresh signing key pair whose signatures node:crypto makes. */
export function generateSeededSigningKey(): SeededSigningKey {
  for (;;) {
    // Not through the cache: the rejected half of the seeds would only crowd it.
    const seed = randomBytes(SEED_BYTES);
    const key = compatibleKey(seed);
    if (key) {
      signers.set(seed, key);
      return seededSigningKey(seed);
    }
  }
}

/**
 * The signature (64 bytes) of `message` by a seeded key: an Ed25519 signature
 * that XEdDSA verification accepts with the key's Curve25519 public key.
 * @throws CryptoError BAD_KEY for a seed that seededSigningKey would refuse
 */
export function signWithSeed(seed: Uint8Array, message: Uint8Array): Uint8Array {
  const key = signer(seed);
  if (!key) throw new CryptoError('BAD_KEY', 'not a signing seed whose signatures verify as XEdDSA');
  const sig = nodeSign(null, message, key);
  return new Uint8Array(sig.buffer, sig.byteOffset, sig.length);
}
