/**
 * App-state sync: the keys the phone shares with us (`ask/<key id hex>`) and,
 * per collection, the version, LT-hash and index→value MACs we have applied
 * (`asv/<collection>`). The version record is written in the same transaction
 * as the mutations it reflects, so a crash never leaves a hash that does not
 * match what was applied.
 */
import { encodeRecord, type Value } from '../codec/value.js';
import { Fields, isMap } from '../codec/fields.js';
import { StoreError } from '../errors.js';
import { key } from '../keys.js';
import type { ReadContext, WriteContext } from '../context.js';

export const SYNC_KEYS = 'ask';
export const VERSIONS = 'asv';
const FORMAT = 1;

export interface AppStateSyncKey {
  readonly keyData: Uint8Array;
  /** AppStateSyncKeyFingerprint as a plain map (rawId, currentIndex, deviceIndexes). */
  readonly fingerprint?: Value | undefined;
  readonly timestamp: number;
}

export interface AppStateVersion {
  readonly version: number;
  /** 128-byte LT-hash. */
  readonly hash: Uint8Array;
  /** base64 index MAC → value MAC. */
  readonly indexValueMacs: Readonly<Record<string, Uint8Array>>;
}

function syncKeyKey(ns: Uint8Array, keyId: Uint8Array): Uint8Array {
  return key(ns, SYNC_KEYS, Buffer.from(keyId).toString('hex'));
}

function versionKey(ns: Uint8Array, collection: string): Uint8Array {
  return key(ns, VERSIONS, collection);
}

export class AppStateReader {
  constructor(readonly ctx: ReadContext) {}

  async getSyncKey(keyId: Uint8Array): Promise<AppStateSyncKey | undefined> {
    const v = await this.ctx.get(syncKeyKey(this.ctx.ns, keyId));
    if (!v) return undefined;
    const f = Fields.of('appStateSyncKey', v, FORMAT);
    return { keyData: f.bytes('keyData'), fingerprint: f.map['fingerprint'], timestamp: f.int('timestamp') };
  }

  async getVersion(collection: string): Promise<AppStateVersion | undefined> {
    const v = await this.ctx.get(versionKey(this.ctx.ns, collection));
    if (!v) return undefined;
    const f = Fields.of('appStateVersion', v, FORMAT);
    const macs = f.map['indexValueMacs'];
    if (!isMap(macs)) throw new StoreError('CORRUPT_RECORD', 'appStateVersion.indexValueMacs: expected a map');
    const indexValueMacs: Record<string, Uint8Array> = {};
    for (const [k, mac] of Object.entries(macs)) {
      if (!(mac instanceof Uint8Array)) throw new StoreError('CORRUPT_RECORD', 'appStateVersion.indexValueMacs: expected bytes');
      indexValueMacs[k] = mac;
    }
    return { version: f.int('version'), hash: f.bytes('hash'), indexValueMacs };
  }
}

export class AppStateWriter {
  constructor(readonly tx: WriteContext) {}

  putSyncKey(keyId: Uint8Array, k: AppStateSyncKey): void {
    this.tx.put(syncKeyKey(this.tx.ns, keyId), encodeRecord(FORMAT, { keyData: k.keyData, fingerprint: k.fingerprint, timestamp: k.timestamp }));
  }

  putVersion(collection: string, v: AppStateVersion): void {
    this.tx.put(
      versionKey(this.tx.ns, collection),
      encodeRecord(FORMAT, { version: v.version, hash: v.hash, indexValueMacs: { ...v.indexValueMacs } }),
    );
  }

  deleteVersion(collection: string): void {
    this.tx.del(versionKey(this.tx.ns, collection));
  }
}
