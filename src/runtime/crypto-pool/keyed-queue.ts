/**
 * Per-key serial execution with bounded queues: tasks with the same key run
 * one at a time in submission order (a Signal session's state must move
 * through its jobs one by one), tasks with different keys run concurrently.
 * Owns ordering and bounds only; it does not know what a task does.
 */
import { CryptoPoolError } from './errors.js';

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

export class KeyedSerialQueue {
  readonly #lanes = new Map<string, Lane>();
  readonly #limits: KeyedQueueLimits;
  #size = 0;
  #closed = false;
  #idle: Array<() => void> = [];

  constructor(limits: KeyedQueueLimits) {
    this.#limits = limits;
  }

  /** Tasks waiting or running. */
  get size(): number {
    return this.#size;
  }

  /**
   * Runs `task` after every earlier task with the same key has settled. A
   * task is started synchronously when its key is idle, so an inline task
   * costs no extra turn of the event loop.
   * @throws (rejects) CryptoPoolError QUEUE_FULL, CLOSED
   */
  run<T>(key: string, task: () => T | Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new CryptoPoolError('CLOSED', 'crypto pool is closed'));
    if (this.#size >= this.#limits.maxTotal) {
      return Promise.reject(new CryptoPoolError('QUEUE_FULL', `crypto pool holds ${this.#size} jobs, its maximum`));
    }
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = { running: false, waiting: [] };
      this.#lanes.set(key, lane);
    }
    if (lane.waiting.length + (lane.running ? 1 : 0) >= this.#limits.maxPerKey) {
      return Promise.reject(new CryptoPoolError('QUEUE_FULL', `crypto pool holds ${this.#limits.maxPerKey} jobs for one key, its maximum`));
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
        entry.reject(new CryptoPoolError('CLOSED', 'crypto pool closed before the job ran'));
      }
    }
    if (this.#size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}
