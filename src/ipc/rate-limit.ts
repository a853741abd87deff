/**
 * Token buckets for request rate limits: one per connection and one per
 * account (shared by every connection that names it). The clock is passed in
 * so tests drive it. Owns counting only; the server decides what a refusal
 * looks like (RATE_LIMITED with retryAfter).
 */
export interface RateSpec {
  readonly perSecond: number;
  readonly burst: number;
}

export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly spec: RateSpec,
    now: number,
  ) {
    this.#tokens = spec.burst;
    this.#at = now;
  }

  /** Takes one token: 0 when granted, else the milliseconds until one is available. */
  take(now: number): number {
    this.#refill(now);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.#tokens) / this.spec.perSecond) * 1000));
  }

  /** True when the bucket is full again (it can be forgotten). */
  idle(now: number): boolean {
    this.#refill(now);
    return this.#tokens >= this.spec.burst;
  }

  #refill(now: number): void {
    const dt = Math.max(0, now - this.#at);
    this.#at = now;
    this.#tokens = Math.min(this.spec.burst, this.#tokens + (dt / 1000) * this.spec.perSecond);
  }
}

/** Buckets by key (account id), bounded: full buckets are dropped when the map grows. */
export class KeyedLimiter {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    readonly spec: RateSpec,
    readonly maxKeys = 10_000,
  ) {}

  take(key: string, now: number): number {
    let b = this.#buckets.get(key);
    if (!b) {
      if (this.#buckets.size >= this.maxKeys) this.#sweep(now);
      b = new TokenBucket(this.spec, now);
      this.#buckets.set(key, b);
    }
    return b.take(now);
  }

  get size(): number {
    return this.#buckets.size;
  }

  #sweep(now: number): void {
    for (const [k, b] of this.#buckets) if (b.idle(now)) this.#buckets.delete(k);
    // Still full of busy buckets: forget the oldest rather than grow without bound.
    while (this.#buckets.size >= this.maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
  }
}
