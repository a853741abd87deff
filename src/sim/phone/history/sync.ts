/**
 * Sending history to companions, the phone's side: for each stage planned
 * (plan.ts) its chunks are built, deflated and encrypted as `md-msg-hist`
 * blobs, stored on the media endpoint, and announced one at a time by a
 * HistorySyncNotification in a peer message to the companion; the next chunk
 * goes once the companion's `hist_sync` receipt for the last one came (or the
 * policy's wait ran out, so a companion that never receipts still gets all).
 * A small bootstrap rides inline when the companion allows it. On-demand
 * requests are answered the same way, naming the request.
 *
 * One run per companion at a time; a companion unlinked mid-sync stops its
 * run. Keeps a bounded log of what it sent.
 */
import {
  buildHistoryChunks,
  buildHistoryNotification,
  compressHistory,
  encryptHistoryBlob,
  HISTORY_MEDIA_TYPE,
  type HistoryChunk,
  type HistoryRequest,
  type HistorySyncTypeName,
} from '../../../protocol/history/index.js';
import type { proto } from '../../../protocol/proto/index.js';
import { KeyedSerialQueue } from '../../../protocol/util/keyed-queue.js';
import type { HistorySendRecord, HistorySyncPolicy } from '../../phone-history.js';
import type { CompanionHistoryConfig } from '../../phone-host.js';
import type { PhoneCore } from '../core.js';
import { deviceJid } from '../stanzas.js';
import { planInitialSync, planOnDemand, type SyncStage } from './plan.js';
import type { HistoryStore } from './store.js';

const SEND_LOG_LIMIT = 1_000;

export interface HistorySenderDeps {
  core: PhoneCore;
  store: HistoryStore;
  policy(): HistorySyncPolicy;
  /** Sends a protocol message to one of our companions; answers its message id. */
  sendPeer(device: string, message: proto.IMessage): { id: string };
}

interface Waiter {
  resolve(): void;
  timer: NodeJS.Timeout;
}

export class HistorySender {
  readonly #deps: HistorySenderDeps;
  readonly #log: HistorySendRecord[] = [];
  /** Notification message id → its log record, while it may still be receipted. */
  readonly #pending = new Map<string, HistorySendRecord>();
  readonly #waiters = new Map<string, Waiter>();
  /** The run per companion, so an on-demand answer queues behind the initial sync. */
  readonly #runs = new KeyedSerialQueue({ maxPerKey: Number.POSITIVE_INFINITY, maxTotal: Number.POSITIVE_INFINITY });
  /** Failures of runs (bounded), for diagnosis. */
  readonly failures: string[] = [];

  constructor(deps: HistorySenderDeps) {
    this.#deps = deps;
  }

  sends(): HistorySendRecord[] {
    return this.#log.map((r) => ({ ...r }));
  }

  /** A companion was linked: its history goes out, stage after stage. */
  startInitial(device: string, companion: CompanionHistoryConfig | undefined): Promise<void> {
    const stages = planInitialSync(this.#deps.store, this.#deps.policy(), companion, Math.floor(this.#deps.core.host.now() / 1000));
    return this.#queue(device, () => this.#sendStages(device, stages, { inline: companion?.inlineInitialPayload !== false }));
  }

  /** A companion asked for older messages of a chat (its request message's id names the answer). */
  onDemand(device: string, requestId: string, req: HistoryRequest): Promise<void> {
    const stage = planOnDemand(this.#deps.store, req);
    return this.#queue(device, () => this.#sendStages(device, [stage], { inline: false, requestId }));
  }

  /** A `hist_sync` receipt for one of our notifications. */
  onReceipt(ids: string[]): void {
    for (const id of ids) {
      const record = this.#pending.get(id);
      if (record) {
        record.receiptAt = this.#deps.core.host.now();
        this.#pending.delete(id);
      }
      const w = this.#waiters.get(id);
      if (w) {
        clearTimeout(w.timer);
        this.#waiters.delete(id);
        w.resolve();
      }
    }
  }

  #queue(device: string, run: () => Promise<void>): Promise<void> {
    return this.#runs.run(device, async () => {
      try {
        await run();
      } catch (error) {
        this.failures.push(`${device}: ${error instanceof Error ? error.message : String(error)}`);
        if (this.failures.length > 100) this.failures.shift();
      }
    });
  }

  #linked(device: string): boolean {
    const { host, self } = this.#deps.core;
    return host.devicesOf(self).some((d) => deviceJid(d) === device);
  }

  async #sendStages(device: string, stages: SyncStage[], opts: { inline: boolean; requestId?: string }): Promise<void> {
    const { chunkBytes } = this.#deps.policy();
    for (const stage of stages) {
      const chunks = buildHistoryChunks(stage.build(), { maxChunkBytes: chunkBytes });
      for (const chunk of chunks) {
        if (!this.#linked(device)) return;
        const inline = opts.inline && stage.syncType === 'INITIAL_BOOTSTRAP' && chunks.length === 1;
        const id = this.#sendChunk(device, stage.syncType, chunk, inline, opts.requestId);
        await this.#receipt(id);
      }
    }
  }

  #sendChunk(device: string, syncType: HistorySyncTypeName, chunk: HistoryChunk, inlineAllowed: boolean, requestId: string | undefined): string {
    const { core, policy } = this.#deps;
    const compressed = compressHistory(chunk.bytes);
    const inline = inlineAllowed && compressed.length <= policy().inlineBootstrapBytes;
    let payload: Parameters<typeof buildHistoryNotification>[0]['payload'];
    if (inline) {
      payload = { kind: 'inline', compressed };
    } else {
      const blob = encryptHistoryBlob(compressed);
      const stored = core.host.storeMedia?.(HISTORY_MEDIA_TYPE, blob.blob);
      if (!stored) throw new Error('the host has no media endpoint for history blobs');
      payload = {
        kind: 'media',
        media: { directPath: stored.directPath, mediaKey: blob.mediaKey, fileSha256: blob.fileSha256, fileEncSha256: blob.fileEncSha256, fileLength: blob.fileLength },
      };
    }
    const message = buildHistoryNotification({
      syncType,
      payload,
      chunkOrder: chunk.chunkOrder,
      progress: chunk.progress,
      ...(chunk.oldestMessageAt !== undefined ? { oldestMsgInChunkTimestampSec: chunk.oldestMessageAt } : {}),
      ...(requestId ? { requestId } : {}),
    });
    const { id } = this.#deps.sendPeer(device, message);
    const record: HistorySendRecord = {
      device,
      messageId: id,
      syncType,
      chunkOrder: chunk.chunkOrder,
      progress: chunk.progress,
      chats: chunk.chats,
      messages: chunk.messages,
      pushNames: chunk.pushNames,
      mappings: chunk.mappings,
      statuses: chunk.statuses,
      bytes: compressed.length,
      inline,
      ...(requestId ? { requestId } : {}),
      sentAt: core.host.now(),
    };
    this.#log.push(record);
    if (this.#log.length > SEND_LOG_LIMIT) this.#pending.delete(this.#log.shift()!.messageId);
    this.#pending.set(id, record);
    return id;
  }

  /** Resolves on the notification's hist_sync receipt, or when the policy's wait runs out. */
  #receipt(id: string): Promise<void> {
    if (!this.#pending.has(id)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(id);
        resolve();
      }, this.#deps.policy().receiptWaitMs);
      timer.unref();
      this.#waiters.set(id, { resolve, timer });
    });
  }
}
