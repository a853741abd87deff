/**
 * The connection actor of one account: the xstate machine (machine.ts) and
 * the host it drives. It owns the link (socket + Noise), outgoing stanza
 * ids, IQ correlation with timeouts, the automatic acks, the keepalive and
 * the offline-delivery window, and it is the account's ConnectionPort.
 * Its parts are built in wiring.ts; incoming stanzas are routed by
 * inbound.ts to the hooks of inbound-hooks.ts; acks and persist-failure
 * reconnects are stanza-outcomes.ts; pairing steps are pairing.ts,
 * after-login work session.ts. Nothing slow runs here: handlers are
 * awaited off the machine, PBKDF2 runs on the thread pool, Signal work on
 * the crypto pool.
 *
 * The machine's state is the only truth about the connection (two flags
 * that disagree are how a daemon ends up sending on a dead socket): send() and query() wait (bounded) for `online` or fail UNAVAILABLE.
 */
import type { Logger } from 'pino';
import { createActor, type Actor } from 'xstate';
import type { BinaryNode } from '../../protocol/binary/index.js';
import type { IqSpec } from '../../protocol/iq/index.js';
import { removeCompanionDevice } from '../../protocol/iq/md.js';
import { qrTtlMs, type WebVersion } from '../../protocol/pairing/index.js';
import type { AccountStore } from '../../store/index.js';
import { newCreds } from '../creds.js';
import { AccountError } from '../errors.js';
import type { AccountEventSink } from '../events.js';
import type { ConnectionPort, QueryOptions, StanzaHandler } from '../ports.js';
import { backoffDelay } from './backoff.js';
import { routeInbound, type InboundHooks } from './inbound.js';
import { keepaliveDelay } from './keepalive.js';
import { keepaliveTick } from './keepalive-tick.js';
import { Link } from './link.js';
import { connectionMachine, type ConnectionEvent, type ConnectionHost, type ConnectionState, type ConnectionUpdate } from './machine.js';
import { newerBuildPublished, payloadFor } from './login-build.js';
import { runSessionStart } from './session.js';
import { ServerClock } from './server-clock.js';
import type { ConnectionSettings } from './settings.js';
import { wsTransport, type Transport } from './transport.js';
import { wireConnection } from './wiring.js';
import type { StanzaDispatcher } from './dispatch.js';
import type { OfflineWindow } from './offline-window.js';
import type { OnlineGate } from './online-gate.js';
import type { Pairing } from '../pairing.js';
import type { Wire } from './wire.js';

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

export class AccountConnection implements ConnectionPort, ConnectionHost {
  readonly actor: Actor<typeof connectionMachine>;
  readonly dispatcher: StanzaDispatcher;
  readonly pairing: Pairing;
  /** The server's time, as its last `<success>` or `pair-success` told it. */
  readonly serverClock = new ServerClock(() => this.#now());
  readonly #deps: AccountConnectionDeps;
  readonly #wire: Wire;
  readonly #gate: OnlineGate;
  readonly #offline: OfflineWindow;
  /** What inbound.ts routes to. */
  readonly #hooks: InboundHooks;
  #state: ConnectionState = 'connecting';
  #ended = false;
  #session: Promise<void> | undefined;
  #lastQr: string | undefined;
  /**
   * Set by a logout the user asked for: the server answers our unlink by
   * removing the device (401 device_removed), which must read as the logout
   * it is, not as a device removed by someone else.
   */
  #logoutRequested: string | undefined;
  /** The Web build the last login or registration announced (what a 405 refused). */
  #announced: WebVersion | undefined;

  constructor(deps: AccountConnectionDeps) {
    this.#deps = deps;
    const parts = wireConnection(deps, {
      serverClock: this.serverClock,
      now: this.#now,
      signal: (event) => this.signal(event),
      write: (node) => this.#write(node),
      sendUnifiedSession: () => this.sendUnifiedSession(),
      offlineDone: (why) => this.#offlineDone(why),
    });
    this.#wire = parts.wire;
    this.#gate = parts.gate;
    this.dispatcher = parts.dispatcher;
    this.#offline = parts.offline;
    this.pairing = parts.pairing;
    this.#hooks = parts.hooks;
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
    return this.#gate.isOpen;
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
    return this.#wire.nextId();
  }

  async send(node: BinaryNode): Promise<void> {
    await this.#whenOnline();
    this.#wire.send(node);
  }

  async query(node: BinaryNode, opts: QueryOptions = {}): Promise<BinaryNode> {
    await this.#whenOnline();
    return this.#wire.query(node, opts);
  }

  async execute<T>(spec: IqSpec<T>, opts: QueryOptions = {}): Promise<T> {
    await this.#whenOnline();
    return this.#wire.execute(spec, opts);
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
    this.#logoutRequested = reason;
    if (this.online && me) {
      await this.#wire.execute(removeCompanionDevice(me), { timeoutMs: Math.min(10_000, this.#deps.settings.iqTimeoutMs) }).catch((err: unknown) => {
        // WhatsApp may answer the unlink by removing the device from the stream at once: the IQ then
        // fails with the link, but the unlink is done.
        const snap = this.actor.getSnapshot();
        if (snap.status === 'done' || snap.matches('loggingOut')) return;
        this.#deps.logger.warn({ err }, 'server-side unlink failed; wiping locally anyway');
      });
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

  get backoffResetMs(): number {
    return this.#deps.settings.backoff.resetAfterMs;
  }

  async updateWebVersion(): Promise<boolean> {
    return newerBuildPublished(this.#deps.settings, this.#announced, this.#deps.logger);
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
    const generation = this.#wire.nextGeneration();
    const version = s.webVersion();
    this.#announced = version;
    const payload = payloadFor(creds, s, version);
    const current = (): boolean => generation === this.#wire.generation && !this.#ended;
    const link = new Link({
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
          this.#linkGone(reason, false);
          this.signal({ type: 'LINK.CLOSED', reason });
        },
      },
    });
    if (!current()) return;
    this.#wire.attach(link);
    // Handlers of the last link may still be behind: this one starts paused too.
    link.setPaused(this.dispatcher.busy);
  }

