/**
 * A device's app state client written on our protocol core, for simulator
 * tests: it holds a state per collection, pulls (patches, or a snapshot it
 * downloads from the media host) and writes actions as patches, and on a 409
 * applies the patches it missed and builds its patch again, as WhatsApp Web
 * and whatsmeow do. Test support only.
 */
import { randomBytes } from 'node:crypto';
import {
  actionMutations,
  buildPatch,
  byCollection,
  decodePatches,
  decodeSnapshot,
  emptyCollectionState,
  expandAppStateKeys,
  Keyring,
  type AppStateAction,
  type CollectionName,
  type CollectionState,
  type DecodedMutation,
} from '../../src/protocol/appstate/index.js';
import type { CollectionAnswer, CollectionRequest } from '../../src/protocol/iq/app-state.js';
import { proto } from '../../src/protocol/proto/index.js';

export type SyncFn = (requests: CollectionRequest[]) => CollectionAnswer[] | Promise<CollectionAnswer[]>;
/** Downloads and decrypts the snapshot a reference names. */
export type SnapshotFn = (ref: proto.IExternalBlobReference) => proto.ISyncdSnapshot | Promise<proto.ISyncdSnapshot>;

export class AppStateDevice {
  readonly states = new Map<CollectionName, CollectionState>();
  /** Every mutation applied, in order. */
  readonly applied: DecodedMutation[] = [];
  conflicts = 0;
  snapshots = 0;
  readonly #ring: Keyring;
  readonly #signing: { keyId: Uint8Array; keys: ReturnType<typeof expandAppStateKeys> };

  constructor(
    readonly sync: SyncFn,
    key: { keyId: Uint8Array; keyData: Uint8Array },
    readonly snapshotOf: SnapshotFn,
  ) {
    this.#ring = new Keyring([key]);
    this.#signing = { keyId: key.keyId, keys: expandAppStateKeys(key.keyData) };
  }

  state(name: CollectionName): CollectionState {
    return this.states.get(name) ?? emptyCollectionState();
  }

  /** Fetches until the server has nothing more (a snapshot when we hold nothing, or when asked). */
  async pull(name: CollectionName, opts: { snapshot?: boolean } = {}): Promise<void> {
    let snapshot = opts.snapshot ?? this.state(name).version === 0;
    for (let i = 0; i < 100; i++) {
      const [answer] = await this.sync([{ name, version: this.state(name).version, snapshot }]);
      if (answer!.error) throw new Error(`${name}: ${answer!.error.code} ${answer!.error.text}`);
      await this.apply(name, answer!);
      if (!answer!.hasMorePatches) return;
      snapshot = false;
    }
    throw new Error(`${name}: has_more_patches for ever`);
  }

  /** Writes an action: one patch per collection, rebuilt after each 409 (five tries). */
  async write(action: AppStateAction, t = Date.now(), opts: { breakPatchMac?: boolean } = {}): Promise<Record<string, number>> {
    const versions: Record<string, number> = {};
    for (const [name, mutations] of byCollection(actionMutations(action, t))) {
      for (let attempt = 0; ; attempt++) {
        const built = buildPatch(name, this.state(name), this.#signing, mutations, (n) => new Uint8Array(randomBytes(n)));
        // A broken writer (or a forger): everything right but the patch MAC, which only key holders can check.
        const bytes = opts.breakPatchMac ? proto.SyncdPatch.encode({ ...built.patch, patchMac: new Uint8Array(32) }).finish() : built.bytes;
        const [answer] = await this.sync([{ name, version: built.baseVersion, snapshot: false, patch: bytes }]);
        if (!answer!.error) {
          this.states.set(name, built.state);
          versions[name] = answer!.version;
          break;
        }
        if (answer!.error.code !== 409 || attempt >= 4) throw new Error(`${name}: ${answer!.error.code} ${answer!.error.text}`);
        this.conflicts++;
        await this.apply(name, answer!);
        if (answer!.hasMorePatches) await this.pull(name);
      }
    }
    return versions;
  }

  /** Applies a snapshot and/or patches of an answer. */
  async apply(name: CollectionName, answer: CollectionAnswer): Promise<void> {
    let state = this.state(name);
    if (answer.snapshot) {
      const result = decodeSnapshot(name, await this.snapshotOf(answer.snapshot), this.#ring.lookup);
      this.snapshots++;
      state = result.state;
      this.applied.push(...result.mutations);
    }
    if (answer.patches.length > 0) {
      const result = decodePatches(name, answer.patches, state, this.#ring.lookup);
      state = result.state;
      this.applied.push(...result.mutations);
    }
    this.states.set(name, state);
  }
}
