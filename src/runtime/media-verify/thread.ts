/**
 * Verification of downloaded media on a thread of its own: the checks of a
 * large blob (HMAC, fileEncSha256, the AES pass and fileSha256) run beside
 * its download instead of on the event loop that also receives it. One worker
 * serves every job (started at the first, kept until close()). A job's bytes
 * are copied to it in batches of BATCH bytes, at most MAX_AHEAD bytes ahead of
 * what it has checked, so memory stays bounded whatever the blob's size.
 * The verdict is the same MediaDecryptor's as on the main thread.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MediaCryptoError, type MediaExpectations, type MediaKeys } from '../../protocol/media/index.js';
import type { FromVerifier, ToVerifier } from './messages.js';

/** The blob's hashes and lengths, once every check held. */
export interface VerifiedBlob {
  fileSha256: Uint8Array;
  fileEncSha256: Uint8Array;
  fileLength: number;
  encLength: number;
}

export interface VerifyJob {
  /** Hands the next bytes over; resolves once the worker is close enough behind. Rejects with the job's failure. */
  push(chunk: Uint8Array): Promise<void>;
  /** The verdict: resolves when every check held. @throws MediaCryptoError (as MediaDecryptor.final), Error when the thread died */
  finish(): Promise<VerifiedBlob>;
  /** Abandons the job (the download failed): the worker forgets it. */
  drop(): void;
}

const BATCH = 256 * 1024;
const MAX_AHEAD = 8 * 1024 * 1024;

interface Job {
  sent: number;
  absorbed: number;
  batch: Uint8Array | undefined;
  filled: number;
  wake: (() => void) | undefined;
  verdict: { resolve(v: VerifiedBlob): void; reject(e: Error): void } | undefined;
  failure: Error | undefined;
}

const fromSource = import.meta.url.endsWith('.ts');

/** The worker: the compiled file, or from source (tests, benchmarks) a bootstrap that imports the TypeScript once tsx's loader is in place through tsx's API (Node 20 loads a worker's entry before its --import hooks apply). */
function startWorker(): Worker {
  const file = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
  if (!fromSource) return new Worker(file);
  const api = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  return new Worker(`import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(file.href)}, ${JSON.stringify(import.meta.url)}))`, { eval: true });
}

export class MediaVerifyThread {
  #worker: Worker | undefined;
  readonly #jobs = new Map<number, Job>();
  #next = 0;
  #closed = false;

  open(keys: MediaKeys, expected: MediaExpectations): VerifyJob {
    if (this.#closed) throw new Error('media verifier closed');
    const id = ++this.#next;
    const job: Job = { sent: 0, absorbed: 0, batch: undefined, filled: 0, wake: undefined, verdict: undefined, failure: undefined };
    this.#jobs.set(id, job);
    const worker = this.#started();
    worker.ref();
    this.#post({ op: 'open', job: id, keys: { cipherKey: keys.cipherKey, iv: keys.iv, macKey: keys.macKey, refKey: keys.refKey }, expected });
    return {
      push: async (chunk) => {
        if (job.failure) throw job.failure;
        let at = 0;
        while (at < chunk.length) {
          job.batch ??= new Uint8Array(BATCH);
          const n = Math.min(chunk.length - at, BATCH - job.filled);
          job.batch.set(chunk.subarray(at, at + n), job.filled);
          job.filled += n;
          at += n;
          if (job.filled === BATCH) this.#flush(id, job);
        }
        while (job.sent - job.absorbed > MAX_AHEAD && !job.failure) await new Promise<void>((r) => (job.wake = r));
        if (job.failure) throw job.failure;
      },
      finish: () => {
        if (job.failure) return Promise.reject(job.failure);
        this.#flush(id, job);
        return new Promise<VerifiedBlob>((resolve, reject) => {
          job.verdict = { resolve, reject };
          this.#post({ op: 'final', job: id });
        });
      },
      drop: () => {
        if (!this.#jobs.has(id)) return;
        this.#end(id);
        this.#post({ op: 'drop', job: id });
      },
    };
  }

  /** Stops the worker; jobs under way fail. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#failAll(new Error('media verifier closed'));
    const w = this.#worker;
    this.#worker = undefined;
    await w?.terminate();
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    const w = startWorker();
    w.on('message', (m: FromVerifier) => this.#onMessage(m));
    const died = (err: Error): void => {
      if (this.#worker !== w) return;
      this.#worker = undefined;
      this.#failAll(err);
    };
    w.on('error', died);
    w.on('exit', (code) => died(new Error(`media verifier thread exited (${code})`)));
    this.#worker = w;
    return w;
  }

  #flush(id: number, job: Job): void {
    if (!job.batch || job.filled === 0) return;
    const bytes = job.filled === BATCH ? job.batch : job.batch.slice(0, job.filled);
    job.batch = undefined;
    job.filled = 0;
    job.sent += bytes.length;
    this.#worker?.postMessage({ op: 'chunk', job: id, bytes } satisfies ToVerifier, [bytes.buffer as ArrayBuffer]);
  }

  #post(m: ToVerifier): void {
    this.#worker?.postMessage(m);
  }

  #onMessage(m: FromVerifier): void {
    const job = this.#jobs.get(m.job);
    if (!job) return;
    if ('absorbed' in m) {
      job.absorbed = m.absorbed;
      if (job.sent - job.absorbed <= MAX_AHEAD) this.#wake(job);
      return;
    }
    this.#end(m.job);
    if ('done' in m) {
      job.verdict?.resolve(m.done);
      return;
    }
    const f = m.failed;
    job.failure = f.code === 'INTERNAL' ? new Error(f.message) : new MediaCryptoError(f.code, f.message, f.field ? { field: f.field } : undefined);
    this.#wake(job);
    job.verdict?.reject(job.failure);
  }

  #wake(job: Job): void {
    const w = job.wake;
    job.wake = undefined;
    w?.();
  }

  #end(id: number): void {
    this.#jobs.delete(id);
    if (this.#jobs.size === 0) this.#worker?.unref();
  }

  #failAll(err: Error): void {
    for (const [id, job] of this.#jobs) {
      this.#end(id);
      job.failure = err;
      this.#wake(job);
      job.verdict?.reject(err);
    }
  }
}
