/**
 * An in-memory world for messaging tests: the simulator's own hub, router
 * and IQ handlers play WhatsApp's server, and each account is our real
 * messaging module over a MemoryBackend store and an inline crypto pool,
 * connected by a fake ConnectionPort instead of a socket. Stanzas the hub
 * delivers go through the handlers in per-chat order and are acked only
 * after the handler resolved, like the connection actor does.
 */
import { pino } from 'pino';
import type { AccountEvent, AccountEventSink } from '../../../src/account/events.js';
import { Messaging, type MessagingOptions } from '../../../src/account/messaging/index.js';
import type { ConnectionPort, StanzaHandler } from '../../../src/account/ports.js';
import type { BinaryNode } from '../../../src/protocol/binary/index.js';
import { IqServerError, type IqSpec } from '../../../src/protocol/iq/index.js';
import { generateIdentityKeyPair, generatePreKeys, generateRegistrationId, generateSignedPreKey } from '../../../src/protocol/signal/index.js';
import { AccountLocks } from '../../../src/account/locks.js';
import { CryptoPool } from '../../../src/runtime/crypto-pool/index.js';
import { Hub, type LiveSession } from '../../../src/sim/hub.js';
import { handleIq } from '../../../src/sim/iq/index.js';
import { DEFAULT_LIMITS } from '../../../src/sim/limits.js';
import { stanzaKey } from '../../../src/sim/offline.js';
import { handleChatstate, handlePresence } from '../../../src/sim/presence.js';
import { routeMessage, routeReceipt } from '../../../src/sim/router.js';
import { deviceJid, type UserRecord } from '../../../src/sim/state.js';
import { MemoryBackend, Store, type AccountStore, type Transaction } from '../../../src/store/index.js';

const logger = pino({ level: process.env.WAD_TEST_LOG ?? 'silent' });

export interface StoredEventT extends AccountEvent {
  seq: number;
}

class Sink implements AccountEventSink {
  readonly published: StoredEventT[] = [];
  constructor(readonly store: AccountStore) {}
  async emit(event: AccountEvent): Promise<number> {
    let publish: () => void = () => undefined;
    await this.store.transaction((tx) => {
      publish = this.stage(tx, [event]);
    });
    publish();
    return this.published.at(-1)?.seq ?? 0;
  }
  stage(tx: Transaction, events: readonly AccountEvent[]): () => void {
    const seqs = tx.events.append(events.map((e) => ({ type: e.type, t: 0, data: { ...e.data, conversationId: e.conversationId ?? null } })));
    return () => events.forEach((e, i) => this.published.push({ ...e, seq: seqs[i]! }));
  }
}

export class World {
  readonly hub: Hub;
  readonly pool: CryptoPool;
  readonly store = new Store(new MemoryBackend());
  readonly accounts: TestAccount[] = [];

  /** @param hub a running simulator's hub (startSim().hub), so Baileys clients share the world; default: a fresh one */
  constructor(hub?: Hub, options: { pool?: CryptoPool } = {}) {
    this.hub = hub ?? new Hub({ ...DEFAULT_LIMITS }, Date.now);
    this.pool = options.pool ?? new CryptoPool({ inline: 'all' });
  }

  /** A user whose companion `device` runs our messaging; devices listed in `others` exist as silent peers. */
  async account(phone: string, options: MessagingOptions & { device?: number } = {}): Promise<TestAccount> {
    const user = this.hub.dir.user(phone) ?? this.hub.dir.addUser(phone, `name-${phone}`, Date.now());
    const a = await TestAccount.create(this, user, options.device ?? 1, options);
    this.accounts.push(a);
    return a;
  }

  /** Lets every queued handler run. */
  /** Polls `probe` between settles of the world until it yields something. @throws after `tries` polls */
  async until<T>(probe: () => T | undefined | false, what: string, tries = 400): Promise<T> {
    for (let i = 0; i < tries; i++) {
      const v = probe();
      if (v !== undefined && v !== false) return v;
      await this.settle(2);
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  async settle(rounds = 20): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      await new Promise((r) => setImmediate(r));
      await Promise.all(this.accounts.map((a) => a.idle()));
    }
  }

