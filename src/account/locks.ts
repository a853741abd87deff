/**
 * One account's critical sections: a contact's identity (its PN and LID
 * resolve to one key first) and a group's sender key are each worked on by
 * one task at a time, so a Signal session's state moves through its jobs
 * one by one and the next job sees the state the last one stored. Owned by
 * the account, built fresh at each start: two accounts talking to the same
 * contact or group hold different locks and never wait on each other.
 */
import { KeyedSerialQueue } from '../protocol/util/keyed-queue.js';

/** A lock refused a section: too many wait (QUEUE_FULL: back off), or the account stopped (CLOSED). */
export class LockError extends Error {
  override readonly name = 'LockError';
  constructor(
    readonly code: 'QUEUE_FULL' | 'CLOSED',
    message: string,
  ) {
    super(message);
  }
}

export interface AccountLocksOptions {
  /** Tasks waiting or running for one key (default 1,000). */
  readonly maxPerKey?: number;
  /** Tasks waiting or running over all keys (default 20,000). */
  readonly maxTotal?: number;
}

export class AccountLocks {
  readonly #queue: KeyedSerialQueue;

  constructor(options: AccountLocksOptions = {}) {
    this.#queue = new KeyedSerialQueue(
      { maxPerKey: options.maxPerKey ?? 1_000, maxTotal: options.maxTotal ?? 20_000 },
      {
        full: (per, limit, key) => new LockError('QUEUE_FULL', per === 'key' ? `${limit} tasks wait for ${key}, the maximum` : `${limit} tasks wait for the account's locks, the maximum`),
        closed: () => new LockError('CLOSED', 'the account stopped'),
      },
    );
  }

  /**
   * Runs `fn` once every earlier section of `key` has settled; none starts
   * before it settles. Do not open a section of the same key inside `fn`
   * (it would wait for itself).
   * @throws (rejects) what `fn` throws; LockError QUEUE_FULL past a bound, CLOSED after close()
   */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.#queue.run(key, fn);
  }

  /** Sections waiting or running (tests, stats). */
  get size(): number {
    return this.#queue.size;
  }

  /** Refuses new sections and drops waiting ones; resolves once running ones settled. */
  close(): Promise<void> {
    return this.#queue.close();
  }
}
