/**
 * Building a patch of our own mutations. The writer of a patch computes the
 * collection's next LT-hash itself and signs it (the snapshot MAC), so a
 * patch is built against the state it will follow: if the server's version
 * has moved on by the time it arrives, the server refuses it and the caller
 * must sync, then build again from the new state.
 *
 * The patch goes out without a version (the request's collection node names
 * the version it follows, and the server assigns the next); the returned
 * state is what we hold once the server has accepted it.
 */
import { proto } from '../proto/index.js';
import type { CollectionName } from './collections.js';
import { AppStateError } from './errors.js';
import { patchMac, snapshotMac } from './macs.js';
import { encodeMutation, type EncodedMutation, type MutationContent, type SigningKey } from './mutation.js';
import { checkState, mixMutations, type CollectionState } from './state.js';

/** A mutation for a collection (what the action builders produce). */
export interface CollectionMutation extends MutationContent {
  readonly collection: CollectionName;
}

export interface BuiltPatch {
  /** The SyncdPatch, without version, as uploaded. */
  readonly patch: proto.ISyncdPatch;
  /** The patch's protobuf bytes (the content of the request's `<patch>` node). */
  readonly bytes: Uint8Array;
  /** The version the patch follows (the request's collection version attribute). */
  readonly baseVersion: number;
  /** Our state once the server has accepted the patch. */
  readonly state: CollectionState;
  readonly mutations: readonly EncodedMutation[];
}

/**
 * @param random fresh random bytes (one 16-byte IV per mutation is drawn from it)
 * @throws AppStateError BAD_PATCH for no mutations or one of another collection, BAD_STATE
 */
export function buildPatch(
  collection: CollectionName,
  state: CollectionState,
  key: SigningKey,
  mutations: readonly (MutationContent & { readonly collection?: CollectionName })[],
  random: (length: number) => Uint8Array,
): BuiltPatch {
  checkState(state);
  if (mutations.length === 0) throw new AppStateError('BAD_PATCH', 'a patch needs at least one mutation', { collection });
  for (const m of mutations) {
    if (m.collection !== undefined && m.collection !== collection) {
      throw new AppStateError('BAD_PATCH', `a ${m.collection} mutation (${m.index[0] ?? ''}) cannot go in a ${collection} patch`, { collection });
    }
  }
  const encoded = mutations.map((m) => encodeMutation(m, key, random(16)));
  const mixed = mixMutations(
    state,
    encoded.map((e, i) => ({ operation: mutations[i]!.operation, indexMac: e.indexMac, valueMac: e.valueMac })),
  );
  const version = state.version + 1;
  const sMac = snapshotMac(mixed.hash, version, collection, key.keys.snapshotMac);
  const patch: proto.ISyncdPatch = {
    mutations: encoded.map((e) => e.mutation),
    snapshotMac: sMac,
    patchMac: patchMac(sMac, encoded.map((e) => e.valueMac), version, collection, key.keys.patchMac),
    keyId: { id: key.keyId },
  };
  return {
    patch,
    bytes: proto.SyncdPatch.encode(patch).finish(),
    baseVersion: state.version,
    state: { version, hash: mixed.hash, indexValueMacs: mixed.indexValueMacs },
    mutations: encoded,
  };
}

/** Groups mutations by collection (one patch each), groups and members in the order given. */
export function byCollection<M extends { readonly collection: CollectionName }>(mutations: readonly M[]): Map<CollectionName, M[]> {
  const groups = new Map<CollectionName, M[]>();
  for (const m of mutations) {
    const group = groups.get(m.collection);
    if (group) group.push(m);
    else groups.set(m.collection, [m]);
  }
  return groups;
}
