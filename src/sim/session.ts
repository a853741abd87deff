/**
 * One client connection after the Noise handshake: the login decision, then
 * the dispatch of each stanza by tag — IQs to iq/*, messages and receipts to
 * the router, acks to the delivery queues (with the ack attribute rules),
 * presence and chatstates to presence.ts — and the server-initiated IQs
 * (pair-device, pair-success) with their pending answers. A malformed or
 * unexpected stanza closes this connection only.
 */
import { ackViolation } from './acks.js';
import type { Connection, ConnectionHandler } from './connection.js';
import type { Hub, LiveSession } from './hub.js';
import { handleIq } from './iq/index.js';
import { decideLogin, type Registration } from './login.js';
import { child as childOf, childrenByTag, node, type BinaryNode } from './nodes.js';
import { stanzaKey } from './offline.js';
import type { Pairing, RegisteringClient } from './pairing.js';
import { deviceGone, handleChatstate, handlePresence } from './presence.js';
import { routeMessage, routeReceipt } from './router.js';
import { routeCall } from './calls.js';
import { SimError } from './errors.js';
import { offlineBatchCount } from '../protocol/stanza/offline.js';

type State =
  | { kind: 'handshake' }
  | { kind: 'registering'; registration: Registration }
  | { kind: 'device'; deviceJid: string; phone: string }
  | { kind: 'closed' };

export interface SessionDeps {
  hub: Hub;
  pairing: Pairing;
  /** Debug sink; silent when absent. */
  log?: (msg: string) => void;
}

