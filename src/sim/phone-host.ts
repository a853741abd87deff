/**
 * The contract between the simulated WhatsApp server (src/sim/*) and the
 * simulated primary phone of each user (src/sim/phone/, device 0).
 *
 * The server owns routing, sockets, device registry, prekey storage and the
 * wire-level pairing stanzas (`pair-device`, `pair-success`, 515). The phone
 * owns everything a real phone's keys do: its Signal identity (which is also
 * its ADV account key), prekeys, sessions, message encryption/decryption, the
 * parsing of a companion's QR, the link-code crypto, and the ADV signature and
 * HMAC of a new companion's device identity. The server never sees a phone's
 * private keys; the phone never touches a socket.
 *
 * Division of the pairing work:
 *   QR:   companion connects → server sends `pair-device` refs → admin API calls
 *         `phone.linkByQr(qr)` → phone parses the QR and calls
 *         `host.reserveCompanion({ref, ...})` → server allocates the device id
 *         and key index → phone builds ADVSignedDeviceIdentityHMAC and calls
 *         `host.completeCompanion({...})` → server sends `pair-success`, awaits
 *         `pair-device-sign`, stores the signed identity, sends 515.
 *   Code: companion sends `link_code_companion_reg` stage `companion_hello`
 *         (kept by the server as a PendingCodeLink for the named phone) →
 *         admin API calls `phone.linkByCode(code)` → phone calls
 *         `host.pendingCodeLink()`, unwraps the companion ephemeral with the
 *         code, then `host.sendPrimaryHello(...)` which resolves with the
 *         companion's `companion_finish` contents → phone derives the ADV
 *         secret → `reserveCompanion` + `completeCompanion` as for QR.
 *
 * Nodes crossing this interface are plain BinaryNode values;
 * byte fields are Uint8Array, keys are raw 32-byte Curve25519 keys WITHOUT the
 * 0x05 type prefix, signatures are 64-byte XEdDSA. Times are unix ms unless
 * the name says seconds.
 */

import type { AppStateAction, AppStateChange } from '../protocol/appstate/index.js';
import type { BinaryNode } from '../protocol/binary/index.js';
import type { CollectionAnswer, CollectionRequest } from '../protocol/iq/app-state.js';
import type { PhoneHistoryApi } from './phone-history.js';

/** A stanza as it crosses this interface: the protocol core's BinaryNode. */
export type SimNode = BinaryNode;

/** The public half of a device's Signal prekeys, as the `encrypt` IQ carries them. */
export interface PreKeyBundle {
  registrationId: number;
  /** Identity public key, 32 bytes. */
  identityKey: Uint8Array;
  signedPreKey: { keyId: number; publicKey: Uint8Array; signature: Uint8Array };
  /** A one-time prekey; absent when the device's supply is exhausted. */
  preKey?: { keyId: number; publicKey: Uint8Array };
}

/** What a device uploads: its bundle parts plus any number of one-time prekeys. */
export interface PreKeyUpload {
  registrationId: number;
  identityKey: Uint8Array;
  signedPreKey: { keyId: number; publicKey: Uint8Array; signature: Uint8Array };
  preKeys: Array<{ keyId: number; publicKey: Uint8Array }>;
}

/** A companion the phone is about to link (from its QR, or its link-code hello). */
export interface CompanionReservation {
  /** The pairing ref: a QR ref (first QR field) or the link_code_pairing_ref. */
  ref: string;
  /** The companion's Noise static public key (QR field 2 / companion_server_auth_key_pub). */
  noiseKey: Uint8Array;
  /** The companion's Signal identity public key (QR field 3 / companion_identity_public). */
  identityKey: Uint8Array;
  /** CompanionWebClientType as a number (QR field 5 / companion_platform_id); 0 if unknown. */
  platformId: number;
}

/** The server's answer to a reservation: where the new companion will live. */
/** A companion's keys, as its registration payload would carry them (see seedCompanion). */
export interface SeededCompanion {
  noiseKey: Uint8Array;
  identityKey: Uint8Array;
  registrationId: number;
  signedPreKey: { keyId: number; publicKey: Uint8Array; signature: Uint8Array };
  /** A short platform name for GET /devices ("Chrome", …). */
  platform: string;
}

export interface CompanionSlot {
  /** e.g. "15550001111:3@s.whatsapp.net" */
  deviceJid: string;
  /** e.g. "88880001111:3@lid" */
  lidJid: string;
  deviceId: number;
  /** The ADV key index the phone must put in ADVDeviceIdentity.keyIndex. */
  keyIndex: number;
  /** What history the companion asked for in its DeviceProps (absent when it sent none). */
  history?: CompanionHistoryConfig;
}

/** DeviceProps.requireFullSync and historySyncConfig, as a registering companion sent them. */
export interface CompanionHistoryConfig {
  requireFullSync: boolean;
  recentSyncDaysLimit?: number;
  fullSyncDaysLimit?: number;
  fullSyncSizeMbLimit?: number;
  /** The companion takes the initial bootstrap inside its notification. */
  inlineInitialPayload: boolean;
}

