/**
 * Per-chat sender actors (seed 003's ConversationSender): one small actor per
 * chat, spawned on demand, holding that chat's queue so sends to one chat
 * keep their order while different chats proceed in parallel; stopped when
 * idle so an account holds nothing for chats it is not talking to (field
 * lesson 10). Group maintenance (sender-key rotation) goes through the
 * group's actor too, so it never interleaves with a send.
 *
 * Owns scheduling only; what a job does is outbound.ts's.
 */
import { MessagingError } from './errors.js';

const DEFAULT_IDLE_MS = 30_000;
const MAX_QUEUE_PER_CHAT = 1_000;

class ChatSender {
  readonly chat: string;
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #onIdle: (s: ChatSender) => void;
  readonly #idleMs: number;

  constructor(chat: string, idleMs: number, onIdle: (s: ChatSender) => void) {
    this.chat = chat;
    this.#idleMs = idleMs;
    this.#onIdle = onIdle;
  }

  get pending(): number {
    return this.#pending;
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#pending >= MAX_QUEUE_PER_CHAT) return Promise.reject(new MessagingError('RATE_LIMITED', `too many sends queued for ${this.chat}`));
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#pending++;
    const result = this.#tail.then(job);
    this.#tail = result.then(
      () => this.#settled(),
      () => this.#settled(),
    );
    return result;
  }

  #settled(): void {
    this.#pending--;
    if (this.#pending > 0) return;
    this.#idleTimer = setTimeout(() => {
      if (this.#pending === 0) this.#onIdle(this);
    }, this.#idleMs);
    this.#idleTimer.unref?.();
  }

  stop(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
  }
}

export class ChatSenders {
  readonly #senders = new Map<string, ChatSender>();
  readonly #idleMs: number;
  #closed = false;

  constructor(options: { idleMs?: number } = {}) {
    this.#idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  }

  /** Live actors (for tests and memory accounting). */
  get size(): number {
    return this.#senders.size;
  }

  /** Runs `job` after every earlier job for `chat`. @throws MessagingError CLOSED */
  run<T>(chat: string, job: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new MessagingError('CLOSED', 'messaging is closed'));
    let s = this.#senders.get(chat);
    if (!s) {
      s = new ChatSender(chat, this.#idleMs, (idle) => {
        if (this.#senders.get(idle.chat) === idle) this.#senders.delete(idle.chat);
      });
      this.#senders.set(chat, s);
    }
    return s.run(job);
  }

  close(): void {
    this.#closed = true;
    for (const s of this.#senders.values()) s.stop();
    this.#senders.clear();
  }
}
