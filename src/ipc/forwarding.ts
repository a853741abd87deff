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
import type { UploadSource } from './dispatch.js';
import type { Request } from './requests.js';

export type Result = Record<string, unknown>;

export interface RequestForwarder {
  /** Runs `req` where its account runs: here (`here()`), or at the daemon holding its lease (that daemon's answer). */
  run(req: Request, uploads: UploadSource, here: () => Promise<Result>): Promise<Result>;
  /**
   * For what is never forwarded (a download in binary frames): resolves when
   * the account may be served here. @throws an UNAVAILABLE error naming the
   * daemon that runs it and where that daemon listens
   */
  assertHere(account: string): Promise<void>;
}

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
