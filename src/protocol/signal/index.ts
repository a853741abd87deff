/**
 * Signal 1:1 sessions as WhatsApp uses them: keys, X3DH, the Double Ratchet,
 * the `pkmsg`/`msg` wire formats, session records and plaintext padding.
 * Pure functions over plain immutable data: no classes with hidden state, no
 * I/O, no clock. Group sender keys live in ./group (not re-exported here).
 */
export * from './errors.js';
export type {
  KeyPair,
  LocalIdentity,
  PendingPreKey,
  ReceivingChain,
  SendingChain,
  SessionRecord,
  SessionState,
  SkippedKey,
} from './state.js';
export { EMPTY_RECORD, emptyRecord, hasOpenSession, MAX_PREVIOUS_SESSIONS, MAX_RECEIVING_CHAINS, MAX_SKIP, MAX_SKIPPED_KEYS_PER_CHAIN } from './state.js';
export { generateIdentityKeyPair, generatePreKeys, generateRegistrationId, generateSignedPreKey, verifySignedPreKey, MAX_PREKEY_ID } from './keys.js';
export type { PreKey, SignedPreKey } from './keys.js';
export type { PreKeyBundle } from './x3dh.js';
export { decryptMessage, encryptMessage, initSessionFromBundle, peekPreKeyMessage } from './cipher.js';
export type { DecryptLookups, DecryptResult, EncryptResult, MessageType, TrustOptions } from './cipher.js';
export { closeSession, remoteIdentity, remoteRegistrationId } from './record.js';
export { compareIdentity, pinnedIdentity, trustOnFirstUse } from './identity.js';
export type { IdentityChange, IdentityTrust } from './identity.js';
export { deserializeSessionRecord, RECORD_FORMAT_VERSION, serializeSessionRecord } from './record-codec.js';
export { padMessage, unpadMessage } from './padding.js';
export { VERSION_BYTE } from './wire.js';
export type { PreKeyMessageFields } from './wire.js';
