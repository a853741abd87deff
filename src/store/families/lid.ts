/**
 * LID ↔ phone-number mappings (`lidp/<pn user>` → LID user, `lidl/<lid user>`
 * → PN user) and the migration that learning one implies: every session,
 * identity key and sender key kept under the PN address moves to the LID
 * address in the same batch as the mapping. Nothing is
 * ever dropped on the way: where both sides hold a record, `merge` decides
 * (by default the LID record, the one the peer uses now, wins).
 */
import { key } from '../keys.js';
import type { ReadContext, WriteContext } from '../context.js';
import { LID_SERVER_OF, parseSignalJid, unsafeSignalAddress, type SignalAddress } from './address.js';
import { IDENTITIES, SESSIONS, identityKey, sessionKey, userRecords } from './signal.js';
import { senderKeyKey, senderRecordsOfUser } from './sender-keys.js';

export const LID_BY_PN = 'lidp';
export const PN_BY_LID = 'lidl';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface LidMapping {
  /** A PN user or user JID (`15550001111` or `15550001111@s.whatsapp.net`). */
  readonly pn: string;
  /** A LID user or user JID (`123456789` or `123456789@lid`). */
  readonly lid: string;
}

/** Which family a merge is about, and the two records found. */
export type MergeRecords = (family: 'session' | 'identity' | 'senderKey', lidRecord: Uint8Array, pnRecord: Uint8Array) => Uint8Array;

const keepLid: MergeRecords = (_family, lidRecord) => lidRecord;

/** `15550001111@s.whatsapp.net` → `15550001111`; a bare user passes through. */
export function userPart(jidOrUser: string, expect: 'pn' | 'lid'): string {
  if (!jidOrUser.includes('@')) return parseSignalJid(`${jidOrUser}@${expect === 'pn' ? 's.whatsapp.net' : 'lid'}`).user;
  const { user } = parseSignalJid(jidOrUser);
  return user;
}

export class LidReader {
  constructor(readonly ctx: ReadContext) {}

  async lidForPn(pnUser: string): Promise<string | undefined> {
    const v = await this.ctx.get(key(this.ctx.ns, LID_BY_PN, pnUser));
    return v && decoder.decode(v);
  }

  async pnForLid(lidUser: string): Promise<string | undefined> {
    const v = await this.ctx.get(key(this.ctx.ns, PN_BY_LID, lidUser));
    return v && decoder.decode(v);
  }

  async lidsForPns(pnUsers: readonly string[]): Promise<(string | undefined)[]> {
    const values = await this.ctx.getMany(pnUsers.map((u) => key(this.ctx.ns, LID_BY_PN, u)));
    return values.map((v) => v && decoder.decode(v));
  }
}

/**
 * Queues the mapping and the PN→LID moves into `tx`. Call under the account's
 * write lock (reads here must not race other writes). Returns how many records moved.
 */
export async function stageLidMappings(
  ctx: ReadContext,
  tx: WriteContext,
  mappings: readonly LidMapping[],
  merge: MergeRecords = keepLid,
): Promise<number> {
  const lids = new LidReader(ctx);
  const byPn = new Map<string, string>();
  for (const m of mappings) byPn.set(userPart(m.pn, 'pn'), userPart(m.lid, 'lid'));
  let moved = 0;
  for (const [pn, lid] of byPn) {
    const [known, oldPn] = await Promise.all([lids.lidForPn(pn), lids.pnForLid(lid)]);
    if (known === lid && oldPn === pn) continue;
    if (known !== undefined && known !== lid) tx.del(key(ctx.ns, PN_BY_LID, known));
    if (oldPn !== undefined && oldPn !== pn) tx.del(key(ctx.ns, LID_BY_PN, oldPn));
    tx.put(key(ctx.ns, LID_BY_PN, pn), encoder.encode(lid));
    tx.put(key(ctx.ns, PN_BY_LID, lid), encoder.encode(pn));
    for (const pnServer of ['s.whatsapp.net', 'hosted'] as const) {
      moved += await moveUser(ctx, tx, pn, pnServer, lid, merge);
    }
  }
  return moved;
}

async function moveUser(
  ctx: ReadContext,
  tx: WriteContext,
  pn: string,
  pnServer: 's.whatsapp.net' | 'hosted',
  lid: string,
  merge: MergeRecords,
): Promise<number> {
  const lidServer = LID_SERVER_OF[pnServer];
  const toLid = (a: SignalAddress | number): SignalAddress =>
    unsafeSignalAddress(lid, lidServer, typeof a === 'number' ? a : a.device);
  let moved = 0;
  const pnUser = { user: pn, server: pnServer };
  const families = [
    [SESSIONS, 'session', sessionKey],
    [IDENTITIES, 'identity', identityKey],
  ] as const;
  for (const [family, name, keyOf] of families) {
    for (const [addr, record] of await userRecords(ctx, family, pnUser)) {
      const target = keyOf(ctx.ns, toLid(addr));
      const existing = await ctx.get(target);
      tx.put(target, existing ? merge(name, new Uint8Array(existing), record) : record);
      tx.del(keyOf(ctx.ns, addr));
      moved++;
    }
  }
  for (const [device, group, record] of await senderRecordsOfUser(ctx, pnUser)) {
    const target = senderKeyKey(ctx.ns, group, toLid(device));
    const existing = await ctx.get(target);
    tx.put(target, existing ? merge('senderKey', new Uint8Array(existing), record) : record);
    tx.del(senderKeyKey(ctx.ns, group, unsafeSignalAddress(pn, pnServer, device)));
    moved++;
  }
  return moved;
}
