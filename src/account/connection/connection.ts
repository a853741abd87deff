/**
 * The connection actor of one account: the xstate machine (machine.ts) and
 * the host it drives. It owns the link (socket + Noise), outgoing stanza
 * ids, IQ correlation with timeouts, the automatic acks, the keepalive and
 * the offline-delivery window, and it is the account's ConnectionPort.
 * Incoming stanzas are routed by inbound.ts; pairing steps are pairing.ts,
 * after-login work session.ts. Nothing slow runs here: handlers are
 * awaited off the machine, PBKDF2 runs on the thread pool, Signal work on
 * the crypto pool.
 *
 * The machine's state is the only truth about the connection (field lesson
 * 11): send() and query() wait (bounded) for `online` or fail UNAVAILABLE.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { createActor, type Actor } from 'xstate';
import type { BinaryNode } from '../../protocol/binary/index.js';
import type { IqSpec } from '../../protocol/iq/index.js';
import { removeCompanionDevice } from '../../protocol/iq/md.js';
import { ping } from '../../protocol/iq/ping.js';
import { lowPreKeyCount } from '../../protocol/iq/prekeys.js';
import { loginPayload, qrTtlMs, registrationPayload } from '../../protocol/pairing/index.js';
import { buildAck } from '../../protocol/stanza/ack.js';
import type { AccountStore } from '../../store/index.js';
import { newCreds } from '../creds.js';
import { replenishPreKeys } from '../prekeys.js';
import { AccountError, ConnectionError } from '../errors.js';
import type { AccountEventSink } from '../events.js';
import { Pairing } from '../pairing.js';
import type { ConnectionPort, QueryOptions, StanzaHandler } from '../ports.js';
import { backoffDelay } from './backoff.js';
import { StanzaDispatcher } from './dispatch.js';
import { routeInbound, type InboundHooks } from './inbound.js';
import { IqTracker } from './iq-tracker.js';
import { decideKeepalive, isDeadSocket, keepaliveDelay } from './keepalive.js';
import { Link } from './link.js';
import { connectionMachine, type ConnectionEvent, type ConnectionHost, type ConnectionUpdate } from './machine.js';
import { runSessionStart } from './session.js';
import type { ConnectionSettings } from './settings.js';
import { wsTransport, type Transport } from './transport.js';
import type { ConnectionState } from '../../daemon/api.js';

export interface AccountConnectionDeps {
  readonly accountId: string;
  readonly store: AccountStore;
  readonly events: AccountEventSink;
  /** Bound to `{account: id}`. */
  readonly logger: Logger;
  readonly settings: ConnectionSettings;
  readonly transport?: Transport;
  /** Uniform in [0, 1): backoff jitter and keepalive spread. */
  readonly random?: () => number;
  readonly now?: () => number;
  /** Called synchronously with every reported state change (the account manager's view). */
  readonly onUpdate?: (update: ConnectionUpdate) => void;
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class AccountConnection implements ConnectionPort, ConnectionHost {
  readonly actor: Actor<typeof connectionMachine>;
  readonly dispatcher: StanzaDispatcher;
  readonly pairing: Pairing;
  readonly #deps: AccountConnectionDeps;
  readonly #iqs: IqTracker;
  readonly #waiters = new Set<Waiter>();
  readonly #idPrefix: string;
  #idCounter = 0;
  #link: Link | undefined;
  /** Bumped per link: acks and events of an older link are dropped. */
  #generation = 0;
  #online = false;
  #state: ConnectionState = 'connecting';
  #offlineSince = 0;
  #ended = false;
  #session: Promise<void> | undefined;
  #lastQr: string | undefined;

  constructor(deps: AccountConnectionDeps) {
    this.#deps = deps;
    const s = deps.settings;
    this.#iqs = new IqTracker(s.maxPendingIqs);
    const id = randomBytes(4);
    this.#idPrefix = `${id.readUInt16BE(0)}.${id.readUInt16BE(2)}-`;
    this.dispatcher = new StanzaDispatcher(
      {
        ack: (stanza, generation) => this.#ack(stanza, generation),
        failed: (stanza, err) => deps.logger.warn({ err, tag: stanza.tag, id: stanza.attrs.id }, 'stanza handler failed; not acked (the server redelivers)'),
      },
      s.maxQueuedStanzas,
    );
    this.pairing = new Pairing({
      store: deps.store,
      logger: deps.logger,
      sendNow: (n) => this.sendNow(n),
      queryNow: (spec) => this.#execute(spec, {}, false),
      browser: s.browser,
      os: s.os,
    });
    this.dispatcher.register(this.#builtin);
    this.actor = createActor(connectionMachine, { input: { host: this } });
    this.actor.subscribe({
      complete: () => this.#teardown('stopped'),
      error: (err) => {
        deps.logger.error({ err }, 'connection actor crashed');
        this.#teardown('crashed');
      },
    });
  }

  get accountId(): string {
    return this.#deps.accountId;
  }

  /** The last reported state. */
  get state(): ConnectionState {
    return this.#state;
  }

  get online(): boolean {
    return this.#online;
  }

  /** Registers a handler for incoming stanzas (before the actor starts). */
  register(handler: StanzaHandler): void {
    this.dispatcher.register(handler);
  }

  /** Delivers an event to the machine (dropped once it has ended). */
  signal(event: ConnectionEvent): void {
    if (!this.#ended) this.actor.send(event);
  }

  // ConnectionPort

  nextId(): string {
    return this.#idPrefix + String(this.#idCounter++);
  }

  async send(node: BinaryNode): Promise<void> {
    await this.#whenOnline();
    this.sendNow(node);
  }

  query(node: BinaryNode, opts: QueryOptions = {}): Promise<BinaryNode> {
    return this.#query(node, opts, true);
  }

  execute<T>(spec: IqSpec<T>, opts: QueryOptions = {}): Promise<T> {
    return this.#execute(spec, opts, true);
  }

  /** Writes on the current link whatever the state (pairing, acks). @throws ConnectionError CLOSED, BAD_STANZA */
  sendNow(node: BinaryNode): void {
    const link = this.#link;
    if (!link?.ready) throw new ConnectionError('CLOSED', 'no connection to the server');
    try {
      link.send(node);
    } catch (err) {
      throw new ConnectionError('BAD_STANZA', `cannot send <${node.tag}>: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Pairing by code (the QR stays valid too: whichever the user completes
   * first wins). Reports a `qr` update carrying the code.
   * @throws AccountError BAD_STATE when not waiting for a link; PairingError BAD_CODE; ConnectionError; IqServerError
   */
  async requestPairingCode(phone: string): Promise<string> {
    if (this.#state !== 'qr') throw new AccountError('BAD_STATE', `account ${this.accountId} is ${this.#state}, not waiting to be linked`);
    const code = await this.pairing.requestCode(phone);
    this.report({ state: 'qr', qr: this.#lastQr, pairCode: code });
    return code;
  }

  /** Logout as a user asks for it: unlink server-side when online (bounded), then wipe and stop. */
  async logout(reason = 'logged out by request'): Promise<void> {
    const me = this.#deps.store.creds?.me?.id;
    if (this.#online && me) {
      await this.#execute(removeCompanionDevice(me), { timeoutMs: Math.min(10_000, this.#deps.settings.iqTimeoutMs) }, false).catch((err: unknown) =>
        this.#deps.logger.warn({ err }, 'server-side unlink failed; wiping locally anyway'),
      );
    }
    if (this.#ended) return;
    const done = new Promise<void>((resolve) => this.actor.subscribe({ complete: () => resolve(), error: () => resolve() }));
    this.signal({ type: 'LOGOUT', reason });
    await done;
  }

  // ConnectionHost (called by the machine's actions)

  get connectTimeoutMs(): number {
    return this.#deps.settings.connectTimeoutMs;
  }

  async ensureCreds(): Promise<void> {
    if (this.#deps.store.creds) return;
    const creds = newCreds();
    await this.#deps.store.transaction((tx) => tx.creds.set(creds));
    this.#deps.logger.info({}, 'new credentials made; the account will ask for a QR scan or a pairing code');
  }

  openLink(): void {
    const creds = this.#deps.store.creds!;
    const s = this.#deps.settings;
    const generation = ++this.#generation;
    const payload =
      creds.registered && creds.me
        ? loginPayload(creds.me.id)
        : registrationPayload({
            registrationId: creds.registrationId,
            identityPub: creds.identityKey.public,
            signedPreKey: { keyId: creds.signedPreKey.keyId, public: creds.signedPreKey.keyPair.public, signature: creds.signedPreKey.signature },
          });
    const current = (): boolean => generation === this.#generation && !this.#ended;
    this.#link = new Link({
      transport: this.#deps.transport ?? wsTransport,
      url: s.wsUrl,
      connectTimeoutMs: s.connectTimeoutMs,
      noiseKey: creds.noiseKey,
      payload,
      rootPublicKey: s.rootPublicKey,
      routingInfo: creds.routingInfo,
      now: this.#now,
      events: {
        open: () => current() && this.signal({ type: 'LINK.OPEN' }),
        ready: () => current() && this.signal({ type: 'LINK.READY' }),
        node: (node) => current() && this.#inbound(node, generation),
        closed: (reason) => {
          if (!current()) return;
          this.#linkGone(reason);
          this.signal({ type: 'LINK.CLOSED', reason });
        },
      },
    });
  }

  closeLink(reason: string): void {
    const link = this.#link;
    this.#generation++;
    this.#linkGone(reason);
    link?.close(reason);
  }

  async wipe(reason: string): Promise<void> {
    await this.#deps.store.wipe('logout');
    this.#deps.logger.warn({ reason }, 'logged out: credentials and keys wiped');
  }

  report(update: ConnectionUpdate): void {
    this.#state = update.state;
    if (update.state === 'qr' && this.pairing.code && !update.pairCode) update = { ...update, pairCode: this.pairing.code };
    this.#deps.onUpdate?.(update);
    this.#deps.logger.info({ state: update.state, reason: update.reason, delayMs: update.delayMs }, 'connection state');
    const data: Record<string, string | number> = { state: update.state };
    for (const k of ['reason', 'qr', 'pairCode', 'delayMs', 'attempt'] as const) if (update[k] !== undefined) data[k] = update[k];
    this.#deps.events.emit({ type: 'connection:update', data }).catch((err: unknown) => this.#deps.logger.warn({ err }, 'connection:update not logged'));
  }

  showQr(ref: string): void {
    this.#lastQr = this.pairing.qr(ref);
    this.report({ state: 'qr', qr: this.#lastQr, pairCode: this.pairing.code });
  }

  qrTtl(index: number): number {
    return qrTtlMs(index);
  }

  enteredOnline(): void {
    this.#online = true;
    this.report({ state: 'online' });
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      w.resolve();
    }
    this.#waiters.clear();
    this.#session ??= runSessionStart({
      store: this.#deps.store,
      logger: this.#deps.logger,
      execute: (spec) => this.#execute(spec, {}, false),
    }).finally(() => (this.#session = undefined));
  }

  keepaliveTick(): void {
    const link = this.#link;
    if (!link?.ready) return;
    const s = this.#deps.settings;
    const now = this.#now();
    if (this.#offlineSince > 0 && now - this.#offlineSince > s.offlineSyncTimeoutMs) this.#offlineDone('timed out');
    const input = { now, lastReceived: link.lastReceived, lastSent: link.lastSent, pendingIqs: this.#iqs.size, minIntervalMs: s.keepAliveIntervalMs - s.keepAliveJitterMs, deadSocketMs: s.keepAliveTimeoutMs };
    const action = decideKeepalive(input);
    if (action === 'dead') this.signal({ type: 'LINK.DEAD' });
    if (action !== 'ping') return;
    const generation = this.#generation;
    this.#execute(ping, { timeoutMs: s.keepAliveTimeoutMs }, false).catch(() => {
      if (generation !== this.#generation || this.#link !== link) return;
      if (isDeadSocket({ now: this.#now(), lastReceived: link.lastReceived, lastSent: link.lastSent, deadSocketMs: s.keepAliveTimeoutMs })) this.signal({ type: 'LINK.DEAD' });
    });
  }

  backoffDelay(attempt: number): number {
    return backoffDelay(attempt, this.#deps.settings.backoff, this.#random());
  }

  keepaliveDelay(): number {
    return keepaliveDelay(this.#deps.settings.keepAliveIntervalMs, this.#deps.settings.keepAliveJitterMs, this.#random());
  }

  // internals

  /** What inbound.ts routes to. */
  readonly #hooks: InboundHooks = {
    signal: (event) => this.signal(event),
    answer: (node) => this.#tryWrite(node),
    resolveIq: (node) => this.#iqs.resolve(node),
    offlineStart: () => {
      this.#offlineSince = this.#now();
      this.dispatcher.setSerial(true);
    },
    offlineDone: (count) => this.#offlineDone(`${count ?? '?'} stanzas`),
    dispatch: (node, generation) => this.dispatcher.dispatch(node, generation),
    deliver: (node) => (this.dispatcher.handles(node.tag) ? this.dispatcher.deliver(node) : undefined),
    dropLink: (reason) => this.#link?.close(reason),
    pairSuccess: (node) => {
      this.pairing.onPairSuccess(node).then(
        (outcome) => this.signal(outcome.ok ? { type: 'PAIR.SUCCESS' } : { type: 'PAIR.FAILED', reason: outcome.reason }),
        (err: unknown) => {
          this.#deps.logger.error({ err }, 'pair-success could not be stored');
          this.signal({ type: 'FAULT.CRASH' });
        },
      );
    },
    success: (node) => {
      const lid = node.attrs.lid;
      const me = this.#deps.store.creds?.me;
      if (!me || !lid || me.lid === lid) return;
      this.#deps.store.transaction((tx) => tx.creds.update({ me: { ...me, lid } })).catch((err: unknown) => this.#deps.logger.warn({ err }, 'our LID not stored'));
    },
    routingInfo: (info) => {
      this.#deps.store.transaction((tx) => tx.creds.update({ routingInfo: info })).catch((err: unknown) => this.#deps.logger.warn({ err }, 'routing info not stored'));
    },
    ignored: (node) => this.#deps.logger.debug({ tag: node.tag, type: node.attrs.type }, 'stanza ignored'),
  };

  /** Notifications the connection itself handles: the pairing code's, and "prekeys are running low". */
  readonly #builtin: StanzaHandler = {
    tags: ['notification'],
    handle: async (n) => {
      if (n.attrs.type === 'link_code_companion_reg') return this.pairing.onNotification(n);
      const low = lowPreKeyCount(n);
      if (low !== undefined) {
        // Acked at once; the upload runs beside (a failure is retried at the next login or notification).
        replenishPreKeys({ store: this.#deps.store, logger: this.#deps.logger, execute: (spec) => this.#execute(spec, {}, false) }, low).catch((err: unknown) =>
          this.#deps.logger.warn({ err }, 'prekey replenish failed'),
        );
      }
    },
  };

  #inbound(node: BinaryNode, generation: number): void {
    try {
      routeInbound(this.#hooks, node, generation);
    } catch (err) {
      // A bug in routing must not take the process down from inside a socket callback: crash this account only.
      this.#deps.logger.error({ err, tag: node.tag }, 'inbound routing threw');
      this.signal({ type: 'FAULT.CRASH' });
    }
  }

  #offlineDone(why: string): void {
    if (this.#offlineSince === 0) return;
    this.#offlineSince = 0;
    this.dispatcher.setSerial(false);
    this.#deps.logger.info({ why }, 'offline delivery done');
  }

  #ack(stanza: BinaryNode, generation: number): void {
    if (generation !== this.#generation) return;
    const ack = buildAck(stanza, { me: this.#deps.store.creds?.me?.id });
    if (ack) this.#tryWrite(ack);
  }

  #tryWrite(node: BinaryNode): void {
    try {
      this.sendNow(node);
    } catch (err) {
      this.#deps.logger.debug({ err, tag: node.tag }, 'write dropped: no link');
    }
  }

  async #execute<T>(spec: IqSpec<T>, opts: QueryOptions, gated: boolean): Promise<T> {
    return spec.parse(await this.#query(spec.build(), opts, gated));
  }

  async #query(node: BinaryNode, opts: QueryOptions, gated: boolean): Promise<BinaryNode> {
    if (gated) await this.#whenOnline();
    const id = node.attrs.id ?? this.nextId();
    const stanza = node.attrs.id ? node : { ...node, attrs: { ...node.attrs, id } };
    const answer = this.#iqs.wait(id, opts.timeoutMs ?? this.#deps.settings.iqTimeoutMs, opts.signal);
    try {
      this.sendNow(stanza);
    } catch (err) {
      this.#iqs.cancel(id, err as Error);
    }
    return answer;
  }

  #whenOnline(): Promise<void> {
    if (this.#online) return Promise.resolve();
    if (this.#ended) return Promise.reject(new ConnectionError('UNAVAILABLE', `account ${this.accountId} is ${this.#state}`));
    if (this.#waiters.size >= this.#deps.settings.maxWaiting) return Promise.reject(new ConnectionError('OVERLOADED', 'too many calls wait for the account to come online'));
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(w);
          reject(new ConnectionError('UNAVAILABLE', `account ${this.accountId} is not online (${this.#state})`));
        }, this.#deps.settings.sendWaitMs),
      };
      this.#waiters.add(w);
    });
  }

  #linkGone(reason: string): void {
    this.#link = undefined;
    this.#online = false;
    this.#offlineSince = 0;
    this.dispatcher.setSerial(false);
    this.#iqs.failAll(new ConnectionError('CLOSED', `connection closed: ${reason}`));
  }

  #teardown(why: string): void {
    if (this.#ended) return;
    this.#ended = true;
    const link = this.#link;
    this.#generation++;
    this.#linkGone(why);
    link?.close(why);
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      w.reject(new ConnectionError('UNAVAILABLE', `account ${this.accountId} ${why}`));
    }
    this.#waiters.clear();
  }

  readonly #now = (): number => (this.#deps.now ?? Date.now)();
  readonly #random = (): number => (this.#deps.random ?? Math.random)();
}
