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
 * - `stream-error`: `<stream:error code=…/>` (default 503) is sent to those
 *   devices, then their sockets close.
 */
import { SimError } from './errors.js';

export type FaultKind = 'drop' | 'delay' | 'stream-error';

export interface Fault {
  kind: FaultKind;
  /** Limit to this user's companions; all connections when absent. */
  phone?: string;
  code?: number;
  ms?: number;
}

const MAX_DELAY_MS = 600_000;

/** @throws SimError BAD_REQUEST */
export function parseFault(body: unknown): Fault {
  if (typeof body !== 'object' || body === null) throw new SimError('BAD_REQUEST', 'fault must be a JSON object');
  const b = body as Record<string, unknown>;
  const kind = b.kind;
  if (kind !== 'drop' && kind !== 'delay' && kind !== 'stream-error') {
    throw new SimError('BAD_REQUEST', 'kind must be drop, delay or stream-error');
  }
  const fault: Fault = { kind };
  if (b.phone !== undefined) {
    if (typeof b.phone !== 'string' || !/^[0-9]{1,20}$/.test(b.phone)) throw new SimError('BAD_REQUEST', 'phone must be digits');
    fault.phone = b.phone;
  }
  if (b.code !== undefined) {
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
  return fault;
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
