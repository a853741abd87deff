/**
 * The owner's side of a forwarded media download (`POST
 * /wad-cluster/v1/media`, behind the forward listener's secret check and
 * in-flight bound): the media:download frame is checked by the control
 * socket's own parser, the account must be held here (else refused before
 * anything runs, so the sender may look again), and the file is fetched and
 * verified as for a local download, before the first byte. Then the bytes
 * stream out, at the pace the other daemon reads them (the socket's
 * backpressure, never the whole file in memory), described by the
 * `x-wad-media` header and framed by `content-length`. A failure after the
 * first byte destroys the connection, so the other side sees a cut body
 * and never a complete-looking one. Owns that route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import type { DaemonApi, MediaDownload } from '../../contract/api.js';
import type { ErrorPayload } from '../../contract/frames.js';
import { IpcError, toErrorPayload } from '../../ipc/errors.js';
import { parseFrame } from '../../ipc/requests.js';
import { MEDIA_HEADER } from './peer-download.js';
import { FORWARDED_BY_HEADER } from './peer-client.js';

export interface MediaRouteOptions {
  readonly daemonId: string;
  readonly held: (account: string) => boolean;
  readonly api: DaemonApi;
  /** Largest frame. */
  readonly maxBytes: number;
  readonly logger: Logger;
}

export async function serveDownload(req: IncomingMessage, res: ServerResponse, o: MediaRouteOptions, reply: (error: ErrorPayload, status?: number) => void): Promise<void> {
  const frame = await readFrame(req, o.maxBytes);
  if (frame === undefined) return reply({ code: 'INVALID_PAYLOAD', message: `the frame is over ${o.maxBytes} bytes (cluster.maxForwardBytes)` }, 413);
  let account: string | undefined;
  let media: MediaDownload;
  let sizedMedia: Awaited<ReturnType<typeof sized>>;
  try {
    const parsed = parseFrame(JSON.parse(frame.toString('utf8')));
    if (parsed.type !== 'media:download') throw new IpcError('INVALID_PAYLOAD', `only media:download is taken here, not ${parsed.type}`, { field: 'type' });
    account = parsed.account!;
    if (!o.held(account)) {
      return reply({ code: 'UNAVAILABLE', message: `account ${account} is not run by daemon ${o.daemonId} (its lease moved on)`, details: { account, owner: o.daemonId, notOwner: true } });
    }
    media = await o.api.downloadMedia(account, parsed.chat!, parsed.data.messageId);
    sizedMedia = await sized(media);
  } catch (err) {
    const error = toErrorPayload(err instanceof SyntaxError ? new IpcError('INVALID_PAYLOAD', 'the forwarded frame is not JSON') : err);
    if (error.code === 'INTERNAL_ERROR') o.logger.error({ err, account, from: req.headers[FORWARDED_BY_HEADER] }, 'cluster: forwarded download failed');
    return reply(error);
  }
  const { source, fileLength } = sizedMedia;
  const described = { fileLength, ...(media.type !== undefined ? { type: media.type } : {}), ...(media.mimeType !== undefined ? { mimeType: media.mimeType } : {}), ...(media.fileName !== undefined ? { fileName: media.fileName } : {}) };
  // More or fewer bytes than announced fail here, never reaching the other side as a whole file.
  res.strictContentLength = true;
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(fileLength), [MEDIA_HEADER]: encodeURIComponent(JSON.stringify(described)) });
  try {
    // pipeline destroys the response on a failure: the connection closes short of content-length.
    await pipeline(Readable.from(source, { objectMode: false }), res);
  } catch (err) {
    o.logger.warn({ account, err: (err as Error).message, from: req.headers[FORWARDED_BY_HEADER] }, 'cluster: a forwarded download broke off');
  }
}

/** The frame: the whole body, or undefined when it is over `max` bytes. */
async function readFrame(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > max) return undefined;
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** The length is announced before the bytes; a source that does not say it is read whole first (as a local download does). */
async function sized(media: MediaDownload): Promise<{ source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>; fileLength: number }> {
  if (media.fileLength !== undefined) return { source: media, fileLength: media.fileLength };
  const all: Uint8Array[] = [];
  for await (const c of media) all.push(c);
  return { source: all, fileLength: all.reduce((n, c) => n + c.length, 0) };
}
