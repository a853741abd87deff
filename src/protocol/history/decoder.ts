/**
 * The incremental HistorySync decoder: inflated bytes in, in pieces of any
 * size; items out, one top-level entry at a time and a conversation's
 * messages in batches. Memory stays bounded by the largest single entry (one
 * conversation's bytes) plus one batch of decoded messages, however large the
 * chunk: the outer HistorySync is walked field by field, never decoded whole.
 *
 *   const decoder = new HistorySyncDecoder({ me });
 *   for await (const piece of inflated) for (const item of decoder.push(piece)) stage(item);
 *   for (const item of decoder.end()) stage(item);   // throws TRUNCATED on a cut blob
 *   commit(staged, decoder.summary);
 *
 * Items may be consumed lazily; a generator left unfinished loses nothing:
 * the next push()/end() continues where it stopped. A damaged entry is
 * skipped and counted in `summary.skipped`; only a broken framing throws.
 */
import { pnFromReceipt, conversationParts } from './chat.js';
import { HistoryError } from './errors.js';
import { HistoryFramer, type Frame } from './framing.js';
import { historyMessage } from './message.js';
import { proto } from '../proto/index.js';
import { emptyCounts, syncTypeName, type HistoryItem, type HistoryMessage, type HistorySummary } from './types.js';
import { lastFieldBytes } from './wire.js';

/** HistorySync field numbers. */
const F = { SYNC_TYPE: 1, CONVERSATIONS: 2, STATUS_V3: 3, CHUNK_ORDER: 5, PROGRESS: 6, PUSHNAMES: 7, PAST_PARTICIPANTS: 12, PN_TO_LID: 15 } as const;
const LENGTH_DELIMITED: ReadonlySet<number> = new Set([F.CONVERSATIONS, F.STATUS_V3, F.PUSHNAMES, F.PAST_PARTICIPANTS, F.PN_TO_LID]);
const SCALARS: ReadonlySet<number> = new Set([F.SYNC_TYPE, F.CHUNK_ORDER, F.PROGRESS]);
/** HistorySyncMsg.message. */
const HSM_MESSAGE = 1;

export interface HistoryDecodeOptions {
  /** Our own user jid: the sender of the fromMe messages the phone did not attribute. */
  readonly me: string;
  /** One top-level entry (a conversation with all its messages) above this is skipped as tooLarge. Default 64 MiB. */
  readonly maxEntryBytes?: number;
  /** The whole inflated chunk above this throws TOO_LARGE. Default 512 MiB. */
  readonly maxBytes?: number;
  /** Messages per `messages` item. Default 256. */
  readonly batchSize?: number;
}

export const DEFAULT_MAX_ENTRY_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_HISTORY_BYTES = 512 * 1024 * 1024;

interface ConversationCursor {
  readonly chat: string;
  readonly messages: Uint8Array[];
  index: number;
  /** Still looking for a LID chat's phone number in its receipts. */
  wantPn: boolean;
}

export class HistorySyncDecoder {
  readonly #framer: HistoryFramer;
  readonly #me: string;
  readonly #maxBytes: number;
  readonly #batchSize: number;
  // syncType is a proto3 enum: absent on the wire means 0, INITIAL_BOOTSTRAP.
  readonly #summary: HistorySummary = { syncType: 'INITIAL_BOOTSTRAP', bytes: 0, counts: emptyCounts(), skipped: { ...emptyCounts(), tooLarge: 0, wrongType: 0 } };
  /** Items decoded and not yet handed out. */
  #ready: HistoryItem[] = [];
  #cursor: ConversationCursor | undefined;
  #ended = false;

  constructor(options: HistoryDecodeOptions) {
    this.#me = options.me;
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_HISTORY_BYTES;
    this.#batchSize = Math.max(1, options.batchSize ?? 256);
    const maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
    this.#framer = new HistoryFramer({ wanted: (f) => LENGTH_DELIMITED.has(f) || SCALARS.has(f), maxEntryBytes });
  }

  /** The chunk's scalars and counts so far; final once end() has been drained. */
  get summary(): HistorySummary {
    const s = this.#summary;
    return { ...s, counts: { ...s.counts }, skipped: { ...s.skipped } };
  }

