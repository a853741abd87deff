/**
 * Raw 32-byte Curve25519/Ed25519 keys as node:crypto KeyObjects.
 *
 * Importing a key from DER costs far more than the agreement itself (libsignal
 * spends most of its time there), so imported keys are kept
 * in a small bounded cache keyed by their bytes. The cache is a pure
 * memoisation: results never depend on it, and it holds at most CACHE_LIMIT
 * entries per kind.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { BoundedCache } from './bounded-cache.js';

const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const CACHE_LIMIT = 512;

function base64url(raw: Uint8Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('base64url');
}

const x25519Private = new BoundedCache<KeyObject>(CACHE_LIMIT);
const x25519Public = new BoundedCache<KeyObject>(CACHE_LIMIT);
const ed25519Public = new BoundedCache<KeyObject>(CACHE_LIMIT);

// JWK, not DER: on Node 20 / OpenSSL 3 a DER import runs the generic decoder
// chain (~400 µs for a PKCS#8 X25519 key, ~80 µs for SPKI); JWK goes straight to
// EVP_PKEY_new_raw_*_key (~40 µs / ~8 µs). For a private key Node requires the
// `x` member but derives the public key from `d` itself, so it may be empty.
export function x25519PrivateKeyObject(raw: Uint8Array): KeyObject {
  return x25519Private.get(raw, () => {
    try {
      return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: base64url(raw), x: '' }, format: 'jwk' });
    } catch {
      // The empty `x` is a Node quirk, not documented behaviour: fall back to DER.
      return createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
    }
  });
}

export function x25519PublicKeyObject(raw: Uint8Array): KeyObject {
  return x25519Public.get(raw, () => createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: base64url(raw) }, format: 'jwk' }));
}

export function ed25519PublicKeyObject(raw: Uint8Array): KeyObject {
  return ed25519Public.get(raw, () => createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64url(raw) }, format: 'jwk' }));
}

/** An Ed25519 private key from its 32-byte seed (RFC 8032's private key); not cached here, its user caches. */
export function importEd25519PrivateKey(seed: Uint8Array): KeyObject {
  try {
    return createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: base64url(seed), x: '' }, format: 'jwk' });
  } catch {
    return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  }
}

/** The raw 32-byte public key of an X25519 private KeyObject. */
export function x25519RawPublic(privateKey: KeyObject): Uint8Array {
  return rawPublic(privateKey);
}

/** The raw 32-byte public key (Edwards encoding) of an Ed25519 private KeyObject. */
export function ed25519RawPublic(privateKey: KeyObject): Uint8Array {
  return rawPublic(privateKey);
}

function rawPublic(privateKey: KeyObject): Uint8Array {
  // A private key's JWK carries its public key `x` (one export, no public KeyObject made).
  const jwk = privateKey.export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x!, 'base64url'));
}
