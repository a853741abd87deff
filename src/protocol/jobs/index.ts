/**
 * Crypto jobs: the versioned, validated union of Signal work that crosses
 * into worker threads (jobs.ts, validate.ts), the pure function that runs one
 * (run-job.ts), and the typed errors that survive the thread hop
 * (job-errors.ts, errors.ts). Pure: no threads, no I/O; the runtime's crypto
 * pool decides where a job runs.
 */
import type { JobInputs, JobKind, JobOutputs } from './jobs.js';

export { JOB_VERSION, type ErrorDetails, type Job, type JobBundle, type JobIdentity, type JobInputs, type JobKeyPair, type JobKind, type JobOutputs, type JobResult, type SerializedJobError } from './jobs.js';
export { runJob } from './run-job.js';
export { parseJob, parseResult, JOB_KINDS } from './validate.js';
export { reviveJobError, serializeJobError } from './job-errors.js';
export { CryptoPoolError, type CryptoPoolErrorCode } from './errors.js';

/** The job fields without the version and kind. */
export type JobInput<K extends JobKind> = JobInputs[K];

/**
 * Runs one job and resolves with its output (the new stored state included).
 * @throws (rejects) the job's own typed error (GroupCipherError…: the same
 *   class and code wherever it ran); CryptoPoolError BAD_JOB, WORKER_FAILED,
 *   QUEUE_FULL, CLOSED
 */
export type JobRunner = <K extends JobKind>(kind: K, input: JobInput<K>) => Promise<JobOutputs[K]>;
