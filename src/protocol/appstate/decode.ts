/**
 * Verifying and decoding what the server sends for a collection: a snapshot
 * (every live record at a version) and patches (the mutations of one version
 * each). Each yields the new collection state and the decoded mutations, in
 * order; nothing is returned unless every check passed, so a caller applies
 * a result whole, in one transaction with its state, or not at all.
 *
 * Order of checks for a patch: its version follows ours; the patch MAC (it
 * covers the snapshot MAC and every value MAC, so nothing was dropped,
 * reordered or replaced); each record (value MAC, decryption, index MAC); and
 * last the snapshot MAC over our LT-hash after applying, which fails when our
 * copy of the collection differs from the writer's (BAD_SNAPSHOT_MAC: resync
 * from a snapshot). External mutations must be downloaded and put in
 * `mutations` before decoding.
 */
import { bytesEqual } from '../crypto/hash.js';
import type { proto } from '../proto/index.js';
import type { CollectionName } from './collections.js';
import { AppStateError } from './errors.js';
import { requireKeys, type KeyLookup } from './keys.js';
import { patchMac, snapshotMac } from './macs.js';
import { decodeRecord, operationOf, recordValueMac, type DecodedMutation } from './mutation.js';
import { checkState, emptyCollectionState, mixMutations, type CollectionState } from './state.js';

export interface DecodeResult {
  readonly state: CollectionState;
  /** Every mutation, in the order applied (a later one of the same index supersedes an earlier one). */
  readonly mutations: DecodedMutation[];
}

/**
 * Applies one patch to a state.
 * @throws AppStateError VERSION_MISMATCH, BAD_PATCH, MISSING_KEY, BAD_PATCH_MAC, record errors, BAD_SNAPSHOT_MAC
 */
export function decodePatch(collection: CollectionName, patch: proto.ISyncdPatch, state: CollectionState, lookup: KeyLookup): DecodeResult {
  checkState(state);
  const version = patch.version?.version ?? state.version + 1;
  try {
    if (version !== state.version + 1) {
      throw new AppStateError('VERSION_MISMATCH', `a patch of version ${version} does not follow version ${state.version}`);
    }
    const mutations = patch.mutations ?? [];
    if (mutations.length === 0 && patch.externalMutations) {
      throw new AppStateError('BAD_PATCH', 'the external mutations of a patch were not downloaded');
    }
    const keyId = patch.keyId?.id;
    if (!keyId || keyId.length === 0) throw new AppStateError('BAD_PATCH', 'a patch names no key id');
    if (!patch.snapshotMac || !patch.patchMac) throw new AppStateError('BAD_PATCH', 'a patch without its snapshot MAC or patch MAC');
    const keys = requireKeys(lookup, keyId, 'a patch');

    const valueMacs = mutations.map((m) => recordValueMac(m.record));
    if (!bytesEqual(patchMac(patch.snapshotMac, valueMacs, version, collection, keys.patchMac), patch.patchMac)) {
      throw new AppStateError('BAD_PATCH_MAC', 'the patch MAC does not verify', { keyId });
    }
    const decoded = mutations.map((m) => decodeRecord(operationOf(m), m.record, lookup));
    const mixed = mixMutations(state, decoded);
    if (!bytesEqual(snapshotMac(mixed.hash, version, collection, keys.snapshotMac), patch.snapshotMac)) {
      throw new AppStateError('BAD_SNAPSHOT_MAC', 'the LT-hash after the patch does not give its snapshot MAC: our copy of the collection differs', {
        keyId,
        missingRemoves: mixed.missingRemoves,
      });
    }
    return { state: { version, hash: mixed.hash, indexValueMacs: mixed.indexValueMacs }, mutations: decoded };
  } catch (err) {
    throw AppStateError.within(err, collection, version);
  }
}

/** Applies patches in order; all of them or, on the first failure, none. */
export function decodePatches(collection: CollectionName, patches: readonly proto.ISyncdPatch[], state: CollectionState, lookup: KeyLookup): DecodeResult {
  let current = state;
  const mutations: DecodedMutation[] = [];
  for (const patch of patches) {
    const result = decodePatch(collection, patch, current, lookup);
    current = result.state;
    for (const m of result.mutations) mutations.push(m);
  }
  return { state: current, mutations };
}

/**
 * A snapshot replaces the collection: the new state is built from its records
 * alone (all SETs), whatever we held before.
 * @throws AppStateError BAD_PATCH, MISSING_KEY, record errors, BAD_SNAPSHOT_MAC
 */
export function decodeSnapshot(collection: CollectionName, snapshot: proto.ISyncdSnapshot, lookup: KeyLookup): DecodeResult {
  const version = snapshot.version?.version;
  if (version === undefined || version === null || !Number.isSafeInteger(version) || version < 0) {
    throw new AppStateError('BAD_PATCH', 'a snapshot without a version', { collection });
  }
  try {
    const keyId = snapshot.keyId?.id;
    if (!keyId || keyId.length === 0) throw new AppStateError('BAD_PATCH', 'a snapshot names no key id');
    if (!snapshot.mac) throw new AppStateError('BAD_PATCH', 'a snapshot without its MAC');
    const keys = requireKeys(lookup, keyId, 'a snapshot');
    const decoded = (snapshot.records ?? []).map((r) => decodeRecord('set', r, lookup));
    const mixed = mixMutations(emptyCollectionState(), decoded);
    if (!bytesEqual(snapshotMac(mixed.hash, version, collection, keys.snapshotMac), snapshot.mac)) {
      throw new AppStateError('BAD_SNAPSHOT_MAC', 'the LT-hash of the snapshot records does not give its MAC', { keyId });
    }
    return { state: { version, hash: mixed.hash, indexValueMacs: mixed.indexValueMacs }, mutations: decoded };
  } catch (err) {
    throw AppStateError.within(err, collection, version);
  }
}

/**
 * The last mutation of each index, in order of last appearance: what a
 * consumer of a long sync needs (an index set, changed and reset in one
 * response is reported once, with its final value).
 */
export function latestByIndex(mutations: readonly DecodedMutation[]): DecodedMutation[] {
  const last = new Map<string, DecodedMutation>();
  for (const m of mutations) {
    const key = JSON.stringify(m.index);
    last.delete(key);
    last.set(key, m);
  }
  return [...last.values()];
}

/**
 * The key ids a response names that `has` does not know: request them from
 * the phone before decoding (decoding would stop at the first with MISSING_KEY).
 */
export function missingKeyIds(
  has: (keyId: Uint8Array) => boolean,
  snapshot: proto.ISyncdSnapshot | null | undefined,
  patches: readonly proto.ISyncdPatch[],
): Uint8Array[] {
  const seen = new Set<string>();
  const missing: Uint8Array[] = [];
  const check = (keyId: Uint8Array | null | undefined): void => {
    if (!keyId || keyId.length === 0) return;
    const text = Buffer.from(keyId).toString('hex');
    if (seen.has(text)) return;
    seen.add(text);
    if (!has(keyId)) missing.push(keyId);
  };
  if (snapshot) {
    check(snapshot.keyId?.id);
    for (const r of snapshot.records ?? []) check(r.keyId?.id);
  }
  for (const p of patches) {
    check(p.keyId?.id);
    for (const m of p.mutations ?? []) check(m.record?.keyId?.id);
  }
  return missing;
}
