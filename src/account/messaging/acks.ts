/**
 * Server acks of the messages we send (`<ack class="message" id [error]>`):
 * a send resolves only when the server took the message, and rejects with
 * the server's error code otherwise (a 463 is a typed,
 * reported failure, never a silent success). Bounded by a timeout.
 *
 * Owns the waiting sends; must not send anything.
 */
import type { BinaryNode } from '../../protocol/binary/index.js';
import type { StanzaHandler } from '../ports.js';
import { MessagingError } from './errors.js';

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_WAITING = 10_000;

/** What the server's ack says: its time, the participant hash it saw, a channel post's number. */
export interface MessageAck {
  t: number;
  phash?: string | undefined;
  serverId?: string | undefined;
}

interface Waiter {
  resolve(ack: MessageAck): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class AckWaiter implements StanzaHandler {
  readonly tags = ['ack'] as const;
  readonly #waiting = new Map<string, Waiter>();
  readonly #timeoutMs: number;
  /** Errors by server code, for the account's counters. */
  readonly errors = new Map<number, number>();

  constructor(options: { timeoutMs?: number } = {}) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Starts waiting for the ack of `id` (call before sending the stanza). */
  expect(id: string): Promise<MessageAck> {
    if (this.#waiting.size >= MAX_WAITING) return Promise.reject(new MessagingError('ACK_TIMEOUT', 'too many messages waiting for a server ack'));
    this.#waiting.get(id)?.reject(new MessagingError('ACK_TIMEOUT', `message ${id} was sent again`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new MessagingError('ACK_TIMEOUT', `no server ack for message ${id} within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      timer.unref?.();
      this.#waiting.set(id, { resolve, reject, timer });
    });
  }

  /** Stops waiting (the stanza could not be sent). */
  cancel(id: string, err: Error): void {
    const w = this.#waiting.get(id);
    if (!w) return;
    clearTimeout(w.timer);
    this.#waiting.delete(id);
    w.reject(err);
  }

  async handle(node: BinaryNode): Promise<void> {
    if (node.attrs.class !== 'message') return;
    const id = node.attrs.id;
    const w = id === undefined ? undefined : this.#waiting.get(id);
    if (!w || id === undefined) return;
    clearTimeout(w.timer);
    this.#waiting.delete(id);
    const error = node.attrs.error;
    if (error !== undefined) {
      const code = Number(error) || 500;
      this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
      const hint = code === 463 ? ' (no valid privacy token for this contact)' : code === 479 ? ' (stanza rejected as invalid)' : '';
      w.reject(new MessagingError('SERVER_REJECTED', `server refused message ${id} with error ${code}${hint}`, { serverCode: code }));
      return;
    }
    const t = Number(node.attrs.t);
    w.resolve({ t: Number.isFinite(t) ? t : 0, phash: node.attrs.phash, serverId: node.attrs.server_id });
  }

  close(): void {
    for (const [id, w] of this.#waiting) {
      clearTimeout(w.timer);
      w.reject(new MessagingError('CLOSED', `messaging closed before message ${id} was acked`));
    }
    this.#waiting.clear();
  }
}