export class Session implements ConnectionHandler, LiveSession, RegisteringClient {
  #conn: Connection | undefined;
  #state: State = { kind: 'handshake' };
  readonly #deps: SessionDeps;
  readonly #pendingIqs = new Map<string, { resolve: (n: BinaryNode) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  constructor(deps: SessionDeps) {
    this.#deps = deps;
  }

  get deviceJid(): string {
    return this.#state.kind === 'device' ? this.#state.deviceJid : '';
  }

  /** The logged-in user's phone number; '' before login. */
  get phone(): string {
    return this.#state.kind === 'device' ? this.#state.phone : '';
  }

  get registration(): Registration {
    if (this.#state.kind !== 'registering') throw new SimError('PAIRING_FAILED', 'not a registering companion');
    return this.#state.registration;
  }

  // ConnectionHandler

  onHandshake(conn: Connection, clientStatic: Uint8Array, clientPayload: Uint8Array): void {
    this.#conn = conn;
    const { hub, pairing } = this.#deps;
    const decision = decideLogin(clientPayload, clientStatic, hub.dir, hub.webVersion);
    conn.loggedIn();
    switch (decision.kind) {
      case 'reject':
        hub.stats.loginsRejected++;
        this.#deps.log?.(`login rejected: ${decision.why}`);
        conn.send(node('failure', { reason: String(decision.reason), location: 'sim' }));
        conn.close(`login rejected: ${decision.why}`);
        return;
      case 'register':
        hub.stats.registrations++;
        this.#state = { kind: 'registering', registration: decision.registration };
        pairing.begin(this);
        return;
      case 'login':
        hub.stats.logins++;
        this.#state = { kind: 'device', deviceJid: decision.device.jid, phone: decision.user.phone };
        hub.attach(this, decision.user, decision.device.deviceId);
        return;
    }
  }

  onNode(conn: Connection, stanza: BinaryNode): void {
    const { hub } = this.#deps;
    if (stanza.tag === 'iq' && (stanza.attrs.type === 'result' || stanza.attrs.type === 'error')) {
      const waiter = this.#pendingIqs.get(stanza.attrs.id ?? '');
      if (waiter) {
        this.#pendingIqs.delete(stanza.attrs.id!);
        clearTimeout(waiter.timer);
        waiter.resolve(stanza);
      }
      return;
    }
    const state = this.#state;
    if (state.kind === 'registering') {
      // A companion that is not linked may only ask for pairing.
      if (stanza.tag === 'iq') conn.send(handleIq({ hub, pairing: this.#deps.pairing, session: this, deviceJid: undefined }, stanza));
      return;
    }
    if (state.kind !== 'device') return;
    hub.wire.record(state.deviceJid, stanza, hub.now());
    switch (stanza.tag) {
      case 'iq':
        hub.stats.iqs++;
        conn.send(handleIq({ hub, pairing: this.#deps.pairing, session: this, deviceJid: state.deviceJid }, stanza));
        return;
      case 'message':
        conn.send(routeMessage(hub, state.deviceJid, stanza));
        return;
      case 'receipt':
        // A client confirms a message it decrypted with a receipt instead of an ack.
        for (const id of receiptIds(stanza)) hub.queues.ack(state.deviceJid, stanzaKey('message', id));
        hub.acked(state.deviceJid);
        conn.send(routeReceipt(hub, state.deviceJid, stanza));
        return;
      case 'ack':
        this.#onAck(state.deviceJid, stanza);
        return;
      case 'presence':
        handlePresence(hub, state.deviceJid, stanza);
        return;
      case 'chatstate':
        handleChatstate(hub, state.deviceJid, stanza);
        return;
      case 'ib': {
        const count = offlineBatchCount(stanza);
        if (count !== undefined) hub.offlineBatch(this, count);
        return;
      }
      case 'call':
        conn.send(routeCall(hub, state.deviceJid, stanza));
        return;
      default:
        // Other <ib>s, unknown tags: absorbed, as WhatsApp does for what it does not expect.
        return;
    }
  }

  onClose(): void {
    const prev = this.#state;
    this.#state = { kind: 'closed' };
    for (const [id, w] of this.#pendingIqs) {
      clearTimeout(w.timer);
      w.reject(new SimError('PAIRING_FAILED', `connection closed before iq ${id} was answered`));
    }
    this.#pendingIqs.clear();
    this.#deps.hub.connections.delete(this);
    if (prev.kind === 'registering') this.#deps.pairing.end(this);
    if (prev.kind === 'device') {
      // A device that already reconnected on a new socket keeps its presence and subscriptions.
      if (this.#deps.hub.detach(this, prev.deviceJid)) deviceGone(this.#deps.hub, prev.deviceJid);
    }
  }

  // LiveSession / RegisteringClient

  send(stanza: BinaryNode): void {
    this.#conn?.send(stanza);
  }

  query(stanza: BinaryNode): Promise<BinaryNode> {
    const id = stanza.attrs.id!;
    if (this.#state.kind === 'closed' || !this.#conn) return Promise.reject(new SimError('PAIRING_FAILED', 'connection closed'));
    if (this.#pendingIqs.size >= this.#deps.hub.limits.maxPendingIqs) {
      return Promise.reject(new SimError('LIMIT', 'too many server iqs outstanding'));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pendingIqs.delete(id);
        reject(new SimError('PAIRING_FAILED', `iq ${id} was not answered`));
      }, this.#deps.hub.limits.serverIqTimeoutMs);
      timer.unref();
      this.#pendingIqs.set(id, { resolve, reject, timer });
      this.send(stanza);
    });
  }

  streamError(code: number | undefined, child?: BinaryNode): void {
    this.#conn?.streamError(code, child);
  }

  terminate(): void {
    this.#conn?.terminate();
  }

  setDelay(ms: number): void {
    if (this.#conn) this.#conn.delayMs = ms;
  }

  #onAck(deviceJid: string, ack: BinaryNode): void {
    const { hub } = this.#deps;
    hub.stats.acksReceived++;
    hub.acked(deviceJid);
    const cls = ack.attrs.class;
    const id = ack.attrs.id;
    if (!cls || !id) return;
    // A receipt ack with the wrong type misses its own key; the typeless key finds the delivery receipt it breaks.
    const sent =
      hub.queues.ack(deviceJid, stanzaKey(cls, id, ack.attrs.type)) ??
      (cls === 'receipt' && ack.attrs.type !== undefined ? hub.queues.ack(deviceJid, stanzaKey(cls, id)) : undefined);
    if (!sent) return;
    const violation = ackViolation(sent.node, ack);
    if (violation) {
      this.#deps.log?.(`${deviceJid}: ${violation}`);
      this.streamError(undefined, node('ack', { id }));
    }
  }
}

/** The message ids a receipt names: `id`, then `<list><item id/></list>`. */
function receiptIds(receipt: BinaryNode): string[] {
  const ids = receipt.attrs.id ? [receipt.attrs.id] : [];
  for (const item of childrenByTag(childOf(receipt, 'list'), 'item')) if (item.attrs.id) ids.push(item.attrs.id);
  return ids;
}

