/**
 * What crosses the thread boundary of the media verifier (thread.ts ↔ worker.ts):
 * a job opens with the blob's keys and what its message declares, its chunks
 * follow in order, and `final` answers with the hashes or the check that failed.
 * Owns the message shapes only.
 */
import type { MediaCryptoErrorCode, MediaExpectations, MediaKeys } from '../../protocol/media/index.js';

export type ToVerifier =
  | { op: 'open'; job: number; keys: MediaKeys; expected: MediaExpectations }
  /** A chunk of the blob; its buffer is transferred (the sender keeps no view of it). */
  | { op: 'chunk'; job: number; bytes: Uint8Array }
  | { op: 'final'; job: number }
  | { op: 'drop'; job: number };

export type FromVerifier =
  /** Bytes of the job's chunks taken in so far (the sender's flow control). */
  | { job: number; absorbed: number }
  | { job: number; done: { fileSha256: Uint8Array; fileEncSha256: Uint8Array; fileLength: number; encLength: number } }
  | { job: number; failed: { code: MediaCryptoErrorCode | 'INTERNAL'; message: string; field?: 'fileSha256' | 'fileEncSha256' | undefined } };
