/**
 * Signal encrypt/decrypt jobs on worker threads with per-session ordering
 * (pool.ts), and the job vocabulary that crosses the thread boundary (jobs.ts).
 */
export { CryptoPool, DEFAULT_INLINE_KINDS, type CryptoPoolOptions, type JobInput, type JobRunner } from './pool.js';
export { CryptoPoolError, type CryptoPoolErrorCode } from './errors.js';
export { JOB_VERSION, type JobBundle, type JobIdentity, type JobInputs, type JobKeyPair, type JobKind, type JobOutputs } from './jobs.js';
export { JOB_KINDS } from './validate.js';
export { KeyedSerialQueue, type KeyedQueueLimits } from './keyed-queue.js';
