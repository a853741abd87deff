/**
 * Signal 1:1 sessions for messaging: prekey bundles fetched for devices we
 * have no session with (one IQ for all), sessions built from bundles (fetched
 * or carried by a retry receipt), fan-out encryption grouped by identity so
 * that every identity's sessions are touched under its one lock (a PN and
 * a LID of one contact must never run on two sessions at once), and the pairwise decrypt step of the receive path, which
 * returns its writes so the caller commits them with the message itself
 * (a crash never keeps a ratchet step without its message). Crypto runs in the pool; records are stored as bytes.
 *
 * A session record that does not decode (damaged on disk) would fail every
 * message with that device for good: it is dropped instead, and rebuilt — on
 * receive by the sender, from the keys of our retry receipt (a NoSessionError
 * tells the receive path to send them); on send from a fetched bundle.
 *
 * Owns no state; must not send stanzas other than the bundle IQ.
 */
import { fetchPreKeyBundles, type FetchedBundle } from '../../protocol/iq/prekey-bundle.js';
import { jidDecode, jidEncode } from '../../protocol/jid/index.js';
import { NoSessionError, peekPreKeyMessage, SignalError } from '../../protocol/signal/index.js';
import type { JobIdentity, JobKeyPair, JobRunner } from '../../protocol/jobs/index.js';
import type { SignalAddress, Transaction } from '../../store/index.js';
import type { MessagingDeps } from '../messaging-deps.js';
import { MessagingError } from './errors.js';
import { mapLimit } from './bounded.js';
import type { Identities } from './identity.js';

/**
 * Identities one fan-out works on at once: enough to keep the pool's
 * workers busy, few enough that other accounts' jobs are not queued behind
 * a large group's whole distribution.
 */
const IDENTITIES_IN_FLIGHT = 8;

export interface EncryptTarget {
  readonly jid: string;
  readonly plaintext: Uint8Array;
}

export interface Encrypted {
  readonly jid: string;
  readonly type: 'pkmsg' | 'msg';
  readonly ciphertext: Uint8Array;
}

/** Writes of a decrypt, applied in the caller's transaction. */
export type StageWrites = (tx: Transaction) => void;

/** The stored record itself does not decode (as opposed to a message that does not). */
function isDamagedRecord(err: unknown): boolean {
  return err instanceof SignalError && err.code === 'BAD_RECORD';
}

export class SessionCrypto {
  readonly #deps: MessagingDeps;
  readonly #ids: Identities;
  /** Damaged session records dropped (counters of account:status). */
  readonly stats = { damagedSessionsDropped: 0 };

  constructor(deps: MessagingDeps, ids: Identities) {
    this.#deps = deps;
    this.#ids = ids;
  }

  /** @throws MessagingError NOT_READY before pairing */
  local(): JobIdentity {
    const creds = this.#deps.store.creds;
    if (!creds) throw new MessagingError('NOT_READY', 'the account has no credentials');
    return { identityKey: { public: creds.identityKey.public, private: creds.identityKey.private }, registrationId: creds.registrationId };
  }

