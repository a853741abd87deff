/**
 * App state sync keys. The phone generates them and shares them with each
 * companion in an end-to-end encrypted protocol message
 * (Message.AppStateSyncKeyShare); a companion that meets a key id it lacks
 * asks for it (AppStateSyncKeyRequest). Each 32-byte key expands by
 * HKDF-SHA256 (no salt, info "WhatsApp Mutation Keys") into the five keys
 * one app state key stands for.
 */
import { hkdf } from '../crypto/hkdf.js';
import type { proto } from '../proto/index.js';
import { AppStateError } from './errors.js';

const MUTATION_KEYS_INFO = 'WhatsApp Mutation Keys';
export const SYNC_KEY_LENGTH = 32;

export interface MutationKeys {
  /** HMAC-SHA256 key of the JSON index (the record's index MAC). */
  readonly index: Uint8Array;
  /** AES-256-CBC key of the SyncActionData. */
  readonly valueEncryption: Uint8Array;
  /** HMAC-SHA512 key of the value MAC. */
  readonly valueMac: Uint8Array;
  /** HMAC-SHA256 key of the snapshot MAC (over the LT-hash). */
  readonly snapshotMac: Uint8Array;
  /** HMAC-SHA256 key of the patch MAC. */
  readonly patchMac: Uint8Array;
}

/** The five keys, in the order WhatsApp lays them out in the 160 expanded bytes. */
export function expandAppStateKeys(keyData: Uint8Array): MutationKeys {
  const x = hkdf(keyData, 160, { info: MUTATION_KEYS_INFO });
  return {
    index: x.slice(0, 32),
    valueEncryption: x.slice(32, 64),
    valueMac: x.slice(64, 96),
    snapshotMac: x.slice(96, 128),
    patchMac: x.slice(128, 160),
  };
}

export interface SyncKeyFingerprint {
  readonly rawId: number;
  readonly currentIndex: number;
  readonly deviceIndexes: readonly number[];
}

/** One key as shared by the phone. */
export interface SyncKey {
  readonly keyId: Uint8Array;
  readonly keyData: Uint8Array;
  readonly fingerprint?: SyncKeyFingerprint;
  /** When the phone made the key (ms, as the phone states it). */
  readonly timestamp: number;
}

/**
 * The keys of a share, all or none: a share is one message from the phone,
 * and an entry without its id or key data means the message is not what the
 * phone sends.
 * @throws AppStateError BAD_KEY_SHARE
 */
export function parseKeyShare(share: proto.Message.IAppStateSyncKeyShare): SyncKey[] {
  return (share.keys ?? []).map((k, i) => {
    const keyId = k.keyId?.keyId;
    const keyData = k.keyData?.keyData;
    if (!keyId || keyId.length === 0) throw new AppStateError('BAD_KEY_SHARE', `key #${i + 1} of the share has no id`);
    if (!keyData || keyData.length !== SYNC_KEY_LENGTH) {
      throw new AppStateError('BAD_KEY_SHARE', `key #${i + 1} of the share has ${keyData?.length ?? 0} bytes of key data, not ${SYNC_KEY_LENGTH}`, { keyId });
    }
    const fp = k.keyData?.fingerprint;
    return {
      keyId,
      keyData,
      ...(fp ? { fingerprint: { rawId: fp.rawId ?? 0, currentIndex: fp.currentIndex ?? 0, deviceIndexes: fp.deviceIndexes ?? [] } } : {}),
      timestamp: k.keyData?.timestamp ?? 0,
    };
  });
}

/** The share message for keys (what the phone sends a new companion). */
export function buildKeyShare(keys: readonly SyncKey[]): proto.Message.IAppStateSyncKeyShare {
  return {
    keys: keys.map((k) => ({
      keyId: { keyId: k.keyId },
      keyData: {
        keyData: k.keyData,
        ...(k.fingerprint ? { fingerprint: { ...k.fingerprint, deviceIndexes: [...k.fingerprint.deviceIndexes] } } : {}),
        timestamp: k.timestamp,
      },
    })),
  };
}

/** The request for keys we lack (sent to our own phone). */
export function buildKeyRequest(keyIds: readonly Uint8Array[]): proto.Message.IAppStateSyncKeyRequest {
  return { keyIds: keyIds.map((keyId) => ({ keyId })) };
}

/**
 * The key our own patches are encrypted with: the newest the phone shared
 * (the phone rotates keys and expects new writes under the newest one).
 * Ties go to the key shared last.
 */
export function newestKey(keys: readonly SyncKey[]): SyncKey | undefined {
  let best: SyncKey | undefined;
  for (const k of keys) if (!best || k.timestamp >= best.timestamp) best = k;
  return best;
}

/** Looks up the expanded keys of a key id; undefined when we do not have it. */
export type KeyLookup = (keyId: Uint8Array) => MutationKeys | undefined;

/**
 * The sync keys an account holds, expanded once each. Decoding a snapshot
 * names the same key for thousands of records; HKDF once per key, not per record.
 */
export class Keyring {
  readonly #keys = new Map<string, MutationKeys>();

  constructor(keys: Iterable<Pick<SyncKey, 'keyId' | 'keyData'>> = []) {
    for (const k of keys) this.add(k);
  }

  add(key: Pick<SyncKey, 'keyId' | 'keyData'>): void {
    this.#keys.set(keyIdString(key.keyId), expandAppStateKeys(key.keyData));
  }

  has(keyId: Uint8Array): boolean {
    return this.#keys.has(keyIdString(keyId));
  }

  /** A KeyLookup over this ring. */
  readonly lookup: KeyLookup = (keyId) => this.#keys.get(keyIdString(keyId));
}

/** The text form of a key id: base64, as WhatsApp Web and Baileys write it. */
export function keyIdString(keyId: Uint8Array): string {
  return Buffer.from(keyId.buffer, keyId.byteOffset, keyId.byteLength).toString('base64');
}

/** The expanded keys of a key id. @throws AppStateError MISSING_KEY */
export function requireKeys(lookup: KeyLookup, keyId: Uint8Array, what: string): MutationKeys {
  const keys = lookup(keyId);
  if (!keys) throw new AppStateError('MISSING_KEY', `no app state sync key ${keyIdString(keyId)} for ${what}`, { keyId });
  return keys;
}
