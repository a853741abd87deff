/**
 * Callers waiting for an account to reach some state (add → qr, tests →
 * online), each with a deadline; bounded per account.
 */
import { type AccountSummary } from '../../contract/api.js';
import { DaemonError } from '../../contract/errors.js';

interface Waiter {
  pred(s: AccountSummary): boolean;
  resolve(s: AccountSummary): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

const MAX_PER_ACCOUNT = 256;

export class StateWaiters {
  readonly #byAccount = new Map<string, Set<Waiter>>();

  /** @throws (rejects) DaemonError UNAVAILABLE on timeout or close, RATE_LIMITED past the bound */
  wait(id: string, pred: (s: AccountSummary) => boolean, timeoutMs: number): Promise<AccountSummary> {
    const set = this.#byAccount.get(id) ?? new Set<Waiter>();
    if (set.size >= MAX_PER_ACCOUNT) return Promise.reject(new DaemonError('RATE_LIMITED', `too many callers wait on account ${id}`));
    this.#byAccount.set(id, set);
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        pred,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#drop(id, w);
          reject(new DaemonError('UNAVAILABLE', `account ${id} did not reach the expected state within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      set.add(w);
    });
  }

  notify(id: string, summary: AccountSummary): void {
    const set = this.#byAccount.get(id);
    if (!set) return;
    for (const w of [...set]) {
      if (!w.pred(summary)) continue;
      this.#drop(id, w);
      w.resolve({ ...summary });
    }
  }

  close(): void {
    for (const [id, set] of this.#byAccount) {
      for (const w of [...set]) {
        this.#drop(id, w);
        w.reject(new DaemonError('UNAVAILABLE', 'the daemon is stopping'));
      }
    }
  }

  #drop(id: string, w: Waiter): void {
    clearTimeout(w.timer);
    const set = this.#byAccount.get(id);
    set?.delete(w);
    if (set?.size === 0) this.#byAccount.delete(id);
  }
}
