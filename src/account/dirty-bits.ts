/**
 * The server's dirty bits (`<ib><dirty type timestamp/></ib>`): something
 * the account keeps changed while it could not be told. Each bit is acted on
 * and then cleaned with the timestamp it carried:
 *
 *   groups                         → every group's metadata fetched again
 *   account_sync, syncd_app_state  → every app state collection synced
 *   anything else                  → cleaned (nothing of ours depends on it)
 *
 * Cleaned only once the work succeeded: a bit left set is sent again at the
 * next login, so a failure here is retried there. One run per type at a
 * time; a bit that comes again while its run is under way is answered by
 * that run (it reads the server's state after the bit was set).
 */
import type { Logger } from 'pino';
import { cleanDirtyBit, dirtyBits, type DirtyBit } from '../protocol/iq/dirty.js';
import type { IqSpec } from '../protocol/iq/index.js';
import type { StanzaHandler } from './ports.js';

export interface DirtyBitsDeps {
  readonly execute: <T>(spec: IqSpec<T>) => Promise<T>;
  /** Bound to the account. */
  readonly logger: Logger;
  /** Fetches every group we are in again. */
  readonly refetchGroups: () => Promise<unknown>;
  /** Syncs every app state collection; false when some collection was left behind. */
  readonly resyncAppState: () => Promise<boolean>;
}

/** What catches a bit's type up; true when it did. */
function catchUp(deps: DirtyBitsDeps, type: string): Promise<boolean> {
  switch (type) {
    case 'groups':
      return deps.refetchGroups().then(() => true);
    case 'account_sync':
    case 'syncd_app_state':
      return deps.resyncAppState();
    default:
      return Promise.resolve(true);
  }
}

export class DirtyBitsHandler implements StanzaHandler {
  readonly tags = ['ib'] as const;
  readonly #deps: DirtyBitsDeps;
  readonly #running = new Set<string>();

  constructor(deps: DirtyBitsDeps) {
    this.#deps = deps;
  }

  async handle(ib: Parameters<StanzaHandler['handle']>[0]): Promise<void> {
    // Each bit runs beside the connection: an <ib> has no ack to hold back.
    for (const bit of dirtyBits(ib)) if (!this.#running.has(bit.type)) void this.#run(bit);
  }

  async #run(bit: DirtyBit): Promise<void> {
    this.#running.add(bit.type);
    const log = this.#deps.logger;
    try {
      if (!(await catchUp(this.#deps, bit.type))) {
        log.warn({ type: bit.type }, 'dirty bit not cleaned: catching up was incomplete (the server sends it again at the next login)');
        return;
      }
      await this.#deps.execute(cleanDirtyBit(bit));
      log.info({ type: bit.type, timestamp: bit.timestamp }, 'dirty bit cleaned');
    } catch (err) {
      log.warn({ err, type: bit.type }, 'dirty bit not cleaned (the server sends it again at the next login)');
    } finally {
      this.#running.delete(bit.type);
    }
  }
}
