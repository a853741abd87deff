/**
 * Whether one request may run now: the token's expiry, its account scope,
 * requests in flight, then the rate limits per connection and per account,
 * in that order. Returns the refusal to answer with; decides only, must not
 * touch the socket (the connection answers, and closes on an expired token).
 */
import type { ErrorPayload } from '../contract/frames.js';
import type { KeyedLimiter, TokenBucket } from './rate-limit.js';
import type { Request } from './requests.js';

export interface GateState {
  /** Unix ms after which the token is refused; undefined: never. */
  expiresAt: number | undefined;
  /** Accounts the token may act on; undefined: all. */
  scope: ReadonlySet<string> | undefined;
  inflight: number;
  maxInflight: number;
  /** The connection's bucket. */
  bucket: TokenBucket;
  /** Every connection's buckets by account. */
  accountLimiter: KeyedLimiter;
}

export function refuseRequest(req: Request, g: GateState, now: number): ErrorPayload | undefined {
  if (g.expiresAt !== undefined && now >= g.expiresAt) return { code: 'TOKEN_EXPIRED', message: 'the bearer token has expired' };
  const named = req.account ?? (req.type === 'events:ack' ? req.data.account : undefined);
  if (g.scope && named !== undefined && !g.scope.has(named)) return { code: 'FORBIDDEN', message: `this token may not act on account ${named}` };
  if (g.scope && req.type === 'events:subscribe' && req.data.accounts?.some((a) => !g.scope!.has(a))) {
    return { code: 'FORBIDDEN', message: 'this token may not read some of those accounts' };
  }
  // A webhook of a scoped token must name its accounts: one over every account would read the others'.
  if (g.scope && req.type === 'webhook:add' && (req.data.accounts === undefined || req.data.accounts.some((a) => !g.scope!.has(a)))) {
    return { code: 'FORBIDDEN', message: 'this token may add webhooks only for its own accounts (name them in accounts)' };
  }
  if (g.inflight >= g.maxInflight) return { code: 'RATE_LIMITED', message: `more than ${g.maxInflight} requests in flight on this connection`, retryAfter: 50 };
  // Acks only move a cursor, and a busy consumer sends many: they must not starve its requests.
  if (req.type === 'events:ack') return undefined;
  const wait = g.bucket.take(now);
  if (wait > 0) return { code: 'RATE_LIMITED', message: 'too many requests on this connection', retryAfter: wait, details: { limit: 'connection' } };
  if (req.account !== undefined) {
    const w = g.accountLimiter.take(req.account, now);
    if (w > 0) return { code: 'RATE_LIMITED', message: `too many requests for account ${req.account}`, retryAfter: w, details: { limit: 'account' } };
  }
  return undefined;
}