  async close(): Promise<void> {
    for (const a of this.accounts) await a.messaging.close();
    await this.pool.close();
  }
}

export class TestAccount implements LiveSession {
  /** The message:new event of message `id`, once it came. */
  newMessage(id: string): StoredEventT | undefined {
    return this.events('message:new').find((e) => e.data.id === id);
  }

  readonly phone: string;
  readonly deviceJid: string;
  readonly sent: BinaryNode[] = [];
  readonly received: BinaryNode[] = [];
  messaging!: Messaging;
  sink!: Sink;
  store!: AccountStore;
  /** Drop outgoing stanzas of these tags (fault injection). */
  readonly drop = new Set<string>();
  /** Makes the server refuse our next messages with this ack error (463: no privacy token). */
  ackError: string | undefined;
  /** The server routes our messages but its acks are lost (a connection that died before the ack). */
  dropAcks = false;
  /** Makes the server's acks carry this participant hash (a device list the server sees differently). */
  ackPhash: string | undefined;
  /** The xmlns of every IQ we sent, in order. */
  readonly iqs: string[] = [];
  #handlers = new Map<string, StanzaHandler[]>();
  #chains = new Map<string, Promise<void>>();
  #ids = 0;

  private constructor(
    readonly world: World,
    readonly user: UserRecord,
    readonly device: number,
  ) {
    this.phone = user.phone;
    this.deviceJid = deviceJid(user.phone, device);
  }

  static async create(world: World, user: UserRecord, device: number, options: MessagingOptions): Promise<TestAccount> {
    const a = new TestAccount(world, user, device);
    const identity = generateIdentityKeyPair();
    const spk = generateSignedPreKey(identity, 1);
    const registrationId = generateRegistrationId();
    const preKeys = generatePreKeys(1, 20);
    // A fresh store per install: a reinstalled device starts with nothing.
    a.store = await world.store.account(`acct${user.phone}d${device}g${world.accounts.length}`);
    await a.store.transaction((tx) => {
      tx.creds.set({
        noiseKey: generateIdentityKeyPair(),
        pairingEphemeralKeyPair: generateIdentityKeyPair(),
        identityKey: identity,
        signedPreKey: { keyId: spk.keyId, keyPair: spk.keyPair, signature: spk.signature },
        registrationId,
        advSecretKey: new Uint8Array(32),
        me: { id: a.deviceJid, lid: `${user.lidUser}:${device}@lid`, name: `name-${user.phone}` },
        nextPreKeyId: 21,
        firstUnuploadedPreKeyId: 21,
        accountSyncCounter: 0,
        registered: true,
      });
      tx.preKeys.put(preKeys);
    });
    world.hub.dir.addDevice(user, {
      jid: a.deviceJid,
      deviceId: device,
      keyIndex: device,
      platform: 'Chrome',
      linkedAt: Date.now(),
      identityKey: identity.public,
      registrationId,
      signedPreKey: { keyId: spk.keyId, publicKey: spk.keyPair.public, signature: spk.signature },
      noiseKey: generateIdentityKeyPair().public,
    });
    world.hub.prekeys.add(a.deviceJid, preKeys.map((p) => ({ keyId: p.keyId, publicKey: p.keyPair.public })));
    a.sink = new Sink(a.store);
    a.#options = options;
    a.#startMessaging();
    a.online();
    return a;
  }

  #options: MessagingOptions = {};
  /** This account's identity and sender-key locks (fresh at each messaging start, as an Account's are). */
  locks = new AccountLocks();

  #startMessaging(): void {
    const { user, device } = this;
    this.messaging = new Messaging(
      { accountId: this.store.id, port: this.port, store: this.store, crypto: this.world.pool, locks: (this.locks = new AccountLocks()), events: this.sink, logger, me: () => ({ jid: this.deviceJid, lid: `${user.lidUser}:${device}@lid` }) },
      { ackTimeoutMs: 5_000, ...this.#options },
    );
    this.#handlers.clear();
    for (const h of this.messaging.handlers) for (const t of h.tags) this.#handlers.set(t, [...(this.#handlers.get(t) ?? []), h]);
  }

