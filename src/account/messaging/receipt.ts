/**
 * Incoming `<receipt>`: delivery/read/played receipts for messages we sent
 * become `message:receipt` events (persisted, then published); retry
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
import { storeStatus } from './message-store.js';

export class ReceiptHandler implements StanzaHandler {
  readonly tags = ['receipt'] as const;
  readonly #deps: MessagingDeps;
  readonly #ids: Identities;
  readonly #retries: Retries;

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
    let publish: () => void = () => undefined;
    await this.#deps.store.transaction((tx) => {
      publish = this.#deps.events.stage(tx, [
        { type: 'message:receipt', conversationId: chat, data: { chat, messageIds: [...r.ids], status, type: r.type, by, fromMe: r.aboutOurMessage, t: r.t } },
      ]);
      if (r.aboutOurMessage) storeStatus(tx, chat, r.ids, status);
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
