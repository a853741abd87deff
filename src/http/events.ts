/**
 * `GET /v1/events`: an event subscription as Server-Sent Events, with the
 * socket's delivery rules because it is the socket's own Subscription
 * (durable `name` resumes from its last `POST /v1/events/ack`, `since`
 * replays, gaps are reported, events:synced marks the end of the backlog).
 * The query (`name`, `accounts` and `types` comma-separated, `since` a seq
 * or `id:seq,...`) is checked by the socket's events:subscribe checks.
 * Each SSE message's `id` is `<account>:<seq>`; a reconnect's Last-Event-ID
 * resumes that account after it when no `since` is given. A slow reader
 * pauses delivery at the socket's high-water mark (the log is the buffer).
 * Owns the stream; must not read the log itself.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SubscribeData } from '../contract/frames.js';
import type { WadEvent } from '../contract/api.js';
import { toErrorPayload } from '../ipc/errors.js';
import { parseFrame } from '../ipc/requests.js';
import { Subscription, type Outlet } from '../ipc/subscription.js';
import { callerOf, sendError, type HttpContext } from './context.js';

/** Bytes waiting in the socket above which delivery pauses until it drains. */
const HIGH_WATER = 1 << 20;
/** A comment line now and then keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 25_000;

let counter = 0;

/** Builds events:subscribe data from the query. Values stay strings where the checks expect numbers only for `since`. */
function subscribeData(q: Record<string, string | undefined>, lastEventId: string | undefined): Record<string, unknown> {
  const list = (v: string | undefined) => (v === undefined || v === '' ? undefined : v.split(','));
  const data: Record<string, unknown> = {};
  if (q['name'] !== undefined) data['name'] = q['name'];
  if (list(q['accounts'])) data['accounts'] = list(q['accounts']);
  if (list(q['types'])) data['types'] = list(q['types']);
  const from = q['from'];
  if (from !== undefined && from !== '') data['from'] = /^\d+$/.test(from) ? Number(from) : from;
  const since = q['since'];
  if (since !== undefined && since !== '') {
    data['since'] = /^\d+$/.test(since) ? Number(since) : Object.fromEntries(since.split(',').map((p) => [p.slice(0, p.lastIndexOf(':')), Number(p.slice(p.lastIndexOf(':') + 1))]));
  } else if (lastEventId !== undefined && data['name'] === undefined) {
    const i = lastEventId.lastIndexOf(':');
    const seq = Number(lastEventId.slice(i + 1));
    if (i > 0 && Number.isSafeInteger(seq)) data['since'] = { [lastEventId.slice(0, i)]: seq + 1 };
  }
  return data;
}

export function registerEvents(app: FastifyInstance, ctx: HttpContext): void {
  app.get(
    '/v1/events',
    {
      schema: {
        summary: 'events:subscribe as Server-Sent Events',
        tags: ['events'],
        querystring: {
          type: 'object',
          properties: {
            name: { type: 'string', description: 'a durable subscriber name: resumes from its last POST /v1/events/ack' },
            accounts: { type: 'string', description: 'account ids, comma-separated' },
            types: { type: 'string', description: 'event types, comma-separated' },
            since: { type: 'string', description: 'a seq for every account, or account:seq pairs, comma-separated' },
            from: { type: 'string', description: 'now, start or a seq: where delivery starts in every account (a new name without it gets every retained event)' },
          },
        },
        response: { 200: { description: 'text/event-stream: one message per event frame (id <account>:<seq>, event <type>, data the frame)', type: 'string' } },
      },
    },
    (req, reply) => stream(req, reply, ctx),
  );
}

function stream(req: FastifyRequest, reply: FastifyReply, ctx: HttpContext): FastifyReply | undefined {
  const caller = callerOf(req);
  const lastEventId = typeof req.headers['last-event-id'] === 'string' ? req.headers['last-event-id'] : undefined;
  let data: SubscribeData;
  try {
    const parsed = parseFrame({ id: `sse-${++counter}`, type: 'events:subscribe', data: subscribeData(req.query as Record<string, string | undefined>, lastEventId) });
    if (parsed.type !== 'events:subscribe') throw new Error('not a subscription');
    const admitted = ctx.callers.admit(caller, parsed);
    if ('refused' in admitted) return sendError(reply, admitted.refused);
    admitted.done();
    data = parsed.data;
  } catch (err) {
    const e = toErrorPayload(err);
    const field = e.details?.['field'];
    return sendError(reply, { ...e, message: e.message.replace(/\bdata\./g, ''), ...(typeof field === 'string' ? { details: { ...e.details, field: field.replace(/^data\./, '') } } : {}) });
  }
  if (ctx.streams.size >= ctx.opts.maxEventStreams) return sendError(reply, { code: 'RATE_LIMITED', message: `at most ${ctx.opts.maxEventStreams} event streams`, retryAfter: 1000 });

  const res = reply.hijack().raw;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write(': wad events\n\n');
  let closed = false;
  const outlet: Outlet = {
    get paused() {
      return res.writableLength > HIGH_WATER;
    },
    send(frame: string): boolean {
      if (closed) return false;
      if (caller.expiresAt !== undefined && ctx.opts.now() >= caller.expiresAt) {
        end();
        return false;
      }
      const f = JSON.parse(frame) as { id?: string; type?: string };
      res.write(`id: ${f.id ?? ''}\nevent: ${f.type ?? 'message'}\ndata: ${frame}\n\n`);
      return res.writableLength <= HIGH_WATER;
    },
    fail(err: unknown): void {
      ctx.opts.log.error({ err: (err as Error).message }, 'http event stream delivery failed');
      if (!closed) res.write(`event: error\ndata: ${JSON.stringify({ type: 'error', data: { code: 'UNAVAILABLE', message: `event delivery failed: ${(err as Error).message}` } })}\n\n`);
    },
  };
  const scope = caller.scope;
  const sub = new Subscription(data.name ?? `sse-${counter}`, data, ctx.api, outlet, scope ? (a) => scope.has(a) : () => true);
  const off = ctx.api.onEvent((ev: WadEvent) => sub.onLive(ev));
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  const onDrain = (): void => sub.resume();
  res.on('drain', onDrain);
  const end = (): void => {
    if (closed) return;
    closed = true;
    ctx.streams.delete(end);
    clearInterval(keepalive);
    off();
    sub.stop();
    res.off('drain', onDrain);
    res.end();
  };
  res.on('close', end);
  ctx.streams.add(end);
  try {
    sub.start();
  } catch (err) {
    outlet.fail(err);
    end();
  }
  return undefined;
}
