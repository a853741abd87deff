/**
 * An insertion-ordered index that bounds a record family by count:
 * `<tag>/<u64 n>` → what names the record. Each put takes the next n and
 * writes it into the record too, so an eviction that meets an old index entry
 * of a record written again since (its record names a newer n) leaves the
 * record alone. The store runs the eviction in the batch of the write that
 * overflows the bound (account-store.ts), so the bound holds across crashes.
 * Owns the index keys and the eviction plan; the families own their records.
 */
import { key, prefixEnd, prefixOf, prefixRange, readU64, u64 } from '../keys.js';
import type { IndexBounds, ReadContext, WriteContext } from '../context.js';

export type { IndexBounds } from '../context.js';

export const EMPTY_BOUNDS: IndexBounds = { head: 0, next: 0 };

/** How a family reads its records for eviction. */
export interface IndexedFamily {
  readonly tag: string;
  /** The record's key, from the index entry's value. */
  recordKey(ns: Uint8Array, indexValue: Uint8Array): Uint8Array;
  /** The n the record was last written with (undefined: not indexed). */
  recordN(record: Uint8Array): number | undefined;
  /** When the record was written (unix ms), for families bounded by age too. */
  recordTime?(record: Uint8Array): number;
}

/** Index entries looked at per commit for records past their age (the rest go at later commits). */
const AGE_SCAN = 64;

export function indexKey(ns: Uint8Array, tag: string, n: number): Uint8Array {
  return key(ns, tag, u64(n));
}

/** Bounds of the index found at open. */
export async function loadBounds(ctx: ReadContext, tag: string): Promise<IndexBounds> {
  const prefix = prefixOf(ctx.ns, tag);
  const range = prefixRange(prefix);
  let head: number | undefined;
  let last: number | undefined;
  for await (const [k] of ctx.scan({ ...range, limit: 1 })) head = readU64(k, prefix.length);
  // An empty index (most families of most accounts) needs no second read: every account's store opens at boot.
  if (head === undefined) return EMPTY_BOUNDS;
  for await (const [k] of ctx.scan({ ...range, limit: 1, reverse: true })) last = readU64(k, prefix.length);
  return head === undefined || last === undefined ? EMPTY_BOUNDS : { head, next: last + 1 };
}

function decodes(family: IndexedFamily, record: Uint8Array): boolean {
  try {
    family.recordN(record);
    family.recordTime?.(record);
    return true;
  } catch {
    return false;
  }
}

/**
 * Queues removal of the `count` oldest index entries and of their records
 * (unless written again since), then, with `olderThan`, of the entries after
 * them whose record is gone, rewritten, or written before `olderThan` (up to
 * a scan bound; the index is in order of writing, so these are the oldest).
 * Returns the new head.
 */
export async function stageEviction(ctx: ReadContext, tx: WriteContext, family: IndexedFamily, bounds: IndexBounds, count: number, olderThan?: number): Promise<number> {
  const prefix = prefixOf(ctx.ns, family.tag);
  const aged = olderThan !== undefined && family.recordTime !== undefined;
  const entries: Array<[number, Uint8Array]> = [];
  for await (const [k, v] of ctx.scan({ gte: indexKey(ctx.ns, family.tag, bounds.head), lt: prefixEnd(prefix), limit: count + (aged ? AGE_SCAN : 0) })) {
    entries.push([readU64(k, prefix.length), family.recordKey(ctx.ns, v)]);
  }
  const records = await ctx.getMany(entries.map(([, k]) => k));
  let head = bounds.head;
  for (const [i, [n, recordKey]] of entries.entries()) {
    const record = records[i];
    // A record that does not decode goes with its index entry: it is of no use, and would otherwise stay for good.
    const damaged = record !== undefined && !decodes(family, record);
    const current = record !== undefined && (damaged || family.recordN(record) === n);
    if (i >= count && current && !damaged && !(aged && family.recordTime!(record) < olderThan!)) break;
    tx.del(indexKey(ctx.ns, family.tag, n));
    if (current) tx.del(recordKey);
    head = n + 1;
  }
  return entries.length === 0 ? bounds.next : head;
}
