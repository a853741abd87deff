/**
 * The seam through which a daemon of a cluster answers for accounts another
 * daemon runs: dispatch hands every account's request to a forwarder, which
 * runs it here or has the owner run it and relays the owner's answer as it
 * came (an error keeps its code, message, details and retryAfter). A request
 * that arrived forwarded is dispatched without a forwarder, so it is never
 * forwarded again. Owns the seam and the relayed error; how to reach the
 * owner is the daemon's (daemon/cluster).
 */
import type { ErrorCode } from '../contract/errors.js';
import type { ErrorPayload } from '../contract/frames.js';
import type { Request } from './dispatch-context.js';

export type { ForwardOptions, RequestForwarder, DispatchResult as Result } from './dispatch-context.js';

/**
 * The account a request acts on, if any: the one it names (tenantId, data.id).
 * An events:ack is not the account's: subscriber cursors are shared by every
 * daemon, and the subscription it acknowledges lives on this one.
 */
export function accountOf(req: Request): string | undefined {
  return req.account;
}

/** An error another daemon answered: passed on to the caller exactly as it came. */
export class RelayedError extends Error {
  override readonly name = 'RelayedError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfter: number | undefined;

  constructor(payload: ErrorPayload) {
    super(payload.message);
    this.code = payload.code;
    this.details = payload.details;
    this.retryAfter = payload.retryAfter;
  }
}
