/**
 * Where each stanza from the server goes (whatsmeow's handler table):
 *
 *   iq result/error           → the waiting query (IQ correlation)
 *   iq pair-success           → pairing (verify, store, countersign)
 *   iq set pair-device        → answered, refs to the machine (QR)
 *   iq get ping               → answered
 *   success                   → machine (online), our LID stored, offline window opens
 *   failure, stream:error,
 *   xmlstreamend              → machine, with the disconnect decision
 *   ib offline_preview        → the offline pull starts (offline-pull.ts: batches on request)
 *   ib offline                → offline window closes
 *   ib edge_routing           → routing info stored for the next intro
 *   ib dirty                  → its handler (the account catches up, then cleans the bit)
 *   message, receipt,
 *   notification, call        → the dispatcher (handlers, then the ack)
 *   ack, presence, chatstate… → their handlers at once, when some handler takes the tag
 *
 * A pure routing table over a small hook interface; the work is the hooks'.
 */
import type { BinaryNode } from '../../protocol/binary/index.js';
import { answerServerIq, parsePairDevice } from '../../protocol/iq/md.js';
import { bytesOf, childNode, childNodes } from '../../protocol/iq/nodes.js';
import { ACKED_TAGS } from '../../protocol/stanza/ack.js';
import { connectionLost, decideFailure, decideStreamError } from '../../protocol/stanza/disconnect.js';
import { offlineCount } from '../../protocol/stanza/offline.js';
import type { ConnectionEvent } from './machine.js';

export interface InboundHooks {
  signal(event: ConnectionEvent): void;
  /** Writes on the current link; dropped silently when there is none. */
  answer(node: BinaryNode): void;
  /** True when a query waited for this answer. */
  resolveIq(node: BinaryNode): boolean;
  offlineStart(): void;
  /** `<offline_preview count>` (undefined when the count is missing or not a number). */
  offlinePreview(count: number | undefined): void;
  /** A stanza marked offline was dispatched. */
  offlineArrived(): void;
  offlineDone(count: number | undefined): void;
  /** Queues a stanza that is acked once handled. */
  dispatch(node: BinaryNode, generation: number): void;
  /** Stanzas without an ack: false when no handler takes the tag. */
  deliver(node: BinaryNode): boolean;
  pairSuccess(node: BinaryNode): void;
  success(node: BinaryNode): void;
  routingInfo(info: Uint8Array): void;
  ignored(node: BinaryNode): void;
}

export function routeInbound(h: InboundHooks, stanza: BinaryNode, generation: number): void {
  switch (stanza.tag) {
    case 'iq':
      routeIq(h, stanza);
      return;
    case 'success':
      h.offlineStart();
      h.success(stanza);
      h.signal({ type: 'SERVER.SUCCESS' });
      return;
    case 'failure':
      h.signal({ type: 'SERVER.DISCONNECT', decision: decideFailure(stanza) });
      return;
    case 'stream:error':
      h.signal({ type: 'SERVER.DISCONNECT', decision: decideStreamError(stanza) });
      return;
    case 'xmlstreamend':
      h.signal({ type: 'SERVER.DISCONNECT', decision: connectionLost('the server ended the stream') });
      return;
    case 'ib':
      routeIb(h, stanza);
      return;
    default:
      if (ACKED_TAGS.has(stanza.tag)) {
        h.dispatch(stanza, generation);
        if (stanza.attrs.offline !== undefined) h.offlineArrived();
      } else if (!h.deliver(stanza)) h.ignored(stanza);
  }
}

function routeIq(h: InboundHooks, iq: BinaryNode): void {
  const type = iq.attrs.type;
  if (type === 'result' || type === 'error') {
    if (h.resolveIq(iq)) return;
    if (childNode(iq, 'pair-success')) h.pairSuccess(iq);
    else h.ignored(iq);
    return;
  }
  const refs = parsePairDevice(iq);
  if (refs) {
    h.answer(answerServerIq(iq));
    h.signal({ type: 'PAIR.DEVICE', refs });
    return;
  }
  if (type === 'get' && (iq.attrs.xmlns === 'urn:xmpp:ping' || childNode(iq, 'ping'))) {
    h.answer(answerServerIq(iq));
    return;
  }
  h.ignored(iq);
}

function routeIb(h: InboundHooks, ib: BinaryNode): void {
  for (const c of childNodes(ib)) {
    switch (c.tag) {
      case 'offline_preview':
        h.offlinePreview(offlineCount(c));
        break;
      case 'offline':
        h.offlineDone(offlineCount(c));
        break;
      case 'edge_routing': {
        const info = bytesOf(childNode(c, 'routing_info'));
        if (info && info.length > 0) h.routingInfo(info);
        break;
      }
      case 'dirty':
        if (!h.deliver({ tag: 'ib', attrs: ib.attrs, content: [c] })) h.ignored(c);
        break;
      default:
        h.ignored(c);
    }
  }
}

