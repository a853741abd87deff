/**
 * Every bound the simulator applies, in one place. A table or queue that
 * would grow past its bound refuses (admin API: 429/507) or drops its oldest
 * entry (offline queues), and the drop is counted in /stats.
 */
export interface SimLimits {
  maxUsers: number;
  /** Companions per user (the phone, device 0, is extra). */
  maxCompanions: number;
  /** One-time prekeys kept per device; extra uploads are ignored. */
  maxPreKeysPerDevice: number;
  /** Stanzas queued per offline device; the oldest is dropped past this. */
  maxOfflinePerDevice: number;
  /** Stanzas sent to a live device and not yet acked, kept for redelivery. */
  maxUnackedPerDevice: number;
  /** Most stanzas one `<offline_batch count>` request gets; a larger count is cut to this. */
  maxOfflineBatch: number;
  /** A client that stops asking for offline batches with everything acked gets the next one unasked after this (0: never). */
  offlineBatchWaitMs: number;
  maxGroups: number;
  maxGroupParticipants: number;
  /** Concurrent WebSocket connections (handshaking or logged in). */
  maxConnections: number;
  /** Largest frame a client may send (the Noise length field allows 16 MiB). */
  maxFrameBytes: number;
  /** Bytes waiting in one socket's send buffer before the client is cut off as too slow. */
  maxSendBufferBytes: number;
  /** A connection must finish the Noise handshake and log in within this. */
  handshakeTimeoutMs: number;
  /** A companion that is not linked within this is disconnected (its QR refs are long dead by then). */
  registrationTimeoutMs: number;
  /** A socket that sends nothing for this long is closed (clients ping every 15-30 s). */
  idleTimeoutMs: number;
  /** Server-initiated IQs (pair-device, pair-success) wait this long for an answer. */
  serverIqTimeoutMs: number;
  /** Server-initiated IQs outstanding per connection. */
  maxPendingIqs: number;
  /** QR refs sent in one pair-device. */
  qrRefs: number;
  /** Media blobs kept, and their total and single sizes. */
  maxMediaBlobs: number;
  maxMediaBytes: number;
  maxMediaBlobBytes: number;
  /** Largest admin API request body. */
  maxAdminBodyBytes: number;
  /** Messages each phone keeps in its received list (enforced by the phone). */
  maxPhoneReceived: number;
  /** App state: patches kept per collection for readers; one further behind gets a snapshot. */
  maxAppStatePatchesKept: number;
  /** App state: a reader more than this many versions behind gets a snapshot instead of patches. */
  appStateSnapshotAfter: number;
  /** App state: patches in one answer; the rest follow on request (has_more_patches). */
  maxAppStatePatchesPerAnswer: number;
  /** App state: live records per collection, and their bytes (records plus kept patches past it prune patches). */
  maxAppStateRecords: number;
  maxAppStateCollectionBytes: number;
  /** App state: bytes of records and kept patches of all users together. */
  maxAppStateBytes: number;
  /** Messages in each phone's history, all chats together (the oldest make room for new ones; a seed past it is refused). */
  maxHistoryMessages: number;
  /** Chats in each phone's history. */
  maxHistoryChats: number;
  /** Push names, and LID↔PN mappings, in each phone's history. */
  maxHistoryNames: number;
}

export const DEFAULT_LIMITS: Readonly<SimLimits> = Object.freeze({
  maxUsers: 10_000,
  maxCompanions: 8,
  maxPreKeysPerDevice: 2_000,
  maxOfflinePerDevice: 5_000,
  maxUnackedPerDevice: 5_000,
  maxOfflineBatch: 1_000,
  offlineBatchWaitMs: 2_000,
  maxGroups: 10_000,
  maxGroupParticipants: 1_024,
  maxConnections: 4_096,
  maxFrameBytes: 4 * 1024 * 1024,
  maxSendBufferBytes: 32 * 1024 * 1024,
  handshakeTimeoutMs: 20_000,
  registrationTimeoutMs: 300_000,
  idleTimeoutMs: 180_000,
  serverIqTimeoutMs: 60_000,
  maxPendingIqs: 64,
  qrRefs: 6,
  maxMediaBlobs: 10_000,
  maxMediaBytes: 512 * 1024 * 1024,
  maxMediaBlobBytes: 64 * 1024 * 1024,
  maxAdminBodyBytes: 1024 * 1024,
  maxPhoneReceived: 10_000,
  maxAppStatePatchesKept: 500,
  appStateSnapshotAfter: 50,
  maxAppStatePatchesPerAnswer: 20,
  maxAppStateRecords: 50_000,
  maxAppStateCollectionBytes: 16 * 1024 * 1024,
  maxAppStateBytes: 512 * 1024 * 1024,
  maxHistoryMessages: 200_000,
  maxHistoryChats: 10_000,
  maxHistoryNames: 10_000,
});
