/**
 * History sync for one account: the phone's HistorySyncNotifications are
 * kept with the message that carried them (before it is acked), then handled
 * one at a time in the order they came: the blob is downloaded and verified
 * into the media spool, deciphered, inflated and decoded as a stream (never
 * held whole in memory), twice: the small items first, then the messages,
 * stored in bounded batches, the last of which carries the chunk's chats,
 * its `history:sync` event and its pending record marked stored. Only then
 * does the phone get our `hist_sync` receipt, which is what makes it send
 * the next chunk. A crash anywhere leaves the notification pending, and the
 * next start finishes it: a chunk's event is stored once (its messages
 * maybe twice, which changes nothing: they are keyed by chat and id) and it
 * is receipted at least once.
 *
 * Also the on-demand request for older messages of a chat: a peer data
 * operation to our phone, answered by an ON_DEMAND chunk handled as above.
 */
import { createInflate } from 'node:zlib';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import {
  buildHistoryRequest,
  DEFAULT_ON_DEMAND_COUNT,
  HistoryError,
  HistorySyncDecoder,
  historySyncNotificationOf,
  parseHistoryNotification,
  parsePeerDataResponse,
  type HistoryItem,
  type HistoryMessage,
  type HistoryNotification,
  type HistorySummary,
} from '../../protocol/history/index.js';
import { jidNormalizedUser } from '../../protocol/jid/index.js';
import { proto } from '../../protocol/proto/index.js';
import { buildReceipt } from '../../protocol/stanza/index.js';
import type { AccountStore, PendingHistory } from '../../store/index.js';
import type { AccountEventSink } from '../events.js';
import type { AccountMedia } from '../media/account-media.js';
import { MediaError } from '../media/errors.js';
import type { AccountIdentity } from '../messaging-deps.js';
import { MessagingError, type Messaging, type ProtocolMessageEffect } from '../messaging/index.js';
import type { ConnectionPort } from '../ports.js';
import { ChunkItems, messagesOf, stageChunk, stageMessages } from './chunk.js';

export interface HistorySyncDeps {
  readonly store: AccountStore;
  readonly events: AccountEventSink;
  /** Bound to the account. */
  readonly logger: Logger;
  readonly port: Pick<ConnectionPort, 'send'>;
  readonly media: Pick<AccountMedia, 'download'>;
  readonly me: () => AccountIdentity;
  /** Built after this (it takes our protocol message hook): read at call time. */
  readonly messaging: () => Pick<Messaging, 'learnLid' | 'sendToOwnDevices' | 'canonicalChat'>;
  readonly now?: () => number;
  /** First pause after a chunk failed for a passing reason (doubles, at most a minute). Default 2 s. */
  readonly retryMs?: number;
}

/** Media failures that another try cannot mend: the chunk is given up (and receipted, so the phone goes on). */
const MEDIA_FINAL: ReadonlySet<string> = new Set(['GONE', 'BAD_MAC', 'HASH_MISMATCH', 'BAD_PADDING', 'LENGTH_MISMATCH', 'BAD_KEY', 'TOO_LARGE', 'NOT_MEDIA']);
const MAX_RETRY_MS = 60_000;

export interface HistoryStats {
  chunks: number;
  messages: number;
  chunksFailed: number;
}

export class HistorySync {
  readonly stats: HistoryStats = { chunks: 0, messages: 0, chunksFailed: 0 };
  readonly #deps: HistorySyncDeps;
  readonly #now: () => number;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryMs: number;

  constructor(deps: HistorySyncDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#retryMs = deps.retryMs ?? 2_000;
  }

  /**
   * A protocol message the receive path hands on: a history notification is
   * kept in the message's own transaction and handled once that committed.
   * Only our own devices may send one (anyone could forge it otherwise).
   */
  accept(message: proto.IMessage, from: { id: string; fromMe: boolean }): ProtocolMessageEffect | undefined {
    const n = historySyncNotificationOf(message);
    if (!n) {
      const response = parsePeerDataResponse(message);
      if (response && from.fromMe) this.#deps.logger.debug({ response }, 'peer data response');
      return undefined;
    }
    if (!from.fromMe) {
      this.#deps.logger.warn({ id: from.id }, 'history sync notification from another user dropped');
      return {};
    }
    const pending: PendingHistory = {
      messageId: from.id,
      notification: proto.Message.HistorySyncNotification.encode(n).finish(),
      receivedAt: this.#now(),
      stored: false,
    };
    return { stage: (tx) => tx.historyPending.put(pending), committed: () => this.kick() };
  }

