/**
 * Who a JID is: the canonical identity of a contact. A contact's PN and
 * LID are one person with one set of sessions: they resolve to ONE lock key
 * before any session work (two keys would let two tasks race on one session);
 * LID↔PN mappings are learned from every source (envelope attributes,
 * USync) and persisted with the session migration in one batch, under the
 * old key's lock so nothing runs on the PN session while it moves. Also the
 * canonical chat id consumers see, and "message yourself" detection.
 *
 * Owns the in-memory mapping cache (bounded); must not encrypt or send.
 */
import { jidDecode, jidEncode, jidNormalizedUser, isLid, isPn } from '../../protocol/jid/index.js';
import type { JobRunner } from '../../protocol/jobs/index.js';
import { identityName, type SignalAddress } from '../../store/index.js';
import type { MessagingDeps } from '../messaging-deps.js';
import { BoundedMap } from './bounded.js';

const RESOLVE_RETRIES = 3;

export class Identities {
  readonly #deps: MessagingDeps;
  /** pn user → lid user, and back; both directions known from the store or learned. */
  readonly #lidOfPn = new BoundedMap<string, string>(20_000);
  readonly #pnOfLid = new BoundedMap<string, string>(20_000);

  readonly #job: JobRunner;

  constructor(deps: MessagingDeps) {
    this.#deps = deps;
    this.#job = (kind, input) => deps.crypto.run(kind, input);
  }

  /** The lock key of a device or user JID: its identity after LID resolution. */
  async lockKey(jid: string): Promise<string> {
    return identityName(await this.#deps.store.signalAddress(jid));
  }

  /**
   * Runs `fn` in the account's critical section of `jid`'s identity, with
   * the device addresses resolved inside it. If a LID mapping moved the
   * identity between resolving and entering, it re-enters under the new key.
   */
  async withIdentity<T>(jids: readonly string[], fn: (job: JobRunner, addresses: SignalAddress[]) => Promise<T>): Promise<T> {
    const first = jids[0];
    if (first === undefined) throw new RangeError('withIdentity needs a jid');
    for (let attempt = 0; ; attempt++) {
      const key = await this.lockKey(first);
      const result = await this.#deps.locks.run(key, async () => {
        const addresses = await this.#deps.store.signalAddresses(jids);
        if (identityName(addresses[0]!) !== key && attempt < RESOLVE_RETRIES) return MOVED;
        return { value: await fn(this.#job, addresses) };
      });
      if (result !== MOVED) return result.value;
    }
  }

  /**
   * Records that `pn` and `lid` (user or device JIDs) are one contact:
   * persists the mapping and moves PN sessions to the LID, under the PN
   * identity's lock. Cheap when already known.
   */
  async learn(pn: string, lid: string): Promise<void> {
    const pnUser = jidDecode(pn)?.user;
    const lidUser = jidDecode(lid)?.user;
    if (!pnUser || !lidUser || !isPn(pn) || !isLid(lid)) return;
    if (this.#lidOfPn.get(pnUser) === lidUser) return;
    const known = await this.#deps.store.lids.lidForPn(pnUser);
    if (known !== lidUser) {
      await this.#deps.locks.run(`${pnUser}@s.whatsapp.net`, () => this.#deps.store.learnLidMappings([{ pn: pnUser, lid: lidUser }]));
    }
    this.#lidOfPn.set(pnUser, lidUser);
    this.#pnOfLid.set(lidUser, pnUser);
  }

  async pnOf(lidJid: string): Promise<string | undefined> {
    const lidUser = jidDecode(lidJid)?.user;
    if (!lidUser) return undefined;
    const cached = this.#pnOfLid.get(lidUser);
    if (cached) return `${cached}@s.whatsapp.net`;
    const pn = await this.#deps.store.lids.pnForLid(lidUser);
    if (pn) this.#pnOfLid.set(lidUser, pn);
    return pn ? `${pn}@s.whatsapp.net` : undefined;
  }

  async lidOf(pnJid: string): Promise<string | undefined> {
    const pnUser = jidDecode(pnJid)?.user;
    if (!pnUser) return undefined;
    const cached = this.#lidOfPn.get(pnUser);
    if (cached) return `${cached}@lid`;
    const lid = await this.#deps.store.lids.lidForPn(pnUser);
    if (lid) this.#lidOfPn.set(pnUser, lid);
    return lid ? `${lid}@lid` : undefined;
  }

  /**
   * The one chat id consumers see for a contact: its PN user JID when known
   * (a LID with a known PN maps to it), else the JID as given, without device.
   * Groups and other servers pass through.
   */
  async canonicalChat(jid: string): Promise<string> {
    const user = jidNormalizedUser(jid) || jid;
    if (isLid(user)) return (await this.pnOf(user)) ?? user;
    return user;
  }

  /** Whether `jid` is one of our own identities (PN or LID, any device). */
  isMe(jid: string | undefined): boolean {
    if (!jid) return false;
    const me = this.#deps.me();
    const u = jidDecode(jid)?.user;
    return u !== undefined && (u === jidDecode(me.jid)?.user || (me.lid !== undefined && u === jidDecode(me.lid)?.user));
  }

  /** Our user JID in the same addressing as `chat` (LID chats get our LID when known). */
  ownUserFor(chat: string): string {
    const me = this.#deps.me();
    if (isLid(chat) && me.lid) return jidEncode(jidDecode(me.lid)!.user, 'lid');
    return jidEncode(jidDecode(me.jid)!.user, 's.whatsapp.net');
  }
}

const MOVED = Symbol('moved');
