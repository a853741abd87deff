/**
 * Incoming `<receipt>`: delivery/read/played receipts for messages we sent
 * become `message:receipt` events (persisted, then published), merged over
 * the recipient's devices (one event per message, participant and step); retry
 * receipts go to retry.ts for a resend; our own devices' read-self receipts
 * are reported as such. Also sending read/played receipts (mark-read API).
 *
 * Must not decrypt or re-encrypt anything itself.
 */
import type { BinaryNode } from '../../protocol/binary/index.js';
import { buildReceipt, parseReceipt, receiptStatus, StanzaError } from '../../protocol/stanza/index.js';
import { isGroup, isStatusBroadcast, jidNormalizedUser } from '../../protocol/jid/index.js';
import type { MessagingDeps } from '../messaging-deps.js';
import type { StanzaHandler } from '../ports.js';
import type { Identities } from './identity.js';
import type { Retries } from './retry.js';
import { receiptStepOf, statusRank, storeParticipantReceipt, storeStatus } from './message-store.js';

type ReceiptOf = ReturnType<typeof parseReceipt>;

export class ReceiptHandler implements StanzaHandler {
  readonly tags = ['receipt'] as const;
  readonly #deps: MessagingDeps;
  readonly #ids: Identities;
  readonly #retries: Retries;
  /** The receipts about our messages being merged, in arrival order. */
  #ours: Promise<void> = Promise.resolve();

  constructor(deps: MessagingDeps, ids: Identities, retries: Retries) {
    this.#deps = deps;
    this.#ids = ids;
    this.#retries = retries;
  }

  async handle(node: BinaryNode): Promise<void> {
    const me = this.#deps.me();
    let r;
    try {
      r = parseReceipt(node, { pn: me.jid, lid: me.lid });
    } catch (err) {
      if (err instanceof StanzaError) return;
      throw err;
    }
    if (r.type === 'retry') {
      if (r.aboutOurMessage) await this.#retries.resend(r, node);
      return;
    }
    const status = receiptStatus(r.type);
    if (!status) return;
    const chat = await this.#ids.canonicalChat(r.chat);
    const by = r.byMe ? jidNormalizedUser(me.jid) : await this.#ids.canonicalChat(r.by);
    if (!r.aboutOurMessage) return this.#apply(r, chat, by, status, [...r.ids]);
    // One at a time, so two devices' receipts for one message cannot both find it not yet delivered.
    const turn = this.#ours.then(() => this.#merged(r, chat, by, status));
    this.#ours = turn.catch(() => undefined);
    return turn;
  }

  /**
   * A receipt about our message, merged as WhatsApp Web shows it: each of the
   * recipient's devices sends its own, but a 1:1 message is delivered when the
   * first device has it and read when the first reads it; in a group (or a
   * status) each participant's progress counts on its own. Only the ids that
   * this receipt moves forward are told; one that moves none is not an event.
   */
  async #merged(r: ReceiptOf, chat: string, by: string, status: string): Promise<void> {
    const perParticipant = isGroup(chat) || isStatusBroadcast(chat);
    const rank = statusRank(status);
    // A step that is no delivery status (`server`: our own device has its copy) is told as it comes.
    if (rank < 0) return this.#apply(r, chat, by, status, [...r.ids]);
    const forward: string[] = [];
    for (const id of r.ids) {
      const m = await this.#deps.store.chatMessages.get(chat, id);
      // Not in the message store (evicted, or sent before it kept sends): nothing to compare, so told.
      if (!m || receiptStepOf(m, by, perParticipant) < rank) forward.push(id);
    }
    if (forward.length === 0) return;
    await this.#apply(r, chat, by, status, forward);
  }

  async #apply(r: ReceiptOf, chat: string, by: string, status: string, ids: string[]): Promise<void> {
    let publish: () => void = () => undefined;
    await this.#deps.store.transaction((tx) => {
      publish = this.#deps.events.stage(tx, [
        { type: 'message:receipt', conversationId: chat, data: { chat, messageIds: ids, status, type: r.type, by, fromMe: r.aboutOurMessage, t: r.t } },
      ]);
      if (r.aboutOurMessage) {
        storeStatus(tx, chat, ids, status);
        if (isGroup(chat) || isStatusBroadcast(chat)) storeParticipantReceipt(tx, chat, ids, by, status);
      }
      // Another of our devices read the chat: nothing in it is unread any more.
      else if (r.byMe && (status === 'read' || status === 'played')) tx.chats.patch(chat, { readAt: r.t || Math.floor(Date.now() / 1000), markedUnread: false });
    });
    publish();
  }
}

/**
 * Read (or played) receipts for messages we received. Group receipts name
 * each message's sender, so ids are grouped by sender (WhatsApp Web does the same).
 * @param senders message id → sender user JID (groups only)
 */
export function readReceipts(chat: string, ids: readonly string[], senders: ReadonlyMap<string, string>, type: 'read' | 'read-self' | 'played', nowSeconds: number): BinaryNode[] {
  if (ids.length === 0) return [];
  // A status's receipt names its author like a group message's: status@broadcast has many.
  if (!isGroup(chat) && !isStatusBroadcast(chat)) return [buildReceipt({ ids, to: chat, type, t: nowSeconds })];
  const bySender = new Map<string, string[]>();
  for (const id of ids) {
    const s = senders.get(id);
    if (!s) continue;
    bySender.set(s, [...(bySender.get(s) ?? []), id]);
  }
  return [...bySender].map(([participant, list]) => buildReceipt({ ids: list, to: chat, participant, type, t: nowSeconds }));
}

/**
 * Sends read (or played) receipts for messages of a chat, each naming its
 * sender where the chat has many (a group, status@broadcast), then stores
 * the chat as read up to here: the chat list shows nothing unread, as the
 * phone does once a chat is opened.
 */
export async function markChatRead(deps: MessagingDeps, ids: Identities, chat: string, messageIds: readonly string[], type: 'read' | 'played', nowMs: number): Promise<void> {
  const senders = new Map<string, string>();
  if (isGroup(chat) || isStatusBroadcast(chat)) {
    for (const id of messageIds) {
      const rec = await deps.store.messages.get(chat, id);
      if (typeof rec?.sender === 'string') senders.set(id, rec.sender);
    }
  }
  for (const node of readReceipts(chat, messageIds, senders, type, Math.floor(nowMs / 1000))) await deps.port.send(node);
  const stored = await ids.canonicalChat(chat);
  await deps.store.transaction((tx) => tx.chats.patch(stored, { readAt: Math.floor(nowMs / 1000), markedUnread: false }));
}
