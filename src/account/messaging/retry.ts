/**
 * Decryption retries, both directions, the way WhatsApp does them.
 * - We failed to decrypt: send a retry receipt (count 1 bare; from count 2
 *   with a fresh one-time prekey and our signed prekey, so the sender builds
 *   a new session at once), at most MAX_RETRY_COUNT times per message.
 * - A peer failed: re-encrypt the cached sent message for the
 *   one device that asked, with a session built from the receipt's keys, or
 *   a freshly fetched bundle; a group message goes pairwise with our sender
 *   key attached; our own devices get the DeviceSentMessage copy.
 *
 * Owns the per-message retry counters (bounded); must not decrypt.
 */
import { buildRetryReceipt, buildRetryResend, MAX_RETRY_COUNT, parseRetryRequest, retryNeedsKeys, type IncomingMessage, type IncomingReceipt } from '../../protocol/stanza/index.js';
import { deviceSentCopy, encodeMessage, stanzaType } from '../../protocol/message/index.js';
import { isGroup, isSameUser } from '../../protocol/jid/index.js';
import { proto } from '../../protocol/proto/index.js';
import { generatePreKeys, padMessage } from '../../protocol/signal/index.js';
import type { BinaryNode } from '../../protocol/binary/index.js';
import type { MessagingDeps } from '../messaging-deps.js';
import { BoundedMap } from './bounded.js';
import type { Outbound } from './outbound.js';
import type { SessionCrypto } from './sessions.js';

export interface RetryParts {
  readonly deps: MessagingDeps;
  readonly sessions: SessionCrypto;
  readonly outbound: Outbound;
}

export class Retries {
  readonly #p: RetryParts;
  /** Retry receipts we sent, per message id. */
  readonly #asked = new BoundedMap<string, number>(10_000);
  /** Resends we made, per message id and device. */
  readonly #resent = new BoundedMap<string, number>(10_000);
  /** Counters. */
  readonly stats = { receiptsSent: 0, resends: 0, givenUp: 0 };

  constructor(parts: RetryParts) {
    this.#p = parts;
  }

  /** The number of retry receipts already sent for a message. */
  asked(id: string): number {
    return this.#asked.get(id) ?? 0;
  }

  forget(id: string): void {
    this.#asked.delete(id);
  }

  /**
   * Asks the sender to encrypt `msg` again. Returns false when the budget is
   * spent (the caller records the message as undecryptable).
   */
  async requestRetry(msg: IncomingMessage, forceKeys = false): Promise<boolean> {
    const count = (this.#asked.get(msg.id) ?? 0) + 1;
    if (count > MAX_RETRY_COUNT) {
      this.stats.givenUp++;
      return false;
    }
    this.#asked.set(msg.id, count);
    const { deps } = this.#p;
    const creds = deps.store.creds;
    if (!creds) return false;
    let keys: Parameters<typeof buildRetryReceipt>[0]['keys'];
    if (retryNeedsKeys(count, forceKeys)) {
      const [preKey] = generatePreKeys(creds.nextPreKeyId, 1);
      await deps.store.transaction((tx) => {
        tx.preKeys.put([{ keyId: preKey!.keyId, keyPair: { public: preKey!.keyPair.public, private: preKey!.keyPair.private } }]);
        tx.creds.update({ nextPreKeyId: (tx.creds.current?.nextPreKeyId ?? creds.nextPreKeyId) + 1 });
      });
      keys = {
        identityKey: creds.identityKey.public,
        signedPreKey: { keyId: creds.signedPreKey.keyId, publicKey: creds.signedPreKey.keyPair.public, signature: creds.signedPreKey.signature },
        preKey: { keyId: preKey!.keyId, publicKey: preKey!.keyPair.public },
        deviceIdentity: this.#p.outbound.deviceIdentity(),
      };
    }
    await deps.port.send(
      buildRetryReceipt({ id: msg.id, from: msg.from, participant: msg.participant, recipient: msg.recipient, t: msg.t, count, registrationId: creds.registrationId, keys }),
    );
    this.stats.receiptsSent++;
    deps.logger.info({ id: msg.id, count }, 'sent retry receipt');
    return true;
  }

  /**
   * Answers a peer's retry receipt by re-encrypting the cached message for
   * the device that asked. Unknown ids and exhausted budgets are logged and ignored.
   */
  async resend(receipt: IncomingReceipt, node: BinaryNode): Promise<void> {
    const { deps, sessions, outbound } = this.#p;
    const req = parseRetryRequest(node);
    const device = receipt.participant ?? receipt.from;
    for (const id of receipt.ids) {
      const key = `${id}:${device}`;
      const done = this.#resent.get(key) ?? 0;
      if (done >= MAX_RETRY_COUNT) {
        deps.logger.info({ id, device }, 'retry budget spent; not resending');
        continue;
      }
      const sent = await deps.store.sent.get(id);
      if (!sent) {
        deps.logger.info({ id }, 'retry receipt for a message we no longer hold');
        continue;
      }
      this.#resent.set(key, done + 1);
      if (req.bundle) {
        await sessions.initFromBundle(device, {
          registrationId: req.bundle.registrationId,
          identityKey: req.bundle.identityKey,
          signedPreKey: req.bundle.signedPreKey,
          preKey: req.bundle.preKey ?? null,
        });
      } else {
        // Without keys, WhatsApp Web rebuilds from a freshly fetched bundle (Baileys' assertSessions(force)).
        await sessions.ensure([device], [device]);
      }
      let message: proto.IMessage = proto.Message.decode(sent.message);
      if (isGroup(sent.to)) {
        const skdm = await outbound.senderKeyDistribution(sent.to);
        if (skdm) message = { ...message, senderKeyDistributionMessage: { groupId: sent.to, axolotlSenderKeyDistributionMessage: skdm } };
      }
      const ownDevice = isSameUser(device, deps.me().jid) || (deps.me().lid !== undefined && isSameUser(device, deps.me().lid));
      const plaintext = padMessage(encodeMessage(ownDevice && !isGroup(sent.to) ? deviceSentCopy(sent.to, message) : message));
      const [enc] = await sessions.encrypt([{ jid: device, plaintext }]);
      if (!enc) {
        deps.logger.warn({ id, device }, 'no session for a retry resend');
        continue;
      }
      await deps.port.send(
        buildRetryResend({
          id,
          chat: sent.to,
          device,
          type: stanzaType(message),
          enc,
          count: req.count,
          ownDevice: ownDevice && !isGroup(sent.to),
          deviceIdentity: outbound.deviceIdentity(),
        }),
      );
      this.stats.resends++;
      deps.logger.info({ id, device, count: req.count }, 'resent message after a retry receipt');
    }
  }
}
