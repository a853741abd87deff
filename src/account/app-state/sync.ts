/**
 * Fetching collections from the server until we hold their latest version,
 * in one request per round for every collection still behind, as WhatsApp
 * Web does. A collection never synced asks for a snapshot; one we hold asks
 * for the patches after its version (the server may still send a snapshot,
 * when we are far behind). `has_more_patches` means another round.
 *
 * Anti-tampering: an answer that does not verify (a bad MAC, a record that
 * does not decrypt, an LT-hash that disagrees with the writer's) is not
 * applied at all; the collection is asked again as a snapshot, which
 * replaces our copy, and only records we did not already hold are
 * reported. A snapshot that does not verify either leaves the collection
 * as it was (logged): the next sync tries again. A key we lack leaves the
 * collection for when the phone shares it.
 */
import type { Logger } from 'pino';
import { AppStateError, emptyCollectionState, type CollectionName, type CollectionState } from '../../protocol/appstate/index.js';
import { syncAppState, type CollectionAnswer } from '../../protocol/iq/app-state.js';
import type { ConnectionPort } from '../ports.js';
import { commitCollection, loadCollection, type CollectionDeps } from './collections.js';
import { decodeAnswer, type BlobDownload } from './fetch.js';
import type { SyncKeys } from './keys.js';

export interface SyncDeps extends CollectionDeps {
  readonly port: Pick<ConnectionPort, 'execute'>;
  readonly keys: SyncKeys;
  readonly download: BlobDownload;
  readonly logger: Logger;
}

/** Rounds per sync (20 patches per answer): a collection further behind continues at the next sync. */
const MAX_ROUNDS = 50;

interface Pending {
  state: CollectionState;
  /** Ask for a snapshot (first sync, or recovery from an answer that did not verify). */
  snapshot: boolean;
  /** The answer to a snapshot request already failed to verify once. */
  recovering: boolean;
}

export interface SyncReport {
  /** Collections brought to the server's version. */
  readonly synced: CollectionName[];
  /** Collections recovered from a snapshot after an answer that did not verify. */
  readonly recovered: CollectionName[];
  /** Collections left as they were, with why. */
  readonly failed: Array<{ collection: CollectionName; code: string }>;
}

/** @throws whatever the IQ throws (connection down): nothing of the failed round is applied */
export async function syncCollections(deps: SyncDeps, names: readonly CollectionName[]): Promise<SyncReport> {
  const pending = new Map<CollectionName, Pending>();
  for (const name of names) {
    const { state, known } = await loadCollection(deps.store, name);
    pending.set(name, { state, snapshot: !known, recovering: false });
  }
  const report: SyncReport = { synced: [], recovered: [], failed: [] };
  for (let round = 0; pending.size > 0 && round < MAX_ROUNDS; round++) {
    const answers = await deps.port.execute(
      syncAppState([...pending].map(([name, p]) => ({ name, version: p.state.version, snapshot: p.snapshot }))),
    );
    const answered = new Set<string>();
    for (const answer of answers) {
      const name = answer.name as CollectionName;
      const p = pending.get(name);
      if (!p || answered.has(name)) continue;
      answered.add(name);
      if (await applyAnswer(deps, name, answer, p, report)) pending.delete(name);
    }
    for (const name of pending.keys()) {
      if (answered.has(name)) continue;
      report.failed.push({ collection: name, code: 'NO_ANSWER' });
      pending.delete(name);
    }
  }
  for (const name of pending.keys()) deps.logger.info({ collection: name }, 'app state collection still behind after a long sync; continues at the next');
  return report;
}

/** Applies one collection's answer; true when the collection is done for this sync. */
async function applyAnswer(deps: SyncDeps, name: CollectionName, answer: CollectionAnswer, p: Pending, report: SyncReport): Promise<boolean> {
  if (answer.error) {
    deps.logger.warn({ collection: name, code: answer.error.code, text: answer.error.text }, 'app state fetch refused by the server');
    report.failed.push({ collection: name, code: `SERVER_${answer.error.code}` });
    return true;
  }
  const { lookup } = await deps.keys.lookup();
  const previous = p.state;
  try {
    const base = p.snapshot ? emptyCollectionState() : p.state;
    const result = await decodeAnswer(name, answer, base, lookup, deps.download);
    await commitCollection(deps, name, result.state, result.mutations, result.fromSnapshot ? previous : undefined);
    p.state = result.state;
    if (p.recovering) report.recovered.push(name);
    p.snapshot = false;
    p.recovering = false;
    if (answer.hasMorePatches) return false;
    report.synced.push(name);
    return true;
  } catch (err) {
    if (!(err instanceof AppStateError)) throw err;
    if (err.code === 'MISSING_KEY') {
      deps.logger.warn({ collection: name }, 'app state collection waits for a key the phone has not shared');
      report.failed.push({ collection: name, code: err.code });
      return true;
    }
    if (p.recovering) {
      deps.logger.error({ collection: name, code: err.code, err: err.message }, 'app state snapshot does not verify; collection left as it was');
      report.failed.push({ collection: name, code: err.code });
      return true;
    }
    deps.logger.warn({ collection: name, code: err.code, err: err.message }, 'app state answer does not verify; resyncing the collection from a snapshot');
    p.snapshot = true;
    p.recovering = true;
    return false;
  }
}
