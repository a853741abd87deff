/**
 * Incoming `<message>`: the receive path. Under the author's identity lock:
 * skip what is already stored (a redelivery is acknowledged again, never
 * delivered twice), decrypt every `<enc>` in order (pkmsg/msg first, so a
 * sender key distributed in the same stanza is known before its skmsg), and
 * commit the message record, its events and the new session/sender-key
 * state in ONE batch; only then does the handler resolve, so the connection
 * confirms a message that is durable. The delivery receipt is that
 * confirmation (no `<ack>` follows it, as in WhatsApp Web, Baileys and
 * whatsmeow); a failure sends a retry receipt (retry.ts) and is acked.
 *
 * Must not build outgoing messages (outbound.ts) or answer retries (retry.ts).
 */
import type { BinaryNode } from '../../protocol/binary/index.js';
import { deliveryReceiptFor, parseIncomingMessage, StanzaError, type IncomingMessage } from '../../protocol/stanza/index.js';
import { isGroup, isLid, isPn, jidNormalizedUser } from '../../protocol/jid/index.js';
import { proto } from '../../protocol/proto/index.js';
import { deviceSentInnerBytes } from '../../protocol/message/index.js';
import { SignalError, unpadMessage } from '../../protocol/signal/index.js';
import { GroupCipherError } from '../../protocol/signal/group/index.js';
import { StoreError, type Transaction, type ValueMap } from '../../store/index.js';
import { CryptoPoolError } from '../../protocol/jobs/index.js';
import { LockError } from '../locks.js';
import type { MessagingDeps } from '../messaging-deps.js';
import type { HandleOutcome, StanzaHandler } from '../ports.js';
import type { DeviceDirectory } from './devices.js';
import { MessagingError } from './errors.js';
import type { Identities } from './identity.js';
import { interpret, readPoll, type InboundResult } from './inbound.js';
import { readEvent } from './addon-sends.js';
import { storeMessageEvents } from './message-store.js';
import type { Retries } from './retry.js';
import type { SessionCrypto, StageWrites } from './sessions.js';

export interface ReceiveParts {
  readonly deps: MessagingDeps;
  readonly ids: Identities;
  readonly devices: DeviceDirectory;
  readonly sessions: SessionCrypto;
  readonly retries: Retries;
  readonly now: () => number;
  /** Protocol messages for other parts of the account (history sync, app state keys, peer data operations). */
  readonly onProtocolMessage?: ((message: proto.IMessage, msg: IncomingMessage) => void) | undefined;
  /** Protocol messages whose effect must be durable before the message is acked (app state keys). */
  readonly protocolSink?: ProtocolMessageSink | undefined;
  /** A chat's disappearing timer changed (seconds; 0: off), learned from a received message. */
  /** Whether we said `available` on this link: our delivery receipts are `inactive` until then. */
  readonly active: () => boolean;
  /** Test seam: throw to simulate a decrypt failure for a message id. */
  readonly failDecrypt?: ((msg: IncomingMessage) => boolean) | undefined;
}

type Outcome = 'stored' | 'duplicate' | 'failed';

/** What a part of the account does with a protocol message: writes that go in the message's own batch, and what follows the commit. */
export interface ProtocolMessageEffect {
  readonly stage?: (tx: Transaction) => void;
  readonly committed?: () => void;
}

export interface ProtocolMessageSink {
  /** Reads what it needs (never writes); undefined when the message is not its. */
  accept(message: proto.IMessage, msg: IncomingMessage): Promise<ProtocolMessageEffect | undefined>;
}

export class MessageReceiver implements StanzaHandler {
  readonly tags = ['message'] as const;
  readonly #p: ReceiveParts;
  readonly stats = { received: 0, duplicates: 0, failures: 0 };

  constructor(parts: ReceiveParts) {
    this.#p = parts;
  }

