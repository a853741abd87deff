/**
 * Worker-thread entry for piscina: validate the job at the boundary, run it.
 * Runs compiled (dist/…/worker.js) or, in development, as TypeScript through
 * tsx's loader (pool.ts passes `--import` when it runs from source).
 */
import { JOB_VERSION, parseJob, runJob, serializeJobError, type JobResult } from '../../protocol/jobs/index.js';

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
