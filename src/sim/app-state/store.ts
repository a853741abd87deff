/**
 * The server's side of app state sync ("syncd"): for each user, the five
 * collections with their version, live records and the last patches it
 * accepted. The server holds no sync key, so it cannot read or verify a
 * patch: it only orders them. A patch must follow the collection's current
 * version (else 409, with what the writer missed); a reader gets the patches
 * after the version it holds, or a snapshot of the live records when it asks
 * for one, is too far behind, or holds a version the server does not know.
 *
 * Bounded: patches kept per collection (older ones are answered with a
 * snapshot), patches per answer (the rest are announced with
 * has_more_patches), records and bytes per collection, bytes in all.
 */
import {
  acceptPatch,
  emptyLtHash,
  emptyServerCollection,
  ltHashSubtractThenAdd,
  servedPatch,
  snapshotOf,
  type CollectionName,
  type ServerCollection,
} from '../../protocol/appstate/index.js';
import { proto } from '../../protocol/proto/index.js';
import type { SimLimits } from '../limits.js';

type AppStateLimits = Pick<
  SimLimits,
  | 'maxAppStatePatchesKept'
  | 'appStateSnapshotAfter'
  | 'maxAppStatePatchesPerAnswer'
  | 'maxAppStateRecords'
  | 'maxAppStateCollectionBytes'
  | 'maxAppStateBytes'
>;

interface StoredCollection {
  state: ServerCollection;
  /** SyncdPatch bytes with their version, oldest first. */
  patches: Uint8Array[];
  /** The version of patches[0]. */
  firstVersion: number;
  recordBytes: number;
  patchBytes: number;
}

/** What a reader gets for one collection. */
export interface Served {
  readonly version: number;
  readonly patches: proto.SyncdPatch[];
  readonly hasMorePatches: boolean;
  /** Instead of patches: every live record at `version`. */
  readonly snapshot?: proto.ISyncdSnapshot;
}

export type UploadOutcome =
  | { readonly kind: 'accepted'; readonly version: number }
  /** 409: the writer's base version is not current; what it missed comes along. */
  | ({ readonly kind: 'conflict' } & Served)
  /** The patch cannot be taken (`code` is the collection error's code). */
  | { readonly kind: 'refused'; readonly version: number; readonly code: number; readonly text: string };

/** One collection as GET /phones/:phone/app-state shows the server's copy. */
export interface ServerCollectionView {
  version: number;
  records: number;
  /** The LT-hash of the live records' value MACs: what every device that applied the same patches holds. */
  hash: Uint8Array;
  /** Patches kept for readers (older versions get a snapshot). */
  patchesKept: number;
}

export class AppStateStore {
  readonly #limits: AppStateLimits;
  readonly #users = new Map<string, Map<CollectionName, StoredCollection>>();
  #totalBytes = 0;
  /** Counters for GET /stats. */
  readonly counts = { patchesAccepted: 0, conflicts: 0, refused: 0, snapshotsServed: 0, patchesServed: 0, patchesTampered: 0 };
  /** `<phone>/<collection>` → how many more served patches get a broken MAC (a test's tampering). */
  readonly #tamper = new Map<string, number>();

  constructor(limits: AppStateLimits) {
    this.#limits = limits;
  }

  version(phone: string, name: CollectionName): number {
    return this.#users.get(phone)?.get(name)?.state.version ?? 0;
  }

