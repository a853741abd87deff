/**
 * Calls for one account: every `<call>` offer becomes a `call:incoming`
 * event (voice or video, 1:1 or group, live or from the offline queue), its
 * end (the caller hung up, a timeout, a reject or accept on another of our
 * devices) a `call:ended`; `reject()` declines a ringing call as WhatsApp's
 * clients do; with an auto-reject policy every live offer is declined and,
 * when the policy has a message, the caller gets it as a text.
 *
 * The event is in the durable log before the handler resolves, so the
 * server's `<call>` is acked only once a consumer can no longer miss it.
 * wad makes no media: answering a call is not offered.
 */
import type { Logger } from 'pino';
import type { BinaryNode } from '../../protocol/binary/index.js';
import { isLid, isPn, jidNormalizedUser } from '../../protocol/jid/index.js';
import { buildCallReject, CALL_END_SIGNALS, parseCallStanza, StanzaError, type CallSignal } from '../../protocol/stanza/index.js';
import type { AccountEventSink } from '../events.js';
import type { AccountIdentity } from '../messaging-deps.js';
import { BoundedMap } from '../messaging/bounded.js';
import { MessagingError } from '../messaging/errors.js';
import type { ConnectionPort, StanzaHandler } from '../ports.js';

/** An account's answer to calls nobody is there to take. */
export interface CallPolicy {
  /** Decline every live offer. */
  readonly reject: boolean;
  /** Sent to the caller as a text after declining (1:1 calls and group calls alike, to the caller). */
  readonly message?: string | undefined;
}

export interface CallsDeps {
  readonly port: ConnectionPort;
  readonly events: AccountEventSink;
  /** Bound to `{account: id}`. */
  readonly logger: Logger;
  readonly me: () => AccountIdentity;
  /** The jid consumers see for a caller (PN when the LID's number is known). */
  canonical(jid: string): Promise<string>;
  /** Records that a PN and a LID are one contact. */
  learnLid(pn: string, lid: string): Promise<void>;
  /** Sends a text to a user (the auto-reject message). */
  sendText(chat: string, text: string): Promise<unknown>;
  readonly policy?: CallPolicy | undefined;
  /** How long a reject waits for the server's ack. */
  readonly ackTimeoutMs?: number | undefined;
}

/** What is known of a call that rang, kept until it ends (or is forgotten, bounded). */
interface Ringing {
  /** The caller as consumers see it. */
  readonly from: string;
  /** The call's creator as the server named it: where a reject goes. */
  readonly creator: string;
  readonly video: boolean;
  readonly isGroup: boolean;
}

/** Calls ringing at once that are remembered; an unanswered one is forgotten after RING_TTL_MS. */
const MAX_RINGING = 1_000;
const RING_TTL_MS = 10 * 60 * 1000;
/** Calls recently ended, so a terminate that follows a reject is not a second call:ended. */
const MAX_ENDED = 1_000;
const DEFAULT_ACK_TIMEOUT_MS = 20_000;
const MAX_WAITING_ACKS = 1_000;

export class Calls {
  readonly handlers: readonly StanzaHandler[];
  readonly #deps: CallsDeps;
  readonly #ringing = new BoundedMap<string, Ringing>(MAX_RINGING, { ttlMs: RING_TTL_MS });
  readonly #ended = new BoundedMap<string, true>(MAX_ENDED);
  /** Our call stanzas waiting for the server's `<ack class="call">`, by stanza id. */
  readonly #acks = new Map<string, { resolve: (error: string | undefined) => void; timer: NodeJS.Timeout }>();
  readonly stats = { offers: 0, rejected: 0, autoRejected: 0 };

