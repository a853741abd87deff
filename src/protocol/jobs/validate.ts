/**
 * Validation of jobs and results where they cross a thread: every field of
 * every kind is checked before use, so a malformed message fails as BAD_JOB
 * instead of deep inside the protocol code. Owns the field schemas only.
 */
import { CryptoPoolError } from './errors.js';
import { JOB_VERSION, type Job, type JobInputs, type JobKind, type JobOutputs, type JobResult } from './jobs.js';

type Check = (x: unknown) => boolean;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const bytes: Check = (x) => x instanceof Uint8Array;
const u32: Check = (x) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 0xffffffff;
const bool: Check = (x) => typeof x === 'boolean';
const orNull = (c: Check): Check => (x) => x === null || c(x);
const shape = (fields: Record<string, Check>): Check => (x) => isObject(x) && Object.entries(fields).every(([k, c]) => c(x[k]));
const keyPair = shape({ public: bytes, private: bytes });
const identity = shape({ identityKey: keyPair, registrationId: u32 });
const msgType: Check = (x) => x === 'pkmsg' || x === 'msg';
const bundle = shape({
  registrationId: u32,
  identityKey: bytes,
  signedPreKey: shape({ keyId: u32, publicKey: bytes, signature: bytes }),
  preKey: orNull(shape({ keyId: u32, publicKey: bytes })),
});

const INPUTS: { [K in JobKind]: Record<keyof JobInputs[K], Check> } = {
  'group.distribution': { record: orNull(bytes) },
  'group.process': { record: orNull(bytes), distribution: bytes },
  'group.encrypt': { record: bytes, plaintext: bytes },
  'group.decrypt': { record: orNull(bytes), ciphertext: bytes },
  'signal.init': { record: orNull(bytes), local: identity, bundle, trusted: orNull(bytes) },
  'signal.encrypt': { record: orNull(bytes), local: identity, plaintext: bytes, trusted: orNull(bytes) },
  'signal.decrypt': {
    record: orNull(bytes),
    local: identity,
    type: msgType,
    ciphertext: bytes,
    preKey: orNull(keyPair),
    signedPreKey: orNull(keyPair),
    trusted: orNull(bytes),
  },
};

const OUTPUTS: { [K in JobKind]: Record<keyof JobOutputs[K], Check> } = {
  'group.distribution': { record: bytes, distribution: bytes },
  'group.process': { record: bytes },
  'group.encrypt': { record: bytes, ciphertext: bytes },
  'group.decrypt': { record: bytes, plaintext: bytes },
  'signal.init': { record: bytes, identityChanged: bool },
  'signal.encrypt': { record: bytes, type: msgType, ciphertext: bytes, remoteRegistrationId: u32 },
  'signal.decrypt': { record: bytes, plaintext: bytes, remoteIdentity: bytes, usedPreKeyId: orNull(u32), identityChanged: bool },
};

export const JOB_KINDS = Object.keys(INPUTS) as JobKind[];

const isKind = (x: unknown): x is JobKind => typeof x === 'string' && Object.hasOwn(INPUTS, x);

function checkFields(where: string, obj: Record<string, unknown>, fields: Record<string, Check>): void {
  for (const [field, check] of Object.entries(fields)) {
    if (!check(obj[field])) throw new CryptoPoolError('BAD_JOB', `${where}: field ${field} is missing or malformed`);
  }
}

const errorDetails: Check = (x) => isObject(x) && Object.values(x).every((v) => typeof v === 'string' || typeof v === 'number' || v instanceof Uint8Array);
const serializedError = shape({
  name: (x) => typeof x === 'string',
  code: (x) => typeof x === 'string',
  message: (x) => typeof x === 'string',
  details: errorDetails,
});

/** @throws CryptoPoolError BAD_JOB */
export function parseJob(x: unknown): Job {
  if (!isObject(x)) throw new CryptoPoolError('BAD_JOB', 'job is not an object');
  if (x.v !== JOB_VERSION) throw new CryptoPoolError('BAD_JOB', `job version ${String(x.v)}, expected ${JOB_VERSION}`);
  if (!isKind(x.kind)) throw new CryptoPoolError('BAD_JOB', `unknown job kind ${String(x.kind)}`);
  checkFields(`job ${x.kind}`, x, INPUTS[x.kind]);
  return x as unknown as Job;
}

/** @throws CryptoPoolError BAD_JOB */
export function parseResult<K extends JobKind>(x: unknown, kind: K): JobResult<K> {
  if (!isObject(x) || x.v !== JOB_VERSION || x.kind !== kind || typeof x.ok !== 'boolean') {
    throw new CryptoPoolError('BAD_JOB', `malformed result for job ${kind}`);
  }
  if (x.ok) {
    if (!isObject(x.output)) throw new CryptoPoolError('BAD_JOB', `result of ${kind} has no output`);
    if (isKind(kind)) checkFields(`result of ${kind}`, x.output, OUTPUTS[kind]);
  } else if (!serializedError(x.error)) {
    throw new CryptoPoolError('BAD_JOB', `result of ${kind} has a malformed error`);
  }
  return x as unknown as JobResult<K>;
}
