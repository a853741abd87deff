/**
 * The simulator's switchboard: the stores (directory, prekeys, queues,
 * groups), the live sessions by device, the phones by user, and delivery —
 * to a live socket (tracked until acked), to an offline queue, or to the
 * simulated phone for device 0. Login (`<success>` + the offline backlog in batches),
 * replacement (409), unlinking (401) and fault injection act on sessions
 * here. Routing decisions (who gets what) live in router.ts; stanza parsing in
 * session.ts and iq/*.
 */
import { randomBytes } from 'node:crypto';
import type { AddressingMode } from './addressing.js';
import { AppStateStore } from './app-state/store.js';
import { CallBook } from './calls.js';
import { SimError } from './errors.js';
import { PeerBook, notifyDeviceChange } from './devices.js';
import { DirtyBits, type DirtyType } from './dirty.js';
import { AbProps } from './iq/props.js';
import { DelayTable, MediaFaults, type Fault } from './faults.js';
import { GroupStore } from './groups.js';
import type { SimLimits } from './limits.js';
import { node, unixSeconds, type BinaryNode } from './nodes.js';
import { DeliveryQueues, keyOf } from './offline.js';
import { OfflineDelivery } from './offline-delivery.js';
import { NewsletterStore } from './newsletters.js';
import type { SimPhoneApi } from './phone-host.js';
import { PreKeyStore } from './prekeys.js';
import { PresenceBook } from './presence.js';
import { PrivacyBook } from './privacy-book.js';
import { ProfileBook } from './profiles.js';
import { Directory, parseDeviceJid, type UserRecord } from './state.js';
import { SimStats } from './stats.js';
import { TcTokenAuthority } from './tctokens.js';
import { WebVersionPolicy } from './web-version.js';
import { WireLog } from './wire-log.js';

/** What the hub needs from a logged-in session (session.ts). */
export interface LiveSession {
  readonly deviceJid: string;
  readonly phone: string;
  /** Sends a stanza on the socket. */
  send(stanza: BinaryNode): void;
  streamError(code: number | undefined, child?: BinaryNode): void;
  terminate(): void;
  setDelay(ms: number): void;
}

/** What the media_conn IQ advertises (media.ts provides it). */
export interface MediaEndpoint {
  /** "127.0.0.1:<port>" */
  readonly hostname: string;
  readonly maxBlobBytes: number;
  /** A fresh upload token, valid until the simulator stops (bounded). */
  issueAuth(): string;
  /** Whether a channel upload was answered with this handle (a media post's `media_id`). */
  isChannelHandle(handle: string): boolean;
}

/** Blobs the server makes itself and serves from the media host (app state snapshots). */
export interface BlobStore {
  /** Stores a blob → its direct path. */
  putBlob(type: string, bytes: Uint8Array): string;
  /** A stored blob by its direct path, or undefined (never stored, or evicted). */
  getBlob(directPath: string): Uint8Array | undefined;
}

/** Stanza tags the client acks; only these are tracked and queued for an offline device. */
const ACKED_TAGS = new Set(['message', 'receipt', 'notification', 'call']);

export class Hub {
  readonly dir: Directory;
  readonly prekeys: PreKeyStore;
  readonly queues: DeliveryQueues;
  readonly groups: GroupStore;
  /** Channels: owners, followers, posts' numbers and reactions (newsletters.ts). */
  readonly newsletters: NewsletterStore;
  readonly stats = new SimStats();
  readonly delays = new DelayTable();
  readonly mediaFaults = new MediaFaults();
  readonly presence = new PresenceBook();
  /** Who has messaged whom, for device-list notifications (devices.ts). */
  readonly peers = new PeerBook();
  /** What each device sent, summarised (GET /devices/:device/wire). */
  readonly wire = new WireLog();
  /** The Web build published at /sw.js and the oldest one that may log in. */
  readonly webVersion = new WebVersionPolicy();
  /** The A/B props every account is served (iq/props.ts). */
  readonly abProps = new AbProps();
  /** Per-user dirty bits, sent to companions at login until one cleans them. */
  readonly dirty = new DirtyBits();
  /** user jid → blocked jids (iq/blocklist.ts) */
  readonly blocklists = new Map<string, Set<string>>();
  /** Abouts, pictures and business profiles (profiles.ts). */
  readonly profiles = new ProfileBook();
  /** Calls placed, by id, with how each ended (calls.ts). */
  readonly calls = new CallBook();
  /** Privacy settings per user (privacy-book.ts). */
  readonly privacy = new PrivacyBook();
  /** Privacy tokens: minting, checking, and which senders need one (tctokens.ts). */
  readonly tcTokens: TcTokenAuthority;
  /** The addressing mode of groups clients create (the admin API may choose per group). */
  groupAddressingMode: AddressingMode = 'pn';
  media: MediaEndpoint | undefined;
  blobs: BlobStore | undefined;
  /** Every user's app state collections (app-state/store.ts). */
  readonly appState: AppStateStore;
  readonly limits: SimLimits;
  readonly phones = new Map<string, SimPhoneApi>();
  /** Every connection that has not closed, logged in or not (for faults and /stats). */
  readonly connections = new Set<{ terminate(): void; streamError(code: number | undefined): void; readonly phone?: string | undefined }>();
  readonly #sessions = new Map<string, LiveSession>();
  /** Devices still pulling their offline backlog, by device jid. */
  readonly #deliveries = new Map<string, OfflineDelivery>();
  readonly #clock: () => number;
  /** Called when a snapshot-worthy change happened (persist.ts debounces it). */
  onChange: () => void = () => {};

