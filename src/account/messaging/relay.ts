/**
 * The one way a built Message leaves the account: through its chat's
 * mailbox (the chat's order holds), paced, stored with the send's first
 * batch (pending, then `sent` once acked) and published to the event log.
 * Every send kind, an edit, a revoke and an idempotent resend end here.
 *
 * Owns the store-and-publish around a send; the stanza itself is
 * outbound.ts's, the queueing sender.ts's.
 */
import { randomBytes } from 'node:crypto';
import { messageId, withMessageSecret } from '../../protocol/message/index.js';
import type { proto } from '../../protocol/proto/index.js';
import type { Transaction } from '../../store/index.js';
import type { MessagingDeps } from '../messaging-deps.js';
import { MessagingError } from './errors.js';
import type { Remember } from './idempotency.js';
import { storeOwnSend, storeStatus } from './message-store.js';
import type { MessagingParts } from './wiring.js';

/** What a relay needs of the account's messaging. */
export interface RelayContext {
  readonly deps: MessagingDeps;
  readonly parts: MessagingParts;
  readonly now: () => number;
}

/** What a relay of a built Message carries besides the message. */
export interface RelayOptions {
  /** Sends a stored message again under its own id. */
  readonly id?: string;
  readonly edit?: string;
  readonly expiration?: number | undefined;
  /** Writes (an idempotency key's record) added to the send's first batch. */
  readonly remember?: Remember | undefined;
  /** A status post's audience. */
  readonly audience?: readonly string[] | undefined;
  /** A channel media post's upload handle. */
  readonly mediaHandle?: string | undefined;
  /**
   * Runs in the chat's mailbox just before the send: finishes what depends
   * on the chat's earlier sends (a live location update's number) and adds
   * writes to the send's first batch.
   */
  readonly inMailbox?: ((id: string, message: proto.IMessage) => Promise<{ message: proto.IMessage; write: (tx: Transaction) => void }>) | undefined;
}

/** Sends a built Message through the chat's mailbox; resolves with its id once the server acked it. */
export async function relay(ctx: RelayContext, chat: string, built: proto.IMessage, o: RelayOptions = {}): Promise<{ messageId: string }> {
  const { deps, parts, now } = ctx;
  const { pacer, outbound, senders } = parts;
  const id = o.id ?? messageId(deps.me().jid, Math.floor(now() / 1000), randomBytes(16));
  // Every message we author carries its own secret (a stored one sent again keeps the one it has).
  const message = withMessageSecret(built, randomBytes(32));
  const stored = await parts.ids.canonicalChat(chat);
  const remember = o.remember?.(id, o.expiration);
  // Our send goes into the message store and the event log with the send's first batch (pending), and is `sent` once acked.
  let publish: (() => void) | undefined;
  // A message sent again under its first id (an idempotent retry) has its events in the log since the first try.
  const again = o.id !== undefined && (await deps.store.sent.get(o.id)) !== undefined;
  let turn: { message: proto.IMessage; write: (tx: Transaction) => void } | undefined;
  const keep = (tx: Transaction): void => {
    remember?.(tx);
    turn?.write(tx);
    publish = storeOwnSend(tx, deps, { id, chat: stored, message: turn?.message ?? message, t: Math.floor(now() / 1000), log: !again });
  };
  await senders.run(chat, async () => {
    // Inside the chat's mailbox: the chat's order holds, and a send waiting for its token delays no other chat's queue.
    await pacer?.take();
    turn = await o.inMailbox?.(id, message);
    try {
      await outbound.relay(chat, id, turn?.message ?? message, { edit: o.edit, expiration: o.expiration, remember: keep, audience: o.audience, mediaHandle: o.mediaHandle });
    } catch (err) {
      if (err instanceof MessagingError && err.serverCode === 429) pacer?.rateLimited();
      // A send that failed after its first batch committed is in the log: live subscribers see it now, not at the next event.
      if (publish && (await deps.store.sent.get(id).catch(() => undefined))) publish();
      throw err;
    }
    pacer?.accepted();
    publish?.();
  });
  await deps.store.transaction((tx) => storeStatus(tx, stored, [id], 'sent')).catch((err: unknown) => deps.logger.warn({ err, id }, 'sent status not stored'));
  return { messageId: id };
}
