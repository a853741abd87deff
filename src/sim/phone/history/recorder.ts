/**
 * What the phone's live traffic adds to its history, as a phone's chat list
 * shows it: every message it sent or received (its own companions' sends
 * too, from their own-device copies), edits and revokes applied to the
 * message they name, unread counts (up on a message from someone else, back
 * to 0 once we write in the chat), reactions on the message they name,
 * delivery and read status of our messages from the receipts, the push names
 * and LIDs the server stamps on incoming stanzas, and group subjects. Poll
 * votes, other protocol messages and peer messages are not chat lines and
 * are not kept. A full history drops
 * what does not fit; recording never throws.
 */
import { isGroup, isSameUser, isStatusBroadcast, toUserJid } from '../../../protocol/jid/index.js';
import type { MessageStatus } from '../../../protocol/history/index.js';
import { unwrap } from '../../../protocol/message/index.js';
import { proto } from '../../../protocol/proto/index.js';
import type { SimNode } from '../../phone-host.js';
import type { PhoneCore } from '../core.js';
import { parseReceipt, type IncomingMessage } from '../stanzas.js';
import { senderKey, type HistoryStore, type StoredChat, type StoredMessage } from './store.js';

const PROTOCOL = proto.Message.ProtocolMessage.Type;
/** WebMessageInfo.StubType REVOKE. */
const STUB_REVOKE = 1;
const STATUS_RANK: Readonly<Record<MessageStatus, number>> = { error: 0, pending: 1, sent: 2, delivered: 3, read: 4, played: 5 };

/** A decrypted incoming message, as the inbox hands it over. */
export interface IncomingContent {
  node: SimNode;
  msg: IncomingMessage;
  /** The author's device jid. */
  author: string;
  message: proto.IMessage;
  /** Set for a copy of what one of our companions sent to this chat. */
  sentTo?: string;
}

interface Line {
  chat: string;
  fromMe: boolean;
  /** The author of someone else's message in a group. */
  participant?: string;
  id: string;
  t: number;
  message: proto.IMessage;
  pushName?: string;
  status?: MessageStatus;
}

export class HistoryRecorder {
  readonly #core: PhoneCore;
  readonly #store: HistoryStore;

  constructor(core: PhoneCore, store: HistoryStore) {
    this.#core = core;
    this.#store = store;
  }

