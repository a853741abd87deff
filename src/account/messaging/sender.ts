/**
 * Per-chat sender mailboxes: each chat's sends (and group maintenance such as
 * a sender-key rotation) go into that chat's mailbox and run one at a time
 * in the order they came, each caller getting its own job's result back;
 * different chats run in parallel. A mailbox exists only while it holds
 * work, so an account holds nothing for chats it is not talking to. Built on
 * the one keyed serial queue (src/protocol/util/keyed-queue.ts), bounded per chat.
 *
 * Owns scheduling only; what a job does is outbound.ts's.
 */
import { KeyedSerialQueue } from '../../protocol/util/keyed-queue.js';
import { MessagingError } from './errors.js';

const MAX_QUEUE_PER_CHAT = 1_000;
const MAX_QUEUED = 100_000;

export class ChatSenders {
  readonly #mailboxes = new KeyedSerialQueue(
    { maxPerKey: MAX_QUEUE_PER_CHAT, maxTotal: MAX_QUEUED },
    {
      full: (per, _limit, chat) => new MessagingError('RATE_LIMITED', per === 'key' ? `too many sends queued for ${chat}` : 'too many sends queued for this account'),
      closed: () => new MessagingError('CLOSED', 'messaging is closed'),
    },
  );
  #closed = false;

  /** Chats with a send waiting or running (account:status `senderActors`). */
  get size(): number {
    return this.#mailboxes.keys;
  }

  /** Runs `job` after every earlier job for `chat`. @throws MessagingError CLOSED, RATE_LIMITED (the chat's mailbox is full) */
  run<T>(chat: string, job: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new MessagingError('CLOSED', 'messaging is closed'));
    return this.#mailboxes.run(chat, job);
  }

  /** Refuses new sends; those already in a mailbox run to their end (their callers wait for them). */
  close(): void {
    this.#closed = true;
  }
}
