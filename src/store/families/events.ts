/**
 * The account's durable event log: events under `ev/<u64 seq>`, the highest
 * seq ever assigned under `evseq` (so seqs keep growing after a trim or a
 * restart), and one cursor per durable subscriber under `evc/<name>`. Appends
 * ride in the transaction that produced the event (a received message and its
 * `message:new` land together). Trimming lives in the store.
 */
import { encodeRecord, type Value } from '../codec/value.js';
import { Fields } from '../codec/fields.js';
import { StoreError } from '../errors.js';
import { key, prefixEnd, prefixOf, readU64, u64 } from '../keys.js';
import type { ReadContext, WriteContext } from '../context.js';

export const EVENTS = 'ev';
export const EVENT_SEQ = 'evseq';
export const CURSORS = 'evc';
const FORMAT = 1;

export interface NewEvent {
  readonly type: string;
  /** Unix ms. */
  readonly t: number;
  readonly data: Value;
}

export interface StoredEvent extends NewEvent {
  readonly seq: number;
}

export function eventKey(ns: Uint8Array, seq: number): Uint8Array {
  return key(ns, EVENTS, u64(seq));
}

export function cursorKey(ns: Uint8Array, name: string): Uint8Array {
  if (name.length > 128) throw new StoreError('BAD_KEY', 'subscriber name longer than 128 characters');
  return key(ns, CURSORS, name);
}

/** A stored seq (evseq, a cursor): exactly one u64. @throws StoreError CORRUPT_RECORD */
export function decodeSeq(record: string, bytes: Uint8Array): number {
  if (bytes.length !== 8) throw new StoreError('CORRUPT_RECORD', `${record}: expected 8 bytes, found ${bytes.length}`);
  const n = readU64(bytes, 0);
  if (!Number.isSafeInteger(n)) throw new StoreError('CORRUPT_RECORD', `${record}: ${n} is out of range`);
  return n;
}

/** @throws StoreError CORRUPT_RECORD (evseq or a cursor), READ_FAILED */
export async function loadEventState(ctx: ReadContext): Promise<{ lastSeq: number; cursors: Map<string, number> }> {
  const seq = await ctx.get(key(ctx.ns, EVENT_SEQ));
  const prefix = prefixOf(ctx.ns, CURSORS);
  const cursors = new Map<string, number>();
  for await (const [k, v] of ctx.scan({ gte: prefix, lt: prefixEnd(prefix) })) {
    const name = new TextDecoder().decode(k.subarray(prefix.length));
    cursors.set(name, decodeSeq(`event cursor ${JSON.stringify(name)}`, v));
  }
  return { lastSeq: seq ? decodeSeq('event seq (evseq)', seq) : 0, cursors };
}

/** @throws StoreError CORRUPT_RECORD */
export function decodeEvent(seq: number, bytes: Uint8Array): StoredEvent {
  const f = Fields.of(`event ${seq}`, bytes, FORMAT);
  return { seq, type: f.str('type'), t: f.int('t'), data: f.value('data') };
}

/** Events that could not be decoded, a run of consecutive seqs at a time. */
export interface EventGap {
  readonly from: number;
  readonly to: number;
  readonly reason: string;
}

export class EventReader {
  constructor(
    readonly ctx: ReadContext,
    readonly state: () => { lastSeq: number; cursors: ReadonlyMap<string, number> },
  ) {}

  /** Highest seq assigned so far (0 when none). */
  get lastSeq(): number {
    return this.state().lastSeq;
  }

  /**
   * Events with seq ≥ fromSeq, in order, at most `limit`. An event that does
   * not decode is not thrown (it would stop the account's delivery for good):
   * it is left out and reported in `gaps`, consecutive ones as one range.
   */
  async readWithGaps(fromSeq: number, limit: number): Promise<{ events: StoredEvent[]; gaps: EventGap[] }> {
    const prefix = prefixOf(this.ctx.ns, EVENTS);
    const events: StoredEvent[] = [];
    const gaps: EventGap[] = [];
    const from = eventKey(this.ctx.ns, Math.max(0, Math.floor(fromSeq)));
    let lastGood = -1;
    for await (const [k, v] of this.ctx.scan({ gte: from, lt: prefixEnd(prefix), limit })) {
      const seq = readU64(k, prefix.length);
      try {
        events.push(decodeEvent(seq, v));
        lastGood = seq;
      } catch (err) {
        const prev = gaps.at(-1);
        // Extend the last gap when nothing decoded since it: one report per run of damaged events.
        if (prev && prev.to > lastGood) gaps[gaps.length - 1] = { ...prev, to: seq };
        else gaps.push({ from: seq, to: seq, reason: (err as Error).message });
      }
    }
    return { events, gaps };
  }

  /** Events with seq ≥ fromSeq, in order, at most `limit`, leaving out those that do not decode. */
  async read(fromSeq: number, limit: number): Promise<StoredEvent[]> {
    return (await this.readWithGaps(fromSeq, limit)).events;
  }

  /** The oldest seq still stored, or undefined when the log is empty. */
  async firstSeq(): Promise<number | undefined> {
    const prefix = prefixOf(this.ctx.ns, EVENTS);
    for await (const [k] of this.ctx.scan({ gte: prefix, lt: prefixEnd(prefix), limit: 1 })) return readU64(k, prefix.length);
    return undefined;
  }

  /** The highest seq `name` acked (0: nothing yet), or undefined for an unknown subscriber. */
  cursor(name: string): number | undefined {
    return this.state().cursors.get(name);
  }

  subscribers(): ReadonlyMap<string, number> {
    return new Map(this.state().cursors);
  }
}

export class EventWriter {
  constructor(readonly tx: WriteContext) {}

  /** Assigns the next seqs (returned in order); they become visible when the transaction commits. */
  append(events: readonly NewEvent[]): number[] {
    let seq = this.tx.state.lastSeq;
    const seqs: number[] = [];
    for (const e of events) {
      seq++;
      this.tx.put(eventKey(this.tx.ns, seq), encodeRecord(FORMAT, { type: e.type, t: e.t, data: e.data }));
      seqs.push(seq);
    }
    if (seqs.length > 0) {
      this.tx.put(key(this.tx.ns, EVENT_SEQ), u64(seq));
      this.tx.stage({ lastSeq: seq });
    }
    return seqs;
  }

  /**
   * Records that `name` has everything up to `seq` (clamped to the last seq).
   * A lower seq than the current cursor changes nothing. Returns the cursor.
   */
  ack(name: string, seq: number): number {
    const current = this.tx.state.cursors.get(name) ?? 0;
    const next = Math.min(Math.max(0, Math.floor(seq)), this.tx.state.lastSeq);
    if (next <= current && this.tx.state.cursors.has(name)) return current;
    const cursors = new Map(this.tx.state.cursors);
    cursors.set(name, Math.max(next, current));
    this.tx.put(cursorKey(this.tx.ns, name), u64(Math.max(next, current)));
    this.tx.stage({ cursors });
    return Math.max(next, current);
  }

  /** Forgets a durable subscriber (its cursor no longer holds events back). */
  removeSubscriber(name: string): void {
    if (!this.tx.state.cursors.has(name)) return;
    const cursors = new Map(this.tx.state.cursors);
    cursors.delete(name);
    this.tx.del(cursorKey(this.tx.ns, name));
    this.tx.stage({ cursors });
  }
}
