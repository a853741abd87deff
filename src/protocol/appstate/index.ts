/**
 * App state sync ("syncd"), the pure protocol: sync keys and their expansion,
 * the LT-hash, the index/value/snapshot/patch MACs, encrypted mutations both
 * ways, patch and snapshot verification, building our own patches, the five
 * collections, the actions a person takes and the changes mutations stand for,
 * and the key-less server view the simulator keeps. No I/O, clocks or
 * randomness: keys, time and random bytes are arguments.
 *
 * Typical reader: parseKeyShare → Keyring; missingKeyIds; decodeSnapshot /
 * decodePatches → persist `state` with the applied mutations in one
 * transaction → changeOf each of latestByIndex(mutations).
 * Typical writer: actionMutations → byCollection → buildPatch per collection
 * → upload `bytes` with `baseVersion` → on acceptance keep `state`.
 */
export { AppStateError, type AppStateErrorCode } from './errors.js';
export { COLLECTIONS, INDEX, collectionOf, isCollectionName, type CollectionName, type IndexName } from './collections.js';
export {
  Keyring,
  buildKeyRequest,
  buildKeyShare,
  expandAppStateKeys,
  keyIdString,
  newestKey,
  parseKeyShare,
  type KeyLookup,
  type MutationKeys,
  type SyncKey,
  type SyncKeyFingerprint,
} from './keys.js';
export { LT_HASH_LENGTH, emptyLtHash, ltHashSubtractThenAdd } from './lthash.js';
export { indexMac, patchMac, snapshotMac, valueMac, type MutationOperation } from './macs.js';
export { emptyCollectionState, mixMutations, type CollectionState, type MacEntry, type MixResult } from './state.js';
export {
  decodeRecord,
  encodeMutation,
  type DecodedMutation,
  type EncodedMutation,
  type MutationContent,
  type SigningKey,
} from './mutation.js';
export { decodePatch, decodePatches, decodeSnapshot, latestByIndex, missingKeyIds, type DecodeResult } from './decode.js';
export { buildPatch, byCollection, type BuiltPatch, type CollectionMutation } from './build.js';
export { actionMutations, type AppStateAction, type MessageRange, type MessageRef } from './actions.js';
export { changeOf, type AppStateChange } from './changes.js';
export { acceptPatch, emptyServerCollection, servedPatch, snapshotOf, type ServerCollection } from './server.js';
