/**
 * The crypto pool: Signal jobs on worker threads (piscina), so one account's
 * burst of decrypts never blocks the event loop that serves every account.
 * Stateless: `run(kind, input)` runs one job, bytes in and bytes out, and
 * knows no accounts, sessions or keys. Ordering the jobs of one session is
 * the caller's (each account holds its own identity and sender-key locks),
 * so two accounts never wait on each other here. Job kinds whose work costs
 * less than the hop to a worker run inline, in the caller's thread, through
 * the same code.
 *
 * Owns the thread boundary and the bound on jobs in flight; the protocol
 * work is src/protocol/jobs, persisting the returned state is the caller's.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { CryptoPoolError, JOB_VERSION, parseJob, parseResult, reviveJobError, runJob, type Job, type JobInput, type JobKind, type JobOutputs, type JobResult } from '../../protocol/jobs/index.js';
import { TurnBudget } from './turn-budget.js';

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
  /** Jobs in flight in all, over every account (default 20,000); beyond it run() rejects QUEUE_FULL. */
  maxPending?: number;
  /** The worker module; default: worker.js beside this module (worker.ts from source). */
  workerFile?: string | URL;
  /**
   * Jobs handed to a worker before it finishes the previous one (default 4).
   * Workers run jobs one at a time either way; a queued job saves the worker a
   * sleep and a wake-up per job. The order of one session's jobs is kept by
   * the caller's lock, so it is unaffected.
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


const fromSource = import.meta.url.endsWith('.ts');

function defaultWorker(): { filename: string; execArgv: string[] | undefined } {
  const filename = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url).href;
  if (!fromSource) return { filename, execArgv: undefined };
  // From source (tests, benchmarks): workers need tsx's loader to import TypeScript.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { filename, execArgv: ['--import', tsx] };
}

export class CryptoPool {
  readonly #maxPending: number;
  #pending = 0;
  #idle: Array<() => void> = [];
  readonly #inline: ReadonlySet<JobKind> | 'all';
  readonly #threads: number;
  readonly #workerFile: string | URL | undefined;
  readonly #jobsPerWorker: number;
  readonly #budget: TurnBudget;
  readonly #onError: (err: Error) => void;
  #piscina: Piscina | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: CryptoPoolOptions = {}) {
    this.#maxPending = options.maxPending ?? 20_000;
    this.#inline = options.inline === 'all' ? 'all' : new Set(options.inline ?? DEFAULT_INLINE_KINDS);
    this.#threads = Math.max(1, options.threads ?? availableParallelism() - 1);
    this.#workerFile = options.workerFile;
    this.#jobsPerWorker = Math.max(1, options.jobsPerWorker ?? 4);
    this.#budget = new TurnBudget(options.inlineSliceMs ?? 4);
    this.#onError = options.onError ?? (() => {});
  }

  /** Jobs waiting or running. */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Runs one job (inline or on a worker) and resolves with the new stored
   * state and the output.
   * @throws (rejects) the job's own typed error (GroupCipherError…: the same
   *   class and code inline or from a worker); CryptoPoolError BAD_JOB,
   *   WORKER_FAILED, QUEUE_FULL (maxPending jobs in flight), CLOSED
   */
  run<K extends JobKind>(kind: K, input: JobInput<K>): Promise<JobOutputs[K]> {
    if (this.#closing) return Promise.reject(new CryptoPoolError('CLOSED', 'crypto pool is closed'));
    if (this.#pending >= this.#maxPending) return Promise.reject(new CryptoPoolError('QUEUE_FULL', `crypto pool holds ${this.#pending} jobs, its maximum`));
    this.#pending++;
    const job = { v: JOB_VERSION, kind, ...input } as unknown as Job;
    const done = this.#inline === 'all' || this.#inline.has(kind) ? this.#runInline(job, kind) : this.#runInWorker(job, kind);
    return done.finally(() => {
      this.#pending--;
      if (this.#pending === 0) for (const wake of this.#idle.splice(0)) wake();
    });
  }

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

  /** Refuses new jobs (CLOSED), lets running ones finish, stops the workers. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#pending > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
      await this.#piscina?.destroy();
    })();
    return this.#closing;
  }
}

function unwrap<K extends JobKind>(result: JobResult, kind: K): JobOutputs[K] {
  if (result.ok) return result.output as JobOutputs[K];
  throw reviveJobError(result.error);
}

