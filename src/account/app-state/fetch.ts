/**
 * Turning the server's answer for one collection into a verified result:
 * the snapshot (downloaded from the media host, where the server puts it)
 * and the patches (their external mutations downloaded too), decoded and
 * checked against the state we hold by the protocol core. Nothing is
 * written here; a result is all of the answer or an error.
 */
import { decodePatches, decodeSnapshot, type CollectionName, type CollectionState, type DecodedMutation, type KeyLookup } from '../../protocol/appstate/index.js';
import type { CollectionAnswer } from '../../protocol/iq/app-state.js';
import type { MediaRef } from '../../protocol/media/index.js';
import { proto } from '../../protocol/proto/index.js';

/** Downloads and decrypts a blob of the media host (md-app-state). */
export type BlobDownload = (ref: MediaRef) => Promise<Uint8Array>;

export interface AnswerResult {
  readonly state: CollectionState;
  readonly mutations: readonly DecodedMutation[];
  /** The answer carried a snapshot: `mutations` start with its records. */
  readonly fromSnapshot: boolean;
  /** The snapshot's own state (before its patches), when there was one. */
  readonly snapshotVersion?: number;
}

/** @throws AppStateError (the answer does not verify against `state`), MediaError (a blob did not come) */
export async function decodeAnswer(
  collection: CollectionName,
  answer: CollectionAnswer,
  state: CollectionState,
  lookup: KeyLookup,
  download: BlobDownload,
): Promise<AnswerResult> {
  let base = state;
  const mutations: DecodedMutation[] = [];
  let snapshotVersion: number | undefined;
  if (answer.snapshot) {
    const bytes = await download(blobRef(answer.snapshot));
    const snapshot = decodeSnapshot(collection, proto.SyncdSnapshot.decode(bytes), lookup);
    base = snapshot.state;
    snapshotVersion = base.version;
    mutations.push(...snapshot.mutations);
  }
  const patches: proto.ISyncdPatch[] = [];
  for (const p of answer.patches) {
    // What we (or the snapshot) hold already is never applied twice.
    const version = p.version?.version;
    if (typeof version === 'number' && version <= base.version) continue;
    patches.push(await withExternalMutations(p, download));
  }
  const applied = decodePatches(collection, patches, base, lookup);
  mutations.push(...applied.mutations);
  return { state: applied.state, mutations, fromSnapshot: answer.snapshot !== undefined, ...(snapshotVersion !== undefined ? { snapshotVersion } : {}) };
}

/** A patch too big for the answer keeps its mutations on the media host. */
async function withExternalMutations(patch: proto.ISyncdPatch, download: BlobDownload): Promise<proto.ISyncdPatch> {
  if (!patch.externalMutations || (patch.mutations?.length ?? 0) > 0) return patch;
  const bytes = await download(blobRef(patch.externalMutations));
  return { ...patch, mutations: proto.SyncdMutations.decode(bytes).mutations ?? [] };
}

function blobRef(ref: proto.IExternalBlobReference): MediaRef {
  return {
    type: 'md-app-state',
    mediaKey: ref.mediaKey ?? new Uint8Array(0),
    ...(ref.directPath ? { directPath: ref.directPath } : {}),
    ...(ref.fileSha256 ? { fileSha256: ref.fileSha256 } : {}),
    ...(ref.fileEncSha256 ? { fileEncSha256: ref.fileEncSha256 } : {}),
    ...(ref.fileSizeBytes ? { fileLength: Number(ref.fileSizeBytes) } : {}),
  };
}
