/**
 * Signal group messaging (sender keys, `skmsg`) as pure functions over
 * immutable, serialisable records. No I/O, no clocks; randomness only from
 * node:crypto where a new key is made (or passed in by tests).
 */
export * from './errors.js';
export {
  MAX_FORWARD_JUMP,
  MAX_SKIPPED_KEYS,
  MAX_STATES,
  EMPTY_RECORD,
  type SenderKeyRecord,
  type SenderKeyState,
} from './record.js';
export { skippedIterations } from './skipped.js';
export { createSenderKeyDistribution, processSenderKeyDistribution, type NewSenderKeyOptions, type SenderKeyDistributionResult } from './distribution.js';
export { groupDecrypt, groupEncrypt, type GroupDecryptResult, type GroupEncryptResult } from './cipher.js';
export { SENDER_KEY_RECORD_FORMAT, deserializeSenderKeyRecord, serializeSenderKeyRecord } from './serialize.js';
export { decodeDistribution, decodeSenderKeyMessage, type SenderKeyDistribution, type SenderKeyMessage } from './wire.js';
