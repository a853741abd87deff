/**
 * Where an account's request runs in a cluster: here when this daemon holds
 * the account's lease (or nobody does: then the shared store still answers
 * what it can), otherwise at the daemon that holds it, found in the lease
 * and heartbeat tables, whose answer is relayed as it came. An upload's
 * bytes travel with the request; a file named by path is opened here, under
 * this daemon's path policy (it is this daemon's caller's file), and its
 * bytes travel as an upload; a download streams from the owner (see
 * peer-download.ts), and a download that breaks off fails, naming the owner.
 * account:list adds who runs each account (accounts-view.ts); webhook:list
 * counts each webhook over every daemon (webhooks-view.ts).
 *
 * The owner refusing because the lease moved on since the lookup is the one
 * case retried (once, after a fresh lookup): nothing ran there. Every other
 * failure is UNAVAILABLE at once with the owner in its details, never a
 * wait beyond cluster.forwardTimeoutMs; a timeout after the request went out
 * says the outcome is unknown (a send is then repeated safely with the same
 * idempotencyKey). Owns that decision; the exchange is the peer client's.
 */
import { createReadStream } from 'node:fs';
import type { Logger } from 'pino';
import type { MediaDownload } from '../../contract/api.js';
import { DaemonError } from '../../contract/errors.js';
import type { UploadSource } from '../../ipc/dispatch.js';
import { accountOf, RelayedError, type ForwardOptions, type RequestForwarder, type Result } from '../../ipc/forwarding.js';
import type { Request } from '../../ipc/requests.js';
import type { AccountOwner } from '../../store/cluster/owners.js';
import { withOwners, type AccountsViewDeps } from './accounts-view.js';
import { webhooksOfAll } from './webhooks-view.js';
import { openPathUpload, type PathFiles } from './path-upload.js';
import { PeerError, type PeerAnswer, type PeerUpload } from './peer-client.js';

export interface ForwardRouterDeps {
  readonly daemonId: string;
  /** Whether this daemon holds the account's lease now. */
  held(account: string): boolean;
  readonly owners: { lookup(account: string): Promise<AccountOwner>; forget(account: string): void } & Partial<AccountsViewDeps['owners']>;
  readonly peers: {
    post(endpoint: string, frame: Record<string, unknown>, file?: PeerUpload, timeoutMs?: number): Promise<PeerAnswer>;
    download?(endpoint: string, frame: Record<string, unknown>): Promise<PeerAnswer | MediaDownload>;
  };
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Opens files that path sends name, under this daemon's policy; without it such sends of other daemons' accounts are refused. */
  readonly localFiles?: PathFiles | undefined;
  /** Where this daemon takes forwarded requests (shown in account:list). */
  readonly endpoint?: string | null;
}

type Elsewhere = { owner: string; endpoint: string | null };

export class ForwardRouter implements RequestForwarder {
  readonly #deps: ForwardRouterDeps;

  constructor(deps: ForwardRouterDeps) {
    this.#deps = deps;
  }

