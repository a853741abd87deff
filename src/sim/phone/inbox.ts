/**
 * Receiving on the phone: decrypts each <enc> of an incoming <message> in
 * order (pkmsg/msg first, so a sender key distributed in the same stanza is
 * known before its skmsg), keeps what was received (any kind, as protobuf
 * JSON), answers with a delivery receipt, or with a retry receipt when
 * something does not decrypt. Acks are the
 * phone's (phone.ts) business. Keeps a bounded list of received messages,
 * each once: a message is known by chat, sender and id, so one sent again
 * under the same id (a sender completing a send whose ack it never saw) is
 * receipted and dropped, as WhatsApp clients do.
 */
import { isGroup, isSameUser, toUserJid } from '../../protocol/jid/index.js';
import { SignalError } from '../../protocol/signal/index.js';
import { GroupCipherError } from '../../protocol/signal/group/index.js';
import type { PhoneReceivedMessage, SimNode } from '../phone-host.js';
import { decodeContent } from '../../protocol/message/index.js';
import type { proto } from '../../protocol/proto/index.js';
import { decodePadded, messageToJson, type DecodedContent } from './content.js';
import { topUpPreKeys, type PhoneCore } from './core.js';
import { PhoneError } from './errors.js';
import type { IncomingContent } from './history/recorder.js';
import { buildRetryReceipt } from './retry.js';
import { buildDeliveryReceipt, deviceJid, parseIncomingMessage, type IncomingEnc, type IncomingMessage } from './stanzas.js';

const RECEIVED_LIMIT = 10_000;
const MAX_RETRY_COUNT = 5;

/** What happened to one incoming message (for tests and logs). */
export type InboxOutcome = 'received' | 'no-content' | 'duplicate' | 'retry' | 'failed' | 'ignored';

function isDuplicate(error: unknown): boolean {
  return (error instanceof SignalError && error.code === 'DUPLICATE_MESSAGE') || (error instanceof GroupCipherError && error.code === 'DUPLICATE');
}

/** Sees every decrypted message with content (the phone's history keeps and answers them). */
export type InboxObserver = (content: IncomingContent) => void;

export class Inbox {
  readonly #core: PhoneCore;
  readonly #observer: InboxObserver | undefined;
  readonly #received: PhoneReceivedMessage[] = [];
  /** Keys (chat, sender, id) of what #received holds. */
  readonly #known = new Set<string>();
  /** Messages that came again under a key already held (dropped). */
  redelivered = 0;
  readonly #retries = new Map<string, number>();
  /** The last decrypt failures, newest last (bounded), for diagnosis. */
  readonly failures: Array<{ id: string; from: string; error: string }> = [];

  /** Messages from the phone's own companions (key requests, …): true when taken, so not stored. */
  readonly #fromCompanion: ((device: string, message: proto.IMessage) => boolean) | undefined;