  /**
   * Makes sure every device has a session: fetches bundles for those without
   * one (or all of `force`) and builds sessions. Devices whose bundle the
   * server refused are returned (the send goes on without them).
   */
  async ensure(deviceJids: readonly string[], force: readonly string[] = []): Promise<string[]> {
    const addresses = await this.#deps.store.signalAddresses(deviceJids);
    const records = await this.#deps.store.sessions.getMany(addresses);
    const forced = new Set(force);
    const need = deviceJids.filter((j, i) => records[i] === undefined || forced.has(j));
    if (need.length === 0) return [];
    const bundles = await this.#deps.port.execute(fetchPreKeyBundles(need));
    const failed = new Set(need);
    const byUser = new Map<string, Array<{ jid: string; bundle: FetchedBundle }>>();
    for (const b of bundles) {
      if (!('bundle' in b)) continue;
      const jid = need.find((j) => j === b.jid) ?? b.jid;
      failed.delete(jid);
      const user = userOf(jid);
      byUser.set(user, [...(byUser.get(user) ?? []), { jid, bundle: b.bundle }]);
    }
    await mapLimit([...byUser.values()], IDENTITIES_IN_FLIGHT, (list) => this.#initMany(list));
    return [...failed];
  }

  /** Builds a session from a bundle (a retry receipt's keys), replacing the current one. */
  async initFromBundle(jid: string, bundle: FetchedBundle): Promise<void> {
    await this.#initMany([{ jid, bundle }]);
  }

  async #initMany(list: ReadonlyArray<{ jid: string; bundle: FetchedBundle }>): Promise<void> {
    const local = this.local();
    await this.#ids.withIdentity(
      list.map((x) => x.jid),
      async (job, addresses) => {
        const records = await this.#deps.store.sessions.getMany(addresses);
        const out: Array<[SignalAddress, Uint8Array, Uint8Array]> = [];
        const changed: string[] = [];
        for (const [i, { jid, bundle }] of list.entries()) {
          const r = await job('signal.init', { record: records[i] ?? null, local, bundle, trusted: null });
          out.push([addresses[i]!, r.record, bundle.identityKey]);
          if (r.identityChanged) changed.push(jid);
        }
        let publish: () => void = () => undefined;
        const user = changed[0] && (await this.#ids.canonicalChat(changed[0]));
        await this.#deps.store.transaction((tx) => {
          for (const [a, record, identity] of out) {
            tx.sessions.put(a, record);
            tx.identities.put(a, identity);
          }
          // The contact reinstalled (a new identity in the bundle): consumers are told with the new session.
          if (user) publish = this.#deps.events.stage(tx, [{ type: 'account:status', conversationId: user, data: { kind: 'identity-changed', jid: user, devices: changed } }]);
        });
        publish();
      },
    );
  }

  /** Forgets a device's session (a retry with a different registration id: the peer reinstalled). */
  async drop(jid: string): Promise<void> {
    await this.#ids.withIdentity([jid], async (_job, [a]) => {
      await this.#deps.store.transaction((tx) => tx.sessions.delete(a!));
    });
  }

  /**
   * Encrypts each target's plaintext (already padded) with its session, one
   * identity section per user, all users in parallel. Devices without a
   * session are skipped (the caller ensured sessions first). `alongside`
   * writes are committed with the first session batch, so before the caller
   * can send anything.
   */
  async encrypt(targets: readonly EncryptTarget[], alongside?: (tx: Transaction) => void): Promise<Encrypted[]> {
    const local = this.local();
    // `alongside` rides in the first session batch (a send's sent-cache record: one commit fewer), or alone at the end.
    let pending = alongside;
    // Targets whose session record was damaged (dropped above): encrypted again on a session from a fetched bundle.
    const damaged: EncryptTarget[] = [];
    const byUser = new Map<string, EncryptTarget[]>();
    for (const t of targets) byUser.set(userOf(t.jid), [...(byUser.get(userOf(t.jid)) ?? []), t]);
    const parts = await mapLimit([...byUser.values()], IDENTITIES_IN_FLIGHT, (list) =>
        this.#ids.withIdentity(
          list.map((t) => t.jid),
          async (job, addresses) => {
            const records = await this.#deps.store.sessions.getMany(addresses);
            const out: Encrypted[] = [];
            const writes: Array<[SignalAddress, Uint8Array]> = [];
            const dropped: SignalAddress[] = [];
            for (const [i, t] of list.entries()) {
              const record = records[i];
              if (!record) continue;
              let r;
              try {
                r = await job('signal.encrypt', { record, local, plaintext: t.plaintext, trusted: null });
              } catch (err) {
                if (!isDamagedRecord(err)) throw err;
                this.#damaged(t.jid, err);
                dropped.push(addresses[i]!);
                damaged.push(t);
                continue;
              }
              out.push({ jid: t.jid, type: r.type, ciphertext: r.ciphertext });
              writes.push([addresses[i]!, r.record]);
            }
            if (writes.length > 0 || dropped.length > 0) {
              const extra = writes.length > 0 ? pending : undefined;
              if (extra) pending = undefined;
              await this.#deps.store.transaction((tx) => {
                extra?.(tx);
                writes.forEach(([a, rec]) => tx.sessions.put(a, rec));
                dropped.forEach((a) => tx.sessions.delete(a));
              });
            }
            return out;
          },
        ),
    );
    if (pending) await this.#deps.store.transaction(pending);
    if (damaged.length === 0) return parts.flat();
    await this.ensure(damaged.map((t) => t.jid));
    return [...parts.flat(), ...(await this.encrypt(damaged))];
  }

  #damaged(jid: string, err: unknown): void {
    this.stats.damagedSessionsDropped++;
    this.#deps.logger.warn({ jid, err: (err as Error).message }, 'damaged session record dropped; a fresh session replaces it');
  }

  /**
   * The pairwise step of a receive, inside the author's identity section:
   * decrypts a pkmsg/msg and returns the plaintext (still padded) and the
   * writes to commit with the message. @throws SignalError and pool errors
   */
  async decrypt(job: JobRunner, address: SignalAddress, type: 'pkmsg' | 'msg', ciphertext: Uint8Array, nowMs: number): Promise<{ plaintext: Uint8Array; identityChanged: boolean; stage: StageWrites }> {
    const local = this.local();
    const creds = this.#deps.store.creds!;
    const record = (await this.#deps.store.sessions.get(address)) ?? null;
    let preKey: JobKeyPair | null = null;
    let signedPreKey: JobKeyPair | null = null;
    if (type === 'pkmsg') {
      const header = peekPreKeyMessage(ciphertext);
      if (header.preKeyId !== undefined) {
        const stored = await this.#deps.store.preKeys.get(header.preKeyId);
        if (stored) preKey = { public: stored.keyPair.public, private: stored.keyPair.private };
      }
      if (header.signedPreKeyId === creds.signedPreKey.keyId) {
        signedPreKey = { public: creds.signedPreKey.keyPair.public, private: creds.signedPreKey.keyPair.private };
      }
    }
    const input = { local, type, ciphertext, preKey, signedPreKey, trusted: null };
    let r;
    try {
      r = await job('signal.decrypt', { ...input, record });
    } catch (err) {
      if (record === null || !isDamagedRecord(err)) throw err;
      this.#damaged(`${address.user}.${address.device}`, err);
      await this.#deps.store.transaction((tx) => tx.sessions.delete(address));
      // A msg needs the session we just dropped: the sender must start a new one, from the keys our retry receipt carries.
      if (type === 'msg') throw new NoSessionError(`the session with ${address.user}.${address.device} was damaged and dropped: a fresh one is needed`);
      r = await job('signal.decrypt', { ...input, record: null });
    }
    return {
      plaintext: r.plaintext,
      identityChanged: r.identityChanged,
      stage: (tx) => {
        tx.sessions.put(address, r.record);
        tx.identities.put(address, r.remoteIdentity);
        // Kept for the grace period so a retransmitted pkmsg still decrypts.
        if (r.usedPreKeyId !== null) tx.preKeys.markUsed(r.usedPreKeyId, nowMs);
      },
    };
  }
}

function userOf(jid: string): string {
  const d = jidDecode(jid);
  return d ? jidEncode(d.user, d.server) : jid;
}
