/**
 * Curve25519 keys as Signal and WhatsApp use them: X25519 agreement and
 * XEdDSA signatures made and checked with the same Montgomery keys.
 *
 * - Agreement runs in node:crypto (~15× @noble/curves) with cached KeyObjects.
 * - Signing is XEdDSA (Signal's spec, 2016): node:crypto has no primitive for
 *   signing with a Montgomery key, so the Edwards arithmetic is @noble/curves'.
 *   XEdDSA fixes the public sign bit to 0, so our signatures also verify with
 *   the older curve25519 "sign bit in s[63]" scheme that libsignal-node uses.
 * - Verifying converts the Montgomery u to the Edwards y and runs a standard
 *   Ed25519 verification in node:crypto, taking the sign bit from the
 *   signature's top bit like libsignal-node so that both schemes verify.
 */
import { randomBytes, diffieHellman, verify as nodeVerify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { CryptoError } from './errors.js';
import { BoundedCache } from './bounded-cache.js';
import { poolRandomBytes } from './random-pool.js';
import { sha512 } from './hash.js';
import { ed25519PublicKeyObject, x25519PrivateKeyObject, x25519PublicKeyObject, x25519RawPublic } from './key-objects.js';

export interface KeyPair {
  /** 32-byte Montgomery u-coordinate. */
  public: Uint8Array;
  /** 32-byte clamped scalar. */
  private: Uint8Array;
}

/** Signal's key-type byte ("DJB_TYPE") prefixed to public keys on the wire. */
export const DJB_TYPE = 0x05;

const P = 2n ** 255n - 19n;
const Point = ed25519.Point;
const L = Point.Fn.ORDER;

export function clampPrivateKey(raw: Uint8Array): Uint8Array {
  if (raw.length !== 32) throw new CryptoError('BAD_KEY', `private key must be 32 bytes, got ${raw.length}`);
  const k = new Uint8Array(raw);
  k[0]! &= 248;
  k[31]! &= 127;
  k[31]! |= 64;
  return k;
}

export function keyPairFromPrivate(raw: Uint8Array): KeyPair {
  const priv = clampPrivateKey(raw);
  return { private: priv, public: x25519RawPublic(x25519PrivateKeyObject(priv)) };
}

export function generateKeyPair(): KeyPair {
  // Random bytes, clamped (as libsignal stores keys), not generateKeyPairSync:
  // on Node 20 the key-generation job's destructor locks the key's mutex, and a
  // GC that collects it while the same key is being exported (its mutex held)
  // deadlocks the thread for good. The KeyObject stays cached: a fresh ratchet
  // key is used for an agreement at once.
  const priv = clampPrivateKey(poolRandomBytes(32));
  return { private: priv, public: x25519RawPublic(x25519PrivateKeyObject(priv)) };
}

/**
 * X25519. @throws CryptoError BAD_KEY for wrong lengths, WEAK_SHARED_SECRET
 * when the peer key is a low-order point (all-zero result).
 */
export function sharedSecret(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  if (privateKey.length !== 32 || publicKey.length !== 32) {
    throw new CryptoError('BAD_KEY', `X25519 keys must be 32 bytes (got ${privateKey.length}/${publicKey.length})`);
  }
  let out: Buffer;
  try {
    out = diffieHellman({ privateKey: x25519PrivateKeyObject(privateKey), publicKey: x25519PublicKeyObject(publicKey) });
  } catch (cause) {
    throw new CryptoError('WEAK_SHARED_SECRET', 'X25519 agreement failed (low-order public key)', { cause });
  }
  let acc = 0;
  for (let i = 0; i < out.length; i++) acc |= out[i]!;
  if (acc === 0) throw new CryptoError('WEAK_SHARED_SECRET', 'X25519 agreement produced the all-zero secret');
  return out;
}

/** 33-byte Signal encoding (0x05 ‖ key) of a 32-byte public key. */
export function toSignalPublicKey(pub: Uint8Array): Uint8Array {
  if (pub.length === 33 && pub[0] === DJB_TYPE) return pub;
  if (pub.length !== 32) throw new CryptoError('BAD_KEY', `public key must be 32 bytes, got ${pub.length}`);
  const out = new Uint8Array(33);
  out[0] = DJB_TYPE;
  out.set(pub, 1);
  return out;
}

/** The 32-byte key of a Signal-encoded public key. @throws CryptoError BAD_KEY */
export function fromSignalPublicKey(pub: Uint8Array): Uint8Array {
  if (pub.length === 33 && pub[0] === DJB_TYPE) return pub.subarray(1);
  if (pub.length === 32) return pub;
  throw new CryptoError('BAD_KEY', `not a Curve25519 public key (length ${pub.length}, type ${pub[0] ?? 'none'})`);
}

function bytesToNumberLE(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

function numberToBytesLE(n: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

const HASH1_PREFIX = (() => {
  const p = new Uint8Array(32).fill(0xff);
  p[0] = 0xfe;
  return p;
})();

interface EdwardsIdentity {
  a: bigint;
  A: Uint8Array;
}

const EDWARDS_CACHE_LIMIT = 256;
const edwardsCache = new BoundedCache<EdwardsIdentity>(EDWARDS_CACHE_LIMIT);

/** XEdDSA's calculate_key_pair: the Edwards key with sign bit 0 and its scalar. */
function edwardsIdentity(privateKey: Uint8Array): EdwardsIdentity {
  return edwardsCache.get(privateKey, () => {
    const k = bytesToNumberLE(clampPrivateKey(privateKey)) % L;
    const E = Point.BASE.multiply(k).toBytes();
    const negative = (E[31]! & 0x80) !== 0;
    const A = new Uint8Array(E);
    A[31]! &= 0x7f;
    return { a: negative ? (L - k) % L : k, A };
  });
}

/** XEdDSA signature (64 bytes) of `message` with a Curve25519 private key. */
export function xeddsaSign(privateKey: Uint8Array, message: Uint8Array, random: Uint8Array = randomBytes(64)): Uint8Array {
  if (random.length !== 64) throw new CryptoError('BAD_INPUT', 'XEdDSA needs 64 random bytes');
  const { a, A } = edwardsIdentity(privateKey);
  const aBytes = numberToBytesLE(a, 32);
  const r = bytesToNumberLE(sha512(HASH1_PREFIX, aBytes, message, random)) % L;
  const R = Point.BASE.multiply(r === 0n ? 1n : r).toBytes();
  const h = bytesToNumberLE(sha512(R, A, message)) % L;
  const s = (r + h * a) % L;
  const sig = new Uint8Array(64);
  sig.set(R, 0);
  sig.set(numberToBytesLE(s, 32), 32);
  return sig;
}

function modPow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  base %= P;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % P;
    base = (base * base) % P;
    exp >>= 1n;
  }
  return result;
}

/** The Edwards y (as 32 LE bytes, sign bit clear) for Montgomery u; undefined when u = -1 or u ≥ p. */
function montgomeryToEdwardsY(u: bigint): Uint8Array | undefined {
  if (u >= P) return undefined;
  const den = (u + 1n) % P;
  if (den === 0n) return undefined;
  const y = (((u - 1n + P) % P) * modPow(den, P - 2n)) % P;
  return numberToBytesLE(y, 32);
}

const verifyKeyCache = new BoundedCache<Uint8Array | null>(EDWARDS_CACHE_LIMIT);

/** Verifies an XEdDSA (or legacy curve25519) signature with a 32- or 33-byte Montgomery public key. */
export function xeddsaVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  let pub: Uint8Array;
  try {
    pub = fromSignalPublicKey(publicKey);
  } catch {
    return false;
  }
  const y = verifyKeyCache.get(pub, () => montgomeryToEdwardsY(bytesToNumberLE(pub)) ?? null);
  if (y === null) return false;
  const edPub = new Uint8Array(y);
  edPub[31]! |= signature[63]! & 0x80;
  const sig = new Uint8Array(signature);
  sig[63]! &= 0x7f;
  try {
    return nodeVerify(null, message, ed25519PublicKeyObject(edPub), sig);
  } catch {
    return false; // not a point on the curve
  }
}