  /** What a reader holding `fromVersion` gets (a snapshot when it asks or when patches will not do). */
  fetch(phone: string, name: CollectionName, fromVersion: number, wantSnapshot: boolean): Served {
    const c = this.#users.get(phone)?.get(name);
    if (!c || c.state.version === 0) return { version: 0, patches: [], hasMorePatches: false };
    const current = c.state.version;
    const behind = current - fromVersion;
    // A reader "ahead" of the server holds a version that was never accepted here: it has diverged.
    const patchesWillNotDo = fromVersion < c.firstVersion - 1 || behind < 0 || behind > this.#limits.appStateSnapshotAfter;
    if (wantSnapshot || patchesWillNotDo) {
      this.counts.snapshotsServed++;
      return { version: current, patches: [], hasMorePatches: false, snapshot: snapshotOf(c.state)! };
    }
    const count = Math.min(behind, this.#limits.maxAppStatePatchesPerAnswer);
    const start = fromVersion + 1 - c.firstVersion;
    const patches = c.patches.slice(start, start + count).map((b) => proto.SyncdPatch.decode(b));
    this.counts.patchesServed += patches.length;
    this.#tamperWith(`${phone}/${name}`, patches);
    return { version: fromVersion + count, patches, hasMorePatches: count < behind };
  }

  /** A device's patch that follows `baseVersion`. */
  upload(phone: string, name: CollectionName, baseVersion: number, patchBytes: Uint8Array): UploadOutcome {
    const c = this.#collection(phone, name);
    const refuse = (code: number, text: string): UploadOutcome => {
      this.counts.refused++;
      return { kind: 'refused', version: c.state.version, code, text };
    };
    if (baseVersion !== c.state.version) {
      this.counts.conflicts++;
      return { kind: 'conflict', ...this.fetch(phone, name, baseVersion, false) };
    }
    let patch: proto.SyncdPatch;
    let next: ServerCollection;
    try {
      patch = proto.SyncdPatch.decode(patchBytes);
      next = acceptPatch(c.state, patch);
    } catch (err) {
      return refuse(400, `bad patch: ${(err as Error).message}`);
    }
    const recordBytes = c.recordBytes + recordDelta(c.state, next, patch);
    const served = proto.SyncdPatch.encode(servedPatch(patch, next.version)).finish();
    if (next.records.size > this.#limits.maxAppStateRecords) return refuse(413, `${name} would hold more than ${this.#limits.maxAppStateRecords} records`);
    if (recordBytes > this.#limits.maxAppStateCollectionBytes) return refuse(413, `${name} would hold more than ${this.#limits.maxAppStateCollectionBytes} bytes`);
    const growth = recordBytes - c.recordBytes + served.length;
    if (this.#totalBytes + growth > this.#limits.maxAppStateBytes) return refuse(507, 'the server has no room for more app state');

    if (c.state.version === 0) c.firstVersion = 1;
    c.state = next;
    c.patches.push(served);
    c.patchBytes += served.length;
    this.#totalBytes += growth;
    c.recordBytes = recordBytes;
    this.#prune(c);
    this.counts.patchesAccepted++;
    return { kind: 'accepted', version: next.version };
  }

  /**
   * The next `times` patches served to any device of `phone` from `name` go
   * out with one bit of their patch MAC flipped (as if changed on the way):
   * snapshots are left alone, so a device that checks MACs can recover.
   */
  tamperNext(phone: string, name: CollectionName, times: number): void {
    const key = `${phone}/${name}`;
    const left = (this.#tamper.get(key) ?? 0) + times;
    if (left > 0) this.#tamper.set(key, left);
    else this.#tamper.delete(key);
  }

  #tamperWith(key: string, patches: proto.SyncdPatch[]): void {
    for (const patch of patches) {
      const left = this.#tamper.get(key) ?? 0;
      if (left <= 0 || !patch.patchMac?.length) return;
      const mac = new Uint8Array(patch.patchMac);
      mac[0]! ^= 0x01;
      patch.patchMac = mac;
      this.counts.patchesTampered++;
      if (left === 1) this.#tamper.delete(key);
      else this.#tamper.set(key, left - 1);
    }
  }

  view(phone: string, name: CollectionName): ServerCollectionView {
    const c = this.#users.get(phone)?.get(name);
    if (!c) return { version: 0, records: 0, hash: emptyLtHash(), patchesKept: 0 };
    return {
      version: c.state.version,
      records: c.state.records.size,
      hash: ltHashSubtractThenAdd(emptyLtHash(), [], [...c.state.records.values()].map((r) => valueMacOf(r))),
      patchesKept: c.patches.length,
    };
  }

  /** Forgets a user's collections (the user is gone). */
  drop(phone: string): void {
    for (const c of this.#users.get(phone)?.values() ?? []) this.#totalBytes -= c.recordBytes + c.patchBytes;
    this.#users.delete(phone);
  }

  snapshot(): AppStateStoreSnapshot {
    const out: AppStateStoreSnapshot = {};
    for (const [phone, collections] of this.#users) {
      const user: Record<string, StoredCollectionJson> = {};
      for (const [name, c] of collections) {
        user[name] = {
          version: c.state.version,
          ...(c.state.mac ? { mac: b64(c.state.mac) } : {}),
          ...(c.state.keyId ? { keyId: b64(c.state.keyId) } : {}),
          records: [...c.state.records.entries()].map(([k, r]) => [k, b64(proto.SyncdRecord.encode(r).finish())]),
          firstVersion: c.firstVersion,
          patches: c.patches.map(b64),
        };
      }
      out[phone] = user;
    }
    return out;
  }

  restore(snap: AppStateStoreSnapshot): void {
    for (const [phone, collections] of Object.entries(snap)) {
      for (const [name, j] of Object.entries(collections)) {
        const c = this.#collection(phone, name as CollectionName);
        const records = new Map(j.records.map(([k, r]) => [k, proto.SyncdRecord.decode(unb64(r))]));
        c.state = {
          version: j.version,
          records,
          ...(j.mac ? { mac: unb64(j.mac) } : {}),
          ...(j.keyId ? { keyId: unb64(j.keyId) } : {}),
        };
        c.patches = j.patches.map(unb64);
        c.firstVersion = j.firstVersion;
        c.recordBytes = [...records.values()].reduce((n, r) => n + recordSize(r), 0);
        c.patchBytes = c.patches.reduce((n, p) => n + p.length, 0);
        this.#totalBytes += c.recordBytes + c.patchBytes;
      }
    }
  }

  #collection(phone: string, name: CollectionName): StoredCollection {
    let user = this.#users.get(phone);
    if (!user) this.#users.set(phone, (user = new Map()));
    let c = user.get(name);
    if (!c) user.set(name, (c = { state: emptyServerCollection(), patches: [], firstVersion: 1, recordBytes: 0, patchBytes: 0 }));
    return c;
  }

  /** Drops the oldest patches past the bounds (readers that far behind get a snapshot). */
  #prune(c: StoredCollection): void {
    const byteBound = this.#limits.maxAppStateCollectionBytes;
    while (c.patches.length > 1 && (c.patches.length > this.#limits.maxAppStatePatchesKept || c.recordBytes + c.patchBytes > byteBound)) {
      const gone = c.patches.shift()!;
      c.patchBytes -= gone.length;
      this.#totalBytes -= gone.length;
      c.firstVersion++;
    }
  }
}

export interface StoredCollectionJson {
  version: number;
  mac?: string;
  keyId?: string;
  /** [index MAC key, SyncdRecord bytes (base64)] */
  records: Array<[string, string]>;
  firstVersion: number;
  patches: string[];
}

/** phone → collection → its stored form. */
export type AppStateStoreSnapshot = Record<string, Record<string, StoredCollectionJson>>;

/** The value MAC of a record: the last 32 bytes of its value. */
export function valueMacOf(record: proto.ISyncdRecord): Uint8Array {
  const blob = record.value?.blob ?? new Uint8Array(0);
  return blob.subarray(Math.max(0, blob.length - 32));
}

function recordSize(r: proto.ISyncdRecord): number {
  return (r.index?.blob?.length ?? 0) + (r.value?.blob?.length ?? 0) + (r.keyId?.id?.length ?? 0);
}

/** How many record bytes the collection gains from `before` to `after` (the indexes the patch named). */
function recordDelta(before: ServerCollection, after: ServerCollection, patch: proto.ISyncdPatch): number {
  const touched = new Set<string>();
  for (const m of patch.mutations ?? []) {
    const blob = m.record?.index?.blob;
    if (blob) touched.add(Buffer.from(blob).toString('base64'));
  }
  let delta = 0;
  for (const key of touched) {
    const old = before.records.get(key);
    const now = after.records.get(key);
    delta += (now ? recordSize(now) : 0) - (old ? recordSize(old) : 0);
  }
  return delta;
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function unb64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}
