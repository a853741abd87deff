/**
 * Signal encrypt/decrypt jobs on worker threads with per-session ordering
 * (pool.ts), and the job vocabulary that crosses the thread boundary (jobs.ts).
 */
export { CryptoPool, DEFAULT_INLINE_KINDS, type CryptoPoolOptions, type JobInput, type JobRunner } from './pool.js';
export { CryptoPoolError, type CryptoPoolErrorCode } from './errors.js';
export { JOB_KINDS, JOB_VERSION, type JobInputs, type JobKind, type JobOutputs } from './jobs.js';
export { KeyedSerialQueue, type KeyedQueueLimits } from './keyed-queue.js';
