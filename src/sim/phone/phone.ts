/**
 * SimPhone: one user's simulated primary phone (device 0), the SimPhoneApi
 * the server drives (phone-host.ts). Wires keys, sessions, inbox, outbox and
 * linking together, acks what the server sends like a client, and snapshots
 * its state. It never touches a socket: everything goes through PhoneHost.
 */
import type { AppStateAction } from '../../protocol/appstate/index.js';
import { parseServerSync } from '../../protocol/iq/app-state.js';
import type { proto } from '../../protocol/proto/index.js';
import type { CompanionSlot, PhoneAppStateView, PhoneHost, PhoneReceivedMessage, SeededCompanion, SimNode, SimPhoneApi } from '../phone-host.js';
import { buildKeyIndexList } from './adv.js';
import { PhoneAppState, type PhoneAppStateJson } from './app-state.js';
import { keyShareMessage, keysNamed, requestedKeyIds } from './app-state-keys.js';
import { makeCore, topUpPreKeys, type PhoneCore } from './core.js';
import { Inbox, type InboxOutcome } from './inbox.js';
import { PhoneKeys, PREKEY_BATCH, type PhoneKeysJson } from './keys.js';
import { PhoneHistory } from './history/index.js';
import { linkByCode, linkByQr, seedCompanion, type LinkedCompanion } from './linking.js';
import { messageFromJson, textMessage } from './content.js';
import { Outbox } from './outbox.js';
import { SessionBook, type SessionBookJson } from './sessions.js';
import { buildAck } from './stanzas.js';

export const SNAPSHOT_VERSION = 1;

export interface PhoneSnapshot {
  version: typeof SNAPSHOT_VERSION;
  keys: PhoneKeysJson;
  sessions: SessionBookJson;
  received: PhoneReceivedMessage[];
  /** Absent in snapshots from before app state sync (such a phone starts its app state afresh). */
  appState?: PhoneAppStateJson;
}

function isSnapshot(v: unknown): v is PhoneSnapshot {
  const s = v as PhoneSnapshot | null;
  return !!s && s.version === SNAPSHOT_VERSION && typeof s.keys === 'object' && typeof s.sessions === 'object' && Array.isArray(s.received);
}

export class SimPhone implements SimPhoneApi {
  readonly #core: PhoneCore;
  readonly #inbox: Inbox;
  readonly #outbox: Outbox;
  readonly #appState: PhoneAppState;
  /** Every message sent or received, with chats, names and mappings: what a new companion gets. */
  readonly history: PhoneHistory;

  private constructor(core: PhoneCore, received: PhoneReceivedMessage[], appState: (core: PhoneCore) => PhoneAppState, history?: unknown) {
    this.#core = core;
    this.#outbox = new Outbox(core);
    this.history = new PhoneHistory(core, (device, message) => this.#outbox.sendPeer(device, message), history);
    this.#inbox = new Inbox(
      core,
      received,
      (device, message) => this.#fromCompanion(device, message),
      (content) => this.history.onIncoming(content),
    );
    this.#appState = appState(core);
  }

  /**
   * A phone with fresh keys (uploading its first prekeys), or restored from a snapshot.
   * @throws TypeError when `restore` is given but is not a snapshot of this version
   */
  static async create(host: PhoneHost, restore?: unknown, history?: unknown): Promise<SimPhone> {
    if (restore !== undefined) {
      if (!isSnapshot(restore)) throw new TypeError('not a SimPhone snapshot (version 1)');
      const core = makeCore(host, PhoneKeys.fromJSON(restore.keys), SessionBook.fromJSON(restore.sessions));
      // A server restored without device 0's prekeys (or with few left) gets a fresh batch.
      topUpPreKeys(core);
      const saved = restore.appState;
      return new SimPhone(core, restore.received, (c) => (saved ? PhoneAppState.fromJSON(host, saved) : PhoneAppState.fresh(host, c.keys.advRawId)), history);
    }
    const keys = PhoneKeys.generate();
    const core = makeCore(host, keys, new SessionBook());
    host.uploadPreKeys(keys.mintPreKeys(PREKEY_BATCH));
    return new SimPhone(core, [], (c) => PhoneAppState.fresh(host, c.keys.advRawId), history);
  }

  /** Device 0's identity public key (32 bytes): also the ADV account key. */
  get identityKey(): Uint8Array {
    return this.#core.keys.identity.public;
  }

  onStanza(stanza: SimNode): void {
    this.handle(stanza);
  }

