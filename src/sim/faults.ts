/**
 * Fault injection (POST /faults): what a test asks for, validated, and the
 * standing delay per phone. Applying a fault to sockets is the hub's job;
 * this file only parses and remembers.
 *
 * Kinds:
 * - `drop`: the sockets of the phone's companions (or of everyone) are cut
 *   with no close handshake and no stream error, like a lost network.
 * - `delay`: every stanza the server sends to those devices waits `ms`
 *   (0 clears the delay); order is kept.
 * - `stream-error`: `<stream:error code=…/>` (default 503; `"code": null`
 *   sends none) is sent to those devices, then their sockets close.
 * - `media-error`: the next `times` (default 1) requests to the media host,
 *   of `method` (GET = downloads, POST = uploads; both when absent), are
 *   answered `status` (default 503) instead of being served.
 * - `media-reset`: the next `times` media requests are cut: a download after
 *   half of its body, an upload once its body is in, before any answer.
 */
import { SimError } from './errors.js';

export type FaultKind = 'drop' | 'delay' | 'stream-error' | 'media-error' | 'media-reset';
const KINDS: ReadonlySet<string> = new Set<FaultKind>(['drop', 'delay', 'stream-error', 'media-error', 'media-reset']);

export interface Fault {
  kind: FaultKind;
  /** Limit to this user's companions; all connections when absent. */
  phone?: string;
  /** stream-error: the code; null sends a stream error without one. */
  code?: number | null;
  ms?: number;
  /** media-error: the HTTP status answered. */
  status?: number;
  /** media faults: how many requests they hit. */
  times?: number;
  /** media faults: only requests of this method. */
  method?: 'GET' | 'POST';
}

const MAX_DELAY_MS = 600_000;
const MAX_TIMES = 1000;

/** @throws SimError BAD_REQUEST */
export function parseFault(body: unknown): Fault {
  if (typeof body !== 'object' || body === null) throw new SimError('BAD_REQUEST', 'fault must be a JSON object');
  const b = body as Record<string, unknown>;
  const kind = b.kind;
  if (typeof kind !== 'string' || !KINDS.has(kind)) throw new SimError('BAD_REQUEST', `kind must be one of ${[...KINDS].join(', ')}`);
  const fault: Fault = { kind: kind as FaultKind };
  if (b.phone !== undefined) {
    if (typeof b.phone !== 'string' || !/^[0-9]{1,20}$/.test(b.phone)) throw new SimError('BAD_REQUEST', 'phone must be digits');
    fault.phone = b.phone;
  }
  if (b.code === null && kind === 'stream-error') fault.code = null;
  else if (b.code !== undefined) {
    if (typeof b.code !== 'number' || !Number.isInteger(b.code) || b.code < 100 || b.code > 999) {
      throw new SimError('BAD_REQUEST', 'code must be a 3-digit integer');
    }
    fault.code = b.code;
  }
  if (b.ms !== undefined) {
    if (typeof b.ms !== 'number' || !Number.isFinite(b.ms) || b.ms < 0 || b.ms > MAX_DELAY_MS) {
      throw new SimError('BAD_REQUEST', `ms must be 0..${MAX_DELAY_MS}`);
    }
    fault.ms = Math.floor(b.ms);
  }
  if (kind === 'delay' && fault.ms === undefined) throw new SimError('BAD_REQUEST', 'delay needs ms');
  if (kind === 'media-error' || kind === 'media-reset') parseMediaFault(b, fault);
  return fault;
}

function parseMediaFault(b: Record<string, unknown>, fault: Fault): void {
  if (fault.phone !== undefined) throw new SimError('BAD_REQUEST', 'media faults hit every media request; phone does not apply');
  if (b.status !== undefined) {
    if (fault.kind !== 'media-error' || typeof b.status !== 'number' || !Number.isInteger(b.status) || b.status < 400 || b.status > 599) {
      throw new SimError('BAD_REQUEST', 'status (media-error only) must be 400..599');
    }
    fault.status = b.status;
  }
  if (b.times !== undefined) {
    if (typeof b.times !== 'number' || !Number.isInteger(b.times) || b.times < 1 || b.times > MAX_TIMES) throw new SimError('BAD_REQUEST', `times must be 1..${MAX_TIMES}`);
    fault.times = b.times;
  }
  if (b.method !== undefined) {
    if (b.method !== 'GET' && b.method !== 'POST') throw new SimError('BAD_REQUEST', 'method must be GET or POST');
    fault.method = b.method;
  }
}

/** What a faulty media request gets instead of being served. */
export type MediaFault = { kind: 'status'; status: number } | { kind: 'reset' };

/** Media faults waiting for their requests, consumed in the order they were injected. */
export class MediaFaults {
  readonly #pending: Array<{ fault: MediaFault; method: 'GET' | 'POST' | undefined; left: number }> = [];

  add(fault: Fault): void {
    const f: MediaFault = fault.kind === 'media-reset' ? { kind: 'reset' } : { kind: 'status', status: fault.status ?? 503 };
    this.#pending.push({ fault: f, method: fault.method, left: fault.times ?? 1 });
  }

  /** The fault this request meets, if any (one use of it is spent). */
  take(method: string): MediaFault | undefined {
    const i = this.#pending.findIndex((p) => p.method === undefined || p.method === method);
    if (i < 0) return undefined;
    const p = this.#pending[i]!;
    if (--p.left === 0) this.#pending.splice(i, 1);
    return p.fault;
  }

  clear(): void {
    this.#pending.length = 0;
  }
}

/** Standing delays: per phone, or for everyone under the key '*'. */
export class DelayTable {
  readonly #ms = new Map<string, number>();

  set(phone: string | undefined, ms: number): void {
    const key = phone ?? '*';
    if (ms <= 0) this.#ms.delete(key);
    else this.#ms.set(key, ms);
  }

  /** The delay for a device of `phone` (the larger of its own and the global one). */
  for(phone: string): number {
    return Math.max(this.#ms.get(phone) ?? 0, this.#ms.get('*') ?? 0);
  }

  clear(): void {
    this.#ms.clear();
  }
}
