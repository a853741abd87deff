/**
 * `<call>` stanzas: reading the call signaling the server delivers (an offer,
 * its end, a reject or accept relayed from another device) and building the
 * reject we send. Pure: no clock, no state; which call is still ringing is
 * the account's.
 *
 * Wire formats:
 *   in:   <call from="caller[:dev]@s.whatsapp.net|@lid" id t [offline] [notify] [platform] [version]>
 *           <offer call-id call-creator [caller_pn] [type="group"] [group-jid]>[<video/>]…</offer>
 *         </call>
 *         (or one of terminate [reason] · reject · accept · offer_notice [media] [type] · preaccept ·
 *          transport · relaylatency · mute … as the only child, with call-id and call-creator)
 *   out:  <call id from="me" to="caller"><reject call-id call-creator count="0"/></call>
 *   ack:  <ack class="call" id to=<from> type=<the child's tag>/>  (buildAck in ack.ts)
 */
import type { BinaryNode } from '../binary/index.js';
import { StanzaError } from './errors.js';
import { AttrReader, child, children, node } from './nodes.js';

/** What one `<call>` says; `signal` is the child's tag (offer, terminate, reject, accept, …). */
export interface CallSignal {
  readonly signal: string;
  /** The stanza's id (what the ack names). */
  readonly stanzaId: string;
  readonly callId: string;
  /** Who started the call (device jid as the server names it). */
  readonly creator: string;
  /** The stanza's `from`: the device that sent this signal (or a group for group calls). */
  readonly from: string;
  /** The caller's phone-number jid when the call came addressed by LID. */
  readonly callerPn?: string | undefined;
  /** Unix seconds (0 when absent). */
  readonly t: number;
  /** Delivered from the offline queue: the call is long over. */
  readonly offline: boolean;
  /** Offers: a `<video/>` child, or `media="video"` on an offer notice. */
  readonly video: boolean;
  /** Offers: a group call. */
  readonly isGroup: boolean;
  readonly groupJid?: string | undefined;
  /** terminate: why the call ended (timeout, …) when the server says. */
  readonly reason?: string | undefined;
  /** The caller's push name. */
  readonly notify?: string | undefined;
}

/** Signals that end a call for this device. */
export const CALL_END_SIGNALS: ReadonlySet<string> = new Set(['terminate', 'reject', 'accept']);

/** @throws StanzaError when id, from, the one child, or its call-id/call-creator are missing */
export function parseCallStanza(stanza: BinaryNode): CallSignal {
  const a = new AttrReader(stanza);
  const stanzaId = a.string('id');
  const from = a.jid('from');
  const t = a.optionalInt('t') ?? 0;
  a.check();
  const [signalNode] = children(stanza);
  if (!signalNode) throw new StanzaError('call', 'a call stanza without a signal');
  const s = new AttrReader(signalNode);
  const callId = s.string('call-id');
  const creator = s.optionalJid('call-creator') ?? s.optionalJid('from') ?? from;
  const callerPn = s.optionalJid('caller_pn');
  const groupJid = s.optionalJid('group-jid');
  s.check();
  const attrs = signalNode.attrs;
  return {
    signal: signalNode.tag,
    stanzaId,
    callId,
    creator,
    from,
    callerPn,
    t,
    offline: stanza.attrs.offline !== undefined,
    video: child(signalNode, 'video') !== undefined || attrs.media === 'video',
    isGroup: attrs.type === 'group' || groupJid !== undefined,
    groupJid,
    reason: attrs.reason || undefined,
    notify: stanza.attrs.notify || undefined,
  };
}

export interface CallRejectInput {
  /** A fresh stanza id. */
  readonly id: string;
  /** Our own user jid (without device), as WhatsApp's clients put it. */
  readonly me: string;
  /** The caller (the call's creator). */
  readonly to: string;
  readonly callId: string;
}

/** Declines a ringing call; the server tells the caller and our other devices. */
export function buildCallReject(input: CallRejectInput): BinaryNode {
  return node('call', { id: input.id, from: input.me, to: input.to }, [node('reject', { 'call-id': input.callId, 'call-creator': input.to, count: '0' })]);
}
