/**
 * The crypto pool: Signal jobs on worker threads (piscina), so one account's
 * burst of decrypts never blocks the event loop that serves every account.
 * Jobs for one key (a 1:1 session address, or group + sender) run strictly
 * in submission order; different keys run in parallel. Job kinds whose work
 * costs less than the hop to a worker run inline, in the caller's thread,
 * through the same code and the same per-key order.
 *
 * Owns scheduling and the thread boundary; the protocol work is run-job.ts,
 * persisting the returned state is the caller's.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { CryptoPoolError } from './errors.js';
import { reviveJobError } from './job-errors.js';
import { JOB_VERSION, type JobInputs, type JobKind, type JobOutputs, type JobResult, type Job } from './jobs.js';
import { KeyedSerialQueue } from './keyed-queue.js';
import { runJob } from './run-job.js';
import { TurnBudget } from './turn-budget.js';
import { parseJob, parseResult } from './validate.js';

/**
 * Kinds that run inline unless configured otherwise, chosen from the hop
 * table of scripts/bench/signal.ts: their work is always smaller than the hop
 * to a worker (an encrypt never makes a ratchet step; processing a
 * distribution is a decode). Decrypts stay on workers although a same-chain
 * decrypt is as small: a ratchet step or a pkmsg costs 10–20× more, and
 * decrypts arrive in bursts from the network, which is what must not hold
 * the event loop.
 */
export const DEFAULT_INLINE_KINDS: readonly JobKind[] = ['group.process', 'signal.encrypt'];

export interface CryptoPoolOptions {
  /** Worker threads; default: one less than the CPUs, at least one. */
  threads?: number;
  /** Job kinds to run in the caller's thread ('all': no workers at all). */
  inline?: readonly JobKind[] | 'all';
  /** Jobs per key, running one included (default 1,000). */
  maxQueuePerKey?: number;
  /** Jobs in all (default 20,000). */
  maxPending?: number;
  /** The worker module; default: worker.js beside this module (worker.ts from source). */
  workerFile?: string | URL;
  /**
   * Jobs handed to a worker before it finishes the previous one (default 4).
   * Workers run jobs one at a time either way; a queued job saves the worker a
   * sleep and a wake-up per job. Per-key order is kept by this class, not by
   * piscina, so it is unaffected.
   */
  jobsPerWorker?: number;
  /**
   * Milliseconds of inline jobs per turn of the event loop before the next
   * one waits for the loop to come round (default 4; 0: yield between any two).
   */
  inlineSliceMs?: number;
  /**
   * A worker failed with no job of its own to fail (it could not start: EMFILE
   * when the process is out of descriptors). Without a listener that error
   * would end the process; the pool starts another worker when the next job needs one.
   */
  onError?: (err: Error) => void;
}

/** The job fields without the version and kind, for `run`. */
export type JobInput<K extends JobKind> = JobInputs[K];

/**
 * Runs one job (inline or on a worker) and resolves with the new stored state
 * and the output.
 * @throws (rejects) the job's own typed error (GroupCipherError…: the same
 *   class and code inline or from a worker); CryptoPoolError BAD_JOB,
 *   WORKER_FAILED, CLOSED
 */
export type JobRunner = <K extends JobKind>(kind: K, input: JobInput<K>) => Promise<JobOutputs[K]>;

const fromSource = import.meta.url.endsWith('.ts');

function defaultWorker(): { filename: string; execArgv: string[] | undefined } {
  const filename = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url).href;
  if (!fromSource) return { filename, execArgv: undefined };
  // From source (tests, benchmarks): workers need tsx's loader to import TypeScript.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { filename, execArgv: ['--import', tsx] };
}

export class CryptoPool {
  readonly #queue: KeyedSerialQueue;
  readonly #inline: ReadonlySet<JobKind> | 'all';
  readonly #threads: number;
  readonly #workerFile: string | URL | undefined;
  readonly #jobsPerWorker: number;
  readonly #budget: TurnBudget;
  readonly #onError: (err: Error) => void;
  #piscina: Piscina | undefined;
  #closing: Promise<void> | undefined;
  /** Set once the queue has drained after close(): workers are gone. */
  #closed = false;

