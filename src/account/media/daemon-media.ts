/**
 * Media in the daemon: one HTTPS agent for every account (the configured CA
 * or the system's), and a wrapper around the messaging module's factory so
 * that each account start gets its AccountMedia — media_conn over its own
 * connection, a spool dir `<spoolRoot>/<account>`, re-upload requests — with
 * media sends built through it, its mediaretry handler on the connection,
 * and `downloadMedia(chat, id)`: the file of a stored message, verified
 * before the first byte is handed out. A send that names a local file by
 * path gets it opened under the daemon's path policy (local-file.ts) before
 * anything else reads it. Media failures reach the control plane as
 * DaemonErrors with the media code in `details.media`.
 *
 * Owns the wiring only; transfers are service.ts's, messages messaging's.
 */
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { type MediaDownload } from '../../contract/api.js';
import { DaemonError, type ErrorCode } from '../../contract/errors.js';
import { isGroup, isLid, isPn, jidNormalizedUser } from '../../protocol/jid/index.js';
import type { proto } from '../../protocol/proto/index.js';
import type { MessagingDeps, MessagingModule } from '../messaging-deps.js';
import { createAccountMedia, type AccountMedia } from './account-media.js';
import { isMediaFile } from './encrypt-source.js';
import { MediaError, type MediaErrorCode } from './errors.js';
import type { MediaHttp } from './http.js';
import type { LocalFiles } from './local-file.js';
import type { MediaSendContent } from './message.js';
import { findStoredMedia } from './stored.js';

/** What the wrapped factory is given besides its deps (src/account/messaging MessagingOptions has it). */
export interface MessagingMediaOptions {
  media: (content: MediaSendContent, chat: string) => Promise<proto.IMessage>;
}

export type MessagingFactory = (deps: MessagingDeps, options: MessagingMediaOptions) => MessagingModule;

export interface DaemonMediaOptions {
  http: MediaHttp;
  /** Parent of the accounts' spool dirs (encrypted blobs only), e.g. `<dataDir>/tmp/media`. */
  spoolRoot: string;
  /** Opens the files that sends name by path; without it, such sends are refused. */
  localFiles?: LocalFiles;
  /** Passed to each account's media (tests: a short re-upload wait). */
  reuploadTimeoutMs?: number;
}

/** Codes a consumer acts on differently: the file is gone, a transfer may work later, or our fault. */
const CONTRACT_CODE: Partial<Record<MediaErrorCode, ErrorCode>> = {
  GONE: 'NOT_FOUND',
  REUPLOAD_FAILED: 'NOT_FOUND',
  NO_HOSTS: 'NOT_FOUND',
  IO: 'INTERNAL_ERROR',
  PATH_REFUSED: 'INVALID_PAYLOAD',
  DISPOSED: 'INTERNAL_ERROR',
  FINISHED: 'INTERNAL_ERROR',
};

/** A MediaError as the control plane's error: UNAVAILABLE unless the table says otherwise; `details.media` keeps the media code. */
export function mediaToDaemonError(err: unknown): unknown {
  if (!(err instanceof MediaError)) return err;
  const details: Record<string, unknown> = { media: err.code };
  if (err.status !== undefined) details.status = err.status;
  if (err.reason !== undefined) Object.assign(details, { reason: err.reason, field: 'data.path' });
  return new DaemonError(CONTRACT_CODE[err.code] ?? 'UNAVAILABLE', err.message, details, { cause: err });
}

export class DaemonMedia {
  readonly #opts: DaemonMediaOptions;

  private constructor(opts: DaemonMediaOptions) {
    this.#opts = opts;
  }

  /** Removes what a killed daemon left in the spool dirs, then serves. */
  static async open(opts: DaemonMediaOptions): Promise<DaemonMedia> {
    await rm(opts.spoolRoot, { recursive: true, force: true });
    return new DaemonMedia(opts);
  }

  /** The messaging factory with media wired in (the result is what the account runtime calls). */
  wrap(create: MessagingFactory): (deps: MessagingDeps) => MessagingModule {
    return (deps) => {
      const am = createAccountMedia({
        port: deps.port,
        http: this.#opts.http,
        spoolDir: join(this.#opts.spoolRoot, deps.accountId),
        ownJid: () => jidNormalizedUser(deps.me().jid),
        ...(this.#opts.reuploadTimeoutMs !== undefined ? { reuploadTimeoutMs: this.#opts.reuploadTimeoutMs } : {}),
      });
      const build: MessagingMediaOptions['media'] = (content, chat) => this.#withLocalFile(content, (c) => am.build(c, chat)).catch((e: unknown) => Promise.reject(mediaToDaemonError(e)));
      let m: MessagingModule;
      try {
        m = create(deps, { media: build });
      } catch (err) {
        am.close();
        throw err;
      }
      return {
        ...m,
        handlers: [...m.handlers, ...am.handlers],
        downloadMedia: (chat, id) => download(deps, am, m, chat, id),
        close: async () => {
          am.close();
          await m.close?.();
        },
      };
    };
  }

  close(): void {
    this.#opts.http.close();
  }

  /** A send naming a file by path gets the file opened under the policy, and closed after. */
  async #withLocalFile<T>(content: MediaSendContent, fn: (c: MediaSendContent) => Promise<T>): Promise<T> {
    const m = content.media;
    if (m instanceof Uint8Array || m instanceof Readable || isMediaFile(m) || !('path' in m) || typeof m.path !== 'string') return fn(content);
    const files = this.#opts.localFiles;
    if (!files) throw new MediaError('PATH_REFUSED', 'this daemon reads no local files for sends', { reason: 'OUTSIDE_ROOTS' });
    const file = await files.open(m.path);
    try {
      return await fn({ ...content, media: file });
    } finally {
      await file.close();
    }
  }
}

/** @throws DaemonError NOT_FOUND (no such message, file gone), INVALID_PAYLOAD (not a media message), UNAVAILABLE (transfer or integrity failure, see details.media) */
async function download(deps: MessagingDeps, am: AccountMedia, m: MessagingModule, chatArg: string, id: string): Promise<MediaDownload> {
  const chat = await canonical(m, chatArg);
  try {
    const found = await findStoredMedia(deps.store, chat, id);
    if (!found.found) {
      if (found.why === 'absent') throw new DaemonError('NOT_FOUND', `no message ${id} in ${chat}`);
      throw new DaemonError('INVALID_PAYLOAD', `message ${id} carries no downloadable media`);
    }
    const { media } = found;
    const file = await am.download(media.ref, media.target);
    const stream = file.stream({ dispose: true });
    return {
      ...media.info,
      fileLength: file.fileLength,
      [Symbol.asyncIterator]: () => stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>,
    };
  } catch (err) {
    throw mediaToDaemonError(err);
  }
}

/** The chat id the receive path stores under (a phone number becomes a PN jid; a LID with a known PN its PN). */
async function canonical(m: MessagingModule, chat: string): Promise<string> {
  const jid = /^\+?[0-9]{5,20}$/.test(chat) ? `${chat.replace('+', '')}@s.whatsapp.net` : jidNormalizedUser(chat) || chat;
  const c = (m as { canonicalChat?: (jid: string) => Promise<string> }).canonicalChat;
  if (typeof c === 'function' && (isPn(jid) || isLid(jid) || isGroup(jid))) return c.call(m, jid);
  return jid;
}
