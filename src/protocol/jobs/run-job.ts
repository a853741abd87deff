/**
 * Runs one job: stored bytes in, pure protocol function, stored bytes out.
 * The same function serves worker threads and inline jobs (the runtime's
 * crypto pool), so both modes behave identically, errors included. It never
 * throws: failures become error results, as they must to cross a thread.
 */
import {
  createSenderKeyDistribution,
  deserializeSenderKeyRecord,
  groupDecrypt,
  groupEncrypt,
  processSenderKeyDistribution,
  serializeSenderKeyRecord,
} from '../signal/group/index.js';
import {
  decryptMessage,
  deserializeSessionRecord,
  encryptMessage,
  initSessionFromBundle,
  pinnedIdentity,
  serializeSessionRecord,
  type TrustOptions,
} from '../signal/index.js';
import { serializeJobError } from './job-errors.js';
import { JOB_VERSION, type Job, type JobKind, type JobOutputs, type JobResult } from './jobs.js';

type Handlers = { [K in JobKind]: (job: Job<K>) => JobOutputs[K] };

const senderKeys = (bytes: Uint8Array | null) => (bytes ? deserializeSenderKeyRecord(bytes) : undefined);
const session = (bytes: Uint8Array | null) => (bytes ? deserializeSessionRecord(bytes) : undefined);
// No `trusted` key: WhatsApp's trust on first use (the session code's default).
const trust = (trusted: Uint8Array | null): TrustOptions => (trusted ? { isTrustedIdentity: pinnedIdentity(trusted) } : {});

const HANDLERS: Handlers = {
  'group.distribution': (job) => {
    const out = createSenderKeyDistribution(senderKeys(job.record));
    return { record: serializeSenderKeyRecord(out.record), distribution: out.distribution };
  },
  'group.process': (job) => ({ record: serializeSenderKeyRecord(processSenderKeyDistribution(senderKeys(job.record), job.distribution)) }),
  'group.encrypt': (job) => {
    const out = groupEncrypt(deserializeSenderKeyRecord(job.record), job.plaintext);
    return { record: serializeSenderKeyRecord(out.record), ciphertext: out.ciphertext };
  },
  'group.decrypt': (job) => {
    const out = groupDecrypt(senderKeys(job.record), job.ciphertext);
    return { record: serializeSenderKeyRecord(out.record), plaintext: out.plaintext };
  },
  'signal.init': (job) => {
    const { preKey, ...bundle } = job.bundle;
    const out = initSessionFromBundle(session(job.record), job.local, { ...bundle, preKey: preKey ?? undefined }, trust(job.trusted));
    return { record: serializeSessionRecord(out.record), identityChanged: out.identityChanged };
  },
  'signal.encrypt': (job) => {
    const out = encryptMessage(session(job.record), job.local, job.plaintext, trust(job.trusted));
    return { record: serializeSessionRecord(out.record), type: out.type, ciphertext: out.ciphertext, remoteRegistrationId: out.remoteRegistrationId };
  },
  'signal.decrypt': (job) => {
    const out = decryptMessage(session(job.record), job.local, job.type, job.ciphertext, {
      ...trust(job.trusted),
      preKey: () => job.preKey ?? undefined,
      signedPreKey: () => job.signedPreKey ?? undefined,
    });
    return {
      record: serializeSessionRecord(out.record),
      plaintext: out.plaintext,
      remoteIdentity: out.remoteIdentity,
      usedPreKeyId: out.usedPreKeyId ?? null,
      identityChanged: out.identityChanged,
    };
  },
};

export function runJob(job: Job): JobResult {
  try {
    // The union loses the kind-to-handler link; HANDLERS' mapped type keeps it.
    const handler = HANDLERS[job.kind] as (j: Job) => JobOutputs[JobKind];
    return { v: JOB_VERSION, ok: true, kind: job.kind, output: handler(job) } as JobResult;
  } catch (error) {
    return { v: JOB_VERSION, ok: false, kind: job.kind, error: serializeJobError(error) };
  }
}
