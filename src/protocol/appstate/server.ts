/**
 * The server's view of a collection, which holds no keys: the records it was
 * sent, by index MAC, and the version. It cannot check a patch's MACs; it
 * keeps the last record of each index (a REMOVE drops it) and answers a
 * snapshot with the live records and the MAC and key of the last patch, which
 * is exactly the snapshot MAC of those records at that version, since the
 * LT-hash depends only on the set of live value MACs.
 *
 * Pure values, for the simulator's server side.
 */
import type { proto } from '../proto/index.js';
import { AppStateError } from './errors.js';
import { operationOf } from './mutation.js';
import { macKey } from './state.js';

export interface ServerCollection {
  readonly version: number;
  /** base64 index MAC → the live record. */
  readonly records: ReadonlyMap<string, proto.ISyncdRecord>;
  /** The snapshot MAC and key of the latest patch (absent before the first). */
  readonly mac?: Uint8Array;
  readonly keyId?: Uint8Array;
}

export function emptyServerCollection(): ServerCollection {
  return { version: 0, records: new Map() };
}

/**
 * The collection after a client's patch, which becomes version + 1.
 * @throws AppStateError BAD_PATCH for a patch without its snapshot MAC, key id or mutation records
 */
export function acceptPatch(collection: ServerCollection, patch: proto.ISyncdPatch): ServerCollection {
  const keyId = patch.keyId?.id;
  if (!patch.snapshotMac || !patch.patchMac || !keyId) throw new AppStateError('BAD_PATCH', 'a patch without its MACs or key id');
  const records = new Map(collection.records);
  for (const m of patch.mutations ?? []) {
    const indexMac = m.record?.index?.blob;
    if (!m.record || !indexMac) throw new AppStateError('BAD_PATCH', 'a mutation without its record');
    const key = macKey(indexMac);
    if (operationOf(m) === 'remove') records.delete(key);
    else records.set(key, m.record); // order is irrelevant to the LT-hash
  }
  return { version: collection.version + 1, records, mac: patch.snapshotMac, keyId };
}

/** The patch as the server hands it out: with the version it became. */
export function servedPatch(patch: proto.ISyncdPatch, version: number): proto.ISyncdPatch {
  return { ...patch, version: { version } };
}

/** The snapshot of a collection, or undefined for one nobody has written yet. */
export function snapshotOf(collection: ServerCollection): proto.ISyncdSnapshot | undefined {
  if (!collection.mac || !collection.keyId) return undefined;
  return {
    version: { version: collection.version },
    records: [...collection.records.values()],
    mac: collection.mac,
    keyId: { id: collection.keyId },
  };
}
