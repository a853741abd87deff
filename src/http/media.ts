/**
 * Media over HTTP, in constant memory both ways. `POST /v1/message/send` as
 * `multipart/form-data`: the text fields are the JSON body's (`account`,
 * `chat`, `type`?, `caption`…), the `file` part is streamed to a spool file
 * (at most the upload limit; owner-only temp dir) and handed to the
 * socket's dispatch as an upload, then deleted. `GET
 * /v1/media/<account>/<chat>/<messageId>` streams the plaintext the daemon
 * verified before the first byte (the socket's media:download checks and
 * gate decide first). Owns these two routes' streaming.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { mediaTypeForMime, mimeFromFileName } from '../protocol/media/mime.js';
import { toErrorPayload } from '../ipc/errors.js';
import type { UploadSource } from '../ipc/dispatch.js';
import type { FinishedUpload } from '../ipc/uploads.js';
import { parseFrame } from '../ipc/requests.js';
import { callerOf, sendError, type HttpContext } from './context.js';
import { runControl, type Outcome } from './control.js';

/** Multipart text fields that the JSON body carries as numbers or booleans. */
const NUMBERS = new Set(['width', 'height', 'seconds']);
const BOOLEANS = new Set(['ptt', 'gifPlayback', 'viewOnce']);
const UPLOAD_SEQ = 1;

export async function registerMultipart(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  await app.register(multipart, { limits: { fileSize: ctx.opts.maxUploadBytes, files: 1, fields: 32, fieldSize: 1 << 20, parts: 40 } });
}

/** A multipart message:send: the fields and the spooled `file` part, run as the socket's upload. */
export async function sendMultipart(req: FastifyRequest, ctx: HttpContext): Promise<Outcome> {
  const fields: Record<string, unknown> = {};
  let file: FinishedUpload | undefined;
  const dir = ctx.opts.tmpDir;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || file) {
          part.file.resume();
          continue;
        }
        const path = join(dir, `upload-${randomBytes(9).toString('hex')}`);
        await pipeline(part.file, createWriteStream(path, { mode: 0o600 }));
        if (part.file.truncated) {
          await rm(path, { force: true });
          return { ok: false, error: { code: 'INVALID_PAYLOAD', message: `the file is larger than ${ctx.opts.maxUploadBytes} bytes`, details: { field: 'file' } } };
        }
        const mimeType = part.mimetype && part.mimetype !== 'application/octet-stream' ? part.mimetype : (mimeFromFileName(part.filename || '') ?? 'application/octet-stream');
        file = { path, mimeType, type: mediaTypeForMime(mimeType), bytes: (await stat(path)).size };
        if (part.filename) fields['fileName'] ??= part.filename;
      } else {
        const v = String(part.value);
        // A status's contacts: one `audience` field each, as the JSON body's list.
        if (part.fieldname === 'audience') (fields['audience'] as string[] | undefined)?.push(v) ?? (fields['audience'] = [v]);
        else fields[part.fieldname] = NUMBERS.has(part.fieldname) && /^\d+$/.test(v) ? Number(v) : BOOLEANS.has(part.fieldname) && (v === 'true' || v === 'false') ? v === 'true' : v;
      }
    }
    if (!file) return { ok: false, error: { code: 'MISSING_FIELD', message: 'a multipart message:send needs a "file" part', details: { field: 'file' } } };
    const upload = file;
    const uploads: UploadSource = {
      take: async (seq) => {
        if (seq !== UPLOAD_SEQ) throw new Error('unknown upload');
        return upload;
      },
      release: (path) => rm(path, { force: true }),
    };
    const body = { ...fields, type: fields['type'] ?? upload.type, mimeType: fields['mimeType'] ?? upload.mimeType, upload: UPLOAD_SEQ };
    // A document keeps its name; other kinds do not need one.
    if (body.type !== 'document' && fields['fileName'] === undefined) delete (body as Record<string, unknown>)['fileName'];
    return await runControl(ctx.api, ctx.callers, callerOf(req), 'message:send', body, uploads, ctx.opts.forwarder);
  } catch (err) {
    return { ok: false, error: toErrorPayload(err) };
  } finally {
    if (file) await rm(file.path, { force: true });
  }
}

export function registerDownload(app: FastifyInstance, ctx: HttpContext): void {
  app.get(
    '/v1/media/:account/:chat/:messageId',
    {
      schema: {
        summary: 'the verified plaintext of a media message (received, or sent by this account)',
        tags: ['message'],
        params: { type: 'object', properties: { account: { type: 'string' }, chat: { type: 'string' }, messageId: { type: 'string' } }, required: ['account', 'chat', 'messageId'] },
        response: { 200: { description: 'the file, with its mime type', type: 'string', format: 'binary' } },
      },
    },
    (req, reply) => download(req, reply, ctx),
  );
}

async function download(req: FastifyRequest, reply: FastifyReply, ctx: HttpContext): Promise<FastifyReply> {
  const p = req.params as { account: string; chat: string; messageId: string };
  let parsed;
  try {
    parsed = parseFrame({ id: 'http-download', type: 'media:download', tenantId: p.account, conversationId: p.chat, data: { messageId: p.messageId, download: 0 } });
  } catch (err) {
    return sendError(reply, toErrorPayload(err));
  }
  const admitted = ctx.callers.admit(callerOf(req), parsed);
  if ('refused' in admitted) return sendError(reply, admitted.refused);
  try {
    // In a cluster, an account another daemon runs streams from that daemon.
    const media = (await ctx.opts.forwarder?.download(parsed.account!, parsed.chat!, p.messageId)) ?? (await ctx.api.downloadMedia(parsed.account!, parsed.chat!, p.messageId));
    const headers: Record<string, string> = { 'content-type': media.mimeType ?? 'application/octet-stream', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (media.fileLength !== undefined) headers['content-length'] = String(media.fileLength);
    if (media.fileName) headers['content-disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(media.fileName)}`;
    return reply.headers(headers).send(Readable.from(media));
  } catch (err) {
    return sendError(reply, toErrorPayload(err));
  } finally {
    admitted.done();
  }
}
