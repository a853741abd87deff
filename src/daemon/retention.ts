/**
 * Trimming of each account's event log: an event goes once every durable
 * subscriber acked it, or when retention runs out (older than maxAgeMs, or
 * beyond the newest maxEvents) whether acked or not — the control plane
 * then tells the subscriber about the gap. One daemon-wide timer, never one
 * per account.
 */
import type { AccountStore } from '../store/index.js';

export interface Retention {
  readonly maxAgeMs: number;
  readonly maxEvents: number;
}

const AGE_SCAN_PAGE = 500;

/**
 * The first seq to keep. `subscribers` replaces the store's own view of the
 * cursors where consumers ack through other processes (a cluster).
 */
export async function keepFrom(store: AccountStore, retention: Retention, now: number, subscribers?: ReadonlyMap<string, number>): Promise<number> {
  const last = store.events.lastSeq;
  const cursors = [...(subscribers ?? store.events.subscribers()).values()];
  const acked = cursors.length > 0 ? Math.min(...cursors) + 1 : 0;
  const byCount = last - retention.maxEvents + 1;
  let byAge = 0;
  const cutoff = now - retention.maxAgeMs;
  const first = (await store.events.firstSeq()) ?? last + 1;
  for (let from = first; from <= last; ) {
    const page = await store.events.read(from, AGE_SCAN_PAGE);
    if (page.length === 0) break;
    const young = page.find((e) => e.t >= cutoff);
    if (young) {
      byAge = young.seq;
      break;
    }
    byAge = page[page.length - 1]!.seq + 1;
    from = byAge;
  }
  return Math.max(acked, byCount, byAge, 0);
}

/** Deletes what retention allows. Returns how many events were deleted. */
export async function trimAccount(store: AccountStore, retention: Retention, now: number, subscribers?: ReadonlyMap<string, number>): Promise<number> {
  const from = await keepFrom(store, retention, now, subscribers);
  const first = await store.events.firstSeq();
  if (first === undefined || from <= first) return 0;
  return store.trimEvents(from);
}
