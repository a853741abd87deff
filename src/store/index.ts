/**
 * The daemon's persistent store: LevelDB behind a small backend seam, one
 * namespace per account, typed record families, atomic transactions, a bounded
 * cache. See store.ts (daemon level) and account-store.ts (one account).
 */
export { Store, type AccountRecord, type DamagedAccount, type StoreOptions } from './store.js';
export { AccountStore, type AccountStoreOptions, type WipeMode } from './account-store.js';
export { Transaction } from './transaction.js';
export { StoreError, isNoSpace, isWriteFailure, type StoreErrorCode } from './errors.js';
export type { KVBackend, BatchOp, KeyRange, Entry } from './backend/types.js';
export { LevelBackend, type LevelBackendOptions } from './backend/level.js';
export { MemoryBackend } from './backend/memory.js';
export type { CacheLimits } from './cache.js';
export type { Value, ValueMap } from './codec/value.js';
export type { Creds, KeyPair, Me, AdvSignedIdentity, SignedPreKeyRecord } from './records/creds.js';
export { addressJid, identityName, parseSignalJid, type SignalAddress, type SignalServer, type UserRef } from './families/address.js';
export type { StoredPreKey } from './families/prekeys.js';
export type { LidMapping, MergeRecords } from './families/lid.js';
export type { DeviceEntry, DeviceList } from './families/devices.js';
export type { AppStateLabel, AppStateSetting, AppStateSyncKey, AppStateVersion } from './families/app-state.js';
export type { TcToken } from './families/tctokens.js';
export { applyChatPatch, emptyChat, MAX_CHAT_PAGE, type ChatListOptions, type ChatPatch, type ChatRecord, type ChatSettings } from './families/chats.js';
export { MAX_CONTACT_LIST, type ContactPatch, type ContactRecord } from './families/contacts.js';
export type { PendingHistory } from './families/history-pending.js';
export { MAX_MESSAGE_PAGE, type ChatMessagePage, type StoredChatMessage } from './families/chat-messages.js';
export type { SentMessage } from './families/sent.js';
export type { IdempotencyRecord } from './families/idempotency.js';
export type { EventGap, NewEvent, StoredEvent } from './families/events.js';
export { SharedEventLog } from './shared-event-log.js';
export { ACCOUNT_ID_PATTERN } from './keys.js';
export { WEBHOOK_ID_PATTERN, WebhookRecords, type WebhookRecord } from './webhooks.js';
export { checkStore, repairStore, type AccountCheck, type CheckReport, type RepairAction, type RepairReport } from './check/repair.js';
export { checkPostgresStore, repairPostgresStore, where as postgresStoreName, type PostgresStoreLocation } from './check/postgres.js';
