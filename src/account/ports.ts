/**
 * The seams between an account's actors (every seam an interface
 * with a simple default). The connection actor owns the socket, the Noise
 * transport and IQ correlation; everything else in the account talks to it
 * only through ConnectionPort, so sender mailboxes and stanza handlers are tested
 * with an in-memory fake and never touch a socket.
 */
import type { BinaryNode } from '../protocol/binary/index.js';
import type { IqSpec } from '../protocol/iq/index.js';
import type { JobInput, JobKind, JobOutputs } from '../protocol/jobs/index.js';

/**
 * Where the account's Signal work runs: one job, bytes in and bytes out. The
 * daemon gives every account the same crypto pool behind it; tests give an
 * inline runner. Knows no sessions: ordering one session's jobs is the
 * account's locks' (locks.ts).
 */
export interface CryptoPort {
  /** @throws (rejects) the job's own typed error; CryptoPoolError BAD_JOB, WORKER_FAILED, QUEUE_FULL, CLOSED */
  run<K extends JobKind>(kind: K, input: JobInput<K>): Promise<JobOutputs[K]>;
}

export interface QueryOptions {
  /** Default: the configured IQ timeout (60 s in WhatsApp Web). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ConnectionPort {
  /**
   * Sends one stanza once the account is online. Resolves when the frame was
   * handed to the socket. @throws ConnectionError UNAVAILABLE when the account
   * is not online within the bounded wait (never hangs).
   */
  send(node: BinaryNode): Promise<void>;
  /**
   * Sends an iq (an `id` is assigned when absent) and resolves with the
   * answer node. @throws IqServerError on `type="error"`, ConnectionError
   * TIMEOUT / UNAVAILABLE / CLOSED.
   */
  query(node: BinaryNode, opts?: QueryOptions): Promise<BinaryNode>;
  /** query() through a typed spec. */
  execute<T>(spec: IqSpec<T>, opts?: QueryOptions): Promise<T>;
  /** A fresh stanza / message id in WhatsApp Web's format. */
  nextId(): string;
}

/**
 * What a handler did with a stanza beyond handling it: `answered` when it
 * already confirmed the stanza to the server itself (a message's delivery
 * receipt), so the automatic ack must not follow. WhatsApp Web, Baileys and
 * whatsmeow confirm a decrypted message with its receipt alone.
 */
export type HandleOutcome = void | 'answered';

/** One incoming stanza, after the connection actor decoded it. */
export interface StanzaHandler {
  /** The top-level tags it takes (message, receipt, notification, call, ...). */
  readonly tags: readonly string[];
  /**
   * Handles one stanza. The connection actor sends the automatic ack only
   * after the returned promise resolves (persist before you acknowledge),
   * none when it rejects (the server redelivers), and none when a handler
   * resolves `answered`.
   */
  handle(node: BinaryNode): Promise<HandleOutcome>;
}