  /** onStanza, telling what happened to a message (tests use it; the server need not). */
  handle(stanza: SimNode): InboxOutcome {
    let outcome: InboxOutcome = 'ignored';
    try {
      if (stanza.tag === 'message') outcome = this.#inbox.onMessage(stanza);
      else if (stanza.tag === 'receipt' && stanza.attrs.type === 'hist_sync') this.history.onReceipt(stanza);
      else if (stanza.tag === 'receipt') {
        this.#outbox.onReceipt(stanza);
        this.history.onReceipt(stanza);
      } else if (stanza.tag === 'notification' && stanza.attrs.type === 'server_sync') this.#appState.pull(parseServerSync(stanza).map((c) => c.name));
    } catch (error) {
      this.#inbox.failures.push({ id: stanza.attrs.id ?? '', from: stanza.attrs.from ?? '', error: String(error) });
    }
    if (stanza.attrs.id && stanza.attrs.from && (stanza.tag === 'message' || stanza.tag === 'receipt' || stanza.tag === 'notification' || stanza.tag === 'call')) {
      this.#core.host.deliverFromPhone(buildAck(stanza, this.#core.self));
    }
    return outcome;
  }

  async linkByQr(qr: string): Promise<{ deviceJid: string }> {
    return this.#linked(await linkByQr(this.#core.host, this.#core.keys, qr));
  }

  /** A companion linked without a pairing session (see seedCompanion): no key share, no history. */
  seedCompanion(c: SeededCompanion & { advSecret: Uint8Array }): CompanionSlot & { deviceIdentity: Uint8Array } {
    return seedCompanion(this.#core.host, this.#core.keys, c);
  }

  async linkByCode(code: string): Promise<{ deviceJid: string }> {
    return this.#linked(await linkByCode(this.#core.host, this.#core.keys, code));
  }

  async appStateAction(action: AppStateAction): Promise<{ versions: Record<string, number> }> {
    return { versions: this.#appState.act(action) };
  }

  appState(): PhoneAppStateView {
    return this.#appState.view();
  }

  /**
   * As a phone does once a companion is linked: the app state keys go at once,
   * then its history starts on its way (queued for it until it logs in).
   */
  #linked(c: LinkedCompanion): { deviceJid: string } {
    this.#appState.attempt(() => this.#outbox.sendPeer(c.deviceJid, keyShareMessage(this.#appState.keys)));
    void this.history.linked(c.deviceJid, c.history);
    return { deviceJid: c.deviceJid };
  }

  /** A companion asking for app state keys it lacks gets those the phone has. */
  #fromCompanion(device: string, message: proto.IMessage): boolean {
    const ids = requestedKeyIds(message);
    if (!ids) return false;
    const keys = keysNamed(this.#appState.keys, ids);
    if (keys.length > 0) this.#appState.attempt(() => this.#outbox.sendPeer(device, keyShareMessage(keys)));
    return true;
  }

  async sendText(to: string, text: string): Promise<{ id: string }> {
    return this.#send(to, textMessage(text));
  }

  async sendMessage(to: string, message: unknown): Promise<{ id: string }> {
    return this.#send(to, messageFromJson(message));
  }

  #send(to: string, message: proto.IMessage): { id: string } {
    const sent = this.#outbox.send(to, message);
    this.history.onSent(to, sent.id, message);
    return sent;
  }

  received(): PhoneReceivedMessage[] {
    return this.#inbox.received();
  }

  redeliveries(): number {
    return this.#inbox.redelivered;
  }

  /** Receipts per device for a message this phone sent ('' = delivered, 'read', 'retry', …). */
  receiptsFor(id: string): Record<string, string[]> {
    return this.#outbox.receiptsFor(id);
  }

  /** Recent stanzas the phone could not decrypt or handle (bounded), for diagnosis. */
  failures(): Array<{ id: string; from: string; error: string }> {
    return [...this.#inbox.failures];
  }

  /**
   * The <key-index-list> content for USync: ADVSignedKeyIndexList signed by
   * this phone, naming the key indexes of the companions still linked.
   */
  keyIndexList(validIndexes: number[], timestampSeconds: number = Math.floor(this.#core.host.now() / 1000)): Uint8Array {
    const { keys } = this.#core;
    return buildKeyIndexList({
      account: keys.identity,
      rawId: keys.advRawId,
      timestamp: timestampSeconds,
      currentIndex: validIndexes.length ? Math.max(...validIndexes) : 0,
      validIndexes,
    });
  }

  snapshot(): PhoneSnapshot {
    return {
      version: SNAPSHOT_VERSION,
      keys: this.#core.keys.toJSON(),
      sessions: this.#core.book.toJSON(),
      received: this.#inbox.received(),
      appState: this.#appState.toJSON(),
    };
  }
}
