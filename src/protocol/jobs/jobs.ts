/**
 * The messages that cross into and out of crypto workers: a tagged union of
 * jobs (state in as stored bytes, never live objects) and their results, with
 * a version constant, so both sides of a thread agree on what they read. Replies are matched by piscina's
 * task ids, which serve as the nonce. Validation is validate.ts; running a
 * job is run-job.ts.
 *
 * Callers of 1:1 jobs do what needs the store before submitting: a pkmsg's
 * prekeys are found with peekPreKeyMessage and passed in; trust is passed as
 * the pinned identity (functions cannot cross a thread); padding is added
 * and removed around the job (padMessage/unpadMessage).
 */

/** Bumped on any change of a job's or result's shape. */
export const JOB_VERSION = 1;

type Bytes = Uint8Array;

export interface JobKeyPair {
  public: Bytes;
  private: Bytes;
}

/** A peer device's prekey bundle (keys raw 32 bytes or 0x05-prefixed). */
export interface JobBundle {
  registrationId: number;
  identityKey: Bytes;
  signedPreKey: { keyId: number; publicKey: Bytes; signature: Bytes };
  preKey: { keyId: number; publicKey: Bytes } | null;
}

/** Our identity, as 1:1 jobs need it. */
export interface JobIdentity {
  identityKey: JobKeyPair;
  registrationId: number;
}

/** Jobs by kind: what goes in. `record: null` means nothing stored yet. */
export interface JobInputs {
  /** Our sending record for a group (null: create one), and its distribution message. */
  'group.distribution': { record: Bytes | null };
  /** A member's SenderKeyDistributionMessage into our receiving record for them. */
  'group.process': { record: Bytes | null; distribution: Bytes };
  'group.encrypt': { record: Bytes; plaintext: Bytes };
  'group.decrypt': { record: Bytes | null; ciphertext: Bytes };
  /** A session from a peer device's bundle. `trusted`: accept only this identity (null: trust on first use). */
  'signal.init': { record: Bytes | null; local: JobIdentity; bundle: JobBundle; trusted: Bytes | null };
  'signal.encrypt': { record: Bytes | null; local: JobIdentity; plaintext: Bytes; trusted: Bytes | null };
  /** `preKey`/`signedPreKey`: the keys a pkmsg names (peekPreKeyMessage), if we hold them. */
  'signal.decrypt': {
    record: Bytes | null;
    local: JobIdentity;
    type: 'pkmsg' | 'msg';
    ciphertext: Bytes;
    preKey: JobKeyPair | null;
    signedPreKey: JobKeyPair | null;
    trusted: Bytes | null;
  };
}

/** Results by kind: the new stored record (to write back) and the output. */
export interface JobOutputs {
  'group.distribution': { record: Bytes; distribution: Bytes };
  'group.process': { record: Bytes };
  'group.encrypt': { record: Bytes; ciphertext: Bytes };
  'group.decrypt': { record: Bytes; plaintext: Bytes };
  'signal.init': { record: Bytes; identityChanged: boolean };
  'signal.encrypt': { record: Bytes; type: 'pkmsg' | 'msg'; ciphertext: Bytes; remoteRegistrationId: number };
  /** `usedPreKeyId`: a one-time prekey to delete. */
  'signal.decrypt': { record: Bytes; plaintext: Bytes; remoteIdentity: Bytes; usedPreKeyId: number | null; identityChanged: boolean };
}

export type JobKind = keyof JobInputs;

export type Job<K extends JobKind = JobKind> = K extends JobKind ? { v: typeof JOB_VERSION; kind: K } & JobInputs[K] : never;

/** Extra fields of an error (DuplicateMessageError.counter…), for rebuilding it. */
export type ErrorDetails = Record<string, string | number | Bytes>;

export interface SerializedJobError {
  /** The error class name (GroupCipherError, BadMacError…). */
  name: string;
  code: string;
  message: string;
  details: ErrorDetails;
}

export type JobResult<K extends JobKind = JobKind> =
  | { v: typeof JOB_VERSION; ok: true; kind: K; output: JobOutputs[K] }
  | { v: typeof JOB_VERSION; ok: false; kind: K; error: SerializedJobError };
