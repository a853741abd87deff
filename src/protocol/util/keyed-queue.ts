/**
 * The one per-key serial queue of wad: tasks with the same key run one at a
 * time in submission order, tasks with different keys run concurrently, and
 * a key holds nothing once its last task settled. Serves every place that
 * needs "one at a time per X": an account's identity and sender-key locks (a
 * Signal session's state must move through its jobs one by one), the
 * per-chat sender mailboxes (a chat's messages leave in order), the stanza
 * dispatcher's per-chat lines, the supervisor's per-child operations, an
 * account store's transactions (one key), the simulator's per-device history
 * runs. Bounded per key and in all; each user names the errors its callers see.
 *
 * It lives in the pure core because it is pure (promises only: no I/O, no
 * timers, no clock) and every layer that needs it may import the core, the
 * store and the simulator included, which may import nothing else of ours.
 *
 * Owns ordering and bounds only; it does not know what a task does.
 */

interface Entry<T> {
  readonly task: () => T | Promise<T>;
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
}

interface Lane {
  running: boolean;
  readonly waiting: Array<Entry<unknown>>;
}

export interface KeyedQueueLimits {
  /** Tasks per key, the running one included. */
  maxPerKey: number;
  /** Tasks over all keys, running ones included. */
  maxTotal: number;
}

/** The errors a queue's callers see, in their own module's terms. */
export interface KeyedQueueErrors {
  /** A bound is reached: `per` says which (one key's, or all keys'). */
  full(per: 'key' | 'total', limit: number, key: string): Error;
  /** The queue is closed: for a new task, or for one still waiting at close(). */
  closed(waiting: boolean): Error;
}

/** Plain errors with a `code` (QUEUE_FULL, CLOSED), for users that name none. */
export class KeyedQueueError extends Error {
  override readonly name = 'KeyedQueueError';
  constructor(
    readonly code: 'QUEUE_FULL' | 'CLOSED',
    message: string,
  ) {
    super(message);
  }
}

const DEFAULT_ERRORS: KeyedQueueErrors = {
  full: (per, limit) => new KeyedQueueError('QUEUE_FULL', per === 'key' ? `${limit} tasks for one key, the maximum` : `${limit} tasks in all, the maximum`),
  closed: (waiting) => new KeyedQueueError('CLOSED', waiting ? 'queue closed before the task ran' : 'queue is closed'),
};

export class KeyedSerialQueue {
  readonly #lanes = new Map<string, Lane>();
  readonly #limits: KeyedQueueLimits;
  readonly #errors: KeyedQueueErrors;
  #size = 0;
  #closed = false;
  #idle: Array<() => void> = [];

  /** `errors`: the ones a user names; the others are KeyedQueueErrors. */
  constructor(limits: KeyedQueueLimits, errors: Partial<KeyedQueueErrors> = {}) {
    this.#limits = limits;
    this.#errors = { ...DEFAULT_ERRORS, ...errors };
  }

  /** Keys with a task waiting or running. */
  get keys(): number {
    return this.#lanes.size;
  }

  /** Tasks waiting or running. */
  get size(): number {
    return this.#size;
  }

  /**
   * Runs `task` after every earlier task with the same key has settled. A
   * task is started synchronously when its key is idle, so an inline task
   * costs no extra turn of the event loop.
   * @throws (rejects) the errors' full() past a bound, closed() once closed
   */
  run<T>(key: string, task: () => T | Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(this.#errors.closed(false));
    if (this.#size >= this.#limits.maxTotal) return Promise.reject(this.#errors.full('total', this.#limits.maxTotal, key));
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = { running: false, waiting: [] };
      this.#lanes.set(key, lane);
    }
    if (lane.waiting.length + (lane.running ? 1 : 0) >= this.#limits.maxPerKey) {
      if (lane.waiting.length === 0 && !lane.running) this.#lanes.delete(key);
      return Promise.reject(this.#errors.full('key', this.#limits.maxPerKey, key));
    }
    this.#size++;
    return new Promise<T>((resolve, reject) => {
      lane.waiting.push({ task, resolve, reject } as Entry<unknown>);
      if (!lane.running) this.#next(key, lane);
    });
  }

  #next(key: string, lane: Lane): void {
    const entry = lane.waiting.shift();
    if (!entry) {
      lane.running = false;
      this.#lanes.delete(key);
      if (this.#size === 0) for (const done of this.#idle.splice(0)) done();
      return;
    }
    lane.running = true;
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(entry.task());
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (value) => this.#settle(key, lane, () => entry.resolve(value)),
      (error) => this.#settle(key, lane, () => entry.reject(error)),
    );
  }

  #settle(key: string, lane: Lane, report: () => void): void {
    this.#size--;
    report();
    this.#next(key, lane);
  }

  /**
   * Stops accepting tasks and rejects every waiting one with CLOSED; resolves
   * once the running ones have settled.
   */
  close(): Promise<void> {
    this.#closed = true;
    for (const lane of this.#lanes.values()) {
      for (const entry of lane.waiting.splice(0)) {
        this.#size--;
        entry.reject(this.#errors.closed(true));
      }
    }
    if (this.#size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}
