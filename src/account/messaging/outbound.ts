/**
 * The send path, run in a chat's sender mailbox: device lists (ours and the
 * peer's, or every member's), sessions for devices that lack one, fan-out
 * encryption through the crypto pool (DeviceSentMessage for our own other
 * devices), sender keys for groups (distributed only to devices that lack
 * ours, rotated when a member leaves), the privacy token, the finished
 * stanza handed to the connection, and the server's ack awaited. The sent
 * message is cached (persisted, bounded) before the stanza leaves, so a
 * retry receipt can always be answered.
 *
 * Must not parse incoming stanzas (message.ts, receipt.ts do).
 */
import { buildDirectMessage, buildGroupMessage, buildNewsletterPost, buildNewsletterReaction, buildStatusMessage, type DeviceEnc, type MessageAttrs } from '../../protocol/stanza/index.js';
import { deviceSentCopy, encodeMessage, mediaType, participantHash, senderKeyDistribution, stanzaType, hideOnDecryptFail } from '../../protocol/message/index.js';
import { isGroup, isNewsletter, isStatusBroadcast, jidNormalizedUser, STATUS_BROADCAST_JID } from '../../protocol/jid/index.js';
import { proto } from '../../protocol/proto/index.js';
import { padMessage } from '../../protocol/signal/index.js';
import type { JobRunner } from '../../protocol/jobs/index.js';
import type { MessagingDeps } from '../messaging-deps.js';
import type { AckWaiter } from './acks.js';
import type { Transaction } from '../../store/index.js';
import type { DeviceDirectory } from './devices.js';
import { serverKey } from './channel-posts.js';
import { MessagingError } from './errors.js';
import type { Groups } from './groups.js';
import type { Identities } from './identity.js';
import type { SessionCrypto } from './sessions.js';
import type { PrivacyTokens } from './tctokens.js';

export interface OutboundParts {
  readonly deps: MessagingDeps;
  readonly ids: Identities;
  readonly devices: DeviceDirectory;
  readonly sessions: SessionCrypto;
  readonly groups: Groups;
  readonly acks: AckWaiter;
  readonly tokens: PrivacyTokens;
  readonly now: () => number;
}

export interface RelayOptions {
  /** edit (1 edit, 7/8 revoke) and the chat's disappearing timer. */
  readonly edit?: string | undefined;
  readonly expiration?: number | undefined;
  /** More writes for the send's first batch (an idempotency key's record): durable before the stanza leaves. */
  readonly remember?: ((tx: Transaction) => void) | undefined;
  /** A status post's audience (user jids); required when the chat is status@broadcast. */
  readonly audience?: readonly string[] | undefined;
  /** A channel media post's upload handle (`media_id`). */
  readonly mediaHandle?: string | undefined;
}

/** The server's ack of a send: its time and the participant hash it saw. */
interface SendAck {
  readonly t: number;
  readonly phash?: string | undefined;
  readonly serverId?: string | undefined;
}

export class Outbound {
  readonly #p: OutboundParts;

  constructor(parts: OutboundParts) {
    this.#p = parts;
  }

  /** Our ADVSignedDeviceIdentity with the account signature key, for stanzas with a pkmsg. */
  deviceIdentity(): Uint8Array | undefined {
    const a = this.#p.deps.store.creds?.account;
    if (!a) return undefined;
    return proto.ADVSignedDeviceIdentity.encode({
      details: a.details,
      accountSignatureKey: a.accountSignatureKey,
      accountSignature: a.accountSignature,
      deviceSignature: a.deviceSignature,
    }).finish();
  }

