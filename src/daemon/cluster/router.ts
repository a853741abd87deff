/**
 * Where an account's request runs in a cluster: here when this daemon holds
 * the account's lease (or nobody does: then the shared store still answers
 * what it can), otherwise at the daemon that holds it, found in the lease
 * and heartbeat tables, whose answer is relayed as it came. An upload's
 * bytes travel with the request; a file named by path and a download in
 * binary frames do not (the error names the owner and its endpoint).
 *
 * The owner refusing because the lease moved on since the lookup is the one
 * case retried (once, after a fresh lookup): nothing ran there. Every other
 * failure is UNAVAILABLE at once with the owner in its details, never a
 * wait beyond cluster.forwardTimeoutMs; a timeout after the request went out
 * says the outcome is unknown (a send is then repeated safely with the same
 * idempotencyKey). Owns that decision; the exchange is the peer client's.
 */
import type { Logger } from 'pino';
import { DaemonError } from '../../contract/errors.js';
import type { UploadSource } from '../../ipc/dispatch.js';
import { accountOf, RelayedError, type RequestForwarder, type Result } from '../../ipc/forwarding.js';
import type { Request } from '../../ipc/requests.js';
import type { AccountOwner } from '../../store/cluster/owners.js';
import { PeerError, type PeerAnswer } from './peer-client.js';

export interface ForwardRouterDeps {
  readonly daemonId: string;
  /** Whether this daemon holds the account's lease now. */
  held(account: string): boolean;
  readonly owners: { lookup(account: string): Promise<AccountOwner>; forget(account: string): void };
  readonly peers: { post(endpoint: string, frame: Record<string, unknown>, file?: { path: string; bytes: number }): Promise<PeerAnswer> };
  readonly timeoutMs: number;
  readonly logger: Logger;
}

type Elsewhere = { owner: string; endpoint: string | null };

export class ForwardRouter implements RequestForwarder {
  readonly #deps: ForwardRouterDeps;

  constructor(deps: ForwardRouterDeps) {
    this.#deps = deps;
  }

  async run(req: Request, uploads: UploadSource, here: () => Promise<Result>): Promise<Result> {
    const account = accountOf(req);
    if (account === undefined) return here();
    const owner = await this.#elsewhere(account);
    if (!owner) return this.#here(account, here);
    const data = req.data as Record<string, unknown>;
    if (typeof data['path'] === 'string') {
      throw this.#unavailable(account, owner, `account ${account} runs on daemon ${owner.owner}${at(owner)}: a file named by data.path is read where the account runs; upload its bytes (binary frames, or multipart over HTTP) or send to that daemon`, { field: 'data.path' });
    }
    const frame: Record<string, unknown> = { id: req.id, type: req.type, ack: true, data: req.data };
    if (req.account !== undefined) frame['tenantId'] = req.account;
    if (req.chat !== undefined) frame['conversationId'] = req.chat;
    if (typeof data['upload'] !== 'number') return this.#forward(account, owner, frame, undefined, here);
    const up = await uploads.take(data['upload']);
    try {
      // A send's file keeps the type it was uploaded with; other uploads (a profile picture) take no mimeType field.
      const withType = req.type === 'message:send' ? { ...frame, data: { ...data, mimeType: data['mimeType'] ?? up.mimeType } } : frame;
      return await this.#forward(account, owner, withType, { path: up.path, bytes: up.bytes }, here);
    } finally {
      await uploads.release(up.path);
    }
  }

  async assertHere(account: string): Promise<void> {
    const owner = await this.#elsewhere(account);
    if (!owner) return;
    throw this.#unavailable(account, owner, `account ${account} runs on daemon ${owner.owner}${at(owner)}: its media is downloaded from that daemon (binary frames are not forwarded)`);
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

  async #forward(account: string, owner: Elsewhere, frame: Record<string, unknown>, file: { path: string; bytes: number } | undefined, here: () => Promise<Result>, retried = false): Promise<Result> {
    const { peers, owners, logger, daemonId } = this.#deps;
    if (owner.endpoint === null) {
      throw this.#unavailable(account, owner, `account ${account} runs on daemon ${owner.owner}, which takes no forwarded requests (its cluster.listen is not set): send this request to that daemon`);
    }
    let answer: PeerAnswer;
    try {
      answer = await peers.post(owner.endpoint, frame, file);
    } catch (err) {
      if (!(err instanceof PeerError)) throw err;
      owners.forget(account);
      logger.warn({ account, owner: owner.owner, endpoint: owner.endpoint, reason: err.reason, err: err.message, from: daemonId }, 'cluster: forwarding a request failed');
      if (err.reason === 'busy') throw new DaemonError('RATE_LIMITED', `this daemon forwards at most so many requests at once (cluster.maxForwards): ${err.message}`, { account, owner: owner.owner }, { retryAfter: 1000 });
      const unknown = err.delivered ? ' (it may have acted on it: repeat a send with the same idempotencyKey)' : '';
      throw this.#unavailable(account, owner, `account ${account} runs on daemon ${owner.owner}${at(owner)}, which did not answer: ${err.message}${unknown}`, { reason: err.reason, ...(err.delivered ? { outcomeUnknown: true } : {}) });
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

  #unavailable(account: string, owner: Elsewhere, message: string, more: Record<string, unknown> = {}): DaemonError {
    return new DaemonError('UNAVAILABLE', message, { account, owner: owner.owner, endpoint: owner.endpoint, ...more });
  }
}

function at(owner: Elsewhere): string {
  return owner.endpoint ? ` (${owner.endpoint})` : '';
}
