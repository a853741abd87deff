/**
 * IQ correlation: the IQs we sent that wait for their answer, by id, each
 * with its timeout and optional AbortSignal. Bounded (a flood of queries
 * fails fast with OVERLOADED instead of growing without limit). A timer
 * exists only while an IQ is pending: an idle account holds none.
 */
import type { BinaryNode } from '../../protocol/binary/index.js';
import { IqServerError } from '../../protocol/iq/index.js';
import { childNode } from '../../protocol/iq/nodes.js';
import { ConnectionError } from '../errors.js';

interface Pending {
  resolve(node: BinaryNode): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class IqTracker {
  readonly #pending = new Map<string, Pending>();
  readonly #max: number;

  constructor(maxPending: number) {
    this.#max = maxPending;
  }

  get size(): number {
    return this.#pending.size;
  }

  /**
   * Registers `id` before its IQ is written; resolves with the `result`
   * answer. @throws (rejects) IqServerError on `type="error"`, ConnectionError
   * TIMEOUT, ABORTED, CLOSED (failAll), OVERLOADED
   */
  wait(id: string, timeoutMs: number, signal?: AbortSignal): Promise<BinaryNode> {
    if (signal?.aborted) return Promise.reject(new ConnectionError('ABORTED', `iq ${id} aborted`, { cause: signal.reason }));
    if (this.#pending.size >= this.#max) return Promise.reject(new ConnectionError('OVERLOADED', `${this.#max} IQs already wait for an answer`));
    if (this.#pending.has(id)) return Promise.reject(new ConnectionError('BAD_STANZA', `iq id ${id} is already in use`));
    return new Promise<BinaryNode>((resolve, reject) => {
      const entry: Pending = {
        resolve,
        reject,
        timer: setTimeout(() => this.#settle(id, new ConnectionError('TIMEOUT', `no answer to iq ${id} within ${timeoutMs} ms`)), timeoutMs),
        signal,
        onAbort: undefined,
      };
      if (signal) {
        entry.onAbort = () => this.#settle(id, new ConnectionError('ABORTED', `iq ${id} aborted`, { cause: signal.reason }));
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.#pending.set(id, entry);
    });
  }

  /** Hands an answer (`type="result"|"error"`) to its waiter. Returns false when nobody waits for it. */
  resolve(answer: BinaryNode): boolean {
    const id = answer.attrs.id;
    if (id === undefined || !this.#pending.has(id)) return false;
    if (answer.attrs.type === 'error') {
      const err = childNode(answer, 'error');
      const code = Number(err?.attrs.code ?? '0');
      this.#settle(id, new IqServerError(Number.isFinite(code) ? code : 0, err?.attrs.text ?? ''));
    } else {
      const embedded = childNode(answer, 'error');
      if (embedded) this.#settle(id, new IqServerError(Number(embedded.attrs.code ?? '0') || 0, embedded.attrs.text ?? ''));
      else this.#settle(id, undefined, answer);
    }
    return true;
  }

  /** Stops waiting for `id` (its write failed). */
  cancel(id: string, err: Error): void {
    this.#settle(id, err);
  }

  /** The connection closed: every waiter fails with `err`. */
  failAll(err: Error): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, err);
  }

  #settle(id: string, err: Error | undefined, answer?: BinaryNode): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    if (p.onAbort) p.signal?.removeEventListener('abort', p.onAbort);
    if (err) p.reject(err);
    else p.resolve(answer!);
  }
}
