/**
 * PhoneHost for one user: what the server offers its simulated phone
 * (device 0). Each method is a thin door into the hub, the router and the
 * pairing registry; the phone's stanzas are routed exactly like a client's.
 */
import type { CollectionAnswer, CollectionRequest } from '../protocol/iq/app-state.js';
import type { Hub } from './hub.js';
import { syncCollections } from './iq/app-state.js';
import type { BinaryNode } from './nodes.js';
import type { Pairing } from './pairing.js';
import type {
  CodeLinkFinish,
  CompanionReservation,
  CompanionSlot,
  PendingCodeLink,
  PhoneHost,
  PreKeyBundle,
  PreKeyUpload,
  SeededCompanion,
} from './phone-host.js';
import { routeMessage, routeReceipt } from './router.js';
import { SimError } from './errors.js';
import type { UserRecord } from './state.js';

export class PhoneBridge implements PhoneHost {
  readonly #hub: Hub;
  readonly #pairing: Pairing;
  readonly #user: UserRecord;

  constructor(hub: Hub, pairing: Pairing, user: UserRecord) {
    this.#hub = hub;
    this.#pairing = pairing;
    this.#user = user;
  }

  get phone(): string {
    return this.#user.phone;
  }

  get userJid(): string {
    return this.#user.jid;
  }

  get lid(): string {
    return this.#user.lid;
  }

  get name(): string {
    return this.#user.name;
  }

  now(): number {
    return this.#hub.now();
  }

  uploadPreKeys(upload: PreKeyUpload): void {
    const device = this.#user.devices.get(0)!;
    device.identityKey = upload.identityKey;
    device.registrationId = upload.registrationId;
    device.signedPreKey = upload.signedPreKey;
    this.#hub.prekeys.add(device.jid, upload.preKeys);
    this.#hub.onChange();
  }

  preKeyCount(): number {
    return this.#hub.prekeys.count(this.#user.jid);
  }

  devicesOf(userJid: string): string[] {
    const user = this.#hub.dir.userOf(userJid);
    return user ? this.#hub.dir.deviceJids(user) : [];
  }

  takePreKeyBundle(deviceJid: string): PreKeyBundle | undefined {
    const device = this.#hub.dir.device(deviceJid);
    const bundle = device && this.#hub.prekeys.bundle(device);
    if (bundle) this.#hub.onChange();
    return bundle;
  }

  groupParticipants(groupJid: string): string[] | undefined {
    const g = this.#hub.groups.get(groupJid);
    if (!g || !g.participants.has(this.#user.jid)) return undefined;
    return [...g.participants.keys()];
  }

  deliverFromPhone(stanza: BinaryNode): BinaryNode | undefined {
    const self = this.#user.jid;
    if (stanza.tag === 'message') return routeMessage(this.#hub, self, stanza);
    if (stanza.tag === 'receipt') return routeReceipt(this.#hub, self, stanza);
    // Acks and anything else from the phone: nothing is tracked for device 0.
    return undefined;
  }

  reserveCompanion(req: CompanionReservation): CompanionSlot {
    return this.#pairing.reserve(this.#user, req);
  }

  completeCompanion(req: { deviceJid: string; deviceIdentity: Uint8Array }): Promise<void> {
    return this.#pairing.complete(this.#user, req);
  }

  seedCompanion(req: SeededCompanion): CompanionSlot {
    const { platform, ...reg } = req;
    return this.#pairing.seed(this.#user, reg, platform);
  }

  pendingCodeLink(): PendingCodeLink | undefined {
    return this.#pairing.pendingCodeLink(this.#user.phone);
  }

  storeMedia(type: string, blob: Uint8Array): { directPath: string } {
    if (!this.#hub.blobs) throw new SimError('NOT_FOUND', 'the simulator has no media endpoint');
    return { directPath: this.#hub.blobs.putBlob(type, blob) };
  }

  lidOf(userJid: string): string | undefined {
    return this.#hub.dir.userOf(userJid)?.lid;
  }

  groupSubject(groupJid: string): string | undefined {
    const g = this.#hub.groups.get(groupJid);
    return g && g.participants.has(this.#user.jid) ? g.subject : undefined;
  }

  get historyLimits(): { messages: number; chats: number; names: number } {
    const l = this.#hub.limits;
    return { messages: l.maxHistoryMessages, chats: l.maxHistoryChats, names: l.maxHistoryNames };
  }

  sendPrimaryHello(req: { ref: string; primaryIdentityPub: Uint8Array; wrappedPrimaryEphemeralPub: Uint8Array }): Promise<CodeLinkFinish> {
    if (!this.#hub.dir.user(this.#user.phone)) return Promise.reject(new SimError('NOT_FOUND', 'user removed'));
    return this.#pairing.primaryHello(this.#user.phone, req);
  }

  syncAppState(requests: readonly CollectionRequest[]): CollectionAnswer[] {
    return syncCollections(this.#hub, this.#user.jid, requests);
  }

  mediaBlob(directPath: string): Uint8Array | undefined {
    return this.#hub.blobs?.getBlob(directPath);
  }
}
