/**
 * Worker-thread entry for piscina: validate the job at the boundary, run it.
 * Runs compiled (dist/…/worker.js) or, in development, as TypeScript through
 * tsx's loader (pool.ts passes `--import` when it runs from source).
 */
import { serializeJobError } from './job-errors.js';
import { JOB_VERSION, type JobResult } from './jobs.js';
import { parseJob } from './validate.js';
import { runJob } from './run-job.js';

export default function cryptoWorker(message: unknown): JobResult {
  let job;
  try {
    job = parseJob(message);
  } catch (error) {
    const kind = (message as { kind?: unknown } | null)?.kind;
    return { v: JOB_VERSION, ok: false, kind: (typeof kind === 'string' ? kind : 'unknown') as never, error: { ...serializeJobError(error), name: 'CryptoPoolError', code: 'BAD_JOB' } };
  }
  return runJob(job);
}
