/**
 * This daemon as one of several sharing a PostgreSQL store: it announces
 * itself, renews its leases, and every `renewMs` claims accounts that nobody
 * holds (new, released, or left behind by a daemon that died: their leases
 * expired) up to its fair share, ceil(accounts / live daemons), and hands
 * back what it holds beyond it, so accounts spread over the daemons and move
 * when one joins or leaves. A lease it loses (expired while it was paused,
 * or refused at a write) stops the account here at once.
 *
 * Owns the claiming policy; the lease SQL is the store's (store/cluster), the
 * accounts' lifecycle the account manager's.
 */
import type { Logger } from 'pino';
import { mapLimit } from '../../account/messaging/bounded.js';
import type { LeaseKeeper } from '../../store/cluster/leases.js';
import type { Store } from '../../store/index.js';
import type { AccountManager } from '../accounts/index.js';
import type { Forwarding } from './index.js';

export interface ClusterMemberDeps {
  readonly keeper: LeaseKeeper;
  readonly store: Store;
  readonly accounts: AccountManager;
  readonly logger: Logger;
  readonly renewMs: number;
}

export class ClusterMember {
  readonly #deps: ClusterMemberDeps;
  #timer: ReturnType<typeof setInterval> | undefined;
  #renewing: Promise<void> | undefined;
  #balancing: Promise<void> | undefined;
  #stopped = false;
  #forwarding: Forwarding | undefined;

  constructor(deps: ClusterMemberDeps) {
    this.#deps = deps;
  }

  get daemonId(): string {
    return this.#deps.keeper.owner;
  }

  /** Request forwarding, stopped with the member. */
  attach(forwarding: Forwarding | undefined): void {
    this.#forwarding = forwarding;
  }

  get forwarding(): Forwarding | undefined {
    return this.#forwarding;
  }

  /** Whether this daemon holds the account's lease (runs it). */
  held(account: string): boolean {
    return this.#deps.keeper.token(account) !== undefined;
  }

  /** A lease was lost (the keeper says so): the account stops here. */
  lost(account: string): void {
    this.#deps.logger.warn({ account, daemon: this.daemonId }, 'account lease lost (taken over or expired): account given up');
    void this.#deps.accounts.giveUp(account, 'lease lost: run by another daemon').catch((err: unknown) => this.#deps.logger.error({ err, account }, 'giving up the account failed'));
  }

  /** Takes the account for this daemon now (a new account): false when another daemon holds it. */
  async claim(account: string): Promise<boolean> {
    const had = this.#deps.keeper.token(account) !== undefined;
    if ((await this.#deps.keeper.acquire(account)) === undefined) return false;
    if (!had) await this.#deps.store.closeAccount(account);
    this.#deps.accounts.track(account);
    return true;
  }

  /** The first round (claims before the daemon says it is ready), then one every renewMs. */
  async start(): Promise<void> {
    // The timer first: renewals go on while the first round's accounts start.
    this.#timer = setInterval(() => void this.tick(), this.#deps.renewMs);
    this.#timer.unref();
    await this.tick();
  }

  /**
   * One round: heartbeat and renewals, and (unless the last one is still at
   * work) claims or hand-backs. Renewals never wait for claims: starting a
   * hundred adopted accounts outlasts a lease, and a renewal held up behind
   * them would let every lease this daemon holds expire, to be taken by the
   * others, who would then lose theirs the same way.
   */
  tick(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#renewing ??= this.#renew()
      .catch((err: unknown) => this.#deps.logger.warn({ err, daemon: this.daemonId }, 'lease renewal failed (retried next round)'))
      .finally(() => (this.#renewing = undefined));
    const renewed = this.#renewing;
    this.#balancing ??= renewed
      .then(() => this.#balance())
      .catch((err: unknown) => this.#deps.logger.warn({ err, daemon: this.daemonId }, 'cluster round failed (retried next round)'))
      .finally(() => (this.#balancing = undefined));
    return Promise.all([renewed, this.#balancing]).then(() => {});
  }

  /** Stops the rounds (the daemon then stops its accounts and calls leave()). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    // Forwarded requests in flight finish while the accounts still run.
    await this.#forwarding?.stopServing();
    await Promise.all([this.#renewing, this.#balancing]);
  }

  /** Hands every lease back at once (the accounts are stopped) and closes the keeper. */
  async leave(): Promise<void> {
    await this.#deps.keeper.leave().catch((err: unknown) => this.#deps.logger.warn({ err }, 'leases not handed back: they expire instead'));
    await this.#deps.keeper.close();
    await this.#forwarding?.close();
  }

  async #renew(): Promise<void> {
    await this.#deps.keeper.heartbeat();
    await this.#deps.keeper.renew();
  }

  /** Claims unheld accounts up to the fair share, or hands back what is beyond it. */
  async #balance(): Promise<void> {
    const { keeper, store, accounts } = this.#deps;
    const registry = await store.registry();
    const ids = [...registry.accounts.map((a) => a.id), ...registry.damaged.map((d) => d.id)];
    for (const id of ids) accounts.track(id);
    const live = Math.max(1, (await keeper.liveDaemons()).length);
    // An account claimed by account:add since the registry was read counts too, or it would be handed straight back.
    const share = Math.ceil(new Set([...ids, ...keeper.held.keys()]).size / live);
    if (keeper.held.size < share) {
      const taken = new Set((await keeper.leases()).filter((l) => l.live).map((l) => l.account));
      const won: string[] = [];
      for (const id of ids) {
        if (this.#stopped || keeper.held.size >= share) break;
        if (taken.has(id) || keeper.token(id) !== undefined) continue;
        if ((await keeper.acquire(id)) === undefined) continue;
        this.#deps.logger.info({ account: id, daemon: this.daemonId, token: String(keeper.token(id)) }, 'account lease won: running it here');
        won.push(id);
      }
      await mapLimit(won, PARALLEL_STARTS, (id) =>
        this.#stopped ? Promise.resolve() : accounts.adopt(id).catch((err: unknown) => this.#deps.logger.error({ err, account: id }, 'adopted account did not start')),
      );
    } else if (keeper.held.size > share && live > 1) {
      // Beyond the share after a daemon joined: hand the surplus back for the newcomer to claim.
      await mapLimit([...keeper.held.keys()].slice(share), PARALLEL_STARTS, async (id) => {
        if (this.#stopped) return;
        await accounts.giveUp(id, 'handed to another daemon');
        await keeper.release(id);
        this.#deps.logger.info({ account: id, daemon: this.daemonId }, 'account handed back for another daemon');
      });
    }
  }
}

/**
 * Accounts started (or handed back) at once: each opens its store and its
 * connection, so a few at a time overlap the database's round trips without
 * a hundred handshakes landing on the event loop together.
 */
const PARALLEL_STARTS = 8;

