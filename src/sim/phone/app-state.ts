/**
 * The phone's app state: its sync keys, and its copy of the five collections
 * (version, LT-hash, value MAC of each live record, and what each record
 * says). The phone is one device among the user's devices: what the person
 * does on it is written as a patch through the server like a companion's
 * (a 409 brings the patches it missed; it applies them and writes again),
 * and what a companion writes reaches it as `server_sync`, after which it
 * fetches the new patches (or a snapshot, when a patch does not verify).
 *
 * A fresh phone writes the account's push name into critical_block, which a
 * new companion needs before it may show itself online.
 */
import { randomBytes } from 'node:crypto';
import {
  actionMutations,
  AppStateError,
  buildPatch,
  byCollection,
  changeOf,
  COLLECTIONS,
  decodePatches,
  decodeSnapshot,
  emptyCollectionState,
  expandAppStateKeys,
  isCollectionName,
  Keyring,
  keyIdString,
  newestKey,
  type AppStateAction,
  type CollectionName,
  type CollectionState,
  type MutationContent,
  type SyncKey,
} from '../../protocol/appstate/index.js';
import type { CollectionAnswer } from '../../protocol/iq/app-state.js';
import { decryptMedia } from '../../protocol/media/index.js';
import { proto } from '../../protocol/proto/index.js';
import type { PhoneAppStateView, PhoneHost } from '../phone-host.js';
import { b64, keyFromJson, keyToJson, newSyncKey, unb64, type SyncKeyJson } from './app-state-keys.js';
import { PhoneError } from './errors.js';

/** Writes of one action, each retried this often after a 409. */
const WRITE_ATTEMPTS = 5;
/** has_more_patches answers followed in one pull before giving up until the next server_sync. */
const MAX_PAGES = 200;
const MAX_ERRORS = 20;
const VALUE_JSON = { enums: String, longs: Number, bytes: String, defaults: false } as const;

interface Held {
  state: CollectionState;
  /** JSON index → SyncActionData bytes of the live record. */
  entries: Map<string, Uint8Array>;
}

export interface PhoneAppStateJson {
  keys: SyncKeyJson[];
  collections: Record<string, { version: number; hash: string; macs: Record<string, string>; entries: Array<[string, string]> }>;
}

export class PhoneAppState {
  readonly #host: PhoneHost;
  readonly #keys: SyncKey[];
  readonly #ring: Keyring;
  readonly #held = new Map<CollectionName, Held>();
  readonly #errors: string[] = [];

  private constructor(host: PhoneHost, keys: SyncKey[]) {
    this.#host = host;
    this.#keys = keys;
    this.#ring = new Keyring(keys);
    for (const name of COLLECTIONS) this.#held.set(name, { state: emptyCollectionState(), entries: new Map() });
  }

  /** A phone's first app state: one key, and the push name written. */
  static fresh(host: PhoneHost, rawId: number): PhoneAppState {
    const s = new PhoneAppState(host, [newSyncKey(host.now(), rawId)]);
    s.attempt(() => s.act({ type: 'pushName', name: host.name }));
    return s;
  }

  static fromJSON(host: PhoneHost, j: PhoneAppStateJson): PhoneAppState {
    const s = new PhoneAppState(host, j.keys.map(keyFromJson));
    for (const [name, c] of Object.entries(j.collections)) {
      if (!isCollectionName(name)) continue;
      const macs = Object.fromEntries(Object.entries(c.macs).map(([k, v]) => [k, unb64(v)]));
      s.#held.set(name, { state: { version: c.version, hash: unb64(c.hash), indexValueMacs: macs }, entries: new Map(c.entries.map(([k, v]) => [k, unb64(v)])) });
    }
    return s;
  }

  get keys(): readonly SyncKey[] {
    return this.#keys;
  }