  /**
   * Sends `message` to `chat` with id `id` and resolves with the server's ack.
   * @throws MessagingError NO_DEVICES, SERVER_REJECTED, ACK_TIMEOUT, NOT_MEMBER, NOT_ADMIN; ConnectionError from the port
   */
  async relay(chat: string, id: string, message: proto.IMessage, options: RelayOptions = {}): Promise<void> {
    const bytes = encodeMessage(message);
    // Kept for retry receipts, committed with the first crypto state the send writes: before the stanza leaves.
    const keep = (tx: Transaction): void => {
      tx.sent.put(id, { to: chat, message: bytes, t: this.#p.now() });
      options.remember?.(tx);
    };
    const attrs: MessageAttrs = {
      edit: options.edit,
      expiration: options.expiration ? String(options.expiration) : undefined,
      mediatype: mediaType(message),
      decryptFailHide: hideOnDecryptFail(message),
    };
    if (isStatusBroadcast(chat)) await this.#relayStatus(id, message, bytes, attrs, keep, options.audience ?? []);
    else if (isNewsletter(chat)) await this.#relayChannelPost(chat, id, message, bytes, attrs, keep, options.mediaHandle);
    else if (isGroup(chat)) await this.#relayGroup(chat, id, message, bytes, attrs, keep);
    else await this.#relayDirect(chat, id, message, bytes, attrs, keep);
  }

  /**
   * A channel post: not end-to-end encrypted (followers are no Signal peers),
   * the Message as is in `<plaintext>`. The server numbers it; the number is
   * kept with our stored copy, since reactions to the post name it.
   */
  async #relayChannelPost(chat: string, id: string, message: proto.IMessage, bytes: Uint8Array, attrs: MessageAttrs, keep: (tx: Transaction) => void, mediaHandle?: string): Promise<void> {
    const { deps } = this.#p;
    await deps.store.transaction((tx) => keep(tx));
    const ack = await this.#sendAndWait(id, buildNewsletterPost(chat, id, stanzaType(message), bytes, attrs.mediatype, mediaHandle));
    const serverId = ack.serverId;
    if (serverId !== undefined) {
      await deps.store.transaction((tx) => {
        tx.chatMessages.update(chat, id, (m) => ({ ...m, serverId }));
        tx.messages.put(chat, serverKey(serverId), { id });
      });
    }
    deps.logger.debug({ id, serverId: ack.serverId }, 'sent channel post');
  }

  /** A reaction to channel post `serverId` (`""` takes ours back); resolves once the server took it. */
  async reactToChannelPost(chat: string, id: string, serverId: string, emoji: string): Promise<void> {
    await this.#sendAndWait(id, buildNewsletterReaction(chat, id, serverId, emoji));
  }

  async #relayDirect(chat: string, id: string, message: proto.IMessage, bytes: Uint8Array, attrs: MessageAttrs, keep: (tx: Transaction) => void): Promise<void> {
    const { deps, ids, devices, sessions } = this.#p;
    const peer = jidNormalizedUser(chat);
    const own = ids.ownUserFor(peer);
    const all = await devices.devices(own === peer ? [peer] : [peer, own]);
    if (!all.some((d) => !ids.isMe(d)) && own !== peer) throw new MessagingError('NO_DEVICES', `${peer} has no devices`);
    const refused = new Set(await sessions.ensure(all));
    const targets = all.filter((d) => !refused.has(d));
    const dsm = padMessage(encodeMessage(deviceSentCopy(peer, message)));
    const plain = padMessage(bytes);
    const encs = await sessions.encrypt(
      targets.map((jid) => ({ jid, plaintext: ids.isMe(jid) ? dsm : plain })),
      keep,
    );
    if (encs.length === 0) throw new MessagingError('NO_DEVICES', `no session could be made with any device of ${peer}`);
    const toSelf = own === peer;
    const phash = participantHash(encs.map((e) => e.jid));
    const stanza = (tctoken: Uint8Array | undefined) =>
      buildDirectMessage({
        id,
        to: peer,
        type: stanzaType(message),
        encs: encs as DeviceEnc[],
        deviceIdentity: this.deviceIdentity(),
        tctoken,
        attrs: { ...attrs, phash },
      });
    let ack: SendAck;
    try {
      ack = await this.#sendAndWait(id, stanza(toSelf ? undefined : await this.#p.tokens.held(peer)));
    } catch (err) {
      if (toSelf || !(err instanceof MessagingError && err.serverCode === 463)) throw err;
      // Refused for want of the contact's privacy token: obtain it and send the very
      // same stanza (same id, same ciphertexts: nobody got the first) once more.
      const token = await this.#p.tokens.recover(peer);
      if (!token) throw err;
      deps.logger.info({ id }, 'send refused with 463; resending once with the privacy token');
      ack = await this.#sendAndWait(id, stanza(token));
    }
    if (ack.phash && ack.phash !== phash) {
      // The server saw other devices than we addressed: our lists are stale.
      await Promise.all([devices.invalidate(peer), devices.invalidate(own)]);
    }
    if (!toSelf && !message.protocolMessage) this.#p.tokens.issueInBackground(peer);
    deps.logger.debug({ id, devices: encs.length }, 'sent 1:1 message');
  }

