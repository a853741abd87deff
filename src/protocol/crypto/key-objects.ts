/**
 * Raw 32-byte Curve25519/Ed25519 keys as node:crypto KeyObjects.
 *
 * Importing a key from DER costs far more than the agreement itself (libsignal
 * spends > 80% of its time there, perf-anchors.md), so imported keys are kept
 * in a small bounded cache keyed by their bytes. The cache is a pure
 * memoisation: results never depend on it, and it holds at most CACHE_LIMIT
 * entries per kind.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

const CACHE_LIMIT = 512;

class BoundedKeyCache {
  readonly #map = new Map<string, KeyObject>();

  get(raw: Uint8Array, make: () => KeyObject): KeyObject {
    const id = Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('latin1');
    let key = this.#map.get(id);
    if (key === undefined) {
      key = make();
      if (this.#map.size >= CACHE_LIMIT) {
        // Map iteration order is insertion order: drop the oldest entry.
        this.#map.delete(this.#map.keys().next().value as string);
      }
      this.#map.set(id, key);
    }
    return key;
  }
}

const x25519Private = new BoundedKeyCache();
const x25519Public = new BoundedKeyCache();
const ed25519Public = new BoundedKeyCache();

export function x25519PrivateKeyObject(raw: Uint8Array): KeyObject {
  return x25519Private.get(raw, () =>
    createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' }),
  );
}

export function x25519PublicKeyObject(raw: Uint8Array): KeyObject {
  return x25519Public.get(raw, () =>
    createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' }),
  );
}

export function ed25519PublicKeyObject(raw: Uint8Array): KeyObject {
  return ed25519Public.get(raw, () =>
    createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' }),
  );
}

/** The raw 32-byte public key of an X25519 private KeyObject. */
export function x25519RawPublic(privateKey: KeyObject): Uint8Array {
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - 32));
}
