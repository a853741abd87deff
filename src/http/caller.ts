/**
 * Who makes an HTTP request, and whether one control request of theirs may
 * run now: the bearer token (checked in constant time by the socket's
 * TokenChecker), its account scope and expiry, requests in flight and the
 * rate limits per token and per account, decided by the socket's own gate.
 * Owns the per-token counters; must not answer requests.
 */
import type { TokenConfig } from '../config/index.js';
import type { ErrorPayload } from '../contract/frames.js';
import { TokenChecker } from '../ipc/auth.js';
import { KeyedLimiter, TokenBucket, type RateSpec } from '../ipc/rate-limit.js';
import { refuseRequest } from '../ipc/request-gate.js';
import type { Request } from '../ipc/requests.js';

export interface Caller {
  /** Accounts the token may see and act on; undefined: all. */
  readonly scope: ReadonlySet<string> | undefined;
  readonly expiresAt: number | undefined;
  readonly token: TokenConfig;
}

interface PerToken {
  bucket: TokenBucket;
  inflight: number;
}

export class Callers {
  readonly #tokens: TokenChecker;
  readonly #perToken = new WeakMap<TokenConfig, PerToken>();
  readonly #accounts: KeyedLimiter;

  constructor(
    tokens: readonly TokenConfig[],
    readonly limits: { rateLimit: RateSpec; accountRateLimit: RateSpec; maxInflight: number },
    readonly now: () => number,
  ) {
    this.#tokens = new TokenChecker(tokens);
    this.#accounts = new KeyedLimiter(limits.accountRateLimit);
  }

  /** The caller named by an Authorization header, or why there is none. */
  identify(header: string | undefined): { ok: true; caller: Caller } | { ok: false; error: ErrorPayload } {
    const r = this.#tokens.check(header, this.now());
    if (!r.ok) return { ok: false, error: { code: r.code, message: r.message } };
    return { ok: true, caller: { scope: r.scope, expiresAt: r.expiresAt, token: r.token } };
  }

  /** Whether `req` may run now; when it may, it counts as in flight until `done()` is called. */
  admit(caller: Caller, req: Request): { refused: ErrorPayload } | { done: () => void } {
    const t = this.#state(caller.token);
    const refused = refuseRequest(
      req,
      { expiresAt: caller.expiresAt, scope: caller.scope, inflight: t.inflight, maxInflight: this.limits.maxInflight, bucket: t.bucket, accountLimiter: this.#accounts },
      this.now(),
    );
    if (refused) return { refused };
    t.inflight++;
    let over = false;
    return {
      done: () => {
        if (!over) t.inflight--;
        over = true;
      },
    };
  }

  /** Whether the caller may see `account` at all. */
  static sees(caller: Caller, account: string): boolean {
    return caller.scope === undefined || caller.scope.has(account);
  }

  #state(token: TokenConfig): PerToken {
    let t = this.#perToken.get(token);
    if (!t) {
      t = { bucket: new TokenBucket(this.limits.rateLimit, this.now()), inflight: 0 };
      this.#perToken.set(token, t);
    }
    return t;
  }
}
