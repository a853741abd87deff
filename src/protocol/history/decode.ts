/**
 * History sync blobs held whole: zlib inflate with a hard output bound, and a
 * one-call decode into lists (the inline bootstrap payload, tests, the
 * simulator). A large downloaded blob should instead stream through
 * HistorySyncDecoder behind an inflate stream, which never holds it whole.
 *
 * inflateSync is synchronous CPU work over bytes in memory, no I/O; a caller
 * on the event loop should keep it to small payloads.
 */
import { inflateSync } from 'node:zlib';
import { HistoryError } from './errors.js';
import { DEFAULT_MAX_HISTORY_BYTES, HistorySyncDecoder, type HistoryDecodeOptions } from './decoder.js';
import type { HistoryChat, HistoryContact, HistoryItem, HistoryMessage, HistorySummary, PastParticipant } from './types.js';

/**
 * Inflates a zlib-wrapped HistorySync (what the phone uploads or inlines).
 * @throws HistoryError TOO_LARGE beyond maxBytes (checked while inflating, not after), BAD_COMPRESSION
 */
export function inflateHistory(compressed: Uint8Array, maxBytes = DEFAULT_MAX_HISTORY_BYTES): Uint8Array {
  try {
    return inflateSync(compressed, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new HistoryError('TOO_LARGE', `history sync inflates beyond ${maxBytes} bytes`, { cause: err });
    }
    throw new HistoryError('BAD_COMPRESSION', 'history sync is not a valid zlib stream', { cause: err });
  }
}

/** Every item of a chunk, gathered by kind. */
export interface DecodedHistory {
  summary: HistorySummary;
  chats: HistoryChat[];
  contacts: HistoryContact[];
  /** All conversations' messages, in stream order. */
  messages: HistoryMessage[];
  statuses: HistoryMessage[];
  pushNames: Array<{ jid: string; name: string }>;
  mappings: Array<{ lid: string; pn: string }>;
  pastParticipants: Array<{ group: string; participants: PastParticipant[] }>;
}

/** All items of inflated HistorySync bytes. @throws HistoryError MALFORMED, TRUNCATED, TOO_LARGE */
export function* historyItems(inflated: Uint8Array, options: HistoryDecodeOptions): Generator<HistoryItem, HistorySummary, undefined> {
  const decoder = new HistorySyncDecoder(options);
  yield* decoder.push(inflated);
  yield* decoder.end();
  return decoder.summary;
}

/** Decodes inflated HistorySync bytes whole. @throws HistoryError MALFORMED, TRUNCATED, TOO_LARGE */
export function decodeHistorySync(inflated: Uint8Array, options: HistoryDecodeOptions): DecodedHistory {
  const out: Omit<DecodedHistory, 'summary'> = { chats: [], contacts: [], messages: [], statuses: [], pushNames: [], mappings: [], pastParticipants: [] };
  const items = historyItems(inflated, options);
  for (;;) {
    const next = items.next();
    if (next.done) return { summary: next.value, ...out };
    const item = next.value;
    switch (item.kind) {
      case 'chat':
        out.chats.push(item.chat);
        out.contacts.push(item.contact);
        break;
      case 'messages':
        out.messages.push(...item.messages);
        break;
      case 'status':
        out.statuses.push(item.message);
        break;
      case 'pushName':
        out.pushNames.push({ jid: item.jid, name: item.name });
        break;
      case 'mapping':
        out.mappings.push({ lid: item.lid, pn: item.pn });
        break;
      case 'pastParticipants':
        out.pastParticipants.push({ group: item.group, participants: item.participants });
        break;
    }
  }
}
