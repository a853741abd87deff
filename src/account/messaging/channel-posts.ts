/**
 * Incoming channel (newsletter) traffic: posts of channels we follow or own
 * (not encrypted: the Message comes as is in `<plaintext>`) become
 * `message:new` events with the channel as chat and sender and the server's
 * number (`serverId`) kept, and the reaction counts the server reports for a
 * post become `message:updated {messageId, serverId, reactions}`. The record,
 * its events and the server-number index are one batch, committed before the
 * stanza is acked; a redelivered post is acked again and never delivered twice.
 * Posts get no receipts: a plain ack confirms them, as WhatsApp's clients do.
 *
 * Must not send anything but what the dispatcher acks for it.
 */
import type { BinaryNode } from '../../protocol/binary/index.js';
import { isNewsletter } from '../../protocol/jid/index.js';
import { proto } from '../../protocol/proto/index.js';
import { parseNewsletterLiveUpdates, parseNewsletterPost, StanzaError } from '../../protocol/stanza/index.js';
import type { ValueMap } from '../../store/index.js';
import type { MessagingDeps } from '../messaging-deps.js';
import type { StanzaHandler } from '../ports.js';
import type { AccountEvent } from '../events.js';
import { interpret } from './inbound.js';
import { storeMessageEvents } from './message-store.js';

/** The messages-family key that maps a post's server number to its id. */
export const serverKey = (serverId: string): string => `server_id:${serverId}`;

export class ChannelPosts implements StanzaHandler {
  readonly tags = ['message', 'notification'] as const;
  readonly #deps: MessagingDeps;
  readonly stats = { received: 0, duplicates: 0 };

  constructor(deps: MessagingDeps) {
    this.#deps = deps;
  }

  async handle(node: BinaryNode): Promise<void> {
    if (!isNewsletter(node.attrs.from)) return;
    if (node.tag === 'message') await this.#post(node);
    else await this.#reactions(node);
  }

  async #post(node: BinaryNode): Promise<void> {
    const { store, events, logger } = this.#deps;
    let post;
    try {
      post = parseNewsletterPost(node);
    } catch (err) {
      if (!(err instanceof StanzaError)) throw err;
      logger.warn({ err: err.message }, 'unreadable channel post; acked and dropped');
      return;
    }
    if (!post.plaintext) return;
    if (await store.messages.has(post.jid, post.id)) {
      this.stats.duplicates++;
      return;
    }
    let message: proto.IMessage;
    try {
      message = proto.Message.decode(post.plaintext);
    } catch (err) {
      logger.warn({ id: post.id, err: (err as Error).message }, 'channel post is not a Message; acked and dropped');
      return;
    }
    const me = this.#deps.me().jid;
    const result = interpret(message, { id: post.id, chat: post.jid, sender: post.jid, senderAlts: [], fromMe: false, t: post.t, offline: post.offline, me: [me] }, undefined, post.plaintext);
    const withServerId = result.events.map((ev) => (ev.type === 'message:new' && post.serverId ? { ...ev, data: { ...ev.data, serverId: post.serverId } } : ev));
    let publish: () => void = () => undefined;
    await store.transaction((tx) => {
      tx.messages.put(post.jid, post.id, { ...result.record, serverId: post.serverId } as ValueMap);
      if (post.serverId) tx.messages.put(post.jid, serverKey(post.serverId), { id: post.id });
      storeMessageEvents(tx, withServerId, { unread: true });
      publish = events.stage(tx, withServerId);
    });
    publish();
    this.stats.received++;
  }

  async #reactions(node: BinaryNode): Promise<void> {
    const { store, events } = this.#deps;
    const updates = parseNewsletterLiveUpdates(node);
    if (updates.length === 0) return;
    const evs: AccountEvent[] = [];
    for (const u of updates) {
      const ref = await store.messages.get(u.jid, serverKey(u.serverId));
      const messageId = typeof ref?.id === 'string' ? ref.id : undefined;
      evs.push({ type: 'message:updated' as const, conversationId: u.jid, data: { chat: u.jid, ...(messageId ? { messageId } : {}), serverId: u.serverId, reactions: u.counts } });
    }
    let publish: () => void = () => undefined;
    await store.transaction((tx) => {
      publish = events.stage(tx, evs);
    });
    publish();
  }
}