/** The companion's `companion_hello` as the server received it, kept for the named phone. */
export interface PendingCodeLink {
  ref: string;
  /** salt(32) ‖ iv(16) ‖ AES-256-CTR(PBKDF2(code, salt), iv, companionEphemeralPub) */
  wrappedCompanionEphemeralPub: Uint8Array;
  noiseKey: Uint8Array;
  platformId: number;
  platformDisplay: string;
}

/** The companion's `companion_finish` contents, delivered to the phone. */
export interface CodeLinkFinish {
  /** linkCodeSalt(32) ‖ iv(12) ‖ AES-GCM(bundleKey, iv, companionIdentityPub ‖ primaryIdentityPub ‖ random(32)) */
  wrappedKeyBundle: Uint8Array;
  companionIdentityKey: Uint8Array;
}

/** What the server gives a phone. Every method is synchronous unless it waits on a companion. */
export interface PhoneHost {
  /** The user's phone number, digits only. */
  readonly phone: string;
  /** "<phone>@s.whatsapp.net" */
  readonly userJid: string;
  /** "<lid-user>@lid" (no device) */
  readonly lid: string;
  /** The user's display name (push name), as given to POST /phones. */
  readonly name: string;
  /** Unix ms. */
  now(): number;

  /** Stores the phone's (device 0's) bundle; call once at start and whenever prekeys run low. */
  uploadPreKeys(upload: PreKeyUpload): void;
  /** How many one-time prekeys of device 0 the server still holds. */
  preKeyCount(): number;

  /** Device jids of a user (bare user jid in, "user:dev@server" out, ":0" included as "user@server"), like USync. */
  devicesOf(userJid: string): string[];
  /** A device's bundle, popping one one-time prekey; undefined for an unknown device. */
  takePreKeyBundle(deviceJid: string): PreKeyBundle | undefined;
  /** Participant user jids of a group the phone's user is in; undefined if no such group. */
  groupParticipants(groupJid: string): string[] | undefined;

  /**
   * A stanza the phone sends (`message`, `receipt`), routed exactly like a
   * client's: a message needs `id`, `to`, `type` and `<participants>` (or a
   * single `<enc>` with `to` a device jid); the server stamps `from`/`t`.
   * Returns the server's ack (the same node a client would get).
   */
  deliverFromPhone(stanza: SimNode): SimNode | undefined;

  /**
   * Step 1 of a link: the server checks the ref (a live QR ref, or a pending
   * code link) and allocates a device id and key index.
   * @throws SimError UNKNOWN_REF when no waiting companion has this ref
   */
  reserveCompanion(req: CompanionReservation): CompanionSlot;
  /**
   * Step 2: the server sends `pair-success` carrying `deviceIdentity`
   * (ADVSignedDeviceIdentityHMAC bytes, built and signed by the phone) and
   * resolves once the companion answered `pair-device-sign` (it then gets 515).
   * @throws SimError PAIRING_FAILED when the companion went away or answered with an error
   */
  completeCompanion(req: { deviceJid: string; deviceIdentity: Uint8Array }): Promise<void>;
  /**
   * Both steps at once for a companion that is not connected (benchmarks that
   * seed thousands of linked accounts): its device is stored with the keys given.
   * @throws SimError LIMIT
   */
  seedCompanion(req: SeededCompanion): CompanionSlot;

  /** The latest `companion_hello` addressed to this phone, if any (not consumed). */
  pendingCodeLink(): PendingCodeLink | undefined;
  /**
   * Sends the `link_code_companion_reg` notification to the companion of `ref`
   * and resolves with its `companion_finish`.
   * @throws SimError UNKNOWN_REF / PAIRING_FAILED
   */
  sendPrimaryHello(req: {
    ref: string;
    primaryIdentityPub: Uint8Array;
    /** salt(32) ‖ iv(16) ‖ AES-256-CTR(PBKDF2(code, salt), iv, primaryEphemeralPub) */
    wrappedPrimaryEphemeralPub: Uint8Array;
  }): Promise<CodeLinkFinish>;

  /**
   * The phone's `w:sync:app:state` request (fetch and upload), served exactly
   * like a companion's IQ: a patch it writes is announced to its companions
   * with `server_sync`, and a 409 brings the patches it missed.
   */
  syncAppState(requests: readonly CollectionRequest[]): CollectionAnswer[];
  /** A blob on the media host by its direct path (a snapshot the server stored), or undefined. */
  mediaBlob(directPath: string): Uint8Array | undefined;
  /** Stores an encrypted blob on the media endpoint (as an upload would) and answers its direct path. */
  storeMedia?(type: string, blob: Uint8Array): { directPath: string };
  /** The LID user jid of a user the server knows (by phone-number jid). */
  lidOf?(userJid: string): string | undefined;
  /** A group's subject, for a group the phone's user is in. */
  groupSubject?(groupJid: string): string | undefined;
  /** Bounds of the phone's history (messages all chats together, chats, push names and mappings each). */
  readonly historyLimits?: { messages: number; chats: number; names: number };
}

