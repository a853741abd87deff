/**
 * The daemon's accounts on the supervisor: one supervised child per account
 * (its connection actor, made fresh by a new Account at each start), so a
 * crash restarts that account alone and the others never notice. Keeps each account's
 * summary (state, reason, jid) from its reported updates, so status works
 * whether or not its actor runs. Owns lifecycle calls; what an account does
 * online is the account's.
 *
 * An account whose records do not load (a registry entry, credentials or
 * event state that does not decode, a read the database refuses) is
 * quarantined: state `failed` with the reason, never started, while every
 * other account loads and runs. It can be removed; `wad store repair` (with
 * the daemon stopped) is the way back.
 *
 * Errors: calls reject with DaemonError (the contract's codes).
 */
import type { Logger } from 'pino';
import type { ConnectionUpdate } from '../../account/connection/machine.js';
import type { ConnectionSettings } from '../../account/connection/settings.js';
import type { Transport } from '../../account/connection/transport.js';
import { Account, type AccountDeps } from '../../account/account.js';
import { AccountError } from '../../account/errors.js';
import type { AccountEventSink } from '../../account/events.js';
import type { CallPolicy } from '../../account/calls/calls.js';
import type { SharedMedia } from '../../account/media/shared.js';
import { type AccountSummary } from '../../contract/api.js';
import { DaemonError } from '../../contract/errors.js';
import { PairingError } from '../../protocol/pairing/index.js';
import type { CryptoPool } from '../../runtime/crypto-pool/index.js';
import type { Supervisor } from '../../runtime/supervisor/index.js';
import { ACCOUNT_ID_PATTERN, StoreError, type AccountStore, type Store } from '../../store/index.js';
import { BootPace } from './boot-pace.js';
import { StateWaiters } from './waiters.js';

export interface AccountManagerDeps {
  readonly store: Store;
  readonly pool: CryptoPool;
  readonly supervisor: Supervisor;
  readonly logger: Logger;
  readonly settings: ConnectionSettings;
  readonly sinkFor: (account: AccountStore) => AccountEventSink;
  readonly limits: {
    readonly maxAccounts: number;
    readonly autoStart: boolean;
    readonly restart: { readonly maxRestarts: number; readonly withinMs: number };
    /** Each account's outgoing message pacing (WhatsApp bans or answers 429 at a few messages a second); none when absent. */
    readonly sendRate?: { readonly perSecond: number; readonly burst: number } | undefined;
    /** Accounts (by id, "*" for the rest) that decline every call, with the text sent to the caller. */
    readonly rejectCalls?: Readonly<Record<string, { readonly message?: string | undefined }>> | undefined;
  };
  readonly transport?: Transport | undefined;
  /** What every account's media shares (HTTPS agent, spool root, path policy). */
  readonly media: SharedMedia;
  /** Messaging's tunables and test seams, for every account. */
  readonly messaging?: AccountDeps['messaging'];
  /** Accounts opened and started at once at boot (default 32). */
  readonly bootConcurrency?: number;
  /**
   * In a cluster: this daemon runs only the accounts whose lease it holds
   * (the cluster member adopts and gives them up); a new account is claimed
   * before its first write, a removed one's lease forgotten.
   */
  readonly leases?: { claim(id: string): Promise<boolean>; forget(id: string): Promise<void>; held(id: string): boolean } | undefined;
}

interface Entry {
  readonly id: string;
  summary: AccountSummary;
  store: AccountStore | undefined;
  account: Account | undefined;
  /** Why the account's records do not load (quarantined), if they do not. */
  failed: string | undefined;
  /** Since the daemon started, for account:status: starts, reconnects in all and by cause, log-outs. */
  readonly counters: Map<string, number>;
}

/** Distinct counter names per account (reconnect causes come from a short list; this bounds the rest). */
const MAX_COUNTERS = 64;
/** How long one boot slot waits for its account's first connection to settle (online, or failed and retrying) before the next account takes it. */
const BOOT_SLOT_MS = 2_000;
/** A boot slot frees on these: the first attempt is over, whichever way it went. */
const SETTLED: ReadonlySet<string> = new Set(['online', 'qr', 'reconnecting', 'loggedOut', 'failed']);

function count(entry: Entry, name: string): void {
  if (entry.counters.size >= MAX_COUNTERS && !entry.counters.has(name)) return;
  entry.counters.set(name, (entry.counters.get(name) ?? 0) + 1);
}

