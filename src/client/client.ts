/**
 * WadClient: the TypeScript client of wad's control socket (typed verbs,
 * the package API). Typed verbs over request(); events as async iterators that resume
 * after reconnects; media uploaded in binary frames.
 *
 *   const wad = await WadClient.connect();            // $WAD_SOCKET or the default socket
 *   await wad.sendText('work', '15550001111', 'hi');
 *   for await (const ev of wad.subscribe({ name: 'crm', types: ['message:new'] })) { ... }
 *
 * Every method rejects with WadClientError (the daemon's contract code, or
 * UNAVAILABLE / TIMEOUT / CLOSED).
 */
import type { AccountState, AccountSummary } from '../contract/api.js';
import type { WadEventOf } from '../contract/events.js';
import type { WadClientOptions } from './core.js';
import { accountVerbs } from './account-verbs.js';
import { WadClientError } from './errors.js';
import { MessageSends } from './messages.js';
import { defaultSocketPath } from './paths.js';

/**
 * The whole client: the account verbs here, and below it one layer per verb
 * family (messages.ts, groups.ts, chats.ts, communities-channels.ts,
 * people.ts) over the connection (core.ts).
 */
export class WadClient extends MessageSends {
  /** The verbs' requests, written once for the socket and the CLI's HTTP link (*-verbs.ts). */
  readonly #accounts = accountVerbs(this);
  constructor(opts: WadClientOptions = {}) {
    super(
      opts.url !== undefined ? { url: opts.url, token: opts.token, compression: opts.compression } : { socket: opts.socket ?? defaultSocketPath(), compression: opts.compression },
      opts,
    );
  }

  /** new WadClient(opts).connect() */
  static async connect(opts: WadClientOptions = {}): Promise<WadClient> {
    return new WadClient(opts).connect();
  }

  // ---- accounts -----------------------------------------------------------
  // Plain functions handing on the request's promise: an async wrapper would add turns to every round trip.

  listAccounts(): Promise<AccountSummary[]> {
    return this.#accounts.listAccounts();
  }

  accountStatus(id: string): Promise<AccountSummary> {
    return this.#accounts.accountStatus(id);
  }

  /**
   * Adds an account. Without a phone the daemon streams `connection:update`
   * events with `qr` to onUpdate; with one, the pairing code is returned.
   * Resolves when the daemon accepted it (see waitForState to wait for the link).
   */
  async addAccount(id: string, opts: { phone?: string; onUpdate?: (ev: WadEventOf<'connection:update'>) => void } = {}): Promise<{ pairCode?: string }> {
    const off = opts.onUpdate ? this.onEvent((ev) => ev.account === id && ev.type === 'connection:update' && opts.onUpdate!(ev)) : undefined;
    try {
      return await this.request('account:add', opts.phone !== undefined ? { id, phone: opts.phone } : { id });
    } catch (err) {
      off?.();
      throw err;
    }
  }

  /**
   * Waits until the account reaches one of `states` (default online), calling
   * onUpdate for each connection:update on the way. Checks the current state
   * first. @throws WadClientError TIMEOUT
   */
  async waitForState(id: string, opts: { states?: AccountState[]; timeoutMs?: number; onUpdate?: (ev: WadEventOf<'connection:update'>) => void } = {}): Promise<AccountState> {
    const states = new Set<AccountState>(opts.states ?? ['online']);
    const stream = this.subscribe({ accounts: [id], types: ['connection:update'] });
    let timer: NodeJS.Timeout | undefined;
    try {
      await stream.synced;
      const now = await this.accountStatus(id);
      if (states.has(now.state)) return now.state;
      // A quarantined account changes state only when repaired and the daemon restarted: waiting is pointless.
      if (now.state === 'failed') throw new WadClientError('UNAVAILABLE', `account ${id} failed: ${now.reason ?? 'its records do not load'}`);
      const timeout = new Promise<never>((_r, reject) => {
        timer = setTimeout(() => reject(new WadClientError('TIMEOUT', `account ${id} did not reach ${[...states].join('/')} within ${opts.timeoutMs} ms`)), opts.timeoutMs ?? 300_000);
      });
      const watch = (async () => {
        for await (const ev of stream) {
          if (ev.type !== 'connection:update') continue;
          opts.onUpdate?.(ev);
          if (states.has(ev.data.state)) return ev.data.state;
        }
        throw new WadClientError('UNAVAILABLE', 'event stream ended');
      })();
      return await Promise.race([watch, timeout]);
    } finally {
      clearTimeout(timer);
      await stream.close();
    }
  }

  requestPairCode(id: string, phone: string): Promise<string> {
    return this.#accounts.requestPairCode(id, phone);
  }

  startAccount(id: string): Promise<void> {
    return this.#accounts.startAccount(id);
  }

  stopAccount(id: string): Promise<void> {
    return this.#accounts.stopAccount(id);
  }

  /** Restarts only this account's actors; the others keep running. */
  restartAccount(id: string): Promise<void> {
    return this.#accounts.restartAccount(id);
  }

  logoutAccount(id: string): Promise<void> {
    return this.#accounts.logoutAccount(id);
  }

  removeAccount(id: string): Promise<void> {
    return this.#accounts.removeAccount(id);
  }
}
