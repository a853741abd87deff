/**
 * App-state sync: the keys the phone shares with us (`ask/<key id hex>`) and,
 * per collection, the version, LT-hash and index→value MACs we have applied
 * (`asv/<collection>`). The version record is written in the same transaction
 * as the mutations it reflects, so a crash never leaves a hash that does not
 * match what was applied. Beside them what app state holds that no other
 * family keeps: the account's labels (`asl/<label id>`) and its settings
 * (`ass/<name>`: the locale, the unarchive-chats setting). Which chats carry
 * which label is the chat records'.
 */
import { encodeRecord, type Value } from '../codec/value.js';
import { Fields, isMap } from '../codec/fields.js';
import { StoreError } from '../errors.js';
import { key, prefixOf, prefixRange, tailText } from '../keys.js';
import { copyBytes, type ReadContext, type WriteContext } from '../context.js';

export const SYNC_KEYS = 'ask';
export const VERSIONS = 'asv';
export const LABELS = 'asl';
export const SETTINGS = 'ass';
const FORMAT = 1;

/** A label as the account's app state last said (a deleted one is kept, flagged, as WhatsApp keeps it). */
export interface AppStateLabel {
  readonly id: string;
  readonly name: string;
  readonly color: number;
  readonly deleted: boolean;
  readonly predefinedId?: number | undefined;
  readonly orderIndex?: number | undefined;
}

/** An account setting app state carries; a string or a flag. */
export type AppStateSetting = string | boolean;

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

// Label ids are chosen by whichever device made the label: escaped, so a '/' in one cannot break the key layout.
function labelKey(ns: Uint8Array, id: string): Uint8Array {
  return key(ns, LABELS, encodeURIComponent(id));
}

function settingKey(ns: Uint8Array, name: string): Uint8Array {
  return key(ns, SETTINGS, name);
}

function decodeLabel(id: string, v: Uint8Array): AppStateLabel {
  const f = Fields.of('appStateLabel', v, FORMAT);
  return { id, name: f.str('name'), color: f.int('color'), deleted: f.bool('deleted'), predefinedId: f.optInt('predefinedId'), orderIndex: f.optInt('orderIndex') };
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

  /** Every sync key we hold, by key id. */
  async listSyncKeys(): Promise<Array<AppStateSyncKey & { keyId: Uint8Array }>> {
    const prefix = prefixOf(this.ctx.ns, SYNC_KEYS);
    const out: Array<AppStateSyncKey & { keyId: Uint8Array }> = [];
    for await (const [k, v] of this.ctx.scan(prefixRange(prefix))) {
      const f = Fields.of('appStateSyncKey', v, FORMAT);
      out.push({ keyId: Buffer.from(tailText(k, prefix), 'hex'), keyData: copyBytes(f.bytes('keyData')), fingerprint: f.map['fingerprint'], timestamp: f.int('timestamp') });
    }
    return out;
  }

  async getLabel(id: string): Promise<AppStateLabel | undefined> {
    const v = await this.ctx.get(labelKey(this.ctx.ns, id));
    return v && decodeLabel(id, v);
  }

  /** Every label, deleted ones included, in key order. */
  async listLabels(): Promise<AppStateLabel[]> {
    const prefix = prefixOf(this.ctx.ns, LABELS);
    const out: AppStateLabel[] = [];
    for await (const [k, v] of this.ctx.scan(prefixRange(prefix))) {
      const label = this.ctx.decodeOrSkip(k, () => decodeLabel(decodeURIComponent(tailText(k, prefix)), v));
      if (label) out.push(label);
    }
    return out;
  }

  async getSetting(name: string): Promise<AppStateSetting | undefined> {
    const v = await this.ctx.get(settingKey(this.ctx.ns, name));
    if (!v) return undefined;
    const value = Fields.of('appStateSetting', v, FORMAT).map['value'];
    if (typeof value !== 'string' && typeof value !== 'boolean') throw new StoreError('CORRUPT_RECORD', 'appStateSetting.value: expected a string or a boolean');
    return value;
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

  putLabel(label: AppStateLabel): void {
    const { id: _id, predefinedId, orderIndex, ...rest } = label;
    this.tx.put(
      labelKey(this.tx.ns, label.id),
      encodeRecord(FORMAT, { ...rest, ...(predefinedId !== undefined ? { predefinedId } : {}), ...(orderIndex !== undefined ? { orderIndex } : {}) }),
    );
  }

  putSetting(name: string, value: AppStateSetting): void {
    this.tx.put(settingKey(this.tx.ns, name), encodeRecord(FORMAT, { value }));
  }
}