  closeLink(reason: string): void {
    this.#linkGone(reason, true)?.close(reason);
  }

  async wipe(reason: string): Promise<void> {
    await this.#deps.store.wipe('logout');
    if (this.#logoutRequested !== undefined) this.#deps.logger.info({ reason: this.#logoutRequested }, 'logged out: credentials and keys wiped');
    else this.#deps.logger.warn({ reason }, 'logged out: credentials and keys wiped');
  }

  report(update: ConnectionUpdate): void {
    if (update.state === 'loggedOut' && this.#logoutRequested !== undefined) update = { ...update, reason: this.#logoutRequested };
    this.#state = update.state;
    if (update.state === 'qr' && this.pairing.code && !update.pairCode) update = { ...update, pairCode: this.pairing.code };
    this.#deps.onUpdate?.(update);
    this.#deps.logger.info({ state: update.state, reason: update.reason, cause: update.cause, delayMs: update.delayMs }, 'connection state');
    const data: Record<string, string | number> = { state: update.state };
    for (const k of ['reason', 'cause', 'qr', 'pairCode', 'delayMs', 'attempt'] as const) if (update[k] !== undefined) data[k] = update[k];
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
    this.#gate.open();
    this.report({ state: 'online' });
    const { store, logger } = this.#deps;
    this.#session ??= runSessionStart({ store, logger, execute: (spec) => this.#wire.execute(spec), unifiedSession: () => this.sendUnifiedSession() }).finally(() => (this.#session = undefined));
  }

  /** `<ib><unified_session/></ib>` on the current link (after pairing, at login, with `available`). */
  sendUnifiedSession(): void {
    this.#write(this.serverClock.unifiedSession());
  }

  keepaliveTick(): void {
    keepaliveTick({
      wire: this.#wire,
      offline: this.#offline,
      settings: this.#deps.settings,
      now: this.#now,
      signal: (event) => this.signal(event),
      offlineDone: (why) => this.#offlineDone(why),
    });
  }

  backoffDelay(attempt: number): number {
    return backoffDelay(attempt, this.#deps.settings.backoff, this.#random());
  }

  keepaliveDelay(): number {
    return keepaliveDelay(this.#deps.settings.keepAliveIntervalMs, this.#deps.settings.keepAliveJitterMs, this.#random());
  }

  // internals

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
    if (this.#offline.close()) this.#deps.logger.info({ why }, 'offline delivery done');
  }

  #write(node: BinaryNode): void {
    if (!this.#wire.trySend(node)) this.#deps.logger.debug({ tag: node.tag }, 'write dropped: no link');
  }

  #whenOnline(): Promise<void> {
    return this.#gate.wait(() => this.#state);
  }

  /** The link ended or is being left: IQs fail, the gate closes, the offline window ends. */
  #linkGone(reason: string, bump: boolean) {
    this.#gate.close();
    this.#offline.close();
    return this.#wire.detach(reason, bump);
  }

  #teardown(why: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#linkGone(why, true)?.close(why);
    this.#gate.end(`account ${this.accountId} ${why}`);
  }

  readonly #now = (): number => (this.#deps.now ?? Date.now)();
  readonly #random = (): number => (this.#deps.random ?? Math.random)();
}