export class AccountManager {
  readonly #deps: AccountManagerDeps;
  readonly #entries = new Map<string, Entry>();
  readonly #waiters = new StateWaiters();
  #closed = false;
  /** Saved accounts the boot has yet to start (account:stop or remove takes one out). */
  readonly #bootQueue = new Set<string>();
  /** The boot's starts of saved accounts, under way in the background after init() (close() ends it between accounts). */
  booted: Promise<void> = Promise.resolve();
  readonly #unsubscribe: () => void;

  constructor(deps: AccountManagerDeps) {
    this.#deps = deps;
    this.#unsubscribe = deps.supervisor.subscribe((ev) => {
      const entry = 'id' in ev ? this.#entries.get(ev.id) : undefined;
      if (!entry) return;
      if (ev.type === 'CHILD.CRASHED') this.#emitStatus(entry, { event: 'crashed', error: describe(ev.error), willRestart: ev.willRestart });
      if (ev.type === 'CHILD.FAILED') this.#update(entry, { state: 'stopped', reason: `crashed too often: ${describe(ev.error)}` }, true);
    });
  }

  /**
   * Loads the registry and opens every account's store (bounded concurrency);
   * when autoStart is on, starts every linked account in the background
   * (`booted`). Accounts that are not linked (never finished, or logged out)
   * wait for account:add / account:start instead of holding a pairing
   * connection open at every boot.
   */
  async init(): Promise<void> {
    const { accounts: records, damaged } = await this.#deps.store.registry();
    for (const d of damaged) this.#quarantine(this.#entry(d.id), d.reason);
    for (const r of records) this.#entry(r.id);
    // In a cluster the accounts are loaded one by one as their leases are won (adopt).
    if (this.#deps.leases) return;
    // One account's damage is its own: it is quarantined and the others load.
    const toOpen = [...records];
    await this.#inSlots(toOpen.length, async () => {
      for (let r = toOpen.shift(); r !== undefined; r = toOpen.shift()) await this.#opened(this.#entries.get(r.id)!).catch(() => undefined);
    });
    if (!this.#deps.limits.autoStart) return;
    const queue = records.filter((r) => r.config.autoStart !== false && this.#entries.get(r.id)!.store?.creds?.registered).map((r) => r.id);
    for (const id of queue) this.#bootQueue.add(id);
    this.booted = this.#boot();
  }

  /**
   * Starts saved accounts, at most bootConcurrency on their way online at
   * once, each start in an event-loop task of its own, paced by the loop
   * (boot-pace.ts): a start waits while the loop's turns are long. Ten
   * thousand started in one go held the event loop for tens of seconds (a
   * start builds the account's actor and opens its socket synchronously)
   * and their handshakes queued behind one another at the server. An account
   * whose first connection has not settled within BOOT_SLOT_MS gives its slot
   * up and goes on connecting by itself, so an unreachable server cannot
   * hold the boot.
   */
  async #boot(): Promise<void> {
    const pace = new BootPace();
    const stopped = (): boolean => this.#closed;
    await this.#inSlots(this.#bootQueue.size, async () => {
      while (!this.#closed) {
        await pace.turn(stopped);
        // Taken only now: an account stopped or removed meanwhile is no longer in the queue.
        const id: string | undefined = this.#bootQueue.values().next().value;
        if (id === undefined || this.#closed) return;
        this.#bootQueue.delete(id);
        await pace.run(async () => {
          try {
            await this.start(id);
          } catch (err) {
            this.#deps.logger.error({ err, account: id }, 'account did not start');
            return;
          }
          await this.waitFor(id, (s) => SETTLED.has(s.state), BOOT_SLOT_MS).catch(() => undefined);
        });
      }
    });
  }

  /** Runs `worker` bootConcurrency times at once (fewer when there are fewer items), until all return. */
  async #inSlots(items: number, worker: () => Promise<void>): Promise<void> {
    await Promise.all(Array.from({ length: Math.min(items, this.#deps.bootConcurrency ?? 32) }, worker));
  }

  /** Knows the account (one another daemon added), without loading it. */
  track(id: string): void {
    if (!this.#entries.has(id) && ACCOUNT_ID_PATTERN.test(id)) this.#entry(id).summary = { id, state: 'stopped', reason: 'run by another daemon' };
  }

  /**
   * This daemon won the account's lease: loads it afresh from the store (what
   * another daemon wrote since) and starts it when it is linked and autoStart is on.
   */
  adopt(id: string): Promise<void> {
    return this.#serial(id, () => this.#adopt(id));
  }

  async #adopt(id: string): Promise<void> {
    this.track(id);
    const entry = this.#get(id);
    await this.#deps.store.closeAccount(id);
    entry.store = undefined;
    entry.summary = { id, state: 'stopped' };
    const store = await this.#opened(entry);
    const record = await this.#deps.store.getAccount(id);
    if (this.#deps.limits.autoStart && record?.config.autoStart !== false && store.creds?.registered) await this.start(id);
  }

  /**
   * The account is no longer this daemon's (its lease was lost, or handed over):
   * stops its actor and forgets its cached store; its writes were refused already.
   */
  giveUp(id: string, reason: string): Promise<void> {
    return this.#serial(id, () => this.#giveUp(id, reason));
  }

  async #giveUp(id: string, reason: string): Promise<void> {
    const entry = this.#entries.get(id);
    if (!entry) return;
    if (this.#deps.supervisor.whichChildren().some((c) => c.id === id)) await this.#deps.supervisor.stopChild(id).catch(() => {});
    await this.#deps.store.closeAccount(id);
    entry.store = undefined;
    entry.account = undefined;
    entry.summary = { id, state: 'stopped', reason };
    this.#waiters.notify(id, entry.summary);
  }

  // A lease lost and won back in quick succession: the give-up must finish before the adoption opens the store anew.
  readonly #lifecycle = new Map<string, Promise<void>>();
  #serial(id: string, fn: () => Promise<void>): Promise<void> {
    const next = (this.#lifecycle.get(id) ?? Promise.resolve()).then(fn, fn);
    const settled = next.catch(() => {});
    this.#lifecycle.set(id, settled);
    void settled.then(() => {
      if (this.#lifecycle.get(id) === settled) this.#lifecycle.delete(id);
    });
    return next;
  }

  list(): AccountSummary[] {
    return [...this.#entries.values()].map((e) => ({ ...e.summary }));
  }

  /** @throws DaemonError NOT_FOUND */
  /** The summary with the account's counters: the manager's and its messaging module's (decrypt failures, retries, server errors by code…). */
  status(id: string): AccountSummary {
    const entry = this.#get(id);
    const counters: Record<string, number> = Object.fromEntries(entry.counters);
    Object.assign(counters, entry.account?.messaging.stats());
    const skipped = entry.store?.damagedRecordsSkipped;
    if (skipped) counters.damagedRecordsSkipped = skipped;
    // The name can change without a state change (learned from our own devices' messages).
    const name = entry.store?.creds?.me?.name;
    return { ...entry.summary, ...(name ? { name } : {}), counters };
  }

  /** Counts one `name` for the account (the daemon's own counters: messages sent). */
  count(id: string, name: string): void {
    const entry = this.#entries.get(id);
    if (entry) count(entry, name);
  }

  /** Why the account is quarantined (its records do not load), or undefined when it is not. */
  failure(id: string): string | undefined {
    return this.#entries.get(id)?.failed;
  }

  /** The account, if its actor runs. */
  running(id: string): Account | undefined {
    const e = this.#entries.get(id);
    return e?.account && this.#deps.supervisor.get(id) === e.account.actor ? e.account : undefined;
  }

  /**
   * Adds an account and starts linking it (QR events; with `phone`, a pairing
   * code). An account that exists but is not linked starts linking again.
   * @throws DaemonError INVALID_PAYLOAD, ALREADY_EXISTS, RATE_LIMITED (maxAccounts), UNAVAILABLE
   */
  async add(id: string, opts: { phone?: string | undefined } = {}): Promise<{ pairCode?: string }> {
    if (typeof id !== 'string' || !ACCOUNT_ID_PATTERN.test(id)) throw new DaemonError('INVALID_PAYLOAD', `account id must match ${ACCOUNT_ID_PATTERN}`);
    if (this.#deps.leases && !(await this.#deps.leases.claim(id))) throw new DaemonError('UNAVAILABLE', `account ${id} is run by another daemon`);
    let entry = this.#entries.get(id);
    if (entry) {
      const store = await this.#opened(entry);
      if (store.creds?.registered) throw new DaemonError('ALREADY_EXISTS', `account ${id} is already linked`);
    } else if (this.#entries.size >= this.#deps.limits.maxAccounts) {
      throw new DaemonError('RATE_LIMITED', `at most ${this.#deps.limits.maxAccounts} accounts`);
    }
    const existing = await this.#deps.store.getAccount(id);
    await this.#deps.store.putAccount({ id, createdAt: existing?.createdAt ?? Date.now(), config: { ...existing?.config, ...(opts.phone ? { phone: opts.phone } : {}) } });
    entry ??= this.#entry(id);
    await this.restart(id);
    if (opts.phone === undefined) return {};
    return { pairCode: await this.requestPairCode(id, opts.phone) };
  }

  /**
   * A pairing code for an account waiting to be linked (waits, bounded, for its QR stage).
   * @throws DaemonError NOT_FOUND, INVALID_PAYLOAD (phone), UNAVAILABLE (not waiting to be linked)
   */
  async requestPairCode(id: string, phone: string): Promise<string> {
    const entry = this.#get(id);
    if (entry.failed) throw this.#failedError(entry);
    await this.waitFor(id, (s) => s.state === 'qr' || s.state === 'online' || s.state === 'stopped' || s.state === 'loggedOut', 3 * this.#deps.settings.connectTimeoutMs);
    const rt = this.running(id);
    if (!rt || entry.summary.state !== 'qr') throw new DaemonError('UNAVAILABLE', `account ${id} is ${entry.summary.state}, not waiting to be linked`);
    try {
      return await rt.connection.requestPairingCode(phone);
    } catch (err) {
      if (err instanceof PairingError) throw new DaemonError('INVALID_PAYLOAD', err.message, undefined, { cause: err });
      if (err instanceof AccountError) throw new DaemonError('UNAVAILABLE', err.message, undefined, { cause: err });
      throw new DaemonError('UNAVAILABLE', `pairing code request failed: ${describe(err)}`, undefined, { cause: err });
    }
  }

  /** Starts the account's actor if it does not run. @throws DaemonError NOT_FOUND, UNAVAILABLE (failed), INTERNAL_ERROR */
  async start(id: string): Promise<void> {
    const entry = this.#get(id);
    if (this.running(id)) return;
    // Its login would throw the running daemon's connection off, and every write would be refused.
    if (this.#deps.leases && !this.#deps.leases.held(id)) throw new DaemonError('UNAVAILABLE', `account ${id} is run by another daemon`);
    const store = await this.#opened(entry);
    try {
      await this.#deps.supervisor.startChild(this.#spec(entry, store));
    } catch (err) {
      if ((err as { code?: string }).code === 'ALREADY_RUNNING') return;
      throw new DaemonError('INTERNAL_ERROR', `account ${id} did not start: ${describe(err)}`, undefined, { cause: err });
    }
  }

  /** Stops the account's actor (graceful: its socket closes); it stays registered. @throws DaemonError NOT_FOUND */
  async stop(id: string): Promise<void> {
    this.#get(id);
    this.#bootQueue.delete(id);
    if (this.#deps.supervisor.whichChildren().some((c) => c.id === id)) await this.#deps.supervisor.stopChild(id);
  }

  /** Stops (if running) and starts the account alone. @throws DaemonError NOT_FOUND, INTERNAL_ERROR */
  async restart(id: string): Promise<void> {
    await this.stop(id);
    await this.start(id);
  }

  /**
   * Unlinks server-side when online, wipes credentials and keys in one batch,
   * reports loggedOut. The account stays registered (add it again to re-link).
   * @throws DaemonError NOT_FOUND, INTERNAL_ERROR
   */
  async logout(id: string): Promise<void> {
    const entry = this.#get(id);
    if (entry.failed) throw this.#failedError(entry);
    const rt = this.running(id);
    if (rt) {
      await rt.connection.logout();
      return;
    }
    const store = await this.#opened(entry);
    await store.wipe('logout');
    this.#update(entry, { state: 'loggedOut', reason: 'logged out by request' }, true);
  }

  /** Logs out (when linked and online), then deletes every record of the account. @throws DaemonError NOT_FOUND */
  async remove(id: string): Promise<void> {
    const entry = this.#get(id);
    this.#bootQueue.delete(id);
    const rt = this.running(id);
    if (rt?.connection.online) await rt.connection.logout('account removed').catch(() => {});
    if (this.#deps.supervisor.whichChildren().some((c) => c.id === id)) await this.#deps.supervisor.removeChild(id);
    await this.#deps.store.removeAccount(id);
    this.#entries.delete(id);
    entry.store = undefined;
    await this.#deps.leases?.forget(id);
  }

  /** Resolves when the account's state satisfies `pred` (or rejects after timeoutMs). */
  waitFor(id: string, pred: (s: AccountSummary) => boolean, timeoutMs: number): Promise<AccountSummary> {
    const s = this.#get(id).summary;
    if (pred(s)) return Promise.resolve({ ...s });
    return this.#waiters.wait(id, pred, timeoutMs);
  }

  close(): void {
    this.#closed = true;
    this.#unsubscribe();
    this.#waiters.close();
  }

  #spec(entry: Entry, store: AccountStore) {
    const { restart } = this.#deps.limits;
    return {
      id: entry.id,
      restart: 'transient' as const,
      intensity: { maxRestarts: restart.maxRestarts, withinMs: restart.withinMs },
      shutdownMs: 5000,
      start: () => {
        count(entry, 'starts');
        const account = new Account({
          accountId: entry.id,
          store,
          crypto: this.#deps.pool,
          events: this.#deps.sinkFor(store),
          logger: this.#deps.logger.child({ account: entry.id }),
          settings: this.#deps.settings,
          transport: this.#deps.transport,
          media: this.#deps.media,
          messaging: this.#deps.messaging,
          sendRate: this.#deps.limits.sendRate,
          callPolicy: callPolicyOf(this.#deps.limits.rejectCalls, entry.id),
          onUpdate: (u) => this.#update(entry, u, false),
        });
        entry.account = account;
        return account.actor;
      },
    };
  }

  #update(entry: Entry, u: ConnectionUpdate, emit: boolean): void {
    if (u.state === 'reconnecting') {
      count(entry, 'reconnects');
      count(entry, `reconnects:${u.reason ?? 'unknown'}`);
    } else if (u.state === 'loggedOut') count(entry, 'loggedOut');
    const me = entry.store?.creds?.me;
    entry.summary = { id: entry.id, state: u.state, ...(u.reason ? { reason: u.reason } : {}), ...(u.cause ? { cause: u.cause } : {}), ...(me ? { jid: me.id, lid: me.lid, name: me.name } : {}) };
    if (emit && entry.store) {
      this.#deps
        .sinkFor(entry.store)
        .emit({ type: 'connection:update', data: { state: u.state, ...(u.reason ? { reason: u.reason } : {}) } })
        .catch(() => {});
    }
    this.#waiters.notify(entry.id, entry.summary);
  }

  #emitStatus(entry: Entry, data: Record<string, string | boolean>): void {
    if (entry.store) this.#deps.sinkFor(entry.store).emit({ type: 'account:status', data }).catch(() => {});
  }

  #entry(id: string): Entry {
    const entry: Entry = { id, summary: { id, state: 'stopped' }, store: undefined, account: undefined, failed: undefined, counters: new Map() };
    this.#entries.set(id, entry);
    return entry;
  }

  #quarantine(entry: Entry, reason: string): void {
    entry.failed = reason;
    entry.summary = { id: entry.id, state: 'failed', reason };
    this.#deps.logger.error({ account: entry.id, reason }, 'account quarantined: its records do not load (the other accounts run; see `wad store check`)');
    this.#waiters.notify(entry.id, entry.summary);
  }

  #failedError(entry: Entry): DaemonError {
    return new DaemonError('UNAVAILABLE', `account ${entry.id} failed: ${entry.failed} (remove it, or stop the daemon and run \`wad store repair\`)`, { state: 'failed', reason: entry.failed });
  }

  /** @throws DaemonError UNAVAILABLE when the account's records do not load (it is then quarantined) */
  async #opened(entry: Entry): Promise<AccountStore> {
    if (entry.failed) throw this.#failedError(entry);
    if (entry.store && !entry.store.closed) return entry.store;
    try {
      entry.store = await this.#deps.store.account(entry.id);
    } catch (err) {
      if (!(err instanceof StoreError) || (err.code !== 'CORRUPT_RECORD' && err.code !== 'READ_FAILED')) throw err;
      this.#quarantine(entry, `records do not load: ${err.message.replace(`account ${entry.id}: `, '')}`);
      throw this.#failedError(entry);
    }
    const me = entry.store.creds?.me;
    if (me && entry.summary.jid === undefined) entry.summary = { ...entry.summary, jid: me.id, lid: me.lid, name: me.name };
    if (!entry.store.creds?.registered && entry.summary.state === 'stopped' && !entry.summary.reason) entry.summary = { ...entry.summary, reason: 'not linked' };
    return entry.store;
  }

  #get(id: string): Entry {
    const e = this.#entries.get(id);
    if (!e) throw new DaemonError('NOT_FOUND', `no account ${id}`);
    return e;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** An account's own entry, else the "*" one; none: calls ring until the caller gives up. */
function callPolicyOf(rejectCalls: AccountManagerDeps['limits']['rejectCalls'], id: string): CallPolicy | undefined {
  const entry = rejectCalls?.[id] ?? rejectCalls?.['*'];
  return entry ? { reject: true, message: entry.message } : undefined;
}
