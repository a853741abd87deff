/**
 * Runs a transaction's queued read-modify-writes (WriteContext.merge) at
 * commit, under the account's write lock: each gets the value as this
 * transaction last wrote it, else as committed, in the order queued, and
 * becomes a put or a delete of the same batch.
 */
import type { BatchOp } from './backend/types.js';
import type { ReadContext } from './context.js';
import { keyString } from './keys.js';
import type { Transaction } from './transaction.js';

export async function resolveMerges(ctx: ReadContext, tx: Transaction): Promise<BatchOp[]> {
  const wanted = new Set(tx.merges.map((m) => keyString(m.key)));
  const latest = new Map<string, Uint8Array | undefined>();
  for (const op of tx.ops) {
    const k = keyString(op.key);
    if (wanted.has(k)) latest.set(k, op.type === 'put' ? op.value : undefined);
  }
  const unread = [...new Map(tx.merges.filter((m) => !latest.has(keyString(m.key))).map((m) => [keyString(m.key), m.key])).entries()];
  const stored = await ctx.getMany(unread.map(([, k]) => k));
  unread.forEach(([k], i) => latest.set(k, stored[i]));
  const out = new Map<string, BatchOp>();
  for (const m of tx.merges) {
    const k = keyString(m.key);
    const next = m.fn(latest.get(k));
    latest.set(k, next);
    out.set(k, next === undefined ? { type: 'del', key: m.key } : { type: 'put', key: m.key, value: next });
  }
  return [...out.values()];
}