  constructor(deps: CallsDeps) {
    this.#deps = deps;
    this.handlers = [
      { tags: ['call'], handle: (node) => this.#onCall(node) },
      { tags: ['ack'], handle: async (node) => this.#onAck(node) },
    ];
  }

  /**
   * Declines a call. `from` is the caller as call:incoming named it (the
   * call's own creator is used when the call is still ringing here).
   * @throws MessagingError BAD_JID, NOT_READY, ACK_TIMEOUT, SERVER_REJECTED; ConnectionError from the port
   */
  async reject(callId: string, fromArg: string): Promise<void> {
    const me = jidNormalizedUser(this.#deps.me().jid);
    if (!me) throw new MessagingError('NOT_READY', 'the account is not paired');
    const ringing = this.#ringing.get(callId);
    const to = ringing ? jidNormalizedUser(ringing.creator) : callerJid(fromArg);
    const id = this.#deps.port.nextId();
    const acked = this.#expectAck(id);
    try {
      await this.#deps.port.send(buildCallReject({ id, me, to, callId }));
    } catch (err) {
      this.#settle(id, undefined);
      throw err;
    }
    const error = await acked;
    if (error !== undefined) throw new MessagingError('SERVER_REJECTED', `the server refused the reject of call ${callId} with error ${error}`, { serverCode: Number(error) || 500 });
    this.stats.rejected++;
    await this.#end(callId, ringing?.from ?? (await this.#deps.canonical(to)), 'rejected');
  }

  close(): void {
    for (const id of [...this.#acks.keys()]) this.#settle(id, 'closed');
  }

  async #onCall(node: BinaryNode): Promise<void> {
    let call: CallSignal;
    try {
      call = parseCallStanza(node);
    } catch (err) {
      if (!(err instanceof StanzaError)) throw err;
      this.#deps.logger.warn({ err: err.message }, 'unreadable call stanza; acked and dropped');
      return;
    }
    if (call.signal === 'offer' || call.signal === 'offer_notice') return this.#offer(call);
    if (CALL_END_SIGNALS.has(call.signal)) {
      const ringing = this.#ringing.get(call.callId);
      const reason = call.signal === 'terminate' ? (call.reason ?? 'terminated') : call.signal === 'reject' ? 'rejected_elsewhere' : 'accepted_elsewhere';
      await this.#end(call.callId, ringing?.from ?? (await this.#caller(call)), reason);
      return;
    }
    this.#deps.logger.debug({ signal: call.signal, callId: call.callId }, 'call signal not acted on');
  }

  async #offer(call: CallSignal): Promise<void> {
    if (this.#ringing.get(call.callId) || this.#ended.get(call.callId)) return;
    const from = await this.#caller(call);
    this.#ringing.set(call.callId, { from, creator: call.creator, video: call.video, isGroup: call.isGroup });
    this.stats.offers++;
    await this.#deps.events.emit({
      type: 'call:incoming',
      conversationId: from,
      data: {
        callId: call.callId,
        from,
        video: call.video,
        isGroup: call.isGroup,
        t: call.t,
        ...(call.groupJid ? { groupJid: call.groupJid } : {}),
        ...(call.notify ? { pushName: call.notify } : {}),
        ...(call.offline ? { offline: true } : {}),
      },
    });
    // An offer from the offline queue rang while we were away: it is long over.
    const policy = this.#deps.policy;
    if (policy?.reject && !call.offline) void this.#autoReject(call.callId, from, policy.message);
  }

  async #autoReject(callId: string, from: string, message: string | undefined): Promise<void> {
    try {
      await this.reject(callId, from);
      this.stats.autoRejected++;
      if (message) await this.#deps.sendText(from, message);
    } catch (err) {
      this.#deps.logger.warn({ err, callId }, 'could not auto-reject a call');
    }
  }

  /** call:ended once per call. */
  async #end(callId: string, from: string, reason: string): Promise<void> {
    if (this.#ended.get(callId)) return;
    const ringing = this.#ringing.get(callId);
    this.#ringing.delete(callId);
    this.#ended.set(callId, true);
    await this.#deps.events.emit({
      type: 'call:ended',
      conversationId: from,
      data: { callId, from, reason, ...(ringing ? { video: ringing.video, isGroup: ringing.isGroup } : {}) },
    });
  }

  /** The caller as consumers see it; a LID with its number teaches the pair. */
  async #caller(call: CallSignal): Promise<string> {
    const creator = jidNormalizedUser(call.creator);
    const pn = jidNormalizedUser(call.callerPn);
    if (isLid(creator) && isPn(pn)) await this.#deps.learnLid(pn, creator).catch(() => undefined);
    return this.#deps.canonical(creator);
  }

  #expectAck(id: string): Promise<string | undefined> {
    if (this.#acks.size >= MAX_WAITING_ACKS) return Promise.reject(new MessagingError('RATE_LIMITED', 'too many call stanzas waiting for the server'));
    return new Promise((resolve, reject) => {
      const ms = this.#deps.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
      const timer = setTimeout(() => {
        this.#acks.delete(id);
        reject(new MessagingError('ACK_TIMEOUT', `no server ack for call stanza ${id} within ${ms} ms`, { mayHaveBeenDelivered: true }));
      }, ms);
      timer.unref?.();
      this.#acks.set(id, {
        timer,
        resolve: (error) => (error === 'closed' ? reject(new MessagingError('CLOSED', 'the account closed')) : resolve(error)),
      });
    });
  }

  #onAck(node: BinaryNode): void {
    if (node.attrs.class !== 'call' || node.attrs.id === undefined) return;
    this.#settle(node.attrs.id, node.attrs.error);
  }

  #settle(id: string, error: string | undefined): void {
    const w = this.#acks.get(id);
    if (!w) return;
    clearTimeout(w.timer);
    this.#acks.delete(id);
    w.resolve(error);
  }
}

/** A caller argument: a user jid (PN or LID) or a bare number. @throws MessagingError BAD_JID */
function callerJid(x: string): string {
  if (/^\+?[0-9]{5,20}$/.test(x)) return `${x.replace('+', '')}@s.whatsapp.net`;
  const j = jidNormalizedUser(x);
  if (!j || !(isPn(j) || isLid(j))) throw new MessagingError('BAD_JID', `not a caller jid: ${JSON.stringify(x)}`);
  return j;
}
