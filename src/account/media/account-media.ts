/**
 * One account's media, wired: a MediaService whose media_conn comes from the
 * account's connection (the w:m IQ), re-upload requests through the same
 * connection, the builder messaging takes for media sends (a file named by
 * path is opened under the daemon's path policy first, and closed after),
 * and downloads of stored messages' files, verified before the first byte
 * is handed out, that ask the sender to re-upload when the file expired.
 * Built by the Account; owns nothing else.
 */
import type { MediaVerifier } from './verify-off-thread.js';
import { Readable } from 'node:stream';
import type { MediaContent, MediaDownload } from '../../contract/api.js';
import { mediaConn } from '../../protocol/iq/media-conn.js';
import type { MediaRetryTarget } from '../../protocol/media/index.js';
import type { proto } from '../../protocol/proto/index.js';
import type { AccountStore } from '../../store/index.js';
import type { ConnectionPort, StanzaHandler } from '../ports.js';
import type { DownloadOptions, MediaRef } from './download.js';
import type { DownloadedMedia } from './downloaded.js';
import { isMediaFile } from './encrypt-source.js';
import { MediaError } from './errors.js';
import type { MediaHttp } from './http.js';
import type { LocalFiles } from './local-file.js';
import { createMediaBuilder, type BuiltMedia, type MediaBuilderOptions } from './message.js';
import { MediaReuploads } from './reupload.js';
import { MediaService } from './service.js';
import { findStoredMedia } from './stored.js';

export interface AccountMediaOptions {
  port: Pick<ConnectionPort, 'execute' | 'send'>;
  /** Shared by every account (one agent, the configured CA); not closed here. */
  http: MediaHttp;
  /** The account's temp dir for encrypted blobs (e.g. <data-dir>/tmp/media/<account>). */
  spoolDir: string;
  /** Our user JID without device, read at call time. */
  ownJid: () => string;
  /** Opens files that sends name by path; without it such sends are refused (PATH_REFUSED). */
  localFiles?: LocalFiles | undefined;
  now?: () => number;
  builder?: Omit<MediaBuilderOptions, 'now'>;
  reuploadTimeoutMs?: number | undefined;
  /** Verifies large downloads on a worker thread (shared by every account). */
  verifier?: MediaVerifier | undefined;
}

export interface AccountMedia {
  readonly service: MediaService;
  /** Register on the connection (reads mediaretry notifications). */
  readonly handlers: readonly StanzaHandler[];
  /** Builds a media message (upload included) for messaging. @throws MediaError */
  readonly build: (content: MediaContent, chat: string) => Promise<BuiltMedia>;
  /**
   * Downloads and verifies; with `target` (the message it came in), an
   * expired file is requested again from the sender's phone once.
   * @throws MediaError (see MediaDownloader.download)
   */
  download(ref: MediaRef, target?: MediaRetryTarget, opts?: Omit<DownloadOptions, 'reupload'>): Promise<DownloadedMedia>;
  /**
   * The file of a stored message of `chat` (a canonical chat id), received or sent by us.
   * @throws MediaError NO_MESSAGE, NOT_MEDIA, or a transfer or integrity failure
   */
  downloadStored(store: AccountStore, chat: string, id: string): Promise<MediaDownload>;
  /** Rejects pending re-upload requests. */
  close(): void;
}

export function createAccountMedia(opts: AccountMediaOptions): AccountMedia {
  const service = new MediaService({
    fetchMediaConn: () => opts.port.execute(mediaConn),
    http: opts.http,
    spoolDir: opts.spoolDir,
    verifier: opts.verifier,
    ...(opts.now ? { now: opts.now } : {}),
  });
  const reuploads = new MediaReuploads({
    send: (node) => opts.port.send(node),
    ownJid: opts.ownJid,
    ...(opts.reuploadTimeoutMs !== undefined ? { timeoutMs: opts.reuploadTimeoutMs } : {}),
  });
  const builder = createMediaBuilder(service, { ...opts.builder, ...(opts.now ? { now: opts.now } : {}) });
  // An expired file is asked for again under its media key; unencrypted (channel) media has none to ask with.
  const download: AccountMedia['download'] = (ref, target, dl = {}) => {
    const mediaKey = ref.mediaKey;
    return service.download(ref, target && mediaKey ? { ...dl, reupload: () => reuploads.request(target, mediaKey) } : dl);
  };
  return {
    service,
    handlers: [reuploads],
    build: (content, chat) => withLocalFile(opts.localFiles, content, (c) => builder(c, chat)),
    download,
    async downloadStored(store, chat, id) {
      const found = await findStoredMedia(store, chat, id);
      if (!found.found) {
        if (found.why === 'absent') throw new MediaError('NO_MESSAGE', `no message ${id} in ${chat}`);
        throw new MediaError('NOT_MEDIA', `message ${id} carries no downloadable media`);
      }
      const { media } = found;
      const file = await download(media.ref, media.target);
      const stream = file.stream({ dispose: true });
      return {
        ...media.info,
        fileLength: file.fileLength,
        [Symbol.asyncIterator]: () => stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>,
      };
    },
    close() {
      reuploads.close();
    },
  };
}

/** A send naming a file by path gets the file opened under the policy, and closed after. */
async function withLocalFile<T>(files: LocalFiles | undefined, content: MediaContent, fn: (c: MediaContent) => Promise<T>): Promise<T> {
  const m = content.media;
  if (m instanceof Uint8Array || m instanceof Readable || isMediaFile(m) || !('path' in m) || typeof m.path !== 'string') return fn(content);
  if (!files) throw new MediaError('PATH_REFUSED', 'this daemon reads no local files for sends', { reason: 'OUTSIDE_ROOTS' });
  const file = await files.open(m.path);
  try {
    return await fn({ ...content, media: file });
  } finally {
    await file.close();
  }
}
