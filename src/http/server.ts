/**
 * The daemon's HTTP API (fastify): `POST /v1/<noun>/<verb>` for every
 * control type, generated from the control socket's request registry and
 * run through its parser, gate and dispatch (message:send also as
 * multipart with a file); `GET /v1/openapi.json` built from the same
 * schemas; media downloads, event streams, metrics, the web console; `/`,
 * `/healthz` and `/readyz` without a token, every other route behind a
 * bearer token. No CORS headers: browsers on other origins are refused by
 * their own same-origin rule. Owns the listener and the routes' wiring;
 * each route's work is in its own module.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import swagger from '@fastify/swagger';
import type { DaemonApi } from '../contract/api.js';
import { REQUEST_TYPES, type RequestType } from '../contract/frames.js';
import { Callers } from './caller.js';
import { callerOf, sendError, type HttpContext } from './context.js';
import { CONNECTION_TYPES, routeOf, runControl } from './control.js';
import { resolveHttpOptions, type HttpServerOptions } from './options.js';
import { bodySchema, errorResponses, successSchema } from './schemas.js';
import { registerEvents } from './events.js';
import { Metrics } from './metrics.js';
import { registerConsole } from './console.js';
import { registerDownload, registerMultipart, sendMultipart } from './media.js';

export interface HttpServer {
  /** Where it listens (port resolved when 0 was asked). */
  readonly address: { host: string; port: number };
  readonly url: string;
  /** Stops accepting, ends event streams, waits for requests in flight. */
  close(): Promise<void>;
}

/** Paths served without a token: a load balancer's probes, and the console's page (it holds no data; its requests carry the token). */
const OPEN_PATHS = new Set(['/healthz', '/readyz', '/']);

/** @throws Error when the address cannot be bound */
export async function startHttpServer(api: DaemonApi, options: HttpServerOptions): Promise<HttpServer> {
  const opts = resolveHttpOptions(options);
  const callers = new Callers(opts.tokens, opts, opts.now);
  let closing = false;
  const ctx: HttpContext = { api, opts, callers, closing: () => closing, streams: new Set() };
  const app = Fastify({ logger: false, bodyLimit: opts.maxBodyBytes, return503OnClosing: true, forceCloseConnections: 'idle' });
  // Requests are validated by the control socket's checks (the schemas only describe them), and answers are
  // written as they are: a response schema must not drop the fields it does not list.
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.decorateRequest('caller', null);

  app.addHook('onRequest', async (req, reply) => {
    if (OPEN_PATHS.has(req.url.split('?', 1)[0]!)) return;
    const who = ctx.callers.identify(req.headers.authorization);
    if (!who.ok) {
      opts.log.warn({ remote: req.socket.remoteAddress, code: who.error.code, path: req.url.slice(0, 200) }, 'http: refused a request');
      return sendError(reply, who.error);
    }
    req.caller = who.caller;
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) opts.log.error({ err: err.message }, 'http request failed');
    if (status === 413) return reply.code(413).send({ success: false, error: { code: 'INVALID_PAYLOAD', message: err.message } });
    if (status === 415) return reply.code(415).send({ success: false, error: { code: 'INVALID_PAYLOAD', message: err.message } });
    return sendError(reply, { code: status < 500 ? 'INVALID_PAYLOAD' : 'INTERNAL_ERROR', message: err.message });
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?', 1)[0]!.slice(0, 200)}` }));

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'wad HTTP API', version: '1', description: "Every control type of wad's control socket as POST /v1/<noun>/<verb>, with its body `{account, chat?, ...data}`." },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  await registerMultipart(app, ctx);
  registerControlRoutes(app, ctx);
  registerDownload(app, ctx);
  registerEvents(app, ctx);
  registerProbes(app, ctx);
  registerConsole(app);
  const metrics = new Metrics(api);
  app.get('/metrics', { schema: { summary: 'Prometheus metrics (text exposition)', tags: ['health'] } }, async (req, reply) =>
    reply.type(metrics.contentType).send(await metrics.render(callerOf(req))),
  );
  app.get('/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.listen({ host: opts.listen.host, port: opts.listen.port });
  const addr = app.server.address();
  const address = { host: opts.listen.host, port: typeof addr === 'object' && addr ? addr.port : opts.listen.port };
  if (!['127.0.0.1', '::1', 'localhost'].includes(address.host)) opts.log.warn({ host: address.host }, 'http: listener is not on loopback');
  opts.log.info({ http: address }, 'http listening');
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return {
    address,
    url: `http://${host}:${address.port}`,
    async close() {
      if (closing) return;
      closing = true;
      // Streams never go idle on their own: end them, or close would wait for their readers.
      for (const end of [...ctx.streams]) end();
      await app.close();
    },
  };
}

function registerControlRoutes(app: FastifyInstance, ctx: HttpContext): void {
  for (const type of REQUEST_TYPES) {
    if (CONNECTION_TYPES.has(type)) continue;
    const [noun] = type.split(':') as [string];
    app.post(
      routeOf(type),
      {
        schema: {
          operationId: type,
          summary: `${type} (control type)`,
          tags: [noun],
          body: bodySchema(type),
          response: { 200: successSchema, ...errorResponses },
        },
      },
      async (req, reply) =>
        answer(reply, type === 'message:send' && req.isMultipart() ? await sendMultipart(req, ctx) : await runControl(ctx.api, ctx.callers, callerOf(req), type as RequestType, req.body, undefined, ctx.opts.forwarder)),
    );
  }
}

export function answer(reply: FastifyReply, outcome: Awaited<ReturnType<typeof runControl>>): FastifyReply {
  if (outcome.ok) return reply.code(200).send({ ...outcome.result, success: true });
  return sendError(reply, outcome.error);
}

function registerProbes(app: FastifyInstance, ctx: HttpContext): void {
  const probe = { tags: ['health'], security: [] };
  app.get('/healthz', { schema: { ...probe, summary: 'the process answers' } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { ...probe, summary: 'the daemon is started and not stopping' } }, async (_req, reply) => {
    if (ctx.closing()) return reply.code(503).send({ ready: false, reason: 'stopping' });
    const accounts = ctx.api.listAccounts();
    return { ready: true, accounts: accounts.length, online: accounts.filter((a) => a.state === 'online').length };
  });
}
