/**
 * A collection's state in the store, and applying a verified result to it:
 * the new version and LT-hash, the records the changes touch and their
 * events, all in ONE batch. So a crash (even SIGKILL mid-sync) leaves either
 * the old version with none of the result, or the new one with all of it;
 * the next sync starts from whichever it finds, and never applies a patch
 * twice, because patches at or below the stored version are skipped.
 */
import { changeOf, emptyCollectionState, latestByIndex, type AppStateChange, type CollectionName, type CollectionState, type DecodedMutation, type MutationContent } from '../../protocol/appstate/index.js';
import { StoreError, type AccountStore } from '../../store/index.js';
import type { AccountEventSink } from '../events.js';
import { planEffects, type EffectDeps } from './effects.js';

export interface CollectionDeps extends EffectDeps {
  readonly store: AccountStore;
  readonly events: AccountEventSink;
}

/** The state we hold (`known: false`: never synced, or its record is damaged: start from a snapshot). */
export async function loadCollection(store: AccountStore, name: CollectionName): Promise<{ state: CollectionState; known: boolean }> {
  try {
    const v = await store.appState.getVersion(name);
    return v ? { state: v, known: true } : { state: emptyCollectionState(), known: false };
  } catch (err) {
    if (err instanceof StoreError && err.code === 'CORRUPT_RECORD') return { state: emptyCollectionState(), known: false };
    throw err;
  }
}

/**
 * Commits a collection's new state with what its mutations mean. With
 * `previous`, records whose value MAC we already held (a snapshot repeats
 * what we had) are not reported again.
 * Returns the changes reported.
 */
export async function commitCollection(
  deps: CollectionDeps,
  name: CollectionName,
  state: CollectionState,
  mutations: readonly (MutationContent & Pick<DecodedMutation, 'indexMac' | 'valueMac'>)[],
  previous?: CollectionState,
): Promise<AppStateChange[]> {
  const fresh = previous ? mutations.filter((m) => !heldAlready(previous, m)) : mutations;
  // Our own mutations carry the value as built (an interface, not the decoded class): the fields read are the same.
  const changes = latestByIndex(fresh as DecodedMutation[]).flatMap((m) => {
    const c = changeOf(m);
    return c ? [c] : [];
  });
  const effects = await planEffects(deps, changes);
  let publish: () => void = () => undefined;
  await deps.store.transaction((tx) => {
    tx.appState.putVersion(name, state);
    effects.stage(tx);
    if (effects.events.length > 0) publish = deps.events.stage(tx, effects.events);
  });
  publish();
  return changes;
}

function heldAlready(previous: CollectionState, m: Pick<DecodedMutation, 'operation' | 'indexMac' | 'valueMac'>): boolean {
  if (m.operation !== 'set') return false;
  const held = previous.indexValueMacs[Buffer.from(m.indexMac).toString('base64')];
  return held !== undefined && Buffer.from(held).equals(Buffer.from(m.valueMac));
}
