/**
 * A collection's integrity state as one device holds it: the version it has
 * applied, the LT-hash of its live records, and each live record's value MAC
 * by index MAC. The value MACs are kept because a later SET or REMOVE of the
 * same index must subtract the old value from the LT-hash, and the server
 * never tells us what it was.
 *
 * States are values: every function here returns a new one and leaves its
 * input as it was, so a caller can drop the result when a later check fails.
 */
import { AppStateError } from './errors.js';
import { emptyLtHash, LT_HASH_LENGTH, ltHashSubtractThenAdd } from './lthash.js';
import type { MutationOperation } from './macs.js';

export interface CollectionState {
  readonly version: number;
  /** The 128-byte LT-hash. */
  readonly hash: Uint8Array;
  /** base64 index MAC → value MAC of every live record. */
  readonly indexValueMacs: Readonly<Record<string, Uint8Array>>;
}

export function emptyCollectionState(): CollectionState {
  return { version: 0, hash: emptyLtHash(), indexValueMacs: {} };
}

/** What the LT-hash needs of one mutation. */
export interface MacEntry {
  readonly operation: MutationOperation;
  readonly indexMac: Uint8Array;
  readonly valueMac: Uint8Array;
}

export interface MixResult {
  readonly hash: Uint8Array;
  readonly indexValueMacs: Readonly<Record<string, Uint8Array>>;
  /**
   * REMOVEs of an index we had no value for. The writer subtracted a value we
   * never added, so our hash can only match theirs if they had no value either
   * (WhatsApp sends such REMOVEs when contact access is withdrawn).
   */
  readonly missingRemoves: number;
}

/**
 * Applies mutations in order: a SET adds its value MAC and replaces (subtracts)
 * the index's previous one; a REMOVE subtracts the previous one. Within one
 * batch a later mutation of an index sees the earlier one's value.
 */
export function mixMutations(state: Pick<CollectionState, 'hash' | 'indexValueMacs'>, entries: Iterable<MacEntry>): MixResult {
  checkHash(state.hash);
  const macs: Record<string, Uint8Array> = { ...state.indexValueMacs };
  const subtract: Uint8Array[] = [];
  const add: Uint8Array[] = [];
  let missingRemoves = 0;
  for (const e of entries) {
    const key = macKey(e.indexMac);
    const previous = Object.hasOwn(macs, key) ? macs[key] : undefined;
    if (previous) subtract.push(previous);
    if (e.operation === 'set') {
      add.push(e.valueMac);
      macs[key] = e.valueMac;
    } else {
      if (!previous) missingRemoves++;
      delete macs[key];
    }
  }
  return { hash: ltHashSubtractThenAdd(state.hash, subtract, add), indexValueMacs: macs, missingRemoves };
}

/** The key of an index MAC in indexValueMacs. */
export function macKey(indexMac: Uint8Array): string {
  return Buffer.from(indexMac.buffer, indexMac.byteOffset, indexMac.byteLength).toString('base64');
}

/** @throws AppStateError BAD_STATE */
export function checkState(state: CollectionState): void {
  checkHash(state.hash);
  if (!Number.isSafeInteger(state.version) || state.version < 0) {
    throw new AppStateError('BAD_STATE', `collection version ${state.version} is not a non-negative integer`);
  }
}

function checkHash(hash: Uint8Array): void {
  if (hash.length !== LT_HASH_LENGTH) throw new AppStateError('BAD_STATE', `an LT-hash is ${LT_HASH_LENGTH} bytes, got ${hash.length}`);
}
