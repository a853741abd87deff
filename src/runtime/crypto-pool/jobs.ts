/**
 * The messages that cross into and out of crypto workers: a tagged union of
 * jobs (state in as stored bytes, never live objects) and their results, with
 * a version constant, validated on arrival on either side (STYLE.md habit 6).
 * Replies are matched by piscina's task ids, which serve as the nonce.
 *
 * Owns the shapes and their validation only; running a job is run-job.ts.
 */
import { CryptoPoolError } from './errors.js';

/** Bumped on any change of a job's or result's shape. */
export const JOB_VERSION = 1;

type Bytes = Uint8Array;

/** Jobs by kind: what goes in. `record: null` means nothing stored yet. */
export interface JobInputs {
  /** Our sending record for a group (null: create one), and its distribution message. */
  'group.distribution': { record: Bytes | null };
  /** A member's SenderKeyDistributionMessage into our receiving record for them. */
  'group.process': { record: Bytes | null; distribution: Bytes };
  'group.encrypt': { record: Bytes; plaintext: Bytes };
  'group.decrypt': { record: Bytes | null; ciphertext: Bytes };
}

/** Results by kind: the new stored record (to write back) and the output. */
export interface JobOutputs {
  'group.distribution': { record: Bytes; distribution: Bytes };
  'group.process': { record: Bytes };
  'group.encrypt': { record: Bytes; ciphertext: Bytes };
  'group.decrypt': { record: Bytes; plaintext: Bytes };
}

export type JobKind = keyof JobInputs;

export type Job<K extends JobKind = JobKind> = K extends JobKind ? { v: typeof JOB_VERSION; kind: K } & JobInputs[K] : never;

export interface SerializedJobError {
  /** The error class name (GroupCipherError, SignalError…). */
  name: string;
  code: string;
  message: string;
}

export type JobResult<K extends JobKind = JobKind> =
  | { v: typeof JOB_VERSION; ok: true; kind: K; output: JobOutputs[K] }
  | { v: typeof JOB_VERSION; ok: false; kind: K; error: SerializedJobError };

/** Which fields each kind carries, and whether they may be null. */
const INPUT_FIELDS: { [K in JobKind]: Record<keyof JobInputs[K], 'bytes' | 'bytes?'> } = {
  'group.distribution': { record: 'bytes?' },
  'group.process': { record: 'bytes?', distribution: 'bytes' },
  'group.encrypt': { record: 'bytes', plaintext: 'bytes' },
  'group.decrypt': { record: 'bytes?', ciphertext: 'bytes' },
};

const OUTPUT_FIELDS: { [K in JobKind]: Record<keyof JobOutputs[K], 'bytes'> } = {
  'group.distribution': { record: 'bytes', distribution: 'bytes' },
  'group.process': { record: 'bytes' },
  'group.encrypt': { record: 'bytes', ciphertext: 'bytes' },
  'group.decrypt': { record: 'bytes', plaintext: 'bytes' },
};

export const JOB_KINDS = Object.keys(INPUT_FIELDS) as JobKind[];

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

function isKind(x: unknown): x is JobKind {
  return typeof x === 'string' && Object.hasOwn(INPUT_FIELDS, x);
}

function checkFields(where: string, obj: Record<string, unknown>, fields: Record<string, 'bytes' | 'bytes?'>): void {
  for (const [field, type] of Object.entries(fields)) {
    const value = obj[field];
    if (value === null && type === 'bytes?') continue;
    if (!(value instanceof Uint8Array)) throw new CryptoPoolError('BAD_JOB', `${where}: ${field} must be bytes${type === 'bytes?' ? ' or null' : ''}`);
  }
}

/** @throws CryptoPoolError BAD_JOB */
export function parseJob(x: unknown): Job {
  if (!isObject(x)) throw new CryptoPoolError('BAD_JOB', 'job is not an object');
  if (x.v !== JOB_VERSION) throw new CryptoPoolError('BAD_JOB', `job version ${String(x.v)}, expected ${JOB_VERSION}`);
  if (!isKind(x.kind)) throw new CryptoPoolError('BAD_JOB', `unknown job kind ${String(x.kind)}`);
  checkFields(`job ${x.kind}`, x, INPUT_FIELDS[x.kind]);
  return x as unknown as Job;
}

/** @throws CryptoPoolError BAD_JOB */
export function parseResult<K extends JobKind>(x: unknown, kind: K): JobResult<K> {
  if (!isObject(x) || x.v !== JOB_VERSION || x.kind !== kind || typeof x.ok !== 'boolean') {
    throw new CryptoPoolError('BAD_JOB', `malformed result for job ${kind}`);
  }
  if (x.ok) {
    if (!isObject(x.output)) throw new CryptoPoolError('BAD_JOB', `result of ${kind} has no output`);
    checkFields(`result of ${kind}`, x.output, OUTPUT_FIELDS[kind]);
  } else {
    const e = x.error;
    if (!isObject(e) || typeof e.name !== 'string' || typeof e.code !== 'string' || typeof e.message !== 'string') {
      throw new CryptoPoolError('BAD_JOB', `result of ${kind} has a malformed error`);
    }
  }
  return x as unknown as JobResult<K>;
}
