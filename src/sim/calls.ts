/**
 * Call signaling, the server's side: a `<call>` a client sends (an offer, a
 * reject, an accept, a terminate, …) is relayed to every device of the
 * other party, and a reject or accept also to the sender's own other
 * devices (so they stop ringing), the sender getting `<ack class="call"
 * type=<signal>>`. The admin API places calls from a user's simulated phone
 * and hangs them up (admin-calls.ts); each call's state is kept, bounded, so
 * a test can see how it ended. No media: only the signaling WhatsApp's
 * clients exchange before media would flow.
 */
import { randomBytes } from 'node:crypto';
import type { Hub } from './hub.js';
import { children, node, type BinaryNode } from './nodes.js';
import type { UserRecord } from './state.js';

export type CallState = 'ringing' | 'rejected' | 'accepted' | 'terminated';

export interface SimCall {
  readonly callId: string;
  /** The caller's device (PN form). */
  readonly creator: string;
  readonly caller: UserRecord;
  readonly callee: UserRecord;
  readonly video: boolean;
  readonly isGroup: boolean;
  state: CallState;
  /** The device whose signal ended the call. */
  endedBy?: string;
  reason?: string;
}

const MAX_CALLS = 10_000;

/** Calls by id, the oldest forgotten past the bound. */
export class CallBook {
  readonly #calls = new Map<string, SimCall>();

  get(callId: string): SimCall | undefined {
    return this.#calls.get(callId);
  }

  add(call: SimCall): void {
    this.#calls.set(call.callId, call);
    while (this.#calls.size > MAX_CALLS) this.#calls.delete(this.#calls.keys().next().value as string);
  }
}

/** Signals that end a call, and the state each leaves it in. */
const ENDINGS: Readonly<Record<string, CallState>> = { reject: 'rejected', accept: 'accepted', terminate: 'terminated' };

/** Handles a client's `<call>`; returns the ack for the sending device. */
export function routeCall(hub: Hub, senderJid: string, stanza: BinaryNode): BinaryNode {
  const [signal] = children(stanza);
  const attrs: Record<string, string> = { class: 'call', id: stanza.attrs.id ?? '', from: stanza.attrs.to ?? '' };
  if (signal) attrs.type = signal.tag;
  const ack = (error?: string): BinaryNode => node('ack', error ? { ...attrs, error } : attrs);
  const sender = hub.dir.userOf(senderJid);
  const peer = hub.dir.userOf(stanza.attrs.to ?? '');
  const callId = signal?.attrs['call-id'];
  if (!sender || !signal || !callId) return ack('400');
  if (!peer) return ack('404');
  if (signal.tag === 'offer') {
    hub.calls.add({ callId, creator: senderJid, caller: sender, callee: peer, video: hasVideo(signal), isGroup: signal.attrs.type === 'group', state: 'ringing' });
  } else {
    const call = hub.calls.get(callId);
    const ending = ENDINGS[signal.tag];
    if (call && ending && call.state === 'ringing') {
      call.state = ending;
      call.endedBy = senderJid;
      if (signal.attrs.reason) call.reason = signal.attrs.reason;
    }
  }
  relay(hub, senderJid, sender, peer, signal);
  hub.stats.callSignals++;
  return ack();
}

/**
 * A call placed by `caller`'s simulated phone: the offer rings on every
 * device of `callee`. Returns the call's id.
 */
export function placeCall(hub: Hub, caller: UserRecord, callee: UserRecord, opts: { video: boolean; isGroup: boolean }): string {
  const callId = randomBytes(16).toString('hex').toUpperCase();
  const creator = `${caller.phone}@s.whatsapp.net`;
  hub.calls.add({ callId, creator, caller, callee, video: opts.video, isGroup: opts.isGroup, state: 'ringing' });
  const offerAttrs: Record<string, string> = { 'call-id': callId, 'call-creator': creator };
  if (opts.isGroup) offerAttrs.type = 'group';
  const offer = node('offer', offerAttrs, [node(opts.video ? 'video' : 'audio', { enc: 'opus', rate: '16000' })]);
  relay(hub, creator, caller, callee, offer);
  hub.stats.callSignals++;
  return callId;
}

/** The caller's phone hangs up (or the call timed out): every device of the callee stops ringing. */
export function endCall(hub: Hub, call: SimCall, reason: string | undefined): void {
  if (call.state === 'ringing') {
    call.state = 'terminated';
    call.endedBy = call.creator;
    if (reason) call.reason = reason;
  }
  const attrs: Record<string, string> = { 'call-id': call.callId, 'call-creator': call.creator };
  if (reason) attrs.reason = reason;
  relay(hub, call.creator, call.caller, call.callee, node('terminate', attrs));
  hub.stats.callSignals++;
}

/** The signal to every device of `peer`, and a reject or accept to the sender's own other devices too. */
function relay(hub: Hub, senderJid: string, sender: UserRecord, peer: UserRecord, signal: BinaryNode): void {
  const wrap = (): BinaryNode => node('call', { from: senderJid, id: randomBytes(8).toString('hex').toUpperCase(), t: hub.nowSeconds(), notify: sender.name }, [signal]);
  for (const dev of hub.dir.deviceJids(peer)) if (dev !== senderJid) hub.deliver(dev, wrap());
  if (signal.tag === 'reject' || signal.tag === 'accept') {
    for (const dev of hub.dir.deviceJids(sender)) if (dev !== senderJid) hub.deliver(dev, wrap());
  }
}

function hasVideo(signal: BinaryNode): boolean {
  return children(signal).some((c) => c.tag === 'video');
}