  async run(req: Request, uploads: UploadSource, here: () => Promise<Result>, options: ForwardOptions = {}): Promise<Result> {
    const account = accountOf(req);
    if (account === undefined) return req.type === 'account:list' ? this.#listed(here) : req.type === 'webhook:list' ? this.#webhooks(here) : here();
    const owner = await this.#elsewhere(account);
    if (!owner) return this.#here(account, here);
    const data = req.data as Record<string, unknown>;
    const frame: Record<string, unknown> = { id: req.id, type: req.type, ack: true, data: req.data };
    if (req.account !== undefined) frame['tenantId'] = req.account;
    if (req.chat !== undefined) frame['conversationId'] = req.chat;
    if (typeof data['path'] === 'string') {
      const file = await openPathUpload(req, this.#deps.localFiles, options.allowPaths === true);
      try {
        return await this.#forward(account, owner, { ...frame, data: file.data }, file.upload, here);
      } finally {
        await file.close();
      }
    }
    if (typeof data['upload'] !== 'number') return this.#forward(account, owner, frame, undefined, here);
    const up = await uploads.take(data['upload']);
    try {
      // A send's file keeps the type it was uploaded with; other uploads (a profile picture) take no mimeType field.
      const withType = req.type === 'message:send' ? { ...frame, data: { ...data, mimeType: data['mimeType'] ?? up.mimeType } } : frame;
      return await this.#forward(account, owner, withType, spooledUpload(up.path, up.bytes), here);
    } finally {
      await uploads.release(up.path);
    }
  }

  async download(account: string, chat: string, messageId: string): Promise<MediaDownload | undefined> {
    const owner = await this.#elsewhere(account);
    if (!owner) return undefined;
    return this.#download(account, owner, { id: `download-${messageId}`, type: 'media:download', ack: true, tenantId: account, conversationId: chat, data: { messageId, download: 0 } });
  }

  async #download(account: string, owner: Elsewhere, frame: Record<string, unknown>, retried = false): Promise<MediaDownload | undefined> {
    const { peers } = this.#deps;
    if (owner.endpoint === null || !peers.download) {
      throw this.#unavailable(account, owner, `account ${account} runs on daemon ${owner.owner}, which takes no forwarded requests (its cluster.listen is not set): download from that daemon`);
    }
    let got: PeerAnswer | MediaDownload;
    try {
      got = await peers.download(owner.endpoint, frame);
    } catch (err) {
      throw this.#failed(account, owner, err, 'downloading');
    }
    if (!('ok' in got)) return this.#relayed(account, owner, got);
    if (got.ok) throw this.#unavailable(account, owner, `daemon ${owner.owner} answered a download without its bytes`, { reason: 'bad-answer' });
    if (got.error.details?.['notOwner'] === true && !retried) {
      const now = await this.#elsewhere(account, true);
      return now ? this.#download(account, now, frame, true) : undefined;
    }
    throw new RelayedError(got.error);
  }