  /**
   * Takes the next inflated bytes (kept by reference until consumed: do not
   * reuse the buffer) and returns the items they complete.
   * @throws HistoryError TOO_LARGE past maxBytes, FINISHED after end(); the items: MALFORMED
   */
  push(bytes: Uint8Array): Generator<HistoryItem, void, undefined> {
    if (this.#ended) throw new HistoryError('FINISHED', 'history decoder already ended');
    this.#framer.push(bytes);
    this.#summary.bytes = this.#framer.offset;
    if (this.#summary.bytes > this.#maxBytes) {
      throw new HistoryError('TOO_LARGE', `history sync over ${this.#maxBytes} bytes`, { offset: this.#summary.bytes });
    }
    return this.#drain();
  }

  /** The remaining items; drain it: it throws TRUNCATED at its end when the bytes stopped inside a field. */
  end(): Generator<HistoryItem, void, undefined> {
    if (this.#ended) throw new HistoryError('FINISHED', 'history decoder already ended');
    this.#ended = true;
    return this.#finish();
  }

  *#finish(): Generator<HistoryItem, void, undefined> {
    yield* this.#drain();
    this.#framer.end();
  }

  *#drain(): Generator<HistoryItem, void, undefined> {
    for (;;) {
      const item = this.#ready.shift();
      if (item) {
        yield item;
        continue;
      }
      if (this.#cursor) {
        this.#nextBatch(this.#cursor);
        continue;
      }
      const frame = this.#framer.next();
      if (!frame) return;
      this.#take(frame);
    }
  }

  /** Decodes the next batch of the open conversation into #ready; closes it when done. */
  #nextBatch(cursor: ConversationCursor): void {
    const end = Math.min(cursor.messages.length, cursor.index + this.#batchSize);
    const messages: HistoryMessage[] = [];
    let pn: string | undefined;
    for (; cursor.index < end; cursor.index++) {
      const m = this.#message(cursor.messages[cursor.index]!, cursor.chat);
      if (!m) continue;
      messages.push(m);
      if (cursor.wantPn && !pn) pn = pnFromReceipt(m);
    }
    if (cursor.index >= cursor.messages.length) this.#cursor = undefined;
    this.#summary.counts.messages += messages.length;
    if (messages.length > 0) this.#ready.push({ kind: 'messages', chat: cursor.chat, messages });
    if (pn) {
      cursor.wantPn = false;
      this.#summary.counts.mappings++;
      this.#ready.push({ kind: 'mapping', lid: cursor.chat, pn });
    }
  }

  #message(entry: Uint8Array, chat: string): HistoryMessage | undefined {
    try {
      const info = lastFieldBytes(entry, HSM_MESSAGE);
      const m = info && historyMessage(info, { chat, me: this.#me });
      if (m) return m;
    } catch {
      // A message that does not decode is skipped, counted below.
    }
    this.#summary.skipped.messages++;
    return undefined;
  }

  #take(frame: Frame): void {
    const { counts, skipped } = this.#summary;
    if (frame.kind === 'tooLarge') {
      skipped.tooLarge++;
      return;
    }
    if (frame.kind === 'varint') {
      if (frame.field === F.SYNC_TYPE) this.#summary.syncType = syncTypeName(frame.value);
      else if (frame.field === F.CHUNK_ORDER) this.#summary.chunkOrder = frame.value;
      else if (frame.field === F.PROGRESS) this.#summary.progress = frame.value;
      else if (LENGTH_DELIMITED.has(frame.field)) skipped.wrongType++;
      return;
    }
    if (SCALARS.has(frame.field)) {
      skipped.wrongType++;
      return;
    }
    switch (frame.field) {
      case F.CONVERSATIONS:
        return this.#conversation(frame.bytes);
      case F.STATUS_V3: {
        const status = this.#entry(() => historyMessage(frame.bytes, { me: this.#me }));
        if (!status) return void skipped.statuses++;
        counts.statuses++;
        this.#ready.push({ kind: 'status', message: status });
        return;
      }
      case F.PUSHNAMES: {
        const p = this.#entry(() => proto.Pushname.decode(frame.bytes));
        if (!p?.id || !p.pushname) return void skipped.pushNames++;
        counts.pushNames++;
        this.#ready.push({ kind: 'pushName', jid: p.id, name: p.pushname });
        return;
      }
      case F.PN_TO_LID: {
        const m = this.#entry(() => proto.PhoneNumberToLIDMapping.decode(frame.bytes));
        if (!m?.lidJid || !m.pnJid) return void skipped.mappings++;
        counts.mappings++;
        this.#ready.push({ kind: 'mapping', lid: m.lidJid, pn: m.pnJid });
        return;
      }
      case F.PAST_PARTICIPANTS: {
        const g = this.#entry(() => proto.PastParticipants.decode(frame.bytes));
        if (!g?.groupJid) return void skipped.pastParticipants++;
        counts.pastParticipants++;
        const participants = (g.pastParticipants ?? []).flatMap((p) => {
          if (!p.userJid) return [];
          const out: { jid: string; reason: 'left' | 'removed'; at?: number } = { jid: p.userJid, reason: p.leaveReason === 1 ? 'removed' : 'left' };
          if (p.leaveTs) out.at = p.leaveTs;
          return [out];
        });
        this.#ready.push({ kind: 'pastParticipants', group: g.groupJid, participants });
        return;
      }
    }
  }

  #conversation(bytes: Uint8Array): void {
    const parts = this.#entry(() => conversationParts(bytes));
    if (!parts) {
      this.#summary.skipped.chats++;
      return;
    }
    this.#summary.counts.chats++;
    this.#summary.counts.mappings += parts.mappings.length;
    this.#ready.push({ kind: 'chat', chat: parts.chat, contact: parts.contact });
    for (const m of parts.mappings) this.#ready.push({ kind: 'mapping', ...m });
    if (parts.messages.length > 0) {
      this.#cursor = { chat: parts.chat.jid, messages: parts.messages, index: 0, wantPn: parts.pnFromReceipts };
    }
  }

  /** Runs one entry's decode; a throw means the entry is damaged (undefined, the caller counts it). */
  #entry<T>(decode: () => T): T | undefined {
    try {
      return decode();
    } catch {
      return undefined;
    }
  }
}
