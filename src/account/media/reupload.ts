/**
 * Media re-upload requests (media retry): when every host answers GONE for a
 * received file, we ask the sender's phone, through our own account, to
 * upload it again: a `<receipt type="server-error">` with the request
 * encrypted under a key from the media key; the answer is a
 * `<notification type="mediaretry">` with the new direct path (wire format in
 * src/protocol/media/retry.ts).
 *
 * A StanzaHandler for `notification` (it ignores every other type), so the
 * connection acks mediaretry notifications once they are read. Owns the
 * pending requests, bounded in number and time; sends through the port only.
 */
import type { BinaryNode } from '../../protocol/binary/index.js';
import { buildMediaRetryReceipt, decryptMediaRetry, parseMediaRetryNotification, type MediaRetryTarget } from '../../protocol/media/index.js';
import type { StanzaHandler } from '../ports.js';
import { MediaError } from './errors.js';

export interface MediaReuploadOptions {
  /** Sends a stanza (ConnectionPort.send). */
  send: (node: BinaryNode) => Promise<void>;
  /** Our user JID without device, read at call time. */
  ownJid: () => string;
  /** How long the phone has to answer (default 60 s). */
  timeoutMs?: number;
  /** Requests waiting at once (default 256). */
  maxPending?: number;
}

interface Pending {
  mediaKey: Uint8Array;
  waiters: Array<{ resolve: (path: string) => void; reject: (e: MediaError) => void }>;
  timer: NodeJS.Timeout;
}

export class MediaReuploads implements StanzaHandler {
  readonly tags = ['notification'] as const;
  readonly #opts: MediaReuploadOptions;
  readonly #pending = new Map<string, Pending>();

  constructor(opts: MediaReuploadOptions) {
    this.#opts = opts;
  }

  /**
   * Asks for a re-upload and resolves with the new direct path. Requests for
   * the same message share one receipt.
   * @throws MediaError REUPLOAD_FAILED (the phone said no, did not answer in
   *   time, or too many requests wait), BAD_KEY, NETWORK (sending failed)
   */
  request(target: MediaRetryTarget, mediaKey: Uint8Array): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const waiter = { resolve, reject };
      const existing = this.#pending.get(target.messageId);
      if (existing) return void existing.waiters.push(waiter);
      if (this.#pending.size >= (this.#opts.maxPending ?? 256)) {
        return reject(new MediaError('REUPLOAD_FAILED', 'too many media re-upload requests waiting'));
      }
      let receipt: BinaryNode;
      try {
        receipt = buildMediaRetryReceipt(target, mediaKey, this.#opts.ownJid());
      } catch (cause) {
        return reject(new MediaError('BAD_KEY', 'cannot build the media re-upload request', { cause }));
      }
      const timeoutMs = this.#opts.timeoutMs ?? 60_000;
      const timer = setTimeout(() => this.#settle(target.messageId, new MediaError('REUPLOAD_FAILED', `no re-upload answer within ${timeoutMs} ms`)), timeoutMs);
      this.#pending.set(target.messageId, { mediaKey, waiters: [waiter], timer });
      this.#opts.send(receipt).catch((cause: unknown) => this.#settle(target.messageId, new MediaError('NETWORK', 'could not send the media re-upload request', { cause })));
    });
  }

  /** Reads mediaretry notifications that answer a pending request; everything else passes. */
  async handle(node: BinaryNode): Promise<void> {
    if (node.attrs.type !== 'mediaretry') return;
    const notice = parseMediaRetryNotification(node);
    const pending = notice && this.#pending.get(notice.target.messageId);
    if (!notice || !pending) return;
    const id = notice.target.messageId;
    if (notice.errorCode !== undefined) return this.#settle(id, new MediaError('REUPLOAD_FAILED', `the re-upload failed with code ${notice.errorCode}`));
    if (!notice.encrypted) return this.#settle(id, new MediaError('REUPLOAD_FAILED', 'the re-upload answer carries no result'));
    try {
      const r = decryptMediaRetry(notice.encrypted, pending.mediaKey, id);
      if (r.result !== 'SUCCESS' || !r.directPath) return this.#settle(id, new MediaError('REUPLOAD_FAILED', `the sender's phone answered ${r.result}`));
      this.#settle(id, r.directPath);
    } catch (cause) {
      this.#settle(id, new MediaError('REUPLOAD_FAILED', 'the re-upload answer does not decrypt', { cause }));
    }
  }

  /** Rejects everything waiting (account stopping). */
  close(): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, new MediaError('REUPLOAD_FAILED', 'the account stopped'));
  }

  #settle(id: string, outcome: string | MediaError): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    for (const w of p.waiters) {
      if (typeof outcome === 'string') w.resolve(outcome);
      else w.reject(outcome);
    }
  }
}