  async #relayGroup(group: string, id: string, message: proto.IMessage, bytes: Uint8Array, attrs: MessageAttrs, keep: (tx: Transaction) => void): Promise<void> {
    const meta = await this.#p.groups.metadata(group);
    const targets = await this.#p.devices.devices(meta.participants.map((p) => p.jid));
    const { skmsg, encs } = await this.#senderKeyed(group, bytes, targets, keep);
    const node = buildGroupMessage({
      id,
      to: group,
      type: stanzaType(message),
      addressingMode: meta.addressingMode,
      skmsg,
      distribution: encs,
      deviceIdentity: this.deviceIdentity(),
      attrs: { ...attrs, expiration: attrs.expiration ?? (meta.ephemeral ? String(meta.ephemeral) : undefined) },
    });
    try {
      await this.#sendAndWait(id, node);
    } catch (err) {
      throw await this.#groupRefusal(err, group, id);
    }
    await this.#distributed(group, encs);
    this.#p.deps.logger.debug({ id, members: meta.participants.length, distributed: encs.length }, 'sent group message');
  }

  /**
   * A status post: one sender key for status@broadcast, given to the
   * audience's devices (and our own other devices, which show our statuses)
   * that lack it; the server delivers the post to exactly the users named.
   */
  async #relayStatus(id: string, message: proto.IMessage, bytes: Uint8Array, attrs: MessageAttrs, keep: (tx: Transaction) => void, audienceArg: readonly string[]): Promise<void> {
    const { deps, devices, ids } = this.#p;
    const own = jidNormalizedUser(deps.me().jid);
    const audience = [...new Set(audienceArg.map((j) => jidNormalizedUser(j)))].filter((j) => j !== '' && !ids.isMe(j));
    if (audience.length === 0) throw new MessagingError('BAD_CONTENT', 'a status needs an audience: at least one contact');
    const targets = await devices.devices([...audience, own]);
    const { skmsg, encs } = await this.#senderKeyed(STATUS_BROADCAST_JID, bytes, targets, keep);
    const node = buildStatusMessage({ id, type: stanzaType(message), skmsg, distribution: encs, audience: [...audience, own], deviceIdentity: this.deviceIdentity(), attrs });
    await this.#sendAndWait(id, node);
    await this.#distributed(STATUS_BROADCAST_JID, encs);
    deps.logger.debug({ id, audience: audience.length, distributed: encs.length }, 'sent status');
  }

  /** Encrypts with our sender key for `group` (made on first use) and the key's distribution to the targets that lack it. */
  async #senderKeyed(group: string, bytes: Uint8Array, targets: readonly string[], keep: (tx: Transaction) => void): Promise<{ skmsg: Uint8Array; encs: DeviceEnc[] }> {
    const { deps, sessions } = this.#p;
    const me = deps.me();
    const ownAddr = await deps.store.signalAddress(me.jid);
    const { skmsg, distribution, distributedTo } = await deps.locks.run(`sk:${group}`, async () => {
      const job: JobRunner = (kind, input) => deps.crypto.run(kind, input);
      const record = (await deps.store.senderKeys.get(group, ownAddr)) ?? null;
      const dist = await job('group.distribution', { record });
      const enc = await job('group.encrypt', { record: dist.record, plaintext: padMessage(bytes) });
      await deps.store.transaction((tx) => {
        keep(tx);
        tx.senderKeys.put(group, ownAddr, enc.record);
      });
      return { skmsg: enc.ciphertext, distribution: dist.distribution, distributedTo: await deps.store.senderKeys.distributedTo(group) };
    });
    const lacking = targets.filter((d) => !distributedTo.has(d));
    let encs: DeviceEnc[] = [];
    if (lacking.length > 0) {
      const refused = new Set(await sessions.ensure(lacking));
      const skdm = padMessage(encodeMessage(senderKeyDistribution(group, distribution)));
      encs = (await sessions.encrypt(lacking.filter((d) => !refused.has(d)).map((jid) => ({ jid, plaintext: skdm })))) as DeviceEnc[];
    }
    return { skmsg, encs };
  }

  /** Only after the server took the send: a refused one must not mark devices as holding our key. */
  async #distributed(group: string, encs: readonly DeviceEnc[]): Promise<void> {
    if (encs.length === 0) return;
    const { deps } = this.#p;
    const now = await deps.store.senderKeys.distributedTo(group);
    await deps.store.transaction((tx) => tx.senderKeys.setDistributed(group, [...now, ...encs.map((e) => e.jid)]));
  }

  /**
   * The server refuses a group send with 403 when we are not a member, or
   * when only admins may post (announcement group) and we are none: which of
   * the two it was, the group's fresh metadata says, so the caller gets a
   * refusal it can act on rather than a bare server code.
   */
  async #groupRefusal(err: unknown, group: string, id: string): Promise<unknown> {
    if (!(err instanceof MessagingError && err.code === 'SERVER_REJECTED' && err.serverCode === 403)) return err;
    const { groups, ids } = this.#p;
    const meta = await groups.metadata(group, true).catch(() => undefined);
    const mine = meta?.participants.find((p) => ids.isMe(p.jid));
    if (meta?.announce && mine && !mine.admin) {
      return new MessagingError('NOT_ADMIN', `only admins may send in ${group} (an announcement group)`, { cause: err, serverCode: 403, messageId: id });
    }
    return new MessagingError('NOT_MEMBER', `not a member of ${group}`, { cause: err, serverCode: 403, messageId: id });
  }

  /**
   * A member left or was removed: our sender key for the group is dropped, so
   * the next send makes a new one and gives it only to the current members.
   */
  async rotateSenderKey(group: string): Promise<void> {
    const { deps } = this.#p;
    const ownAddr = await deps.store.signalAddress(deps.me().jid);
    await deps.locks.run(`sk:${group}`, () =>
      deps.store.transaction((tx) => {
        tx.senderKeys.delete(group, ownAddr);
        tx.senderKeys.clearDistributed(group);
      }),
    );
    this.#p.groups.invalidate(group);
  }

  /** Our current sender key distribution for a group (retry resends carry it), if we have one. */
  async senderKeyDistribution(group: string): Promise<Uint8Array | undefined> {
    const { deps } = this.#p;
    const ownAddr = await deps.store.signalAddress(deps.me().jid);
    return deps.locks.run(`sk:${group}`, async () => {
      const job: JobRunner = (kind, input) => deps.crypto.run(kind, input);
      const record = await deps.store.senderKeys.get(group, ownAddr);
      if (!record) return undefined;
      return (await job('group.distribution', { record })).distribution;
    });
  }

  async #sendAndWait(id: string, node: Parameters<MessagingDeps['port']['send']>[0]): Promise<SendAck> {
    const acked = this.#p.acks.expect(id);
    try {
      await this.#p.deps.port.send(node);
    } catch (err) {
      this.#p.acks.cancel(id, err as Error);
      await acked.catch(() => undefined);
      throw err;
    }
    try {
      return await acked;
    } catch (err) {
      // A refusal is the server's answer; anything else after the stanza left leaves its fate unknown.
      if (err instanceof MessagingError && err.code === 'SERVER_REJECTED') throw err;
      const code = err instanceof MessagingError ? err.code : 'ACK_TIMEOUT';
      throw new MessagingError(code, `${(err as Error).message}; the message may have been delivered`, { cause: err, messageId: id, mayHaveBeenDelivered: true });
    }
  }
}
