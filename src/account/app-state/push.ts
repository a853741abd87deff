/**
 * Writing our own actions as patches, one per collection they touch. A patch
 * is built against the version we hold (its snapshot MAC signs the LT-hash
 * after it), so when another device wrote first the server refuses it with
 * 409 and the patches we missed: we apply those (their changes reach
 * consumers like any sync), build ours again on the new version and retry,
 * as WhatsApp Web does. Our state and the effects of our own action are
 * committed in one batch only once the server took the patch.
 */
import { randomBytes } from 'node:crypto';
import { buildPatch, type CollectionMutation, type CollectionName } from '../../protocol/appstate/index.js';
import { syncAppState } from '../../protocol/iq/app-state.js';
import { commitCollection, loadCollection } from './collections.js';
import { AppStateSyncError } from './errors.js';
import { decodeAnswer } from './fetch.js';
import { syncCollections, type SyncDeps } from './sync.js';

/** Tries per patch: each 409 means another device wrote in between. */
const MAX_TRIES = 5;

export interface PushResult {
  readonly version: number;
  /** 409s met (and resolved) on the way. */
  readonly conflicts: number;
}

/**
 * @throws AppStateSyncError NO_KEYS, CONFLICT (still refused after the tries), SERVER_REJECTED;
 *   connection errors of the IQ
 */
export async function pushMutations(deps: SyncDeps, collection: CollectionName, mutations: readonly CollectionMutation[]): Promise<PushResult> {
  const key = await deps.keys.signingKey();
  if (!key) throw new AppStateSyncError('NO_KEYS', 'the phone has not shared an app state key yet; try again shortly after linking');
  let conflicts = 0;
  for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
    let { state, known } = await loadCollection(deps.store, collection);
    if (!known) {
      // Writing on a collection we never read would sign a hash without the others' records.
      await syncCollections(deps, [collection]);
      ({ state, known } = await loadCollection(deps.store, collection));
      if (!known) throw new AppStateSyncError('SERVER_REJECTED', `the ${collection} collection could not be read before writing to it`);
    }
    const built = buildPatch(collection, state, key, mutations, (n) => randomBytes(n));
    const [answer] = await deps.port.execute(syncAppState([{ name: collection, version: built.baseVersion, snapshot: false, patch: built.bytes }]));
    if (!answer || answer.name !== collection) throw new AppStateSyncError('SERVER_REJECTED', `the server did not answer for ${collection}`);
    if (!answer.error) {
      await commitCollection(deps, collection, built.state, mutations.map((m, i) => ({ ...m, indexMac: built.mutations[i]!.indexMac, valueMac: built.mutations[i]!.valueMac })));
      // The server's count moved past ours: someone wrote in the same instant. Catch up now rather than at the next notification.
      if (answer.version > built.state.version) await syncCollections(deps, [collection]);
      return { version: built.state.version, conflicts };
    }
    if (answer.error.code !== 409) {
      throw new AppStateSyncError('SERVER_REJECTED', `the server refused our ${collection} patch: ${answer.error.code} ${answer.error.text}`, { serverCode: answer.error.code });
    }
    conflicts++;
    deps.logger.info({ collection, version: state.version, server: answer.version }, 'app state patch refused (409): applying what we missed and writing again');
    await applyMissed(deps, collection, answer);
  }
  throw new AppStateSyncError('CONFLICT', `our ${collection} patch was refused ${MAX_TRIES} times: other devices keep writing`);
}

/** A 409 brings what we missed; when it does not verify (or is not whole), a full sync of the collection does it. */
async function applyMissed(deps: SyncDeps, collection: CollectionName, answer: Parameters<typeof decodeAnswer>[1]): Promise<void> {
  const { state } = await loadCollection(deps.store, collection);
  try {
    const { lookup } = await deps.keys.lookup();
    const result = await decodeAnswer(collection, answer, state, lookup, deps.download);
    await commitCollection(deps, collection, result.state, result.mutations, result.fromSnapshot ? state : undefined);
    if (!answer.hasMorePatches && result.state.version >= answer.version) return;
  } catch (err) {
    deps.logger.info({ collection, err: (err as Error).message }, 'what the 409 brought does not apply; syncing the collection');
  }
  await syncCollections(deps, [collection]);
}
