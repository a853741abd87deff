/**
 * The HistorySyncNotification the phone sends its companion (a protocol
 * message, type HISTORY_SYNC_NOTIFICATION, in a peer message to our own
 * jid): where the chunk's blob is (or the blob itself, inlined for the
 * initial bootstrap), its sync type, order and progress. Reading it here;
 * building it for the simulator's phone too.
 *
 * The blob is a media file of type `md-msg-hist`: encrypted like any media
 * with keys from HKDF(mediaKey, info "WhatsApp History Keys"), then zlib
 * inside. Only our own devices may send these: the caller must drop one
 * whose message is not fromMe (anyone could forge one otherwise). The
 * companion answers a processed notification with a `hist_sync` receipt.
 */
import { MEDIA_TYPES, type MediaRef } from '../media/index.js';
import { unwrap } from '../message/index.js';
import { proto } from '../proto/index.js';
import { HistoryError } from './errors.js';
import { syncTypeName, syncTypeValue, type HistorySyncTypeName } from './types.js';

export const HISTORY_MEDIA_TYPE = 'md-msg-hist';
/** "WhatsApp History Keys". */
export const HISTORY_HKDF_INFO = MEDIA_TYPES[HISTORY_MEDIA_TYPE].hkdfInfo;
/** The receipt type that tells the phone a chunk was processed. */
export const HISTORY_RECEIPT_TYPE = 'hist_sync';

/** Everything a download of the blob needs (decrypt with media's MediaDecryptor / decryptMedia). */
export interface HistoryMediaRef extends MediaRef {
  type: typeof HISTORY_MEDIA_TYPE;
  directPath: string;
  fileSha256: Uint8Array;
  fileEncSha256: Uint8Array;
  /** Bytes of the compressed plaintext (absent when the phone did not say). */
  fileLength?: number;
  /** The server's handle for deleting the blob once processed, when given. */
  encHandle?: string;
}

export type HistoryPayload =
  /** The zlib-compressed HistorySync is in the notification itself. */
  | { readonly kind: 'inline'; readonly compressed: Uint8Array }
  | { readonly kind: 'media'; readonly media: HistoryMediaRef }
  /** NO_HISTORY and MESSAGE_ACCESS_STATUS notifications carry no blob. */
  | { readonly kind: 'none' };

export interface HistoryNotification {
  syncType: HistorySyncTypeName | 'UNKNOWN';
  payload: HistoryPayload;
  chunkOrder?: number;
  /** Percent of this sync type done once this chunk is in (0–100). */
  progress?: number;
  originalMessageId?: string;
  oldestMsgInChunkTimestampSec?: number;
  /** ON_DEMAND: the id of the peer data request this answers. */
  requestId?: string;
  /** The phone granted access to all messages (MESSAGE_ACCESS_STATUS). */
  completeAccessGranted?: boolean;
}

/** The HistorySyncNotification inside a Message (under its wrappers), or undefined when it carries none. */
export function historySyncNotificationOf(message: proto.IMessage): proto.Message.IHistorySyncNotification | undefined {
  const p = unwrap(message).message.protocolMessage;
  if (!p || p.type !== proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION) return undefined;
  return p.historySyncNotification ?? undefined;
}

const BLOBLESS: ReadonlySet<string> = new Set(['NO_HISTORY', 'MESSAGE_ACCESS_STATUS']);

/** @throws HistoryError BAD_NOTIFICATION when a blob-carrying type names neither an inline payload nor a full media reference */
export function parseHistoryNotification(n: proto.Message.IHistorySyncNotification): HistoryNotification {
  const syncType = syncTypeName(n.syncType);
  const out: HistoryNotification = { syncType, payload: { kind: 'none' } };
  if (n.initialHistBootstrapInlinePayload?.length) {
    out.payload = { kind: 'inline', compressed: n.initialHistBootstrapInlinePayload };
  } else if (n.directPath && n.mediaKey?.length && n.fileEncSha256?.length && n.fileSha256?.length) {
    const media: HistoryMediaRef = {
      type: HISTORY_MEDIA_TYPE,
      directPath: n.directPath,
      mediaKey: n.mediaKey,
      fileSha256: n.fileSha256,
      fileEncSha256: n.fileEncSha256,
    };
    if (n.fileLength) media.fileLength = n.fileLength;
    if (n.encHandle) media.encHandle = n.encHandle;
    out.payload = { kind: 'media', media };
  } else if (!BLOBLESS.has(syncType)) {
    throw new HistoryError('BAD_NOTIFICATION', `${syncType} notification without an inline payload or a complete media reference`);
  }
  if (n.chunkOrder !== null && n.chunkOrder !== undefined) out.chunkOrder = n.chunkOrder;
  if (n.progress !== null && n.progress !== undefined) out.progress = n.progress;
  if (n.originalMessageId) out.originalMessageId = n.originalMessageId;
  if (n.oldestMsgInChunkTimestampSec) out.oldestMsgInChunkTimestampSec = n.oldestMsgInChunkTimestampSec;
  if (n.peerDataRequestSessionId) out.requestId = n.peerDataRequestSessionId;
  if (n.messageAccessStatus?.completeAccessGranted !== null && n.messageAccessStatus?.completeAccessGranted !== undefined) {
    out.completeAccessGranted = n.messageAccessStatus.completeAccessGranted;
  }
  return out;
}

export interface HistoryNotificationInput {
  syncType: HistorySyncTypeName;
  /** The uploaded blob, or the compressed bytes to inline (the initial bootstrap may be inlined). */
  payload:
    | { kind: 'inline'; compressed: Uint8Array }
    | { kind: 'media'; media: Omit<HistoryMediaRef, 'type'> & { type?: typeof HISTORY_MEDIA_TYPE } }
    | { kind: 'none' };
  chunkOrder?: number;
  progress?: number;
  originalMessageId?: string;
  oldestMsgInChunkTimestampSec?: number;
  /** ON_DEMAND: the peer data request's message id. */
  requestId?: string;
}

/** The Message a phone sends to tell its companion about a chunk. */
export function buildHistoryNotification(input: HistoryNotificationInput): proto.IMessage {
  const n: proto.Message.IHistorySyncNotification = { syncType: syncTypeValue(input.syncType) };
  if (input.payload.kind === 'inline') n.initialHistBootstrapInlinePayload = input.payload.compressed;
  if (input.payload.kind === 'media') {
    const m = input.payload.media;
    Object.assign(n, { directPath: m.directPath, mediaKey: m.mediaKey, fileSha256: m.fileSha256, fileEncSha256: m.fileEncSha256 });
    if (m.fileLength !== undefined) n.fileLength = m.fileLength;
    if (m.encHandle) n.encHandle = m.encHandle;
  }
  if (input.chunkOrder !== undefined) n.chunkOrder = input.chunkOrder;
  if (input.progress !== undefined) n.progress = input.progress;
  if (input.originalMessageId) n.originalMessageId = input.originalMessageId;
  if (input.oldestMsgInChunkTimestampSec !== undefined) n.oldestMsgInChunkTimestampSec = input.oldestMsgInChunkTimestampSec;
  if (input.requestId) n.peerDataRequestSessionId = input.requestId;
  return { protocolMessage: { type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION, historySyncNotification: n } };
}