  /**
   * The person's action, written as one patch per collection it touches.
   * @throws AppStateError BAD_ACTION; PhoneError APP_STATE_REFUSED when the server will not take it
   */
  act(action: AppStateAction): Record<string, number> {
    const versions: Record<string, number> = {};
    for (const [name, mutations] of byCollection(actionMutations(action, this.#host.now()))) {
      versions[name] = this.#write(name, mutations);
    }
    return versions;
  }

  /** Fetches what the server has beyond our copy (a server_sync named these collections). */
  pull(names: readonly string[]): void {
    for (const name of names) if (isCollectionName(name)) this.attempt(() => this.#pull(name));
  }

  view(): PhoneAppStateView {
    const collections: PhoneAppStateView['collections'] = {};
    for (const [name, held] of this.#held) {
      collections[name] = {
        version: held.state.version,
        hash: b64(held.state.hash),
        entries: [...held.entries.values()].map((bytes) => {
          const data = proto.SyncActionData.decode(bytes);
          const index = JSON.parse(Buffer.from(data.index ?? new Uint8Array(0)).toString('utf8')) as string[];
          const value = proto.SyncActionValue.fromObject(data.value ?? {});
          const change = changeOf({ operation: 'set', index, value });
          return { index, version: data.version ?? 0, value: proto.SyncActionValue.toObject(value, VALUE_JSON), ...(change ? { change } : {}) };
        }),
      };
    }
    const keys = [...this.#keys].sort((a, b) => a.timestamp - b.timestamp).map((k) => ({ id: keyIdString(k.keyId), timestamp: k.timestamp }));
    return { keys, collections, errors: [...this.#errors] };
  }

  toJSON(): PhoneAppStateJson {
    const collections: PhoneAppStateJson['collections'] = {};
    for (const [name, { state, entries }] of this.#held) {
      collections[name] = {
        version: state.version,
        hash: b64(state.hash),
        macs: Object.fromEntries(Object.entries(state.indexValueMacs).map(([k, v]) => [k, b64(v)])),
        entries: [...entries].map(([k, v]) => [k, b64(v)]),
      };
    }
    return { keys: this.#keys.map(keyToJson), collections };
  }

  #write(name: CollectionName, mutations: readonly MutationContent[]): number {
    const key = newestKey(this.#keys)!;
    const signing = { keyId: key.keyId, keys: expandAppStateKeys(key.keyData) };
    for (let attempt = 1; ; attempt++) {
      const held = this.#held.get(name)!;
      const built = buildPatch(name, held.state, signing, mutations, (n) => new Uint8Array(randomBytes(n)));
      const [answer] = this.#host.syncAppState([{ name, version: built.baseVersion, snapshot: false, patch: built.bytes }]);
      if (answer && !answer.error) {
        this.#held.set(name, { state: built.state, entries: applied(held.entries, mutations) });
        return answer.version;
      }
      const why = answer?.error ? `${answer.error.code} ${answer.error.text}` : 'no answer';
      if (answer?.error?.code !== 409 || attempt >= WRITE_ATTEMPTS) {
        throw new PhoneError('APP_STATE_REFUSED', `the server refused the phone's ${name} patch: ${why}`);
      }
      // Someone wrote first: take what we missed, then build again on top of it.
      this.#apply(name, answer);
      if (answer.hasMorePatches) this.#pull(name);
    }
  }

  #pull(name: CollectionName): void {
    let snapshot = false;
    for (let page = 0; page < MAX_PAGES; page++) {
      const [answer] = this.#host.syncAppState([{ name, version: this.#held.get(name)!.state.version, snapshot }]);
      if (!answer || answer.error) throw new PhoneError('APP_STATE_REFUSED', `fetching ${name}: ${answer?.error?.code ?? 'no answer'} ${answer?.error?.text ?? ''}`);
      try {
        this.#apply(name, answer);
      } catch (err) {
        // A patch that does not verify against our copy: start over from the server's snapshot, once.
        if (!(err instanceof AppStateError) || snapshot) throw err;
        this.#note(`${name}: ${err.code} ${err.message}; resyncing from a snapshot`);
        snapshot = true;
        continue;
      }
      if (!answer.hasMorePatches) return;
      snapshot = false;
    }
  }

  /** A snapshot and/or patches, applied whole or not at all. */
  #apply(name: CollectionName, answer: CollectionAnswer): void {
    let { state, entries } = this.#held.get(name)!;
    if (answer.snapshot) {
      const result = decodeSnapshot(name, this.#download(answer.snapshot), this.#ring.lookup);
      state = result.state;
      entries = applied(new Map(), result.mutations);
    }
    if (answer.patches.length > 0) {
      const result = decodePatches(name, answer.patches, state, this.#ring.lookup);
      state = result.state;
      entries = applied(entries, result.mutations);
    }
    this.#held.set(name, { state, entries });
  }

  #download(ref: proto.IExternalBlobReference): proto.SyncdSnapshot {
    const blob = ref.directPath ? this.#host.mediaBlob(ref.directPath) : undefined;
    if (!blob || !ref.mediaKey) throw new PhoneError('APP_STATE_REFUSED', `the snapshot at ${ref.directPath ?? '(no path)'} is not on the media host`);
    const expected = { ...(ref.fileSha256 ? { fileSha256: ref.fileSha256 } : {}), ...(ref.fileEncSha256 ? { fileEncSha256: ref.fileEncSha256 } : {}) };
    return proto.SyncdSnapshot.decode(decryptMedia(blob, ref.mediaKey, 'md-app-state', expected));
  }

  /** Runs a step whose failure must not take the phone down: it is kept for GET /phones/:phone/app-state. */
  attempt(step: () => unknown): void {
    try {
      step();
    } catch (err) {
      this.#note(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    }
  }

  #note(text: string): void {
    this.#errors.push(text);
    if (this.#errors.length > MAX_ERRORS) this.#errors.shift();
  }
}

/** `entries` after the mutations, in order (a REMOVE drops the record). */
function applied(entries: ReadonlyMap<string, Uint8Array>, mutations: readonly MutationContent[]): Map<string, Uint8Array> {
  const out = new Map(entries);
  for (const m of mutations) {
    const key = JSON.stringify(m.index);
    if (m.operation === 'remove') out.delete(key);
    else out.set(key, proto.SyncActionData.encode({ index: Buffer.from(key, 'utf8'), value: m.value, version: m.version }).finish());
  }
  return out;
}