  /** The account is online: pending chunks (from before a restart, or a failed try) are handled. */
  online(): void {
    this.kick();
  }

  /** Handles what is pending; a call while it runs makes it look again when done. */
  kick(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#drain()
      .catch((err: unknown) => this.#deps.logger.warn({ err }, 'history sync stopped; retried later'))
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.kick();
        }
      });
  }

  close(): void {
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
  }

  /**
   * Asks the phone for `count` messages of `chat` older than the oldest one stored.
   * @throws MessagingError NOT_FOUND (nothing stored to page back from), BAD_CONTENT (count), NOT_READY, or a send failure
   */
  async request(chatArg: string, count = DEFAULT_ON_DEMAND_COUNT): Promise<{ requestId: string; count: number; oldest: string }> {
    const messaging = this.#deps.messaging();
    const chat = await messaging.canonicalChat(chatArg);
    const oldest = await this.#deps.store.chatMessages.oldest(chat);
    if (!oldest) throw new MessagingError('NOT_FOUND', `no stored message of ${chat} to page back from`);
    let message: proto.IMessage;
    try {
      message = buildHistoryRequest({
        chat,
        oldestMsgId: oldest.id,
        oldestMsgFromMe: oldest.fromMe === true,
        oldestMsgTimestamp: Math.max(0, Math.floor(oldest.t)),
        count,
        ...(this.#deps.me().lid ? { accountLid: jidNormalizedUser(this.#deps.me().lid) } : {}),
      });
    } catch (err) {
      throw new MessagingError('BAD_CONTENT', (err as Error).message);
    }
    const { messageId } = await messaging.sendToOwnDevices(message);
    this.#deps.logger.info({ chat, count, requestId: messageId }, 'on-demand history requested');
    return { requestId: messageId, count, oldest: oldest.id };
  }

  async #drain(): Promise<void> {
    while (!this.#closed) {
      const pending = await this.#deps.store.historyPending.list();
      if (pending.length === 0) return;
      for (const p of pending) {
        if (this.#closed) return;
        try {
          if (!p.stored) await this.#handle(p);
          await this.#receipt(p.messageId);
          await this.#deps.store.transaction((tx) => tx.historyPending.delete(p.messageId));
          this.#retryMs = this.#deps.retryMs ?? 2_000;
        } catch (err) {
          this.#retry(err);
          return;
        }
      }
    }
  }

  /** A passing failure (offline, a media host, the store): the same chunk is tried again later. */
  #retry(err: unknown): void {
    // Stopped meanwhile (the store closed under the chunk): the next start finishes it.
    if (this.#closed) return;
    this.#deps.logger.warn({ err, retryInMs: this.#retryMs }, 'history chunk not handled yet; will try again');
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.kick(), this.#retryMs);
    this.#retryTimer.unref?.();
    this.#retryMs = Math.min(MAX_RETRY_MS, this.#retryMs * 2);
  }

  /**
   * Downloads, decodes and stores one chunk; a chunk that can never be read is given up.
   *
   * Two passes over the verified blob, so memory stays bounded whatever the
   * chunk's size: the first gathers the small items (chats, people, LID↔PN
   * mappings, which may come after the messages naming them), the second
   * stores the messages in batches under the ids the mappings give. The last
   * batch carries the chats, the event and the pending record's change; a
   * crash before it redoes the chunk, and the messages written again are the
   * same records under the same keys.
   */
  async #handle(p: PendingHistory): Promise<void> {
    let n: HistoryNotification;
    try {
      n = parseHistoryNotification(proto.Message.HistorySyncNotification.decode(p.notification));
    } catch (err) {
      return this.#giveUp(p, err);
    }
    const me = jidNormalizedUser(this.#deps.me().jid);
    const items = new ChunkItems();
    let blob: ChunkBlob | undefined;
    try {
      let summary: HistorySummary;
      try {
        blob = n.payload.kind === 'none' ? undefined : await this.#open(n.payload);
        // Without a payload the chunk is its notification alone (the decoder's summary is proto3's defaults).
        summary = blob ? await decodeChunk(blob, me, (item) => items.add(item)) : new HistorySyncDecoder({ me }).summary;
      } catch (err) {
        if (isFinal(err)) return await this.#giveUp(p, err);
        throw err;
      }
      const messaging = this.#deps.messaging();
      // Before any message: a mapping learnt twice is a no-op, and sessions must sit under the LID before messages name it.
      for (const m of items.mappings) await messaging.learnLid(m.pn, m.lid);
      let batch: HistoryMessage[] = [];
      if (blob) {
        await decodeChunk(blob, me, async (item) => {
          for (const m of messagesOf(item)) batch.push(m);
          if (batch.length < MESSAGE_BATCH) return;
          const full = batch;
          batch = [];
          await this.#deps.store.transaction((tx) => stageMessages(tx, items, full));
        });
      }
      await this.#finish(p, n, items, batch, summary);
    } finally {
      await blob?.dispose();
    }
  }

  /** The chunk's last batch: its remaining messages, chats and people, its event, and its pending record marked stored. */
  async #finish(p: PendingHistory, n: HistoryNotification, items: ChunkItems, messages: readonly HistoryMessage[], summary: HistorySummary): Promise<void> {
    const syncType = n.syncType === 'UNKNOWN' ? summary.syncType : n.syncType;
    let publish: () => void = () => undefined;
    let counts = { chats: 0, messages: 0, contacts: 0 };
    await this.#deps.store.transaction((tx) => {
      stageMessages(tx, items, messages);
      counts = stageChunk(tx, items);
      tx.historyPending.put({ ...p, stored: true });
      const data: Record<string, string | number> = { type: syncType, ...counts };
      const progress = n.progress ?? summary.progress;
      if (progress !== undefined) data.progress = progress;
      const order = n.chunkOrder ?? summary.chunkOrder;
      if (order !== undefined) data.chunkOrder = order;
      if (n.requestId) data.requestId = n.requestId;
      publish = this.#deps.events.stage(tx, [{ type: 'history:sync', data }]);
    });
    publish();
    this.stats.chunks++;
    this.stats.messages += counts.messages;
    this.#deps.logger.info({ messageId: p.messageId, syncType, progress: n.progress, ...counts, skippedMessages: summary.skipped.messages }, 'history chunk stored');
  }

  /** The chunk's compressed bytes, readable more than once. */
  async #open(payload: Exclude<HistoryNotification['payload'], { kind: 'none' }>): Promise<ChunkBlob> {
    if (payload.kind === 'inline') return { stream: () => Readable.from([payload.compressed]), dispose: async () => undefined };
    const media = await this.#deps.media.download(payload.media);
    return { stream: () => media.stream(), dispose: () => media.dispose() };
  }

  async #giveUp(p: PendingHistory, err: unknown): Promise<void> {
    this.stats.chunksFailed++;
    this.#deps.logger.warn({ err, messageId: p.messageId }, 'history chunk cannot be read; given up');
    await this.#deps.store.transaction((tx) => tx.historyPending.put({ ...p, stored: true }));
  }

  async #receipt(messageId: string): Promise<void> {
    const to = jidNormalizedUser(this.#deps.me().jid);
    await this.#deps.port.send(buildReceipt({ ids: [messageId], to, type: 'hist_sync' }));
  }
}

/** Messages per write while a chunk is stored: bounds the chunk's working set (~5 KiB a message at its peak). */
const MESSAGE_BATCH = 1000;

interface ChunkBlob {
  stream(): Readable;
  dispose(): Promise<void>;
}

/**
 * One pass over a chunk: inflated as it is read, decoded as it inflates, each
 * item handed to `take` (awaited, so reading waits on the store).
 */
async function decodeChunk(blob: ChunkBlob, me: string, take: (item: HistoryItem) => void | Promise<void>): Promise<HistorySummary> {
  const source = blob.stream();
  const decoder = new HistorySyncDecoder({ me });
  const inflated = source.pipe(createInflate());
  source.on('error', (err) => inflated.destroy(err));
  for await (const piece of inflated) for (const item of decoder.push(piece as Uint8Array)) await take(item);
  for (const item of decoder.end()) await take(item);
  return decoder.summary;
}

function isFinal(err: unknown): boolean {
  if (err instanceof HistoryError) return true;
  if (err instanceof MediaError) return MEDIA_FINAL.has(err.code);
  // zlib: the bytes are not a deflate stream (the blob verified, so it is the phone's doing).
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
