/**
 * Sends under a caller's idempotency key: one message per key and account
 * for the key's lifetime, whatever the caller retries and whenever the
 * daemon dies.
 *
 * - The key's record (key → message id, chat, not yet acked) is committed in
 *   the send's first batch, with the sent-cache record, before the stanza
 *   leaves: a key whose message could have reached anyone is never unknown.
 * - A repeat while the first send runs waits for that send's result.
 * - A repeat of an acked key answers the first message id and sends nothing.
 * - A repeat of a key whose message never got its ack (the daemon died, the
 *   ack timed out) sends the same message again under the same id, and
 *   answers that id: a receiver that already has it recognises it by id
 *   (WhatsApp clients drop a message id they hold), one that has not gets it.
 * - A send the server refused is forgotten: the retry is a new send.
 * - Any other failure before the key's record was written leaves nothing: the
 *   retry is a new send, which is right since nothing left.
 *
 * Owns the key bookkeeping; sending is the caller's (index.ts) and outbound.ts's.
 */
import { proto } from '../../protocol/proto/index.js';
import type { IdempotencyRecord, Transaction } from '../../store/index.js';
import type { MessagingDeps } from '../messaging-deps.js';
import { MessagingError, type MessagingErrorCode } from './errors.js';

/** The server's answers that nothing was sent: the key is free again for a later attempt. */
const REFUSALS: ReadonlySet<MessagingErrorCode> = new Set(['SERVER_REJECTED', 'NOT_ADMIN', 'NOT_MEMBER']);

/** Makes the writes that remember the key for a message id; index.ts hands them to the send's first batch. */
export type Remember = (messageId: string, expiration: number | undefined) => (tx: Transaction) => void;

export interface IdempotencyParts {
  readonly deps: MessagingDeps;
  readonly now: () => number;
  /** Sends a stored message again under its id (paced, on its chat's actor); resolves on the server's ack. */
  readonly resend: (chat: string, id: string, message: proto.IMessage, expiration: number | undefined) => Promise<void>;
}

export class IdempotentSends {
  readonly #p: IdempotencyParts;
  /** Sends under way, by key: a repeat waits for the first. */
  readonly #running = new Map<string, { chat: string; result: Promise<{ messageId: string }> }>();

  constructor(parts: IdempotencyParts) {
    this.#p = parts;
  }

  /**
   * Runs `send` once for `key`, or answers what its first run did.
   * @throws MessagingError KEY_REUSED (the key was used for another chat), and what `send` throws
   */
  run(key: string, chat: string, send: (remember: Remember) => Promise<{ messageId: string }>): Promise<{ messageId: string }> {
    const running = this.#running.get(key);
    if (running) return running.chat === chat ? running.result : Promise.reject(reused(key));
    const result = this.#once(key, chat, send).finally(() => this.#running.delete(key));
    this.#running.set(key, { chat, result });
    return result;
  }

  async #once(key: string, chat: string, send: (remember: Remember) => Promise<{ messageId: string }>): Promise<{ messageId: string }> {
    const { deps, now } = this.#p;
    const known = await deps.store.idempotency.get(key, now());
    if (known) {
      if (known.chat !== chat) throw reused(key);
      if (!known.acked) await this.#complete(key, known);
      return { messageId: known.id };
    }
    let remembered: { record: IdempotencyRecord; place: number } | undefined;
    try {
      const sent = await send((id, expiration) => (tx) => {
        const record = { id, chat, t: now(), acked: false, ...(expiration ? { expiration } : {}) };
        remembered = { record, place: tx.idempotency.put(key, record) };
      });
      if (remembered) await this.#markAcked(key, remembered.record, remembered.place);
      return sent;
    } catch (err) {
      if (remembered && err instanceof MessagingError && REFUSALS.has(err.code)) {
        await deps.store.transaction((tx) => tx.idempotency.delete(key)).catch((e: unknown) => deps.logger.warn({ err: e }, 'could not forget the idempotency key of a refused send'));
      }
      throw err;
    }
  }

  /** The key's message went out before, with no ack seen: the same message, same id, again. */
  async #complete(key: string, known: IdempotencyRecord & { place: number }): Promise<void> {
    const { deps } = this.#p;
    const sent = await deps.store.sent.get(known.id);
    if (!sent) {
      // Evicted from the sent cache (thousands of sends since): nothing to resend; its id is still the answer.
      deps.logger.warn({ id: known.id }, 'idempotent retry of a send no longer cached; not resent');
      return;
    }
    deps.logger.info({ id: known.id }, 'idempotent retry of an unacked send: sending the same message id again');
    await this.#p.resend(known.chat, known.id, proto.Message.decode(sent.message), known.expiration);
    const { place, ...record } = known;
    await this.#markAcked(key, record, place);
  }

  /** Never throws: the send succeeded; an unmarked key at worst sends the same id again on a retry. */
  async #markAcked(key: string, record: IdempotencyRecord, place: number): Promise<void> {
    const { deps } = this.#p;
    try {
      await deps.store.transaction((tx) => tx.idempotency.update(key, { ...record, acked: true }, place));
    } catch (err) {
      deps.logger.warn({ err }, 'could not mark an idempotency key acked');
    }
  }
}

function reused(key: string): MessagingError {
  return new MessagingError('KEY_REUSED', `idempotency key ${JSON.stringify(key)} was used for a send to another chat`);
}
