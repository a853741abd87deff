/**
 * Bearer tokens for the TCP listener: `Authorization:
 * Bearer <token>` checked in constant time against the configured tokens,
 * with expiry and an account scope. The Unix socket needs none (its mode is
 * 0600: only the owner connects). Owns the decision; must not touch sockets.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TokenConfig } from '../config/index.js';
import type { ErrorCode } from '../contract/errors.js';

export type AuthResult =
  | { ok: true; scope: ReadonlySet<string> | undefined; expiresAt: number | undefined; token: TokenConfig }
  | { ok: false; code: ErrorCode; message: string };

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export class TokenChecker {
  readonly #tokens: Array<{ hash: Buffer; config: TokenConfig }>;

  constructor(tokens: readonly TokenConfig[]) {
    this.#tokens = tokens.map((t) => ({ hash: digest(t.token), config: t }));
  }

  check(header: string | undefined, now: number): AuthResult {
    if (header === undefined || header === '') return { ok: false, code: 'AUTH_REQUIRED', message: 'send Authorization: Bearer <token>' };
    const m = /^Bearer[ ]+(\S{1,4096})\s*$/i.exec(header);
    if (!m) return { ok: false, code: 'AUTH_INVALID', message: 'the Authorization header must be "Bearer <token>"' };
    const h = digest(m[1]!);
    // Compare against every token so the time taken does not tell which one matched.
    let found: TokenConfig | undefined;
    for (const t of this.#tokens) if (timingSafeEqual(t.hash, h)) found ??= t.config;
    if (!found) return { ok: false, code: 'AUTH_INVALID', message: 'unknown token' };
    if (found.expiresAt !== undefined && now >= found.expiresAt) return { ok: false, code: 'TOKEN_EXPIRED', message: 'the token has expired' };
    return { ok: true, scope: found.accounts ? new Set(found.accounts) : undefined, expiresAt: found.expiresAt, token: found };
  }
}

/** setTimeout takes at most 2^31-1 ms; a later expiry is waited for in steps. */
const MAX_TIMER_MS = 0x7fff_ffff;

/**
 * Calls `expire` once `now()` has reached `expiresAt`, whether or not anything
 * else happens by then; `expire` says whether it was really over (a clock
 * that moved back waits on). Nothing for a token that never expires.
 */
export function watchExpiry(expiresAt: number | undefined, now: () => number, expire: () => boolean): { cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const wait = expiresAt! - now();
    timer = setTimeout(() => (expire() ? undefined : arm()), Math.max(0, Math.min(wait, MAX_TIMER_MS)));
    timer.unref();
  };
  if (expiresAt !== undefined) arm();
  return { cancel: () => clearTimeout(timer) };
}
