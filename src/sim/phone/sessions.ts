/**
 * The phone's Signal state with other devices: one 1:1 session record per
 * peer device (keyed by canonical device jid) and sender-key records for
 * groups (ours, and each author device's). Records are the signal core's
 * immutable values: a failed decrypt never replaces a stored record.
 *
 * Owns storage, lookups and (de)serialisation; it does not fetch bundles or
 * build stanzas (phone.ts does, through the host).
 */
import {
  decryptMessage,
  deserializeSessionRecord,
  encryptMessage,
  hasOpenSession,
  initSessionFromBundle,
  serializeSessionRecord,
  type DecryptLookups,
  type LocalIdentity,
  type MessageType,
  type PreKeyBundle,
  type SessionRecord,
} from '../../protocol/signal/index.js';
import {
  createSenderKeyDistribution,
  deserializeSenderKeyRecord,
  groupDecrypt,
  groupEncrypt,
  processSenderKeyDistribution,
  serializeSenderKeyRecord,
  type SenderKeyRecord,
} from '../../protocol/signal/group/index.js';

export interface SessionBookJson {
  sessions: Array<[string, string]>;
  senderKeys: Array<[string, string]>;
  distributed: Array<[string, string[]]>;
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const senderKeyId = (group: string, author: string): string => `${group}\u0000${author}`;

export class SessionBook {
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #senderKeys = new Map<string, SenderKeyRecord>();
  /** Per group: the devices that already hold our current sender key. */
  readonly #distributed = new Map<string, Set<string>>();

  static fromJSON(json: SessionBookJson): SessionBook {
    const book = new SessionBook();
    for (const [jid, rec] of json.sessions) book.#sessions.set(jid, deserializeSessionRecord(unb64(rec)));
    for (const [id, rec] of json.senderKeys) book.#senderKeys.set(id, deserializeSenderKeyRecord(unb64(rec)));
    for (const [group, devices] of json.distributed) book.#distributed.set(group, new Set(devices));
    return book;
  }

  toJSON(): SessionBookJson {
    return {
      sessions: [...this.#sessions].map(([jid, rec]) => [jid, b64(serializeSessionRecord(rec))]),
      senderKeys: [...this.#senderKeys].map(([id, rec]) => [id, b64(serializeSenderKeyRecord(rec))]),
      distributed: [...this.#distributed].map(([group, set]) => [group, [...set]]),
    };
  }

  hasSession(device: string): boolean {
    return hasOpenSession(this.#sessions.get(device));
  }

  /**
   * Starts (or replaces) the session with `device` from its bundle.
   * @throws the signal core's InvalidSignatureError / InvalidKeyError
   */
  startSession(device: string, local: LocalIdentity, bundle: PreKeyBundle): void {
    this.#sessions.set(device, initSessionFromBundle(this.#sessions.get(device), local, bundle).record);
  }

  /** @throws NoSessionError when startSession was never called for `device` */
  encrypt(device: string, local: LocalIdentity, plaintext: Uint8Array): { type: MessageType; ciphertext: Uint8Array } {
    const r = encryptMessage(this.#sessions.get(device), local, plaintext);
    this.#sessions.set(device, r.record);
    return { type: r.type, ciphertext: r.ciphertext };
  }

  /**
   * Decrypts a pkmsg/msg from `device`; returns the plaintext and the one-time
   * prekey it consumed, if any.
   * @throws the signal core's SignalError subclasses; the stored record is then unchanged
   */
  decrypt(device: string, local: LocalIdentity, type: MessageType, ciphertext: Uint8Array, lookups: DecryptLookups): { plaintext: Uint8Array; usedPreKeyId?: number } {
    const r = decryptMessage(this.#sessions.get(device), local, type, ciphertext, lookups);
    this.#sessions.set(device, r.record);
    return { plaintext: r.plaintext, ...(r.usedPreKeyId !== undefined ? { usedPreKeyId: r.usedPreKeyId } : {}) };
  }

  /** Stores a sender key that `author` distributed for `group`. @throws GroupCipherError BAD_DISTRIBUTION … */
  processDistribution(group: string, author: string, distribution: Uint8Array): void {
    const id = senderKeyId(group, author);
    this.#senderKeys.set(id, processSenderKeyDistribution(this.#senderKeys.get(id), distribution));
  }

  /** @throws GroupCipherError NO_SENDER_KEY (no distribution yet) and the other decrypt codes */
  groupDecrypt(group: string, author: string, skmsg: Uint8Array): Uint8Array {
    const id = senderKeyId(group, author);
    const r = groupDecrypt(this.#senderKeys.get(id), skmsg);
    this.#senderKeys.set(id, r.record);
    return r.plaintext;
  }

  /** Our distribution message for `group` (created on first use) and the devices that still need it. */
  ourDistribution(group: string, self: string, members: string[]): { distribution: Uint8Array; missing: string[] } {
    const id = senderKeyId(group, self);
    const { record, distribution } = createSenderKeyDistribution(this.#senderKeys.get(id));
    this.#senderKeys.set(id, record);
    const have = this.#distributed.get(group) ?? new Set<string>();
    this.#distributed.set(group, have);
    return { distribution, missing: members.filter((m) => !have.has(m)) };
  }

  markDistributed(group: string, devices: string[]): void {
    const have = this.#distributed.get(group) ?? new Set<string>();
    for (const d of devices) have.add(d);
    this.#distributed.set(group, have);
  }

  /** Call ourDistribution first. */
  groupEncrypt(group: string, self: string, plaintext: Uint8Array): Uint8Array {
    const id = senderKeyId(group, self);
    const r = groupEncrypt(this.#senderKeys.get(id)!, plaintext);
    this.#senderKeys.set(id, r.record);
    return r.ciphertext;
  }
}
