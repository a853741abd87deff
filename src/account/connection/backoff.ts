/**
 * The reconnect delay (seeds: whatsapp-rust, matching WhatsApp Web): the
 * Fibonacci sequence 1, 1, 2, 3, 5, 8, 13… times a unit (1 s), capped (900 s),
 * with ± jitter (10 %). The counter is the number of consecutive failed
 * attempts; a 429 adds 5 steps on top of the failure's own. It resets once
 * the account has stayed online for `resetAfterMs` (30 s, as WhatsApp Web),
 * not merely reached online: a server that accepts the login and drops the
 * link a moment later must not be hammered at the first step forever.
 * Pure: randomness comes in as an argument.
 */
export interface BackoffPolicy {
  /** The Fibonacci unit (1000 ms in WhatsApp Web). */
  readonly unitMs: number;
  readonly maxMs: number;
  /** Fraction of the delay added or taken away at random (0.1 = ±10 %). */
  readonly jitter: number;
  /** Online this long: the failure counter goes back to 0. */
  readonly resetAfterMs: number;
}

/** fib(1) = fib(2) = 1, fib(n) = fib(n-1) + fib(n-2); grows no further once past `cap`. */
export function fibonacci(n: number, cap = Number.MAX_SAFE_INTEGER): number {
  let a = 0;
  let b = 1;
  for (let i = 0; i < n; i++) {
    [a, b] = [b, a + b];
    if (a >= cap) return cap;
  }
  return a;
}

/** The counter after one more failure (429: `boost` = 5 extra steps). */
export function nextAttempt(attempt: number, boost = 0): number {
  return attempt + 1 + boost;
}

/** The delay before attempt number `attempt` (≥ 1). `random` is uniform in [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: number): number {
  const steps = fibonacci(Math.max(1, attempt), Math.ceil(policy.maxMs / Math.max(1, policy.unitMs)) + 1);
  const base = Math.min(policy.maxMs, steps * policy.unitMs);
  const jittered = base * (1 + policy.jitter * (2 * random - 1));
  return Math.max(0, Math.round(Math.min(policy.maxMs * (1 + policy.jitter), jittered)));
}
