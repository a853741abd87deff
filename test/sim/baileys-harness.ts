/**
 * Drives unmodified Baileys 7 clients against an in-process simulator: an
 * in-memory auth state, linking by QR or pairing code through the admin API
 * (the harness reconnects after 515 — Baileys does not), restarts with saved
 * creds, and waits on Baileys' events. Test support only.
 */
import makeWASocket, {
  BufferJSON,
  DisconnectReason,
  WA_CERT_DETAILS,
  initAuthCreds,
  proto,
  type AuthenticationCreds,
  type BaileysEventMap,
  type SignalDataSet,
  type SignalDataTypeMap,
  type WAMessage,
  type WASocket,
} from 'baileys';
import { pino } from 'pino';
import { startSim, type SimHandle } from '../../src/sim/index.js';
import { mediaDispatcher } from './media-redirect.js';

const logger = pino({ level: process.env.BAILEYS_LOG ?? 'silent' });

export interface MessageUpdate {
  id: string;
  status: number;
}

/** Creds and keys that survive a socket (and a "process") restart, as a JSON round trip. */
export class MemoryAuth {
  creds: AuthenticationCreds = initAuthCreds();
  readonly keys = new Map<string, unknown>();

  /** A deep copy through JSON, as if saved to disk and read back by a restarted process. */
  clone(): MemoryAuth {
    const c = new MemoryAuth();
    c.creds = JSON.parse(JSON.stringify(this.creds, BufferJSON.replacer), BufferJSON.reviver) as AuthenticationCreds;
    for (const [k, v] of this.keys) c.keys.set(k, JSON.parse(JSON.stringify(v, BufferJSON.replacer), BufferJSON.reviver));
    return c;
  }

  state(): Parameters<typeof makeWASocket>[0]['auth'] {
    return {
      creds: this.creds,
      keys: {
        get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
          const out: { [id: string]: SignalDataTypeMap[T] } = {};
          for (const id of ids) {
            let v = this.keys.get(`${type}:${id}`);
            if (v !== undefined && type === 'app-state-sync-key') v = proto.Message.AppStateSyncKeyData.fromObject(v as object);
            if (v !== undefined) out[id] = v as SignalDataTypeMap[T];
          }
          return out;
        },
        set: async (data: SignalDataSet) => {
          for (const [type, entries] of Object.entries(data)) {
            for (const [id, value] of Object.entries(entries ?? {})) {
              if (value === null || value === undefined) this.keys.delete(`${type}:${id}`);
              else this.keys.set(`${type}:${id}`, value);
            }
          }
        },
      },
    };
  }
}

/** How a client is set up; the default takes no history (and so does not wait for it). */
export interface BaileysOptions {
  /** Process every history sync type (Baileys' messaging-history.set), FULL included. */
  history?: boolean;
  /** Ask the phone for a full sync (DeviceProps.requireFullSync). */
  fullHistory?: boolean;
}

/** One messaging-history.set event as Baileys emitted it. */
export type HistorySet = BaileysEventMap['messaging-history.set'];

export class BaileysClient {
  readonly name: string;
  readonly sim: SimHandle;
  readonly options: BaileysOptions;
  auth: MemoryAuth;
  readonly historySets: HistorySet[] = [];
  sock: WASocket | undefined;
  readonly received: WAMessage[] = [];
  /** Messages with fromMe set that arrived from our other devices (own-device copies). */
  readonly ownSent: WAMessage[] = [];
  readonly updates: MessageUpdate[] = [];
  readonly groupReceipts: Array<{ id: string; userJid: string; kind: 'delivered' | 'read' }> = [];
  readonly closes: number[] = [];
  /** App state events, in order: chats.update, chats.delete, contacts.upsert, labels.*, messages.delete, and messages.update that star. */
  readonly appEvents: Array<{ name: string; data: unknown }> = [];
  /** Group events, in order: groups.upsert, groups.update, group-participants.update, group.join-request. */
  readonly groupEvents: Array<{ name: string; data: unknown }> = [];
  /** Baileys' `call` events, in order (offer, reject, terminate, …). */
  readonly calls: Array<BaileysEventMap['call'][number]> = [];
  #waiters: Array<() => void> = [];
  #lastQr: string | undefined;
  #open = false;
  #stopped = false;

  constructor(sim: SimHandle, name: string, auth = new MemoryAuth(), options: BaileysOptions = {}) {
    this.sim = sim;
    this.name = name;
    this.auth = auth;
    this.options = options;
    WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(sim.rootPublicKey, 'hex');
  }

  get jid(): string {
    return this.auth.creds.me!.id;
  }