/** A message the phone received and decrypted. */
export interface PhoneReceivedMessage {
  id: string;
  /** The sender's user jid (group messages: the group jid; see `participant`). */
  from: string;
  participant?: string;
  /** The text, extended text or caption ('' for kinds without text). */
  text: string;
  /** The kind, as wad's decoder names it (text, image, location, poll, reaction, edit, revoke, unknown, …). */
  type: string;
  /** The whole Message as protobuf JSON (enum names, base64 bytes), under deviceSentMessage, without the sender key. */
  message: Record<string, unknown>;
  /** Unix ms. */
  t: number;
}

/** What a phone gives the server. */
export interface SimPhoneApi {
  /**
   * A stanza routed to device 0 (`message`, `receipt`, `notification`). The
   * phone must not throw for stanzas it does not understand; it may answer
   * through `host.deliverFromPhone` (e.g. a delivery receipt).
   */
  onStanza(stanza: SimNode): void;
  /** The phone scans a companion's QR string (`https://wa.me/settings/linked_devices#ref,noise,identity,adv,platform`). */
  linkByQr(qr: string): Promise<{ deviceJid: string }>;
  /** A companion linked without a pairing session (benchmarks): no key share, no history. @throws SimError LIMIT */
  seedCompanion(c: SeededCompanion & { advSecret: Uint8Array }): CompanionSlot & { deviceIdentity: Uint8Array };
  /** The phone enters an 8-character pairing code (PendingCodeLink must be waiting). */
  linkByCode(code: string): Promise<{ deviceJid: string }>;
  /** Sends a text to a user jid (or a group jid) from device 0. */
  sendText(to: string, text: string): Promise<{ id: string }>;
  /** Sends any Message, given as protobuf JSON (see content.ts messageFromJson), to a user or group jid. */
  sendMessage(to: string, message: unknown): Promise<{ id: string }>;
  /** Everything received so far, oldest first (bounded by the phone). */
  received(): PhoneReceivedMessage[];
  /** Messages that came again under an id the phone already held, and were dropped (as WhatsApp clients do). */
  redeliveries?(): number;
  /** A JSON-serialisable snapshot of the phone's keys and sessions (for --data-dir). */
  snapshot(): unknown;
  /**
   * The person does something a chat, contact or setting keeps in app state
   * (archive, pin, mute, read, star, label, delete, name a contact, change the
   * push name): the phone writes it as a patch like any device, and its
   * companions hear of it. Resolves with the version each collection it wrote reached.
   */
  appStateAction?(action: AppStateAction): Promise<{ versions: Record<string, number> }>;
  /** The phone's copy of its app state (collections, hashes, what each record says) and its key ids. */
  appState?(): PhoneAppStateView;
  /** The phone's chat history (kept apart from snapshot(): it is written only when it changed). */
  readonly history?: PhoneHistoryApi;
}

/** One live record of a collection as the phone reads it. */
export interface AppStateEntryView {
  /** The JSON index, e.g. ["archive", "15550002222@s.whatsapp.net"]. */
  index: string[];
  /** The action's schema version. */
  version: number;
  /** The SyncActionValue as protobuf JSON (enum names, base64 bytes). */
  value: Record<string, unknown>;
  /** What the record means, when wad's protocol core reads it. */
  change?: AppStateChange;
}

export interface AppStateCollectionView {
  version: number;
  /** The 128-byte LT-hash, base64. */
  hash: string;
  entries: AppStateEntryView[];
}

export interface PhoneAppStateView {
  /** The sync keys the phone made, by id (base64), oldest first; never their key data. */
  keys: Array<{ id: string; timestamp: number }>;
  collections: Record<string, AppStateCollectionView>;
  /** The last app state failures the phone met (a refused patch, an answer that did not verify), newest last. */
  errors: string[];
}

/**
 * How the server creates a phone. src/sim/phone/index.ts exports one as
 * `createSimPhone`. `restore` is a value previously returned by
 * `snapshot()`; without it the phone generates fresh keys and must call
 * `host.uploadPreKeys` before resolving. `history` is what
 * `history.snapshot()` returned, kept beside it.
 */
export type SimPhoneFactory = (host: PhoneHost, restore?: unknown, history?: unknown) => Promise<SimPhoneApi>;

/** Host methods throw SimError (src/sim/errors.ts) with code UNKNOWN_REF, PAIRING_FAILED or UNKNOWN_DEVICE. */
export type PhoneHostErrorCode = 'UNKNOWN_REF' | 'PAIRING_FAILED' | 'UNKNOWN_DEVICE';
