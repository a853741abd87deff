/**
 * History sync, the pure protocol: the notification the phone sends (where a
 * chunk's blob is, its type, order and progress), inflating and decoding a
 * chunk into chats, messages, contacts, push names, LID↔PN mappings, statuses
 * and past participants, conversation by conversation with bounded memory;
 * building chunks, blobs and notifications for the simulator's phone; the
 * on-demand request for older messages; and the history config a companion
 * sends when it pairs. No I/O, clocks or randomness beyond what is passed in
 * (a fresh media key when none is given).
 *
 * Companion: historySyncNotificationOf(message) → parseHistoryNotification →
 * inline: inflateHistory(payload.compressed) → decodeHistorySync / historyItems;
 * media: download payload.media, MediaDecryptor (type md-msg-hist) → an inflate
 * stream → HistorySyncDecoder.push per piece → end(); commit the chunk's items
 * only after the media MAC verified and end() was drained; then the
 * `hist_sync` receipt.
 * Phone: buildHistoryChunks → compressHistory → encryptHistoryBlob → upload →
 * buildHistoryNotification; parseHistoryRequest for on-demand asks.
 */
export { HistoryError, type HistoryErrorCode } from './errors.js';
export {
  emptyCounts,
  syncTypeName,
  syncTypeValue,
  type HistoryChat,
  type HistoryContact,
  type HistoryContent,
  type HistoryCounts,
  type HistoryItem,
  type HistoryMessage,
  type HistoryPollVote,
  type HistoryReaction,
  type HistoryReceipt,
  type HistorySummary,
  type HistorySyncTypeName,
  type MessageStatus,
  type PastParticipant,
} from './types.js';
export {
  HISTORY_HKDF_INFO,
  HISTORY_MEDIA_TYPE,
  HISTORY_RECEIPT_TYPE,
  buildHistoryNotification,
  historySyncNotificationOf,
  parseHistoryNotification,
  type HistoryMediaRef,
  type HistoryNotification,
  type HistoryNotificationInput,
  type HistoryPayload,
} from './notification.js';
export { DEFAULT_MAX_ENTRY_BYTES, DEFAULT_MAX_HISTORY_BYTES, HistorySyncDecoder, type HistoryDecodeOptions } from './decoder.js';
export { decodeHistorySync, historyItems, inflateHistory, type DecodedHistory } from './decode.js';
export { historyMessage, type MessageContext } from './message.js';
export {
  DEFAULT_CHUNK_BYTES,
  buildHistoryChunks,
  compressHistory,
  encryptHistoryBlob,
  webMessageInfo,
  type HistoryBuildInput,
  type HistoryBuildOptions,
  type HistoryChatInput,
  type HistoryChunk,
  type HistoryWebMessageInput,
} from './build.js';
export {
  DEFAULT_ON_DEMAND_COUNT,
  MAX_ON_DEMAND_COUNT,
  buildHistoryRequest,
  parseHistoryRequest,
  parsePeerDataResponse,
  type HistoryRequest,
  type PeerDataRequestTypeName,
  type PeerDataResponse,
} from './request.js';
export { historySyncConfig, requireFullSync, type HistorySyncOptions } from './config.js';
