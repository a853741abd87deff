/**
 * Signal jobs on worker threads (pool.ts): a stateless run(kind, input) that
 * knows no accounts. The job vocabulary that crosses the thread boundary is
 * src/protocol/jobs, re-exported here for the pool's callers.
 */
export { CryptoPool, DEFAULT_INLINE_KINDS, type CryptoPoolOptions } from './pool.js';
export { CryptoPoolError, JOB_KINDS, JOB_VERSION, type CryptoPoolErrorCode, type JobBundle, type JobIdentity, type JobInput, type JobInputs, type JobKeyPair, type JobKind, type JobOutputs, type JobRunner } from '../../protocol/jobs/index.js';