  /** The user jid (no device). */
  get userJid(): string {
    return this.jid.replace(/:\d+@/, '@');
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Opens a socket; after 515 (pairing done) the harness opens the next one itself. */
  connect(): void {
    this.#open = false;
    this.#lastQr = undefined;
    const sock = makeWASocket({
      waWebSocketUrl: new URL(this.sim.wsUrl),
      auth: this.auth.state()!,
      logger,
      browser: ['Ubuntu', 'Chrome', '22.04'],
      markOnlineOnConnect: true,
      syncFullHistory: this.options.fullHistory === true,
      shouldSyncHistoryMessage: () => this.options.history === true,
      fireInitQueries: true,
      connectTimeoutMs: 20_000,
      getMessage: async (key) => this.received.find((m) => m.key.id === key.id)?.message ?? undefined,
      // Server-made blobs (app state snapshots) come from the simulator's media host, not mmg.whatsapp.net.
      options: { dispatcher: mediaDispatcher(this.sim) } as RequestInit,
    });
    this.sock = sock;
    sock.ev.on('creds.update', (update) => Object.assign(this.auth.creds, update));
    sock.ev.on('connection.update', (u) => {
      if (this.sock !== sock) return;
      if (u.qr) this.#lastQr = u.qr;
      if (u.connection === 'open') this.#open = true;
      if (u.connection === 'close') {
        this.#open = false;
        const code = (u.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode ?? 0;
        this.closes.push(code);
        if (code === DisconnectReason.restartRequired && !this.#stopped) this.connect();
      }
      this.#wake();
    });
    sock.ev.on('messages.upsert', ({ messages }) => {
      for (const m of messages) {
        if (m.message && !m.key.fromMe) this.received.push(m);
        else if (m.message && m.key.fromMe) this.ownSent.push(m);
      }
      this.#wake();
    });
    sock.ev.on('messaging-history.set', (set) => {
      this.historySets.push(set);
      this.#wake();
    });
    sock.ev.on('messages.update', (ups) => {
      for (const u of ups) if (u.key.id && typeof u.update.status === 'number') this.updates.push({ id: u.key.id, status: u.update.status });
      for (const u of ups) if (u.update.starred !== undefined) this.appEvents.push({ name: 'messages.update', data: u });
      this.#wake();
    });
    for (const name of ['chats.update', 'chats.delete', 'contacts.upsert', 'labels.edit', 'labels.association', 'messages.delete'] as const) {
      sock.ev.on(name, (data: unknown) => {
        this.appEvents.push({ name, data });
        this.#wake();
      });
    }
    for (const name of ['groups.upsert', 'groups.update', 'group-participants.update', 'group.join-request'] as const) {
      sock.ev.on(name, (data: unknown) => {
        this.groupEvents.push({ name, data });
        this.#wake();
      });
    }
    sock.ev.on('call', (calls) => {
      this.calls.push(...calls);
      this.#wake();
    });
    sock.ev.on('message-receipt.update', (ups) => {
      for (const u of ups) {
        if (!u.key.id || !u.receipt.userJid) continue;
        this.groupReceipts.push({ id: u.key.id, userJid: u.receipt.userJid, kind: u.receipt.readTimestamp ? 'read' : 'delivered' });
      }
      this.#wake();
    });
  }

  /** Links through the admin API by QR: returns the companion jid once the client is open. */
  async linkByQr(phone: string): Promise<string> {
    this.connect();
    const qr = await this.waitFor(() => this.#lastQr, 'QR');
    const res = await admin(this.sim, 'POST', `/phones/${phone}/link`, { qr });
    await this.waitFor(() => this.#open, 'open after QR link');
    return (res as { jid: string }).jid;
  }

  /** Links by 8-character pairing code (requested once the first QR shows the socket is ready). */
  async linkByCode(phone: string): Promise<string> {
    this.connect();
    await this.waitFor(() => this.#lastQr, 'first QR');
    const code = await this.sock!.requestPairingCode(phone);
    const res = await admin(this.sim, 'POST', `/phones/${phone}/link-code`, { code });
    await this.waitFor(() => this.#open, 'open after code link');
    return (res as { jid: string }).jid;
  }

  /** Ends the socket as a killed process would: no logout, creds kept. */
  kill(): void {
    this.#stopped = true;
    const sock = this.sock;
    this.sock = undefined;
    this.#open = false;
    sock?.ev.removeAllListeners(undefined as never);
    sock?.end(undefined);
  }

  /** A new client from the saved creds (a restarted process). */
  restart(): BaileysClient {
    this.kill();
    const c = new BaileysClient(this.sim, this.name, this.auth.clone(), this.options);
    c.connect();
    return c;
  }

  textsFrom(jid: string): string[] {
    return this.received
      .filter((m) => (m.key.participant ?? m.key.remoteJid)?.replace(/:\d+@/, '@') === jid.replace(/:\d+@/, '@') || m.key.remoteJid === jid)
      .map((m) => textOf(m) ?? '')
      .filter((t) => t !== '');
  }

  async waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 25_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== undefined && v !== false) return v as T;
      if (Date.now() > deadline) throw new Error(`${this.name}: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }
}

/** The text of a text message (Baileys sends `{text}` as conversation or extendedTextMessage). */
export function textOf(m: WAMessage): string | undefined {
  return m.message?.conversation ?? m.message?.extendedTextMessage?.text ?? undefined;
}

export async function admin(sim: SimHandle, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(sim.adminUrl + path, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as unknown;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export async function waitUntil<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 25_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A simulator with two users, each on its own simulated phone with one Baileys companion (a restarted client replaces its field). */
export interface TwoBaileys {
  sim: SimHandle;
  alice: BaileysClient;
  bob: BaileysClient;
  close(): Promise<void>;
}

/** Starts it: alice links by QR, bob by QR or by pairing code. For beforeAll; `close()` in afterAll. */
export async function twoBaileys(phones: { alice: string; bob: string }, opts: { bobLinks?: 'qr' | 'code' } = {}): Promise<TwoBaileys> {
  const sim = await startSim();
  await admin(sim, 'POST', '/phones', { phone: phones.alice, name: 'Alice' });
  await admin(sim, 'POST', '/phones', { phone: phones.bob, name: 'Bob' });
  const alice = new BaileysClient(sim, 'alice');
  const bob = new BaileysClient(sim, 'bob');
  await Promise.all([alice.linkByQr(phones.alice), opts.bobLinks === 'code' ? bob.linkByCode(phones.bob) : bob.linkByQr(phones.bob)]);
  const world: TwoBaileys = {
    sim,
    alice,
    bob,
    // The clients of the moment: a test that restarts one puts the new one here.
    close: async () => {
      world.alice.kill();
      world.bob.kill();
      await sim.close();
    },
  };
  return world;
}
