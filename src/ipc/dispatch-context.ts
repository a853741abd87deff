/**
 * The shapes dispatch and the files around it share: a validated request,
 * where a media send's upload comes from, what a dispatch is given, and the
 * cluster's forwarding seam. Types only, so the per-area dispatchers
 * (people.ts, calls.ts, newsletters.ts, communities.ts), requests.ts,
 * dispatch.ts and forwarding.ts all import them from here and none of them
 * from another.
 */
import type { DaemonApi, MediaDownload } from '../contract/api.js';
import type { RequestMap, RequestType } from '../contract/frames.js';
import type { FinishedUpload } from './uploads.js';

/** A validated request: its type's data, the account and chat it names. */
export type Request = {
  [T in RequestType]: {
    id: string;
    type: T;
    ack: boolean;
    /** The account the request acts on (tenantId, or data.id for account:*). */
    account?: string;
    /** The chat, normalized to a jid. */
    chat?: string;
    data: RequestMap[T]['data'];
  };
}[RequestType];

/** Where a media send's `data.upload` comes from: the connection's binary uploads, or an HTTP request's file part. */
export interface UploadSource {
  /** Waits for upload `seq` and hands it over; the caller must release() its path. */
  take(seq: number): Promise<FinishedUpload>;
  release(path: string): Promise<void>;
}

export interface DispatchContext {
  api: DaemonApi;
  uploads: UploadSource;
  /** Local paths are only accepted from the Unix socket (same user). */
  allowPaths: boolean;
  /** Account ids the caller may see; undefined: all. */
  scope: ReadonlySet<string> | undefined;
  /** In a cluster: runs an account's request at the daemon that runs the account. None for a request that was forwarded here. */
  forwarder?: RequestForwarder | undefined;
}

/** What a dispatched request answers (the ack's data). */
export type DispatchResult = Record<string, unknown>;

/** What the caller's connection allows a forwarded request. */
export interface ForwardOptions {
  /** Whether data.path may name a file of this daemon's machine (the Unix socket's caller). */
  allowPaths?: boolean;
}

export interface RequestForwarder {
  /** Runs `req` where its account runs: here (`here()`), or at the daemon holding its lease (that daemon's answer). */
  run(req: Request, uploads: UploadSource, here: () => Promise<DispatchResult>, options?: ForwardOptions): Promise<DispatchResult>;
  /**
   * A media download of an account another daemon runs: its verified bytes
   * streaming from that daemon; undefined when the account is served here.
   * @throws an UNAVAILABLE error naming the daemon that runs it (unreachable,
   *   silent), or that daemon's refusal as it came; the stream fails the same
   *   way when it breaks off
   */
  download(account: string, chat: string, messageId: string): Promise<MediaDownload | undefined>;
}
