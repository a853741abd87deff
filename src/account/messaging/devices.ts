/**
 * Device lists of the users we send to: one USync query
 * for every user not cached, an in-memory LRU with a time to live in front of
 * the store's device lists, invalidation on `devices` notifications and when
 * a message arrives from a device we did not know. USync answers also teach
 * LID↔PN mappings.
 *
 * Owns the cache; must not encrypt or send messages.
 */
import { randomBytes } from 'node:crypto';
import { jidDecode, jidEncode, jidNormalizedUser } from '../../protocol/jid/index.js';
import { usyncDevices } from '../../protocol/iq/usync.js';
import type { DeviceEntry } from '../../store/index.js';
import type { MessagingDeps } from '../messaging-deps.js';
import { BoundedMap } from './bounded.js';
import type { Identities } from './identity.js';

/** Baileys and WhatsApp Web keep device lists for 5 minutes between sends. */
const DEFAULT_TTL_MS = 5 * 60_000;
const MAX_CACHED_USERS = 5_000;
const USYNC_CHUNK = 500;

export interface DeviceDirectoryOptions {
  readonly ttlMs?: number;
  readonly now?: () => number;
}

export class DeviceDirectory {
  readonly #deps: MessagingDeps;
  readonly #ids: Identities;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #cache: BoundedMap<string, readonly DeviceEntry[]>;
  /** Queries in flight per user, so concurrent sends share one USync. */
  readonly #inflight = new Map<string, Promise<void>>();

  constructor(deps: MessagingDeps, ids: Identities, options: DeviceDirectoryOptions = {}) {
    this.#deps = deps;
    this.#ids = ids;
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.#now = options.now ?? Date.now;
    this.#cache = new BoundedMap(MAX_CACHED_USERS, { ttlMs: this.#ttlMs, now: this.#now });
  }

  /**
   * Every device JID of these users (in the users' own addressing), our own
   * sending device excluded. Users without devices are left out.
   * @throws IqServerError / ConnectionError from the USync query
   */
  async devices(userJids: readonly string[]): Promise<string[]> {
    const users = [...new Set(userJids.map((j) => jidNormalizedUser(j)).filter((j) => j !== ''))];
    const missing: string[] = [];
    const lists = new Map<string, readonly DeviceEntry[]>();
    for (const u of users) {
      const cached = this.#cache.get(u);
      if (cached) lists.set(u, cached);
      else missing.push(u);
    }
    if (missing.length > 0) {
      const stored = await this.#deps.store.devices.getMany(missing);
      const stale: string[] = [];
      missing.forEach((u, i) => {
        const s = stored[i];
        if (s && this.#now() - s.updatedAt < this.#ttlMs) {
          lists.set(u, s.devices);
          this.#cache.set(u, s.devices);
        } else stale.push(u);
      });
      if (stale.length > 0) {
        await this.#fetch(stale);
        for (const u of stale) lists.set(u, this.#cache.get(u) ?? []);
      }
    }
    const me = this.#deps.me();
    const out: string[] = [];
    for (const u of users) {
      const d = jidDecode(u)!;
      for (const dev of lists.get(u) ?? []) {
        const jid = jidEncode(d.user, d.server, dev.id);
        if (jid === me.jid || jid === me.lid) continue;
        out.push(jid);
      }
    }
    return out;
  }

  /** Forget a user's list (device notification, unknown sender device, send failure). */
  async invalidate(userJid: string): Promise<void> {
    const u = jidNormalizedUser(userJid);
    this.#cache.delete(u);
    await this.#deps.store.transaction((tx) => tx.devices.delete(u)).catch(() => undefined);
  }

  /** Whether `deviceJid` is in the cached list of its user (unknown list: true, nothing to say). */
  knows(deviceJid: string): boolean {
    const d = jidDecode(deviceJid);
    if (!d) return true;
    const list = this.#cache.get(jidEncode(d.user, d.server));
    return list === undefined || list.some((e) => e.id === (d.device ?? 0));
  }

  async #fetch(users: readonly string[]): Promise<void> {
    const waits: Promise<void>[] = [];
    const todo: string[] = [];
    for (const u of users) {
      const p = this.#inflight.get(u);
      if (p) waits.push(p);
      else todo.push(u);
    }
    for (let i = 0; i < todo.length; i += USYNC_CHUNK) {
      const chunk = todo.slice(i, i + USYNC_CHUNK);
      const p = this.#query(chunk).finally(() => {
        for (const u of chunk) this.#inflight.delete(u);
      });
      for (const u of chunk) this.#inflight.set(u, p);
      waits.push(p);
    }
    await Promise.all(waits);
  }

  async #query(users: readonly string[]): Promise<void> {
    const answer = await this.#deps.port.execute(usyncDevices(users, { sid: randomBytes(8).toString('hex') }));
    const now = this.#now();
    const lists: Array<[string, DeviceEntry[]]> = [];
    for (const u of answer) {
      const user = jidNormalizedUser(u.jid);
      if (!user || u.error) continue;
      lists.push([user, u.devices.map((d) => (d.keyIndex === undefined ? { id: d.id } : { id: d.id, keyIndex: d.keyIndex }))]);
      if (u.lid && jidDecode(user)?.server === 's.whatsapp.net') await this.#ids.learn(user, u.lid);
    }
    await this.#deps.store.transaction((tx) => {
      for (const [user, devices] of lists) tx.devices.put(user, { devices, updatedAt: now });
    });
    for (const [user, devices] of lists) this.#cache.set(user, devices);
  }
}