  constructor(
    core: PhoneCore,
    restored: PhoneReceivedMessage[] = [],
    fromCompanion?: (device: string, message: proto.IMessage) => boolean,
    observer?: InboxObserver,
  ) {
    this.#core = core;
    this.#fromCompanion = fromCompanion;
    this.#observer = observer;
    // Snapshots from before every kind was kept hold texts only.
    this.#received.push(...restored.slice(-RECEIVED_LIMIT).map((m) => ({ ...m, type: m.type ?? 'text', message: m.message ?? { conversation: m.text } })));
    for (const m of this.#received) this.#known.add(keyOf(m));
  }

  received(): PhoneReceivedMessage[] {
    return this.#received.map((m) => ({ ...m }));
  }

  /** Handles one <message>. Never throws. */
  onMessage(node: SimNode): InboxOutcome {
    const msg = parseIncomingMessage(node);
    const author = msg && deviceJid(msg.author);
    if (!msg || !author || msg.encs.length === 0) return 'ignored';
    const { host } = this.#core;
    let content: DecodedContent | undefined;
    let fromOwnDevice = false;
    try {
      for (const enc of msg.encs) {
        const decoded = this.#decrypt(msg, author, enc);
        if (decoded.sentTo !== undefined) fromOwnDevice = true;
        if (decoded.message) content = decoded;
      }
    } catch (error) {
      if (isDuplicate(error)) {
        host.deliverFromPhone(buildDeliveryReceipt(msg));
        return 'duplicate';
      }
      return this.#fail(msg, error);
    }
    this.#retries.delete(msg.id);
    host.deliverFromPhone(buildDeliveryReceipt(msg));
    if (content?.message) this.#observer?.({ node, msg, author, message: content.message, ...(content.sentTo !== undefined ? { sentTo: content.sentTo } : {}) });
    if (!content?.message) return 'no-content';
    // A companion's request to its phone may come as is (category "peer") or as a copy to its own user (Baileys).
    if (author !== this.#core.self && isSameUser(author, this.#core.self) && this.#fromCompanion?.(author, content.message)) return 'no-content';
    if (fromOwnDevice) return 'no-content';
    return this.#store(msg, author, content.message) ? 'received' : 'duplicate';
  }

  #decrypt(msg: IncomingMessage, author: string, enc: IncomingEnc): DecodedContent {
    const { book, keys, local } = this.#core;
    if (enc.type === 'skmsg') {
      if (!sharedChat(msg.from)) throw new PhoneError('DECRYPT_FAILED', 'skmsg outside a group or status@broadcast');
      return decodePadded(book.groupDecrypt(msg.from, author, enc.ciphertext));
    }
    const { plaintext, usedPreKeyId } = book.decrypt(author, local, enc.type, enc.ciphertext, {
      preKey: (id) => keys.preKey(id),
      signedPreKey: (id) => (id === keys.signedPreKey.keyId ? keys.signedPreKey.keyPair : undefined),
    });
    if (usedPreKeyId !== undefined) {
      keys.consumePreKey(usedPreKeyId);
      topUpPreKeys(this.#core);
    }
    const content = decodePadded(plaintext);
    if (content.senderKey) book.processDistribution(content.senderKey.groupId, author, content.senderKey.distribution);
    return content;
  }

  /** False when the message was held already (same chat, sender and id). */
  #store(msg: IncomingMessage, author: string, message: proto.IMessage): boolean {
    const group = sharedChat(msg.from);
    const sender = toUserJid(author) ?? author;
    const key = keyOf({ id: msg.id, from: group ? msg.from : sender, ...(group ? { participant: sender } : {}) });
    if (this.#known.has(key)) {
      this.redelivered++;
      return false;
    }
    this.#known.add(key);
    // The kind and the text (or caption, or edited text) as the protocol core reads them; the whole message beside.
    const decoded = decodeContent(message);
    this.#received.push({
      id: msg.id,
      from: group ? msg.from : sender,
      ...(group ? { participant: sender } : {}),
      text: decoded.content ?? '',
      type: decoded.type,
      message: messageToJson(message),
      t: msg.t !== undefined ? msg.t * 1000 : this.#core.host.now(),
    });
    if (this.#received.length > RECEIVED_LIMIT) {
      for (const gone of this.#received.splice(0, this.#received.length - RECEIVED_LIMIT)) this.#known.delete(keyOf(gone));
    }
    return true;
  }

  /** Asks the author to re-encrypt, with a fresh one-time prekey of ours so it can start a new session. */
  #fail(msg: IncomingMessage, error: unknown): InboxOutcome {
    const { host, keys } = this.#core;
    this.failures.push({ id: msg.id, from: msg.author, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    if (this.failures.length > 100) this.failures.shift();
    const count = (this.#retries.get(msg.id) ?? 0) + 1;
    if (count > MAX_RETRY_COUNT) {
      this.#retries.delete(msg.id);
      return 'failed';
    }
    this.#retries.set(msg.id, count);
    if (this.#retries.size > 1000) this.#retries.delete(this.#retries.keys().next().value as string);
    const minted = keys.mintPreKeys(1);
    host.deliverFromPhone(
      buildRetryReceipt(msg, count, Math.floor(host.now() / 1000), {
        registrationId: minted.registrationId,
        identityKey: minted.identityKey,
        signedPreKey: minted.signedPreKey,
        preKey: minted.preKeys[0],
      }),
    );
    return 'retry';
  }
}

/** Chats a sender key serves: groups, and status@broadcast (a contact's statuses). */
function sharedChat(jid: string): boolean {
  return isGroup(jid) || jid === 'status@broadcast';
}

function keyOf(m: Pick<PhoneReceivedMessage, 'id' | 'from' | 'participant'>): string {
  return `${m.from}\u0000${m.participant ?? ''}\u0000${m.id}`;
}
