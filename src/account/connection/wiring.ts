/**
 * The parts one account's connection is made of, built and connected in
 * dependency order: the wire (the current link's writes and IQs), the
 * online gate, the stanza dispatcher, the offline window, pairing, the
 * stanza outcomes (acks, persist-failure reconnects) and the hooks inbound
 * routing calls, with the built-in notification handlers registered.
 *
 * Owns construction only; what each part does lives in its own file, and
 * the connection actor (connection.ts) drives them.
 */
import type { Logger } from 'pino';
import type { BinaryNode } from '../../protocol/binary/index.js';
import { offlineBatchRequest } from '../../protocol/stanza/offline.js';
import type { AccountStore } from '../../store/index.js';
import { Pairing } from '../pairing.js';
import { builtinNotifications } from './builtin.js';
import { StanzaDispatcher } from './dispatch.js';
import type { InboundHooks } from './inbound.js';
import { inboundHooks } from './inbound-hooks.js';
import type { ConnectionEvent } from './machine.js';
import { OfflineWindow } from './offline-window.js';
import { OnlineGate } from './online-gate.js';
import type { ServerClock } from './server-clock.js';
import type { ConnectionSettings } from './settings.js';
import { StanzaOutcomes } from './stanza-outcomes.js';
import { Wire } from './wire.js';

export interface ConnectionParts {
  readonly wire: Wire;
  readonly gate: OnlineGate;
  readonly dispatcher: StanzaDispatcher;
  readonly offline: OfflineWindow;
  readonly pairing: Pairing;
  /** What inbound.ts routes to. */
  readonly hooks: InboundHooks;
}

/** What the parts call back into: the connection actor. */
export interface ConnectionCallbacks {
  readonly serverClock: ServerClock;
  readonly now: () => number;
  signal(event: ConnectionEvent): void;
  /** Writes on the current link (dropped when there is none). */
  write(node: BinaryNode): void;
  sendUnifiedSession(): void;
  /** Ends the offline window (`why` is logged). */
  offlineDone(why: string): void;
}

export function wireConnection(deps: { readonly store: AccountStore; readonly logger: Logger; readonly settings: ConnectionSettings }, host: ConnectionCallbacks): ConnectionParts {
  const { store, logger, settings: s } = deps;
  const wire = new Wire({ maxPendingIqs: s.maxPendingIqs, iqTimeoutMs: s.iqTimeoutMs });
  const gate = new OnlineGate(s.maxWaiting, s.sendWaitMs);
  const outcomes = new StanzaOutcomes({
    logger,
    generation: () => wire.generation,
    me: () => store.creds?.me?.id,
    write: (node) => host.write(node),
    signal: (event) => host.signal(event),
  });
  const dispatcher: StanzaDispatcher = new StanzaDispatcher(
    {
      ack: (stanza, generation, answered) => outcomes.handled(stanza, generation, answered),
      failed: (stanza, err, generation) => outcomes.failed(stanza, err, generation),
      busy: (busy) => {
        logger.info({ queued: dispatcher.queued }, busy ? 'handlers behind: socket reads paused' : 'handlers caught up: socket reads resumed');
        wire.link?.setPaused(busy);
      },
      settled: (queued) => offline.settled(queued),
    },
    s.maxQueuedStanzas,
  );
  const offline = new OfflineWindow({
    batchSize: s.offlineBatchSize,
    timeoutMs: s.offlineSyncTimeoutMs,
    setSerial: (serial) => dispatcher.setSerial(serial),
    request: (count) => host.write(offlineBatchRequest(count)),
    now: host.now,
  });
  const pairing = new Pairing({
    store,
    logger,
    sendNow: (n) => wire.send(n),
    queryNow: (spec) => wire.execute(spec),
    browser: s.browser,
    os: s.os,
  });
  const hooks = inboundHooks({
    store,
    logger,
    wire,
    offline,
    dispatcher,
    pairing,
    serverClock: host.serverClock,
    signal: (event) => host.signal(event),
    write: (node) => host.write(node),
    sendUnifiedSession: () => host.sendUnifiedSession(),
    offlineDone: (why) => host.offlineDone(why),
  });
  dispatcher.register(builtinNotifications({ store, logger, pairing, execute: (spec) => wire.execute(spec) }));
  return { wire, gate, dispatcher, offline, pairing, hooks };
}