  onIncoming(c: IncomingContent): void {
    const { self } = this.#core;
    if (c.msg.category === 'peer' || isStatusBroadcast(c.msg.from)) return;
    const mine = isSameUser(c.author, self);
    const sender = toUserJid(c.author) ?? c.author;
    let chat: string;
    if (isGroup(c.msg.from)) chat = c.msg.from;
    else if (c.sentTo !== undefined) chat = toUserJid(c.sentTo) ?? c.sentTo;
    else chat = mine ? toUserJid(self) ?? self : sender;
    const notify = c.node.attrs.notify;
    const line: Line = {
      chat,
      fromMe: mine,
      id: c.msg.id,
      t: c.msg.t ?? Math.floor(this.#core.host.now() / 1000),
      message: c.message,
      ...(isGroup(chat) && !mine ? { participant: sender } : {}),
      ...(!mine && notify ? { pushName: notify } : {}),
    };
    this.#quietly(() => {
      if (!mine && notify) this.#store.setPushName(sender, notify);
      const lid = c.node.attrs.sender_lid ?? c.node.attrs.participant_lid;
      if (!mine && lid && sender.endsWith('@s.whatsapp.net')) this.#store.setMapping(toUserJid(lid) ?? lid, sender);
    });
    this.#record(line);
  }

  /** A message the phone itself sent to `to` (a user or group jid). */
  onSent(to: string, id: string, message: proto.IMessage): void {
    const chat = isGroup(to) ? to : toUserJid(to) ?? to;
    this.#quietly(() => {
      const lid = chat.endsWith('@s.whatsapp.net') ? this.#core.host.lidOf?.(chat) : undefined;
      if (lid) this.#store.setMapping(lid, chat);
    });
    this.#record({ chat, fromMe: true, id, t: Math.floor(this.#core.host.now() / 1000), message, status: 'sent' });
  }

  /** A delivery, read or played receipt for something we sent: its status moves forward. */
  onReceipt(node: SimNode): void {
    const r = parseReceipt(node);
    if (!r) return;
    const status: MessageStatus | undefined = r.type === undefined || r.type === '' ? 'delivered' : r.type === 'read' ? 'read' : r.type === 'played' ? 'played' : undefined;
    if (!status) return;
    const chat = this.#store.chat(isGroup(r.from) ? r.from : toUserJid(r.from) ?? r.from);
    if (!chat) return;
    for (const id of [r.id, ...r.moreIds]) {
      const m = chat.byKey.get(senderKey({ id, fromMe: true }));
      if (m && STATUS_RANK[status] > STATUS_RANK[m.status ?? 'sent']) {
        m.status = status;
        this.#store.touched();
      }
    }
  }

  #record(line: Line): void {
    this.#quietly(() => {
      const inner = unwrap(line.message).message;
      const p = inner.protocolMessage;
      if (p) return this.#applyProtocol(line, p);
      if (inner.reactionMessage) return this.#applyReaction(line, inner.reactionMessage);
      if (inner.encReactionMessage || inner.pollUpdateMessage) return;
      const chat = this.#store.ensureChat(line.chat);
      if (!chat.name && isGroup(line.chat)) {
        const subject = this.#core.host.groupSubject?.(line.chat);
        if (subject) this.#store.updateChat(chat, { name: subject });
      }
      const added = this.#store.add(chat, {
        id: line.id,
        fromMe: line.fromMe,
        t: line.t,
        content: proto.Message.encode(line.message).finish(),
        ...(line.participant ? { participant: line.participant } : {}),
        ...(line.pushName ? { pushName: line.pushName } : {}),
        ...(line.status ? { status: line.status } : {}),
      });
      if (added) this.#store.updateChat(chat, { unreadCount: line.fromMe ? 0 : chat.unreadCount + 1 });
    });
  }

  /** An edit replaces its message's content; a revoke leaves the message as a "deleted" line. */
  #applyProtocol(line: Line, p: proto.Message.IProtocolMessage): void {
    const chat = this.#store.chat(line.chat);
    const key = p.key;
    if (!chat || !key?.id) return;
    const target = this.#target(chat, line, key);
    if (!target) return;
    if (p.type === PROTOCOL.MESSAGE_EDIT && p.editedMessage) {
      target.content = proto.Message.encode(p.editedMessage).finish();
      this.#store.touched();
    } else if (p.type === PROTOCOL.REVOKE) {
      target.content = new Uint8Array(0);
      target.stub = STUB_REVOKE;
      this.#store.touched();
    }
  }

  /** A reaction lands on the message it names: one per sender, the latest; an empty one takes it back. */
  #applyReaction(line: Line, r: proto.Message.IReactionMessage): void {
    const chat = this.#store.chat(line.chat);
    if (!chat || !r.key?.id) return;
    const target = this.#target(chat, line, r.key);
    if (!target) return;
    const sender = line.fromMe ? undefined : line.participant ?? chat.jid;
    const kept = (target.reactions ?? []).filter((x) => (line.fromMe ? !x.fromMe : x.sender !== sender));
    if (r.text) kept.push({ id: line.id, fromMe: line.fromMe, ...(sender ? { sender } : {}), emoji: r.text, t: Number(r.senderTimestampMs ?? line.t * 1000) });
    if (kept.length > 0) target.reactions = kept;
    else delete target.reactions;
    this.#store.touched();
  }

  /** The message a protocol message's key names: `fromMe` there is from its sender's view. */
  #target(chat: StoredChat, line: Line, key: proto.IMessageKey): StoredMessage | undefined {
    const id = key.id!;
    if (key.fromMe) return chat.byKey.get(senderKey({ id, fromMe: line.fromMe, ...(line.participant ? { participant: line.participant } : {}) }));
    if (!isGroup(chat.jid)) return chat.byKey.get(senderKey({ id, fromMe: !line.fromMe }));
    // An admin's revoke of someone else's group message names its author.
    const author = key.participant ? toUserJid(key.participant) : undefined;
    if (!author) return undefined;
    const mine = isSameUser(author, this.#core.self);
    return chat.byKey.get(senderKey({ id, fromMe: mine, ...(mine ? {} : { participant: author }) }));
  }

  #quietly(work: () => void): void {
    try {
      work();
    } catch {
      // A full history keeps what it has, as a phone out of space would.
    }
  }
}
