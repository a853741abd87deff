/**
 * History sync for one account: the phone's HistorySyncNotifications are
 * kept with the message that carried them (before it is acked), then handled
 * one at a time in the order they came: the blob is downloaded and verified
 * into the media spool, deciphered, inflated and decoded as a stream (never
 * held whole in memory), and the chunk is stored in one transaction with its
 * `history:sync` event. Only then does the phone get our `hist_sync`
 * receipt, which is what makes it send the next chunk. A crash anywhere
 * leaves the notification pending, and the next start finishes it: a chunk
 * is stored once (storing it again would change nothing anyway: messages are
 * keyed by chat and id) and receipted at least once.
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
  type HistoryNotification,
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
import { ChunkItems, stageChunk } from './chunk.js';

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
    this.#deps.logger.warn({ err, retryInMs: this.#retryMs }, 'history chunk not handled yet; will try again');
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.kick(), this.#retryMs);
    this.#retryTimer.unref?.();
    this.#retryMs = Math.min(MAX_RETRY_MS, this.#retryMs * 2);
  }

  /** Downloads, decodes and stores one chunk; a chunk that can never be read is given up. */
  async #handle(p: PendingHistory): Promise<void> {
    let n: HistoryNotification;
    try {
      n = parseHistoryNotification(proto.Message.HistorySyncNotification.decode(p.notification));
    } catch (err) {
      return this.#giveUp(p, err);
    }
    const items = new ChunkItems();
    const decoder = new HistorySyncDecoder({ me: jidNormalizedUser(this.#deps.me().jid) });
    try {
      if (n.payload.kind !== 'none') {
        const source = n.payload.kind === 'inline' ? Readable.from([n.payload.compressed]) : (await this.#deps.media.download(n.payload.media)).stream({ dispose: true });
        const inflated = source.pipe(createInflate());
        source.on('error', (err) => inflated.destroy(err));
        for await (const piece of inflated) for (const item of decoder.push(piece as Uint8Array)) items.add(item);
        for (const item of decoder.end()) items.add(item);
      }
    } catch (err) {
      if (isFinal(err)) return this.#giveUp(p, err);
      throw err;
    }
    const messaging = this.#deps.messaging();
    // Before the chunk: a mapping learnt twice is a no-op, and sessions must sit under the LID before messages name it.
    for (const m of items.mappings) await messaging.learnLid(m.pn, m.lid);
    const syncType = n.syncType === 'UNKNOWN' ? decoder.summary.syncType : n.syncType;
    let publish: () => void = () => undefined;
    let counts = { chats: 0, messages: 0, contacts: 0 };
    await this.#deps.store.transaction((tx) => {
      counts = stageChunk(tx, items);
      tx.historyPending.put({ ...p, stored: true });
      const data: Record<string, string | number> = { type: syncType, ...counts };
      const progress = n.progress ?? decoder.summary.progress;
      if (progress !== undefined) data.progress = progress;
      const order = n.chunkOrder ?? decoder.summary.chunkOrder;
      if (order !== undefined) data.chunkOrder = order;
      if (n.requestId) data.requestId = n.requestId;
      publish = this.#deps.events.stage(tx, [{ type: 'history:sync', data }]);
    });
    publish();
    this.stats.chunks++;
    this.stats.messages += counts.messages;
    const skipped = decoder.summary.skipped;
    this.#deps.logger.info({ messageId: p.messageId, syncType, progress: n.progress, ...counts, skippedMessages: skipped.messages }, 'history chunk stored');
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

function isFinal(err: unknown): boolean {
  if (err instanceof HistoryError) return true;
  if (err instanceof MediaError) return MEDIA_FINAL.has(err.code);
  // zlib: the bytes are not a deflate stream (the blob verified, so it is the phone's doing).
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