  constructor(options: CryptoPoolOptions = {}) {
    this.#queue = new KeyedSerialQueue({ maxPerKey: options.maxQueuePerKey ?? 1000, maxTotal: options.maxPending ?? 20_000 });
    this.#inline = options.inline === 'all' ? 'all' : new Set(options.inline ?? DEFAULT_INLINE_KINDS);
    this.#threads = Math.max(1, options.threads ?? availableParallelism() - 1);
    this.#workerFile = options.workerFile;
    this.#jobsPerWorker = Math.max(1, options.jobsPerWorker ?? 4);
    this.#budget = new TurnBudget(options.inlineSliceMs ?? 4);
    this.#onError = options.onError ?? (() => {});
  }

  /** Jobs waiting or running. */
  get pending(): number {
    return this.#queue.size;
  }

  /**
   * A critical section for `key`: `fn` starts after every earlier section or
   * job for the key has settled, and none starts before it settles. Load the
   * stored state, run jobs through `job`, and store the new state inside `fn`,
   * so that the next job for the key sees it. Do not open a section for the
   * same key inside `fn` (it would wait for itself).
   * @throws (rejects) what `fn` throws; CryptoPoolError QUEUE_FULL, CLOSED
   */
  session<T>(key: string, fn: (job: JobRunner) => Promise<T>): Promise<T> {
    return this.#queue.run(key, () => fn(this.#runner));
  }

  /**
   * One job in its own section for `key`: for callers that already hold the
   * state and store the result before submitting the next job for the key.
   * @throws (rejects) as JobRunner; CryptoPoolError QUEUE_FULL, CLOSED
   */
  run<K extends JobKind>(key: string, kind: K, input: JobInput<K>): Promise<JobOutputs[K]> {
    return this.#queue.run(key, () => this.#runner(kind, input));
  }

  readonly #runner: JobRunner = <K extends JobKind>(kind: K, input: JobInput<K>): Promise<JobOutputs[K]> => {
    // Sections already running when close() is called may still run jobs.
    if (this.#closed) return Promise.reject(new CryptoPoolError('CLOSED', 'crypto pool is closed'));
    const job = { v: JOB_VERSION, kind, ...input } as unknown as Job;
    return this.#inline === 'all' || this.#inline.has(kind) ? this.#runInline(job, kind) : this.#runInWorker(job, kind);
  };

  async #runInline<K extends JobKind>(job: Job, kind: K): Promise<JobOutputs[K]> {
    await this.#budget.take();
    // Validated like a worker validates it, so both modes fail alike.
    return unwrap(runJob(parseJob(job)), kind);
  }

  async #runInWorker<K extends JobKind>(job: Job, kind: K): Promise<JobOutputs[K]> {
    let result: unknown;
    try {
      result = await this.#workers().run(job);
    } catch (cause) {
      throw new CryptoPoolError('WORKER_FAILED', `crypto worker failed on ${kind}`, { cause });
    }
    return unwrap(parseResult(result, kind), kind);
  }

  #workers(): Piscina {
    if (!this.#piscina) {
      const { filename, execArgv } = this.#workerFile ? { filename: String(this.#workerFile), execArgv: undefined } : defaultWorker();
      this.#piscina = new Piscina({
        filename,
        minThreads: this.#threads,
        maxThreads: this.#threads,
        // Workers live as long as the pool: restarting one costs a module load.
        idleTimeout: Number.POSITIVE_INFINITY,
        concurrentTasksPerWorker: this.#jobsPerWorker,
        ...(execArgv ? { execArgv } : {}),
      });
      this.#piscina.on('error', (err: Error) => this.#onError(err));
    }
    return this.#piscina;
  }

  /** Drops waiting jobs (CLOSED), lets running ones finish, stops the workers. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#queue.close();
      this.#closed = true;
      await this.#piscina?.destroy();
    })();
    return this.#closing;
  }
}

function unwrap<K extends JobKind>(result: JobResult, kind: K): JobOutputs[K] {
  if (result.ok) return result.output as JobOutputs[K];
  throw reviveJobError(result.error);
}