  /** @param tokenSecret keys the privacy tokens (a fresh random one when absent: tokens then die with the process) */
  constructor(limits: SimLimits, clock: () => number = Date.now, tokenSecret: Uint8Array = randomBytes(32)) {
    this.limits = limits;
    this.tcTokens = new TcTokenAuthority(tokenSecret);
    this.#clock = clock;
    this.dir = new Directory(limits);
    this.prekeys = new PreKeyStore(limits.maxPreKeysPerDevice);
    this.queues = new DeliveryQueues(limits.maxOfflinePerDevice, limits.maxUnackedPerDevice);
    this.groups = new GroupStore(limits.maxGroups, limits.maxGroupParticipants);
    this.newsletters = new NewsletterStore(limits.maxGroups, limits.maxGroupParticipants);
    this.appState = new AppStateStore(limits);
  }

  now(): number {
    return this.#clock();
  }

  nowSeconds(): string {
    return unixSeconds(this.#clock());
  }

  session(deviceJid: string): LiveSession | undefined {
    return this.#sessions.get(deviceJid);
  }

  get onlineCount(): number {
    return this.#sessions.size;
  }

  /**
   * A device logged in: a previous socket of the same device is replaced
   * (stream error 409 with `<conflict type="replaced"/>`), then `<success>`
   * and the offline queue, pulled by the client in batches (offline-delivery.ts).
   */
  attach(session: LiveSession, user: UserRecord, deviceId: number): void {
    const old = this.#sessions.get(session.deviceJid);
    if (old && old !== session) {
      this.#sessions.delete(session.deviceJid);
      this.#endDelivery(session.deviceJid);
      this.queues.requeueUnacked(session.deviceJid);
      old.streamError(409, node('conflict', { type: 'replaced' }));
    }
    this.#sessions.set(session.deviceJid, session);
    session.setDelay(this.delays.for(user.phone));
    session.send(
      node('success', {
        t: this.nowSeconds(),
        lid: `${user.lidUser}:${deviceId}@lid`,
        props: '0',
        abprops: '0',
        location: 'sim',
        display_name: '',
      }),
    );
    for (const ib of this.dirty.stanzas(user.phone)) session.send(ib);
    const delivery = new OfflineDelivery({
      deviceJid: session.deviceJid,
      queues: this.queues,
      send: (stanza) => session.send(stanza),
      maxBatch: this.limits.maxOfflineBatch,
      waitMs: this.limits.offlineBatchWaitMs,
      delivered: (n) => {
        this.stats.offlineDelivered += n;
        this.stats.offlineBatches++;
      },
      finished: () => {
        if (this.#deliveries.get(session.deviceJid) === delivery) this.#deliveries.delete(session.deviceJid);
      },
    });
    this.#deliveries.set(session.deviceJid, delivery);
    delivery.start();
  }

  /** `<ib><offline_batch count/>` from a logged-in device: the next part of its backlog. */
  offlineBatch(session: LiveSession, count: number): void {
    if (this.#sessions.get(session.deviceJid) !== session) return;
    this.#deliveries.get(session.deviceJid)?.request(count);
  }

  /** The device acked a stanza (a delivery still running takes that as a sign of progress). */
  acked(deviceJid: string): void {
    this.#deliveries.get(deviceJid)?.acked();
  }

  /** The socket of a logged-in device closed: its unacked stanzas wait for the next login. */
  /** Returns false when another session has taken the device over since (it stays attached). */
  detach(session: LiveSession, deviceJid: string): boolean {
    if (this.#sessions.get(deviceJid) !== session) return false;
    this.#sessions.delete(deviceJid);
    this.#endDelivery(deviceJid);
    this.queues.requeueUnacked(deviceJid);
    return true;
  }

  /**
   * Hands a stanza to a device: device 0 → its phone; a live device → its
   * socket (acked stanzas are tracked); an offline device, or one still
   * pulling its backlog → its queue (`live: true` stanzas such as chatstates
   * are dropped for an offline device, sent at once to a pulling one).
   */
  deliver(deviceJid: string, stanza: BinaryNode, opts: { live?: boolean } = {}): void {
    const p = parseDeviceJid(deviceJid);
    if (!p) return;
    if (p.device === 0) {
      const phone = this.phones.get(this.dir.userOf(deviceJid)?.phone ?? '');
      if (phone) {
        // Never re-enter the router from inside a route: the phone answers on a later tick.
        setImmediate(() => {
          try {
            phone.onStanza(stanza);
          } catch {
            /* a phone that cannot handle a stanza ignores it, as a real one would */
          }
          this.onChange();
        });
      }
      return;
    }
    const tracked = ACKED_TAGS.has(stanza.tag) && stanza.attrs.id !== undefined && !opts.live;
    const live = this.#sessions.get(deviceJid);
    // A device still pulling its backlog gets new stanzas behind it, in the order they came.
    const pulling = tracked && this.#deliveries.has(deviceJid);
    if (live && !pulling) {
      if (tracked) this.queues.sent(deviceJid, { key: keyOf(stanza), node: stanza });
      live.send(stanza);
    } else if (tracked && this.dir.device(deviceJid)) {
      this.queues.enqueue(deviceJid, { key: keyOf(stanza), node: stanza });
      this.onChange();
    }
  }

  /** Sets a dirty bit for a user and tells its companions online now (the others at their next login). */
  setDirty(user: UserRecord, type: DirtyType): void {
    this.dirty.set(user.phone, type, Math.floor(this.#clock() / 1000));
    for (const s of this.#sessions.values()) {
      if (s.phone === user.phone) for (const ib of this.dirty.stanzas(user.phone)) s.send(ib);
    }
  }

  /** Unlinks a companion: it is told 401 (logged out) and forgotten with its keys and queue. */
  removeDevice(user: UserRecord, deviceId: number): boolean {
    const removed = this.dir.removeDevice(user, deviceId);
    if (!removed) return false;
    const live = this.#sessions.get(removed.jid);
    this.#sessions.delete(removed.jid);
    this.#endDelivery(removed.jid);
    this.queues.forget(removed.jid);
    this.prekeys.drop(removed.jid);
    live?.streamError(401, node('conflict', { type: 'device_removed' }));
    notifyDeviceChange(this, user, 'remove', removed.jid, removed.keyIndex);
    this.onChange();
    return true;
  }

  #endDelivery(deviceJid: string): void {
    this.#deliveries.get(deviceJid)?.close();
    this.#deliveries.delete(deviceJid);
  }

  /** DELETE /faults: standing delays end, for live sockets too; pending media faults are dropped. */
  clearFaults(): void {
    this.delays.clear();
    this.mediaFaults.clear();
    for (const s of this.#sessions.values()) s.setDelay(0);
  }

  /** @throws SimError NOT_FOUND for an unknown phone */
  applyFault(fault: Fault): number {
    if (fault.phone !== undefined && !this.dir.user(fault.phone)) throw new SimError('NOT_FOUND', `no user ${fault.phone}`);
    this.stats.faultsInjected++;
    if (fault.kind === 'media-error' || fault.kind === 'media-reset') {
      this.mediaFaults.add(fault);
      return fault.times ?? 1;
    }
    if (fault.kind === 'delay') {
      this.delays.set(fault.phone, fault.ms ?? 0);
      let n = 0;
      for (const s of this.#sessions.values()) {
        if (fault.phone === undefined || s.phone === fault.phone) {
          s.setDelay(this.delays.for(s.phone));
          n++;
        }
      }
      return n;
    }
    const targets = [...this.connections].filter((c) => fault.phone === undefined || c.phone === fault.phone);
    for (const c of targets) {
      if (fault.kind === 'drop') c.terminate();
      else c.streamError(fault.code === null ? undefined : fault.code ?? 503);
    }
    return targets.length;
  }
}
