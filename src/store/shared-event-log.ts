/**
 * Any account's durable event log and subscriber cursors, read and acked
 * straight from the backend without opening the account's store: for daemons
 * that share one database, where the account may run in another daemon. Its
 * cached state in this daemon would be stale the moment the other one
 * appends, and opening it whole for each read would cost every record family's
 * bounds. A cursor is moved from whichever daemon the consumer is connected
 * to; the shared backend keeps the greater of two writes, so two daemons
 * acking at once cannot move one back.
 *
 * Owns these direct reads and cursor writes; the log's layout is the events
 * family's (families/events.ts).
 */
import type { KVBackend } from './backend/types.js';
import type { ReadContext } from './context.js';
import { StoreError } from './errors.js';
import { CURSORS, EVENT_SEQ, EventReader, cursorKey, decodeSeq, type EventGap, type StoredEvent } from './families/events.js';
import { accountPrefix, key, prefixOf, prefixRange, u64 } from './keys.js';

const NO_STATE = { lastSeq: 0, cursors: new Map<string, number>() };

export class SharedEventLog {
  readonly #backend: KVBackend;

  constructor(backend: KVBackend) {
    this.#backend = backend;
  }

  /** Events with seq ≥ fromSeq, at most `limit`, and the damaged runs left out. @throws StoreError BAD_KEY, READ_FAILED */
  readWithGaps(account: string, fromSeq: number, limit: number): Promise<{ events: StoredEvent[]; gaps: EventGap[] }> {
    return this.#reader(account).readWithGaps(fromSeq, limit);
  }

  /** The oldest seq still stored, or undefined when the log is empty. */
  firstSeq(account: string): Promise<number | undefined> {
    return this.#reader(account).firstSeq();
  }

  /** The highest seq assigned (0: none). @throws StoreError CORRUPT_RECORD, READ_FAILED */
  async lastSeq(account: string): Promise<number> {
    return (await this.lastSeqs([account])).get(account) ?? 0;
  }

  /** Each account's highest seq, in one read. */
  async lastSeqs(accounts: readonly string[]): Promise<Map<string, number>> {
    const values = await this.#backend.getMany(accounts.map((a) => key(accountPrefix(a), EVENT_SEQ)));
    return new Map(accounts.map((a, i) => [a, values[i] ? decodeSeq(`account ${a}: event seq (evseq)`, values[i]!) : 0]));
  }

  /** The highest seq `name` acked (0: nothing yet), or undefined for an unknown subscriber. */
  async cursor(account: string, name: string): Promise<number | undefined> {
    const v = await this.#backend.get(cursorKey(accountPrefix(account), name));
    return v && decodeSeq(`account ${account}: event cursor ${JSON.stringify(name)}`, v);
  }

  /** Every durable subscriber of the account and its cursor, as stored now. */
  async cursors(account: string): Promise<Map<string, number>> {
    const prefix = prefixOf(accountPrefix(account), CURSORS);
    const out = new Map<string, number>();
    for await (const [k, v] of this.#backend.iterate(prefixRange(prefix))) {
      const name = new TextDecoder().decode(k.subarray(prefix.length));
      out.set(name, decodeSeq(`account ${account}: event cursor ${JSON.stringify(name)}`, v));
    }
    return out;
  }

  /**
   * Records that `name` has everything up to `seq` (clamped to the last seq);
   * a lower seq than its cursor changes nothing. Returns the cursor.
   * @throws StoreError BAD_KEY, CORRUPT_RECORD, READ_FAILED, WRITE_FAILED
   */
  async ack(account: string, name: string, seq: number): Promise<number> {
    const ns = accountPrefix(account);
    const [lastBytes, currentBytes] = await this.#backend.getMany([key(ns, EVENT_SEQ), cursorKey(ns, name)]);
    const last = lastBytes ? decodeSeq(`account ${account}: event seq (evseq)`, lastBytes) : 0;
    const current = currentBytes && decodeSeq(`account ${account}: event cursor ${JSON.stringify(name)}`, currentBytes);
    const next = Math.min(Math.max(0, Math.floor(seq)), last);
    if (current !== undefined && next <= current) return current;
    await this.#backend.batch([{ type: 'put', key: cursorKey(ns, name), value: u64(next) }]);
    return next;
  }

  /** Forgets a durable subscriber of the account. */
  async removeSubscriber(account: string, name: string): Promise<void> {
    await this.#backend.batch([{ type: 'del', key: cursorKey(accountPrefix(account), name) }]);
  }

  #reader(account: string): EventReader {
    const backend = this.#backend;
    const ctx: ReadContext = {
      ns: accountPrefix(account),
      get: (k) => backend.get(k),
      getMany: (ks) => backend.getMany(ks),
      getManyOnce: (ks) => backend.getMany(ks),
      scan: (range) => backend.iterate(range),
      decodeOrSkip: (_k, decode) => {
        try {
          return decode();
        } catch (err) {
          if (err instanceof StoreError && err.code === 'CORRUPT_RECORD') return undefined;
          throw err;
        }
      },
    };
    return new EventReader(ctx, () => NO_STATE);
  }
}