  /** As after a daemon restart: a new messaging module over the same store (nothing kept in memory). */
  async restartMessaging(): Promise<void> {
    await this.messaging.close();
    this.#startMessaging();
  }

  get port(): ConnectionPort {
    return {
      send: (n) => this.portSend(n),
      query: (n) => this.query(n),
      execute: (spec) => this.execute(spec),
      nextId: () => this.nextId(),
    };
  }

  get userJid(): string {
    return `${this.phone}@s.whatsapp.net`;
  }

  online(): void {
    this.world.hub.attach(this, this.user, this.device);
  }

  offline(): void {
    this.world.hub.detach(this, this.deviceJid);
  }

  events(type?: string): StoredEventT[] {
    return this.sink.published.filter((e) => type === undefined || e.type === type);
  }

  async idle(): Promise<void> {
    await Promise.all([...this.#chains.values()]);
  }

  // ---- LiveSession: what the hub delivers to us -------------------------
  send(stanza: BinaryNode): void {
    this.received.push(stanza);
    if (stanza.tag === 'ib') {
      // A backlog waits at login: pull it as the connection actor does, else live stanzas queue behind it.
      const preview = (stanza.content as BinaryNode[] | undefined)?.find((c) => c.tag === 'offline_preview');
      if (preview) setImmediate(() => this.world.hub.offlineBatch(this, 100));
      return;
    }
    if (stanza.tag === 'success') return;
    this.#dispatch(stanza);
  }
  streamError(): void {}
  terminate(): void {}
  setDelay(): void {}

  #dispatch(stanza: BinaryNode): void {
    const key = stanza.attrs.from ?? '';
    const prev = this.#chains.get(key) ?? Promise.resolve();
    const next = prev.then(async () => {
      try {
        for (const h of this.#handlers.get(stanza.tag) ?? []) await h.handle(stanza);
      } catch {
        return; // no ack: the server redelivers
      }
      if (['message', 'receipt', 'notification', 'call'].includes(stanza.tag) && stanza.attrs.id) {
        this.world.hub.queues.ack(this.deviceJid, stanzaKey(stanza.tag, stanza.attrs.id, stanza.attrs.type));
      }
    });
    this.#chains.set(key, next);
  }

  // ---- ConnectionPort: what messaging sends ------------------------------
  async portSend(node: BinaryNode): Promise<void> {
    this.sent.push(node);
    if (this.drop.has(node.tag)) return;
    const hub = this.world.hub;
    switch (node.tag) {
      case 'message': {
        const routed = routeMessage(hub, this.deviceJid, node);
        if (this.dropAcks) return;
        const ack = { ...routed, attrs: { ...routed.attrs, ...(this.ackError ? { error: this.ackError } : {}), ...(this.ackPhash ? { phash: this.ackPhash } : {}) } };
        setImmediate(() => this.#dispatch({ ...ack, attrs: { ...ack.attrs, from: 's.whatsapp.net' } }));
        return;
      }
      case 'receipt':
        routeReceipt(hub, this.deviceJid, node);
        return;
      case 'presence':
        handlePresence(hub, this.deviceJid, node);
        return;
      case 'chatstate':
        handleChatstate(hub, this.deviceJid, node);
        return;
    }
  }

  async query(node: BinaryNode): Promise<BinaryNode> {
    const iq: BinaryNode = { ...node, attrs: { ...node.attrs, id: node.attrs.id ?? this.nextId() } };
    this.iqs.push(iq.attrs.xmlns ?? '');
    const answer = handleIq({ hub: this.world.hub, pairing: undefined as never, session: undefined as never, deviceJid: this.deviceJid }, iq);
    if (answer.attrs.type === 'error') {
      const err = (answer.content as BinaryNode[] | undefined)?.[0];
      throw new IqServerError(Number(err?.attrs.code ?? 500), err?.attrs.text ?? '');
    }
    return answer;
  }

  async execute<T>(spec: IqSpec<T>): Promise<T> {
    return spec.parse(await this.query(spec.build()));
  }

  nextId(): string {
    return `t${++this.#ids}`;
  }
}

