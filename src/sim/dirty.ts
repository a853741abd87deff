/**
 * Dirty bits: the server's way of telling a user's devices that something
 * they keep changed while they could not be told (`account_sync`: the
 * account's settings and app state; `syncd_app_state`: its app state
 * collections; `groups`: the groups they are in). A
 * bit is per user and stays set until one of the user's devices answers
 * `<iq xmlns="urn:xmpp:whatsapp:dirty" type="set"><clean type [timestamp]/></iq>`;
 * meanwhile every login of the user's companions gets
 * `<ib><dirty type timestamp/></ib>` after `<success>`, and a bit set while
 * a companion is online reaches it at once. Set through the admin API.
 */
import { node, type BinaryNode } from './nodes.js';

export const DIRTY_TYPES = ['account_sync', 'groups', 'syncd_app_state'] as const;
export type DirtyType = (typeof DIRTY_TYPES)[number];

export interface CleanedBit {
  readonly type: string;
  /** Who cleaned it. */
  readonly by: string;
  /** The timestamp the clean named, if any. */
  readonly timestamp: string | undefined;
  /** Unix ms. */
  readonly at: number;
}

const MAX_CLEANED = 100;

export class DirtyBits {
  /** phone → type → unix seconds it was set */
  readonly #pending = new Map<string, Map<string, number>>();
  readonly #cleaned = new Map<string, CleanedBit[]>();

  set(phone: string, type: DirtyType, seconds: number): void {
    const bits = this.#pending.get(phone) ?? new Map<string, number>();
    bits.set(type, seconds);
    this.#pending.set(phone, bits);
  }

  /** The `<ib>` stanzas a login of this user's companion gets (none when nothing is dirty). */
  stanzas(phone: string): BinaryNode[] {
    return [...(this.#pending.get(phone) ?? [])].map(([type, t]) => node('ib', {}, [node('dirty', { type, timestamp: String(t) })]));
  }

  /** A device cleaned a bit. False when it was not set. */
  clean(phone: string, by: string, type: string, timestamp: string | undefined, now: number): boolean {
    const bits = this.#pending.get(phone);
    const was = bits?.delete(type) ?? false;
    if (bits?.size === 0) this.#pending.delete(phone);
    const log = this.#cleaned.get(phone) ?? [];
    log.push({ type, by, timestamp, at: now });
    if (log.length > MAX_CLEANED) log.shift();
    this.#cleaned.set(phone, log);
    return was;
  }

  view(phone: string): { pending: Array<{ type: string; timestamp: number }>; cleaned: readonly CleanedBit[] } {
    return {
      pending: [...(this.#pending.get(phone) ?? [])].map(([type, timestamp]) => ({ type, timestamp })),
      cleaned: this.#cleaned.get(phone) ?? [],
    };
  }
}
