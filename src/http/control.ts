/**
 * One control request over HTTP: the body `{account, chat?, ...data}` becomes
 * the frame the socket would have received (account → tenantId, chat →
 * conversationId, the rest → data), which goes through the socket's own
 * parser, gate and dispatch, so a control type added there works here with
 * no code of ours. Errors name the HTTP body's fields. Owns that
 * translation; must not validate data itself.
 */
import type { DaemonApi } from '../contract/api.js';
import type { RequestType } from '../contract/frames.js';
import type { ErrorPayload } from '../contract/frames.js';
import { dispatch, type UploadSource } from '../ipc/dispatch.js';
import { IpcError, toErrorPayload } from '../ipc/errors.js';
import { FrameRejection, parseFrame, requestShape, type Request } from '../ipc/requests.js';
import type { RequestForwarder } from '../ipc/forwarding.js';
import type { Caller, Callers } from './caller.js';

/**
 * Control types that belong to a socket connection (its subscriptions, its
 * binary frames); over HTTP they are GET /v1/events and GET /v1/media.
 */
export const CONNECTION_TYPES: ReadonlySet<RequestType> = new Set<RequestType>(['events:subscribe', 'events:unsubscribe', 'media:download']);

/** `message:send` → `/v1/message/send`. */
export function routeOf(type: RequestType): string {
  const i = type.indexOf(':');
  return `/v1/${type.slice(0, i)}/${type.slice(i + 1)}`;
}

export type Outcome = { ok: true; result: Record<string, unknown> } | { ok: false; error: ErrorPayload };

/** An upload source for requests that carry no file part. */
export const NO_UPLOADS: UploadSource = {
  take: () => Promise.reject(new IpcError('INVALID_PAYLOAD', 'over HTTP a file is sent as multipart/form-data with a "file" part', { field: 'file' })),
  release: () => Promise.resolve(),
};

let counter = 0;

/** Builds the socket frame of an HTTP body. @throws IpcError INVALID_PAYLOAD for a body that is not an object */
export function frameOf(type: RequestType, body: unknown): Record<string, unknown> {
  const b = body ?? {};
  if (typeof b !== 'object' || Array.isArray(b)) throw new IpcError('INVALID_PAYLOAD', 'the body must be a JSON object', { field: 'body' });
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  const frame: Record<string, unknown> = { id: `http-${counter.toString(36)}`, type, ack: true };
  if (requestShape(type).needs === 'none') return { ...frame, data: b };
  const { account, chat, ...data } = b as Record<string, unknown>;
  return { ...frame, tenantId: account, conversationId: chat, data };
}

/** Runs one control request for `caller`; never throws (a failure is the outcome). */
export async function runControl(
  api: DaemonApi,
  callers: Callers,
  caller: Caller,
  type: RequestType,
  body: unknown,
  uploads: UploadSource = NO_UPLOADS,
  forwarder?: RequestForwarder,
): Promise<Outcome> {
  let req: Request;
  try {
    req = parseFrame(frameOf(type, body));
  } catch (err) {
    return { ok: false, error: inBodyTerms(toErrorPayload(err instanceof FrameRejection || err instanceof IpcError ? err : new IpcError('INVALID_PAYLOAD', 'malformed request'))) };
  }
  const admitted = callers.admit(caller, req);
  if ('refused' in admitted) return { ok: false, error: admitted.refused };
  try {
    return { ok: true, result: await dispatch(req, { api, uploads, allowPaths: false, scope: caller.scope, forwarder }) };
  } catch (err) {
    return { ok: false, error: toErrorPayload(err) };
  } finally {
    admitted.done();
  }
}

/** The socket's field names as the HTTP body has them: tenantId is `account`, conversationId is `chat`, data's fields sit at the top. */
function inBodyTerms(e: ErrorPayload): ErrorPayload {
  const rename = (s: string): string =>
    s
      .replace(/\btenantId\b/g, 'account')
      .replace(/\bconversationId\b/g, 'chat')
      .replace(/\bdata\.(?=\w)/g, '');
  const field = e.details?.['field'];
  return {
    ...e,
    message: rename(e.message),
    ...(typeof field === 'string' ? { details: { ...e.details, field: rename(field) } } : {}),
  };
}
