/**
 * What every route of the HTTP API shares: the API, the options, the
 * callers (tokens, limits), the open event streams; the caller a request
 * was authenticated as; an error answered with its status. Owns these
 * shapes only.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DaemonApi } from '../contract/api.js';
import type { ErrorPayload } from '../contract/frames.js';
import type { Caller, Callers } from './caller.js';
import type { ResolvedHttpOptions } from './options.js';
import { errorAnswer } from './status.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
}

export interface HttpContext {
  readonly api: DaemonApi;
  readonly opts: ResolvedHttpOptions;
  readonly callers: Callers;
  /** True once the server is closing (readyz says so, streams end). */
  readonly closing: () => boolean;
  /** Open event streams, each by the function that ends it. */
  readonly streams: Set<() => void>;
}

export function sendError(reply: FastifyReply, error: ErrorPayload): FastifyReply {
  const a = errorAnswer(error);
  return reply.code(a.status).headers(a.headers).send(a.body);
}

/** The caller of an authenticated route (the onRequest hook set it). */
export function callerOf(req: FastifyRequest): Caller {
  if (!req.caller) throw new Error('route reached without a caller');
  return req.caller;
}
