/**
 * One account's media, wired: a MediaService whose media_conn comes from the
 * account's connection (the w:m IQ), re-upload requests through the same
 * connection, the MediaBuilder messaging takes for media sends, and a
 * download that asks the sender to re-upload when the file has expired.
 * Built by whoever composes an account (the daemon); owns nothing else.
 */
import { mediaConn } from '../../protocol/iq/media-conn.js';
import type { MediaRetryTarget } from '../../protocol/media/index.js';
import type { ConnectionPort, StanzaHandler } from '../ports.js';
import type { DownloadOptions, MediaRef } from './download.js';
import type { DownloadedMedia } from './downloaded.js';
import type { MediaHttp } from './http.js';
import { createMediaBuilder, type MediaBuilderOptions, type MediaSendContent } from './message.js';
import { MediaReuploads } from './reupload.js';
import { MediaService } from './service.js';
import type { proto } from '../../protocol/proto/index.js';

export interface AccountMediaOptions {
  port: Pick<ConnectionPort, 'execute' | 'send'>;
  /** Shared by every account (one agent, the configured CA); not closed here. */
  http: MediaHttp;
  /** The account's temp dir for encrypted blobs (e.g. <data-dir>/tmp/<account>). */
  spoolDir: string;
  /** Our user JID without device, read at call time. */
  ownJid: () => string;
  now?: () => number;
  builder?: Omit<MediaBuilderOptions, 'now'>;
  reuploadTimeoutMs?: number;
}

export interface AccountMedia {
  readonly service: MediaService;
  /** Register on the connection (reads mediaretry notifications). */
  readonly handlers: readonly StanzaHandler[];
  /** messaging's MediaBuilder. */
  readonly build: (content: MediaSendContent, chat: string) => Promise<proto.IMessage>;
  /**
   * Downloads and verifies; with `target` (the message it came in), an
   * expired file is requested again from the sender's phone once.
   * @throws MediaError (see MediaDownloader.download)
   */
  download(ref: MediaRef, target?: MediaRetryTarget, opts?: Omit<DownloadOptions, 'reupload'>): Promise<DownloadedMedia>;
  /** Rejects pending re-upload requests. */
  close(): void;
}

export function createAccountMedia(opts: AccountMediaOptions): AccountMedia {
  const service = new MediaService({
    fetchMediaConn: () => opts.port.execute(mediaConn),
    http: opts.http,
    spoolDir: opts.spoolDir,
    ...(opts.now ? { now: opts.now } : {}),
  });
  const reuploads = new MediaReuploads({
    send: (node) => opts.port.send(node),
    ownJid: opts.ownJid,
    ...(opts.reuploadTimeoutMs !== undefined ? { timeoutMs: opts.reuploadTimeoutMs } : {}),
  });
  return {
    service,
    handlers: [reuploads],
    build: createMediaBuilder(service, { ...opts.builder, ...(opts.now ? { now: opts.now } : {}) }),
    download(ref, target, dl = {}) {
      return service.download(ref, target ? { ...dl, reupload: () => reuploads.request(target, ref.mediaKey) } : dl);
    },
    close() {
      reuploads.close();
    },
  };
}
