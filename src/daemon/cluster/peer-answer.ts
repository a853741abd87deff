/**
 * What comes back from a daemon a request was forwarded to: its answer
 * (`{ok: true, result}` or `{ok: false, error}`, read whole and bounded), or
 * why none came (PeerError, saying whether the request may have reached
 * it). Shared by the forwarded request and the forwarded download. Owns
 * that reading; must not open connections.
 */
import type { IncomingMessage } from 'node:http';
import { isErrorCode } from '../../contract/errors.js';
import type { ErrorPayload } from '../../contract/frames.js';

export type PeerAnswer = { ok: true; result: Record<string, unknown> } | { ok: false; error: ErrorPayload };

/** Why a forwarded request got no answer. */
export class PeerError extends Error {
  override readonly name = 'PeerError';
  constructor(
    /** broken: a download's bytes stopped before their end (the owner died, or failed reading them). */
    readonly reason: 'busy' | 'unreachable' | 'timeout' | 'refused-secret' | 'bad-answer' | 'broken',
    message: string,
    /** Whether the whole request was written: the owner may have acted on it. */
    readonly delivered: boolean,
  ) {
    super(message);
  }
}

/** A kept-alive connection that the other daemon had closed: nothing reached it, so it is sent again on a new one. */
export class StaleConnection extends PeerError {
  constructor(message: string) {
    super('unreachable', message, false);
  }
}

/** The owner's answer: a JSON `{ok, …}` of at most maxBytes. @throws PeerError */
export async function readAnswer(res: IncomingMessage, maxBytes: number): Promise<PeerAnswer> {
  const status = res.statusCode ?? 0;
  if (status === 401) {
    res.resume();
    throw new PeerError('refused-secret', 'it refused this daemon\'s cluster secret (cluster.secret differs between the daemons)', true);
  }
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    throw new PeerError('bad-answer', `its answer is ${declared} bytes, over cluster.maxForwardBytes (${maxBytes})`, true);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      res.destroy();
      throw new PeerError('bad-answer', `its answer is over cluster.maxForwardBytes (${maxBytes})`, true);
    }
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new PeerError('bad-answer', `it answered HTTP ${status} with a body that is not JSON`, true);
  }
  const answer = asAnswer(body);
  if (!answer) throw new PeerError('bad-answer', `it answered HTTP ${status} without {ok, result|error}`, true);
  return answer;
}

function asAnswer(body: unknown): PeerAnswer | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { ok?: unknown; result?: unknown; error?: unknown };
  if (b.ok === true && typeof b.result === 'object' && b.result !== null && !Array.isArray(b.result)) return { ok: true, result: b.result as Record<string, unknown> };
  if (b.ok !== false || typeof b.error !== 'object' || b.error === null) return undefined;
  const e = b.error as { code?: unknown; message?: unknown; details?: unknown; retryAfter?: unknown };
  if (!isErrorCode(e.code) || typeof e.message !== 'string') return undefined;
  const error: ErrorPayload = { code: e.code, message: e.message };
  if (typeof e.details === 'object' && e.details !== null && !Array.isArray(e.details)) error.details = e.details as Record<string, unknown>;
  if (typeof e.retryAfter === 'number') error.retryAfter = e.retryAfter;
  return { ok: false, error };
}