  /** The owner's bytes, as they come; a stream that breaks off fails with UNAVAILABLE naming the owner. */
  #relayed(account: string, owner: Elsewhere, media: MediaDownload): MediaDownload {
    const fail = (err: unknown): Error => this.#failed(account, owner, err, 'downloading');
    return {
      ...(media.type !== undefined ? { type: media.type } : {}),
      ...(media.mimeType !== undefined ? { mimeType: media.mimeType } : {}),
      ...(media.fileName !== undefined ? { fileName: media.fileName } : {}),
      ...(media.fileLength !== undefined ? { fileLength: media.fileLength } : {}),
      [Symbol.asyncIterator]: () => {
        const it = media[Symbol.asyncIterator]();
        return {
          next: () => it.next().catch((err: unknown) => Promise.reject(fail(err))),
          return: async (value?: unknown) => (it.return ? it.return(value) : { done: true as const, value: undefined }),
        };
      },
    };
  }

  async #webhooks(here: () => Promise<Result>): Promise<Result> {
    const result = await here();
    const { owners, peers, daemonId, logger, timeoutMs } = this.#deps;
    if (!owners.all || !Array.isArray(result['webhooks'])) return result;
    return { ...result, ...(await webhooksOfAll(result['webhooks'] as never, { owners: { all: () => owners.all!() }, peers, daemonId, timeoutMs, logger })) };
  }

  async #listed(here: () => Promise<Result>): Promise<Result> {
    const result = await here();
    const { owners, peers, daemonId, logger, timeoutMs } = this.#deps;
    if (!owners.all || !Array.isArray(result['accounts'])) return result;
    return { ...result, accounts: await withOwners(result['accounts'] as never, { owners: { all: () => owners.all!() }, peers, daemonId, endpoint: this.#deps.endpoint ?? null, timeoutMs, logger }) };
  }

  /** The daemon to forward to, or undefined when the request runs here. @throws DaemonError UNAVAILABLE when the lease table cannot be read */
  async #elsewhere(account: string, fresh = false): Promise<Elsewhere | undefined> {
    const { held, owners, daemonId } = this.#deps;
    if (held(account)) return undefined;
    if (fresh) owners.forget(account);
    let found: AccountOwner;
    try {
      found = await owners.lookup(account);
    } catch (err) {
      throw new DaemonError('UNAVAILABLE', `account ${account} is not run by this daemon, and which daemon runs it cannot be read now: ${(err as Error).message}`, { account, owner: null });
    }
    if (found.owner === null || found.owner === daemonId) return undefined;
    return { owner: found.owner, endpoint: found.endpoint };
  }

  /** Runs it here for an account nobody holds: what the store can answer, it answers; what needs the account running says why it is not. */
  async #here(account: string, here: () => Promise<Result>): Promise<Result> {
    try {
      return await here();
    } catch (err) {
      if (this.#deps.held(account) || !(err instanceof DaemonError) || err.code !== 'UNAVAILABLE') throw err;
      throw new DaemonError('UNAVAILABLE', `account ${account} is run by no daemon right now (its lease is free; a daemon takes it within a renewal round): ${err.message}`, {
        ...err.details,
        account,
        owner: null,
      });
    }
  }

  async #forward(account: string, owner: Elsewhere, frame: Record<string, unknown>, file: PeerUpload | undefined, here: () => Promise<Result>, retried = false): Promise<Result> {
    const { peers, owners } = this.#deps;
    if (owner.endpoint === null) {
      throw this.#unavailable(account, owner, `account ${account} runs on daemon ${owner.owner}, which takes no forwarded requests (its cluster.listen is not set): send this request to that daemon`);
    }
    let answer: PeerAnswer;
    try {
      answer = await peers.post(owner.endpoint, frame, file);
    } catch (err) {
      throw this.#failed(account, owner, err, 'forwarding');
    }
    if (answer.ok) return answer.result;
    if (answer.error.details?.['notOwner'] === true && !retried) {
      // The lease moved on after the lookup; nothing ran there. Once more, wherever it is now.
      const now = await this.#elsewhere(account, true);
      if (!now) return this.#here(account, here);
      return this.#forward(account, now, frame, file, here, true);
    }
    throw new RelayedError(answer.error);
  }

  /** What the caller gets when the owner gave no answer (or a download broke off); any other error passes as it is. */
  #failed(account: string, owner: Elsewhere, err: unknown, what: 'forwarding' | 'downloading'): Error {
    if (!(err instanceof PeerError)) return err as Error;
    const { owners, logger, daemonId } = this.#deps;
    owners.forget(account);
    logger.warn({ account, owner: owner.owner, endpoint: owner.endpoint, reason: err.reason, err: err.message, from: daemonId }, `cluster: ${what} failed`);
    if (err.reason === 'busy') return new DaemonError('RATE_LIMITED', `this daemon forwards at most so many requests at once (cluster.maxForwards): ${err.message}`, { account, owner: owner.owner }, { retryAfter: 1000 });
    // A download changes nothing at the owner: whether it got there does not matter.
    const unknown = what === 'forwarding' && err.delivered;
    const tail = unknown ? ' (it may have acted on it: repeat a send with the same idempotencyKey)' : '';
    const did = err.reason === 'broken' ? 'whose download broke off' : 'which did not answer';
    return this.#unavailable(account, owner, `account ${account} runs on daemon ${owner.owner}${at(owner)}, ${did}: ${err.message}${tail}`, { reason: err.reason, ...(unknown ? { outcomeUnknown: true } : {}) });
  }

  #unavailable(account: string, owner: Elsewhere, message: string, more: Record<string, unknown> = {}): DaemonError {
    return new DaemonError('UNAVAILABLE', message, { account, owner: owner.owner, endpoint: owner.endpoint, ...more });
  }
}

/** A spooled upload's file, read anew at each attempt. */
function spooledUpload(path: string, bytes: number): PeerUpload {
  return { bytes, open: () => createReadStream(path) };
}

function at(owner: Elsewhere): string {
  return owner.endpoint ? ` (${owner.endpoint})` : '';
}
