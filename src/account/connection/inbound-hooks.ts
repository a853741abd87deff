/**
 * The connection's side of inbound.ts's routing table: what each routed
 * stanza does to the account's connection parts (the machine, the wire, the
 * offline window, the dispatcher, pairing, the server clock, the stored
 * creds). Wiring only: each hook is a call into the part that owns the work.
 */
import type { Logger } from 'pino';
import type { BinaryNode } from '../../protocol/binary/index.js';
import type { AccountStore } from '../../store/index.js';
import type { Pairing } from '../pairing.js';
import { rememberLid, rememberRoutingInfo } from './builtin.js';
import type { StanzaDispatcher } from './dispatch.js';
import type { InboundHooks } from './inbound.js';
import type { ConnectionEvent } from './machine.js';
import type { OfflineWindow } from './offline-window.js';
import type { ServerClock } from './server-clock.js';
import type { Wire } from './wire.js';

export interface InboundParts {
  readonly store: AccountStore;
  readonly logger: Logger;
  readonly wire: Wire;
  readonly offline: OfflineWindow;
  readonly dispatcher: StanzaDispatcher;
  readonly pairing: Pairing;
  readonly serverClock: ServerClock;
  signal(event: ConnectionEvent): void;
  /** Writes on the current link (dropped when there is none). */
  write(node: BinaryNode): void;
  sendUnifiedSession(): void;
  /** Ends the offline window (`why` is logged). */
  offlineDone(why: string): void;
}

export function inboundHooks(c: InboundParts): InboundHooks {
  return {
    signal: (event) => c.signal(event),
    answer: (node) => c.write(node),
    resolveIq: (node) => c.wire.resolve(node),
    offlineStart: () => c.offline.start(),
    offlinePreview: (count) => {
      c.logger.info({ count, batch: c.offline.batchSize }, 'offline backlog announced; pulling it in batches');
      c.offline.preview(count);
    },
    offlineArrived: () => c.offline.arrived(),
    offlineDone: (count) => c.offlineDone(`${count ?? '?'} stanzas`),
    dispatch: (node, generation) => c.dispatcher.dispatch(node, generation),
    deliver: (node) => c.dispatcher.deliver(node),
    pairSuccess: (node) => {
      c.serverClock.observe(node);
      c.pairing.onPairSuccess(node).then(
        (outcome) => {
          if (outcome.ok) c.sendUnifiedSession();
          c.signal(outcome.ok ? { type: 'PAIR.SUCCESS' } : { type: 'PAIR.FAILED', reason: outcome.reason });
        },
        (err: unknown) => {
          c.logger.error({ err }, 'pair-success could not be stored');
          c.signal({ type: 'FAULT.CRASH' });
        },
      );
    },
    success: (node) => {
      c.serverClock.observe(node);
      rememberLid(c, node);
    },
    routingInfo: (info) => rememberRoutingInfo(c, info),
    ignored: (node) => c.logger.debug({ tag: node.tag, type: node.attrs.type }, 'stanza ignored'),
  };
}
