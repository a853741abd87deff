/**
 * The client's requests waiting for their answers, each with a deadline, and
 * one timer for all of them, armed at the earliest deadline. A timer per
 * request (setTimeout when sent, clearTimeout on the answer) was a measurable
 * share of a round trip on the local socket, where a request costs tens of
 * microseconds. Owns the table and the timeouts; must not touch the socket.
 */
import { WadClientError } from './errors.js';

export interface PendingRequest {
  /** For the timeout's message. */
  readonly type: string;
  /** Runs inside the frame handler, before any later frame is looked at. */
  readonly onAck: ((data: Record<string, unknown>) => void) | undefined;
  readonly resolve: (data: Record<string, unknown>) => void;
  readonly reject: (err: Error) => void;
}

interface Entry extends PendingRequest {
  /** performance.now() after which the request fails with TIMEOUT. */
  deadline: number;
}

export class PendingRequests {
  readonly #byId = new Map<string, Entry>();
  readonly #timeoutMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  get size(): number {
    return this.#byId.size;
  }

  add(id: string, p: PendingRequest): void {
    const entry: Entry = { type: p.type, onAck: p.onAck, resolve: p.resolve, reject: p.reject, deadline: performance.now() + this.#timeoutMs };
    this.#byId.set(id, entry);
    // Every deadline is now + the same timeout, so an armed timer is never later than the new one's.
    // Left armed when the table empties: it then fires once, finds nothing and stops.
    if (this.#timer === undefined) this.#arm(this.#timeoutMs);
  }

  /** The request answered by a frame, removed from the table; undefined if unknown (timed out, or never ours). */
  take(id: string): PendingRequest | undefined {
    const p = this.#byId.get(id);
    if (p !== undefined) this.#byId.delete(id);
    return p;
  }

  /** Moves the request's deadline a whole timeout from now (a download's chunk shows it is alive). */
  refresh(id: string): void {
    const p = this.#byId.get(id);
    if (p !== undefined) p.deadline = performance.now() + this.#timeoutMs;
  }

  /** Fails every request (connection lost or client closed) and stops the timer. */
  rejectAll(err: Error): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const all = [...this.#byId.values()];
    this.#byId.clear();
    for (const p of all) p.reject(err);
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#expire(), Math.max(1, Math.ceil(ms)));
  }

  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    let next = Infinity;
    const late: PendingRequest[] = [];
    for (const [id, p] of this.#byId) {
      if (p.deadline <= now) {
        this.#byId.delete(id);
        late.push(p);
      } else if (p.deadline < next) next = p.deadline;
    }
    if (next !== Infinity) this.#arm(next - now);
    for (const p of late) p.reject(new WadClientError('TIMEOUT', `${p.type}: no answer within ${this.#timeoutMs} ms`));
  }
}
