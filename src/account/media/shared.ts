/**
 * What every account's media shares in one daemon: one HTTPS agent (the
 * configured CA or the system's), the parent of the accounts' spool dirs,
 * the policy for files that sends name by path, and the fetcher of link
 * previews' pages. Opened once before the
 * accounts start (emptying what a killed daemon left in the spools), closed
 * after they stopped. Each account builds its own AccountMedia from it.
 */
import { rm } from 'node:fs/promises';
import type { MediaHttp } from './http.js';
import type { LocalFiles } from './local-file.js';
import type { WebFetcher } from '../link-preview/web-fetch.js';
import { MediaVerifyThread } from '../../runtime/media-verify/index.js';

export interface SharedMediaOptions {
  readonly http: MediaHttp;
  /** Parent of the accounts' spool dirs (encrypted blobs only), e.g. `<dataDir>/tmp/media`. */
  readonly spoolRoot: string;
  /** Opens the files that sends name by path; without it, such sends are refused. */
  readonly localFiles?: LocalFiles | undefined;
  /** How long a download waits for the sender's phone to re-upload an expired file (tests: short). */
  readonly reuploadTimeoutMs?: number | undefined;
  /** Fetches pages and images for link previews the daemon makes, within `timeoutMs` each; without it, it makes none. */
  readonly linkPreviews?: { readonly web: WebFetcher; readonly timeoutMs: number } | undefined;
  /** Verify large downloads on a worker thread, beside the download (default true). */
  readonly verifyOffThread?: boolean | undefined;
}

export class SharedMedia {
  readonly http: MediaHttp;
  readonly spoolRoot: string;
  readonly localFiles: LocalFiles | undefined;
  readonly reuploadTimeoutMs: number | undefined;
  readonly linkPreviews: SharedMediaOptions['linkPreviews'];
  /** One worker thread for every account's large downloads, started at the first. */
  readonly verifier: MediaVerifyThread | undefined;

  private constructor(opts: SharedMediaOptions) {
    this.verifier = opts.verifyOffThread === false ? undefined : new MediaVerifyThread();
    this.http = opts.http;
    this.spoolRoot = opts.spoolRoot;
    this.localFiles = opts.localFiles;
    this.reuploadTimeoutMs = opts.reuploadTimeoutMs;
    this.linkPreviews = opts.linkPreviews;
  }

  /** Removes what a killed daemon left in the spool dirs, then serves. */
  static async open(opts: SharedMediaOptions): Promise<SharedMedia> {
    await rm(opts.spoolRoot, { recursive: true, force: true });
    return new SharedMedia(opts);
  }

  close(): void {
    this.http.close();
    void this.verifier?.close();
    void this.linkPreviews?.web.close().catch(() => {});
  }
}