  /** `answered` once the delivery receipt went out: the receipt is the message's confirmation, no ack follows. */
  async handle(node: BinaryNode): Promise<HandleOutcome> {
    const { deps } = this.#p;
    const me = deps.me();
    let msg: IncomingMessage;
    try {
      msg = parseIncomingMessage(node, { pn: me.jid, lid: me.lid });
    } catch (err) {
      if (err instanceof StanzaError) {
        deps.logger.warn({ err: err.message }, 'unreadable message stanza; acked and dropped');
        return;
      }
      throw err;
    }
    if (msg.authorAlt || msg.recipientAlt) await this.#learn(msg);
    if (msg.kind === 'newsletter' || msg.encs.length === 0) return;
    if (!this.#p.devices.knows(msg.author)) await this.#p.devices.invalidate(msg.author);
    const outcome = await this.#receive(msg);
    if (outcome === 'failed') return;
    this.#p.retries.forget(msg.id);
    try {
      await deps.port.send(deliveryReceiptFor(msg, { active: this.#p.active() }));
      return 'answered';
    } catch (err) {
      deps.logger.debug({ err: (err as Error).message, id: msg.id }, 'delivery receipt not sent');
      return undefined;
    }
  }

  /** The LID↔PN pairs the envelope reveals: the author's, and on our own copies the peer's. */
  async #learn(msg: IncomingMessage): Promise<void> {
    await this.#learnPair(msg.author, msg.authorAlt);
    if (msg.fromMe && msg.recipient) await this.#learnPair(msg.recipient, msg.recipientAlt);
  }

  async #learnPair(jid: string, altJid: string | undefined): Promise<void> {
    const one = jidNormalizedUser(jid);
    const alt = jidNormalizedUser(altJid);
    if (isPn(one) && isLid(alt)) await this.#p.ids.learn(one, alt);
    else if (isLid(one) && isPn(alt)) await this.#p.ids.learn(alt, one);
  }

  async #receive(msg: IncomingMessage): Promise<Outcome> {
    const { deps, ids, sessions } = this.#p;
    const chat = await ids.canonicalChat(msg.chat);
    try {
      return await ids.withIdentity([msg.author], async (job, [address]) => {
        // Our own send coming back to us (as another device's copy) is in the log already, as its message:new fromMe.
        if ((await deps.store.messages.has(chat, msg.id)) || (msg.fromMe && (await deps.store.sent.get(msg.id)) !== undefined)) {
          this.stats.duplicates++;
          return 'duplicate';
        }
        if (this.#p.failDecrypt?.(msg)) throw new SignalError('BAD_MAC', 'decrypt failure forced by a test');
        const stages: StageWrites[] = [];
        // Sender-key records made from a distribution earlier in this stanza (not committed yet).
        const pendingKeys = new Map<string, Uint8Array>();
        let identityChanged = false;
        let content: proto.IMessage | undefined;
        // The plaintext as it came: `raw` for kinds our schema lacks must not lose their fields.
        let contentBytes: Uint8Array | undefined;
        for (const enc of msg.encs) {
          if (enc.type === 'pkmsg' || enc.type === 'msg') {
            const r = await sessions.decrypt(job, address!, enc.type, enc.ciphertext, this.#p.now());
            stages.push(r.stage);
            identityChanged ||= r.identityChanged;
            const plain = unpadMessage(r.plaintext);
            const m = proto.Message.decode(plain);
            const skdm = m.senderKeyDistributionMessage;
            if (skdm?.groupId && skdm.axolotlSenderKeyDistributionMessage) {
              const prev = (await deps.store.senderKeys.get(skdm.groupId, address!)) ?? null;
              const distribution = skdm.axolotlSenderKeyDistributionMessage;
              // A damaged record is replaced by what the distribution carries (it is overwritten with this message).
              const out = await job('group.process', { record: prev, distribution }).catch((err: unknown) => {
                if (prev === null || !isDamagedSenderKey(err)) throw err;
                deps.logger.warn({ group: skdm.groupId, err: (err as Error).message }, 'damaged sender key record replaced');
                return job('group.process', { record: null, distribution });
              });
              stages.push((tx) => tx.senderKeys.put(skdm.groupId!, address!, out.record));
              pendingKeys.set(skdm.groupId, out.record);
            }
            content = m;
            contentBytes = plain;
          } else if (enc.type === 'skmsg') {
            const record = pendingKeys.get(msg.chat) ?? (await deps.store.senderKeys.get(msg.chat, address!)) ?? null;
            const out = await job('group.decrypt', { record, ciphertext: enc.ciphertext }).catch(async (err: unknown) => {
              if (!isDamagedSenderKey(err)) throw err;
              // Dropped so that the sender's resend (pairwise, with its sender key) starts it afresh.
              await deps.store.transaction((tx) => tx.senderKeys.delete(msg.chat, address!));
              deps.logger.warn({ group: msg.chat, err: (err as Error).message }, 'damaged sender key record dropped');
              throw new GroupCipherError('NO_SENDER_KEY', 'the sender key record was damaged and dropped');
            });
            stages.push((tx) => tx.senderKeys.put(msg.chat, address!, out.record));
            contentBytes = unpadMessage(out.plaintext);
            content = proto.Message.decode(contentBytes);
          } else {
            deps.logger.debug({ type: enc.type, id: msg.id }, 'enc type not decrypted');
          }
        }
        await this.#commit(msg, chat, content, contentBytes, stages, identityChanged);
        this.stats.received++;
        return 'stored';
      });
    } catch (err) {
      if (isDuplicate(err)) {
        this.stats.duplicates++;
        return 'duplicate';
      }
      // Our own trouble (store, pool, shutdown) is not the sender's: no ack, the server redelivers.
      if (!(err instanceof Error) || err instanceof StoreError || err instanceof CryptoPoolError || err instanceof LockError || err instanceof MessagingError) throw err;
      this.stats.failures++;
      deps.logger.warn({ id: msg.id, err: (err as Error).message }, 'message did not decrypt');
      // Without a session (never had one, or a damaged one was just dropped) the sender needs our keys at once.
      const noSession = err instanceof SignalError && err.code === 'NO_SESSION';
      const asked = await this.#p.retries.requestRetry(msg, noSession).catch(() => false);
      if (!asked) await this.#commitUndecryptable(msg, chat, err as Error);
      return 'failed';
    }
  }

  async #commit(msg: IncomingMessage, chat: string, content: proto.IMessage | undefined, contentBytes: Uint8Array | undefined, stages: StageWrites[], identityChanged: boolean): Promise<void> {
    const { deps, ids } = this.#p;
    const me = deps.me();
    const sender = msg.fromMe ? jidNormalizedUser(me.jid) : await ids.canonicalChat(msg.author);
    let result: InboundResult | undefined;
    let message = content;
    let messageBytes = contentBytes;
    let target = chat;
    if (message?.deviceSentMessage?.message) {
      messageBytes = contentBytes && deviceSentInnerBytes(contentBytes);
      target = await ids.canonicalChat(message.deviceSentMessage.destinationJid ?? chat);
      message = { ...message.deviceSentMessage.message, messageContextInfo: message.deviceSentMessage.message.messageContextInfo ?? message.messageContextInfo };
    }
    const isProtocolForAccount = message?.protocolMessage && ![0, 3, 14].includes(message.protocolMessage.type ?? 0);
    let effect: ProtocolMessageEffect | undefined;
    if (message && (isProtocolForAccount || msg.category === 'peer')) {
      this.#p.onProtocolMessage?.(message, msg);
      effect = await this.#p.protocolSink?.accept(message, msg);
    } else if (message) {
      const alts = [jidNormalizedUser(msg.author), jidNormalizedUser(msg.authorAlt)].filter((j) => j !== '' && j !== sender);
      const vote = message.pollUpdateMessage?.pollCreationMessageKey?.id;
      const poll = vote ? readPoll(await deps.store.messages.get(target, vote)) : undefined;
      const answered = message.encEventResponseMessage?.eventCreationMessageKey?.id;
      const event = answered ? readEvent((await deps.store.messages.get(target, answered)) ?? (await deps.store.messages.get(chat, answered))) : undefined;
      const meIds = [jidNormalizedUser(me.jid), jidNormalizedUser(me.lid)].filter((j) => j !== '');
      result = interpret(message, { id: msg.id, chat: target, sender, senderAlts: alts, fromMe: msg.fromMe, t: msg.t, offline: msg.offline, pushName: msg.notify, me: meIds }, poll, messageBytes, event);
    }
    const events = [...(result?.events ?? [])];
    if (identityChanged) {
      // A contact reinstalled (a pkmsg from a new identity key): consumers are told, the new session is kept.
      events.unshift({ type: 'account:status', conversationId: sender, data: { kind: 'identity-changed', jid: sender, device: msg.author } });
    }
    // A 1:1 chat's disappearing timer, as this message sets or carries it, kept with the message.
    const d = result?.decoded;
    const timer = d?.type === 'disappearing' ? (d.disappearing?.expiration ?? 0) : d?.expiration;
    const newTimer = timer !== undefined && !isGroup(target) && (await deps.store.chats.get(target))?.expiration !== timer ? timer : undefined;
    let publish: () => void = () => undefined;
    await deps.store.transaction((tx: Transaction) => {
      for (const s of stages) s(tx);
      if (newTimer !== undefined) tx.chats.put(target, { expiration: newTimer });
      // Our push name, as the server stamps it on what our own devices send (WhatsApp gives companions no other
      // way short of app-state sync); presence needs it. Kept with the message that told us.
      const creds = deps.store.creds;
      if (msg.fromMe && msg.notify && creds?.me && creds.me.name !== msg.notify) tx.creds.update({ me: { ...creds.me, name: msg.notify } });
      tx.messages.put(chat, msg.id, (result?.record ?? { type: 'protocol', t: msg.t }) as ValueMap);
      if (target !== chat && result) tx.messages.put(target, msg.id, result.record);
      if (result?.pollUpdate) tx.messages.put(result.pollUpdate.chat, result.pollUpdate.id, result.pollUpdate.record);
      if (result) storeMessageEvents(tx, result.events, { unread: true });
      // The name a person chose, as the server stamps it on what they send (contact:list).
      if (result && !msg.fromMe && msg.notify && !isGroup(sender)) tx.contacts.patch(sender, { pushName: msg.notify });
      effect?.stage?.(tx);
      if (events.length > 0) publish = deps.events.stage(tx, events);
    });
    publish();
    effect?.committed?.();
  }

  async #commitUndecryptable(msg: IncomingMessage, chat: string, err: Error): Promise<void> {
    const { deps, ids } = this.#p;
    const sender = await ids.canonicalChat(msg.author);
    let publish: () => void = () => undefined;
    await deps.store.transaction((tx) => {
      tx.messages.put(chat, msg.id, { type: 'undecryptable', t: msg.t, sender });
      publish = deps.events.stage(tx, [
        { type: 'message:new', conversationId: chat, data: { id: msg.id, chat, sender, fromMe: msg.fromMe, t: msg.t, type: 'undecryptable', error: err.message } },
      ]);
    });
    publish();
  }
}

function isDamagedSenderKey(err: unknown): boolean {
  return err instanceof GroupCipherError && err.code === 'BAD_RECORD';
}

function isDuplicate(err: unknown): boolean {
  return (err instanceof SignalError && err.code === 'DUPLICATE_MESSAGE') || (err instanceof GroupCipherError && err.code === 'DUPLICATE');
}
