/**
 * Errors of history sync decoding and building. What each code tells the caller:
 *
 * - BAD_NOTIFICATION: the notification names neither an inline payload nor a
 *   complete media reference: nothing can be fetched; ack it and move on.
 * - BAD_COMPRESSION, MALFORMED, TRUNCATED, TOO_LARGE: the blob itself is unusable
 *   (or over our bound). Commit nothing of it: ask the phone to upload it again
 *   (a server-error receipt) or drop the chunk, never keep half of it.
 * - BAD_REQUEST: an on-demand request that cannot be sent as asked.
 * - FINISHED: a decoder used after its end() (a bug in the caller).
 *
 * A damaged *entry* (one conversation, message, push name or mapping that does
 * not decode) is never an error: it is skipped and counted in the decoder's
 * summary, so one bad record does not cost the rest of the chunk.
 */
export type HistoryErrorCode =
  /** A HistorySyncNotification without an inline payload or a full media reference. */
  | 'BAD_NOTIFICATION'
  /** The zlib stream is corrupt. */
  | 'BAD_COMPRESSION'
  /** The HistorySync framing is broken: an invalid tag, wire type or length at the top level. */
  | 'MALFORMED'
  /** The bytes ended inside a top-level field. */
  | 'TRUNCATED'
  /** Inflated bytes or the whole stream beyond the configured bound. */
  | 'TOO_LARGE'
  /** An on-demand request with a missing chat or anchor, or a count out of range. */
  | 'BAD_REQUEST'
  /** push() or end() after end(). */
  | 'FINISHED';

export class HistoryError extends Error {
  override readonly name = 'HistoryError';
  /** Byte offset in the inflated HistorySync where framing failed (MALFORMED, TRUNCATED, TOO_LARGE). */
  readonly offset?: number;

  constructor(readonly code: HistoryErrorCode, message: string, details: { cause?: unknown; offset?: number } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.offset !== undefined) this.offset = details.offset;
  }
}
