/**
 * The forwarding daemon's side of a forwarded media download: one HTTP POST
 * to the owner's `/wad-cluster/v1/media` with the media:download frame, and
 * either the owner's refusal (`{ok: false, error}`, as for any forwarded
 * request) or the verified plaintext streamed back, described by the
 * `x-wad-media` header and read on demand: the response is pulled only as
 * fast as the client takes the bytes, so at most the socket's buffers are
 * held here, whatever the file's size.
 *
 * A download ends complete or as an error, never short: the body must carry
 * exactly the length the owner announced; an owner that breaks off (dies,
 * its read failed) or sends nothing for `idleMs` (silent, or the client
 * stopped reading) fails the stream with a PeerError. The caller is told
 * when the response is gone (`onClose`), whichever way it ended, and only
 * then frees its slot. Owns that exchange; the agent and the bound on
 * downloads in flight are the peer client's.
 */
import type { Agent, IncomingMessage } from 'node:http';
import { request } from 'node:http';
import type { MediaDownload } from '../../contract/api.js';
import { PeerError, readAnswer, StaleConnection, type PeerAnswer } from './peer-answer.js';

export const MEDIA_PATH = '/wad-cluster/v1/media';
/** The downloaded file's description (JSON: type, mimeType, fileName, fileLength), URI-encoded. */
export const MEDIA_HEADER = 'x-wad-media';

export interface PeerDownloadOptions {
  readonly agent: Agent;
  readonly headers: Record<string, string>;
  /** Until the owner starts answering (it fetches and verifies the file first). */
  readonly timeoutMs: number;
  /** Until the connection is made. */
  readonly connectMs: number;
  /** The longest silence of the body once it flows. */
  readonly idleMs: number;
  /** Largest refusal read. */
  readonly maxBytes: number;
  /** The response is gone (read to its end, failed, or dropped): called once. */
  readonly onClose: () => void;
}

/** The owner's refusal, or its file streaming in. @throws PeerError when no answer came */
export function peerDownload(url: URL, json: Buffer, o: PeerDownloadOptions): Promise<PeerAnswer | MediaDownload> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      o.onClose();
    };
    const timers: NodeJS.Timeout[] = [];
    const fail = (err: PeerError): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      req.destroy();
      close();
      reject(err);
    };
    let delivered = false;
    const req = request(url, { method: 'POST', agent: o.agent, headers: { ...o.headers, 'content-type': 'application/json', 'content-length': String(json.length) } });
    timers.push(setTimeout(() => fail(new PeerError('timeout', `no answer within ${o.timeoutMs} ms`, delivered)), o.timeoutMs));
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      const t = setTimeout(() => fail(new PeerError('unreachable', `no connection within ${o.connectMs} ms`, false)), o.connectMs);
      timers.push(t);
      socket.once('connect', () => clearTimeout(t));
    });
    req.on('finish', () => (delivered = true));
    req.on('error', (err) => fail(req.reusedSocket && !delivered ? new StaleConnection(err.message) : new PeerError(delivered ? 'bad-answer' : 'unreachable', err.message, delivered)));
    req.on('response', (res) => {
      if (settled) return void res.destroy();
      for (const t of timers) clearTimeout(t);
      const described = res.headers[MEDIA_HEADER];
      if (res.statusCode !== 200 || typeof described !== 'string') {
        // A refusal (or a wrong secret): read as any forwarded request's answer; the connection is reusable after.
        void readAnswer(res, o.maxBytes).then(
          (answer) => {
            settled = true;
            close();
            resolve(answer);
          },
          (err: PeerError) => fail(err),
        );
        return;
      }
      settled = true;
      let media: MediaDownload;
      try {
        media = streamed(res, describe(described), o.idleMs, close);
      } catch (err) {
        res.destroy();
        close();
        return reject(err);
      }
      resolve(media);
    });
    req.end(json);
  });
}

interface Described {
  type?: string;
  mimeType?: string;
  fileName?: string;
  fileLength: number;
}

/** @throws PeerError bad-answer when the header does not describe a file */
function describe(header: string): Described {
  let d: unknown;
  try {
    d = JSON.parse(decodeURIComponent(header));
  } catch {
    throw new PeerError('bad-answer', `its ${MEDIA_HEADER} header is not JSON`, true);
  }
  const o = (typeof d === 'object' && d !== null ? d : {}) as Record<string, unknown>;
  if (typeof o['fileLength'] !== 'number' || !Number.isSafeInteger(o['fileLength']) || o['fileLength'] < 0) throw new PeerError('bad-answer', `its ${MEDIA_HEADER} header gives no file length`, true);
  const text = (k: string): Record<string, string> => (typeof o[k] === 'string' ? { [k]: o[k] as string } : {});
  return { fileLength: o['fileLength'] as number, ...text('type'), ...text('mimeType'), ...text('fileName') };
}

/** The body as the file's bytes, exactly `fileLength` of them, or a PeerError. */
function streamed(res: IncomingMessage, d: Described, idleMs: number, onClose: () => void): MediaDownload {
  res.once('close', onClose);
  // Armed now: a stream nobody starts reading is dropped too. Re-armed at each chunk.
  const idle = setTimeout(() => res.destroy(new PeerError('timeout', `its download sent nothing for ${idleMs} ms`, true)), idleMs);
  res.once('close', () => clearTimeout(idle));
  let started = false;
  async function* bytes(): AsyncGenerator<Uint8Array> {
    let got = 0;
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        idle.refresh();
        got += chunk.length;
        if (got > d.fileLength) throw new PeerError('bad-answer', `its download is longer than the ${d.fileLength} bytes it announced`, true);
        yield chunk;
      }
    } catch (err) {
      if (err instanceof PeerError) throw err;
      throw new PeerError('broken', `its download broke off after ${got} of ${d.fileLength} bytes: ${(err as Error).message}`, true);
    } finally {
      clearTimeout(idle);
      res.destroy();
    }
    if (got !== d.fileLength) throw new PeerError('broken', `its download ended after ${got} of ${d.fileLength} bytes`, true);
  }
  return {
    ...d,
    [Symbol.asyncIterator]: () => {
      if (started) throw new Error('a forwarded download is read once');
      started = true;
      return bytes();
    },
  };
}
