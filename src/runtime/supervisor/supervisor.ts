/**
 * Erlang-style supervision for xstate actors: one_for_one restarts, restart
 * intensity (too many restarts within a window and the supervisor stops all
 * children and escalates), ordered start and reverse-ordered stop, and a
 * registry of children by id (account ids for the daemon's accounts).
 *
 * A crash is an actor reporting an error (an action threw, a child actor it
 * invoked failed unhandled…). It restarts that child only and is logged with
 * its reason under the child's logger (`{account: id}`); no other child is
 * touched. Owns lifecycle decisions only; what a child does
 * is its own business.
 */
import type { AnyActorRef } from 'xstate';
import { KeyedSerialQueue } from '../../protocol/util/keyed-queue.js';
import { Child, checkSpec, describe, isLive, type ChildHooks } from './child.js';
import { SupervisorError } from './errors.js';
import { RestartWindow } from './intensity.js';
import {
  silentLogger,
  systemClock,
  type ChildInfo,
  type ChildSpec,
  type Clock,
  type Intensity,
  type SupervisorEvent,
  type SupervisorExit,
  type SupervisorLogger,
  type SupervisorOptions,
  type SupervisorStatus,
} from './types.js';

const DEFAULT_INTENSITY: Intensity = { maxRestarts: 3, withinMs: 5000 };

export class Supervisor {
  readonly #children = new Map<string, Child>();
  readonly #initial: readonly ChildSpec[];
  readonly #intensity: Intensity;
  readonly #window: RestartWindow;
  readonly #restartDelayMs: number;
  readonly #logger: SupervisorLogger;
  readonly #logKey: string;
  readonly #clock: Clock;
  readonly #listeners = new Set<(event: SupervisorEvent) => void>();
  readonly #hooks: ChildHooks = { crashed: (c, err) => this.#crashed(c, err), exited: (c) => this.#exited(c) };
  /**
   * Manual operations (start, stop, restart, remove) on one child run one
   * after another, by child id. Unbounded here: its callers are (the control
   * socket admits a bounded number of requests in flight per connection).
   */
  readonly #operations = new KeyedSerialQueue({ maxPerKey: Number.POSITIVE_INFINITY, maxTotal: Number.POSITIVE_INFINITY });
  readonly #done: Promise<SupervisorExit>;
  #finish!: (exit: SupervisorExit) => void;
  #status: SupervisorStatus = 'idle';
  #stopping: Promise<void> | undefined;

  constructor(options: SupervisorOptions = {}) {
    if (options.strategy !== undefined && options.strategy !== 'one_for_one') {
      throw new SupervisorError('BAD_SPEC', `unsupported strategy ${String(options.strategy)}`);
    }
    this.#initial = options.children ?? [];
    this.#intensity = options.intensity ?? DEFAULT_INTENSITY;
    this.#window = new RestartWindow(this.#intensity);
    this.#restartDelayMs = options.restartDelayMs ?? 0;
    this.#logger = options.logger ?? silentLogger;
    this.#logKey = options.childLogKey ?? 'account';
    this.#clock = options.clock ?? systemClock;
    this.#done = new Promise((resolve) => (this.#finish = resolve));
  }

  get status(): SupervisorStatus {
    return this.#status;
  }

  /** Resolves when the supervisor has stopped (by stop() or by escalating). Never rejects. */
  get done(): Promise<SupervisorExit> {
    return this.#done;
  }

  /** Returns the unsubscribe function. A listener that throws is logged and ignored. */
  subscribe(listener: (event: SupervisorEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Starts the children given in the options, in order. If one fails to
   * start, those already started are stopped again (in reverse) and it throws.
   * @throws SupervisorError NOT_RUNNING (not idle), START_FAILED, BAD_SPEC
   */
  async start(): Promise<void> {
    if (this.#status !== 'idle') throw new SupervisorError('NOT_RUNNING', `cannot start a supervisor that is ${this.#status}`);
    this.#status = 'running';
    try {
      for (const spec of this.#initial) await this.startChild(spec);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /**
   * Adds a child after the others (or reuses the slot of a stopped, exited or
   * failed child with the same id) and starts it.
   * @throws SupervisorError ALREADY_RUNNING, NOT_RUNNING, START_FAILED (the child is then 'failed'), BAD_SPEC
   */
  async startChild(spec: ChildSpec): Promise<AnyActorRef> {
    checkSpec(spec);
    this.#assertRunning();
    const existing = this.#children.get(spec.id);
    if (existing && isLive(existing)) throw new SupervisorError('ALREADY_RUNNING', `child ${spec.id} is ${existing.status}`);
    const child = existing ?? new Child(spec);
    if (existing) existing.replaceSpec(spec);
    else this.#children.set(spec.id, child);
    return this.#serial(child, async () => this.#startFresh(child));
  }

  /**
   * Stops a child gracefully (SUPERVISOR.SHUTDOWN, then outright after its
   * shutdownMs); it stays in the registry as 'stopped'.
   * @throws SupervisorError NOT_FOUND
   */
  async stopChild(id: string): Promise<void> {
    const child = this.#get(id);
    return this.#serial(child, () => this.#stopOne(child));
  }

  /**
   * Stops the child if it runs and starts it with a fresh actor; its restart
   * count and budget start over (a restart by hand is not a crash).
   * @throws SupervisorError NOT_FOUND, NOT_RUNNING, START_FAILED
   */
  async restartChild(id: string): Promise<AnyActorRef> {
    const child = this.#get(id);
    this.#assertRunning();
    return this.#serial(child, async () => {
      await this.#stopOne(child);
      this.#assertRunning();
      return this.#startFresh(child);
    });
  }

  /** Stops the child and forgets it. @throws SupervisorError NOT_FOUND */
  async removeChild(id: string): Promise<void> {
    const child = this.#get(id);
    await this.#serial(child, () => this.#stopOne(child));
    if (this.#children.get(id) === child) this.#children.delete(id);
  }

  /** Every child in start order. */
  whichChildren(): ChildInfo[] {
    return [...this.#children.values()].map((c) => c.info());
  }

  /** The running actor of a child, if it runs. */
  get(id: string): AnyActorRef | undefined {
    return this.#children.get(id)?.actor;
  }

  /** Stops every child in reverse start order, one after another, then itself. Idempotent. */
  stop(): Promise<void> {
    if (this.#status === 'idle') {
      this.#status = 'stopped';
      this.#finish({ reason: 'stopped' });
    }
    if (this.#stopping) return this.#stopping;
    if (this.#status === 'stopped' || this.#status === 'escalated') return Promise.resolve();
    this.#stopping = this.#stopAll().then(() => {
      this.#status = 'stopped';
      this.#logger.info({}, 'supervisor stopped');
      this.#emit({ type: 'SUPERVISOR.STOPPED' });
      this.#finish({ reason: 'stopped' });
    });
    return this.#stopping;
  }

  #startFresh(child: Child): AnyActorRef {
    child.restarts = 0;
    child.window?.reset();
    child.lastError = undefined;
    try {
      const actor = child.startActor(this.#hooks);
      this.#emit({ type: 'CHILD.STARTED', id: child.id, restarts: 0 });
      return actor;
    } catch (err) {
      child.status = 'failed';
      child.lastError = err instanceof SupervisorError ? err.cause : err;
      this.#childLog(child.id).error({ err: child.lastError }, 'child failed to start');
      throw err;
    }
  }

  async #stopOne(child: Child): Promise<void> {
    if (child.timer !== undefined) {
      this.#clock.clearTimeout(child.timer);
      child.timer = undefined;
    }
    if (child.status === 'running') {
      const forced = await child.shutdown(this.#clock);
      this.#childLog(child.id).info({ forced }, 'child stopped');
      this.#emit({ type: 'CHILD.STOPPED', id: child.id, forced });
    }
    if (child.status === 'running' || child.status === 'stopping' || child.status === 'restarting') child.status = 'stopped';
  }

  async #stopAll(): Promise<void> {
    this.#status = 'stopping';
    for (const child of [...this.#children.values()].reverse()) {
      await this.#serial(child, () => this.#stopOne(child)).catch((err: unknown) => {
        this.#childLog(child.id).error({ err }, 'child did not stop cleanly');
      });
    }
  }

  #crashed(child: Child, error: unknown): void {
    child.ended();
    child.lastError = error;
    const log = this.#childLog(child.id);
    if (this.#status !== 'running' || (child.spec.restart ?? 'permanent') === 'temporary') {
      child.status = 'failed';
      log.warn({ err: error }, 'child crashed; not restarted');
      this.#emit({ type: 'CHILD.CRASHED', id: child.id, error, willRestart: false });
      return;
    }
    this.#restartAfter(child, error);
  }

  #exited(child: Child): void {
    child.ended();
    if (this.#status === 'running' && (child.spec.restart ?? 'permanent') === 'permanent') {
      this.#restartAfter(child, undefined);
      return;
    }
    child.status = 'exited';
    this.#childLog(child.id).info({}, 'child exited');
    this.#emit({ type: 'CHILD.EXITED', id: child.id });
  }

  /** Restarts a child that crashed (error) or exited (undefined), within the intensity. */
  #restartAfter(child: Child, error: unknown): void {
    const log = this.#childLog(child.id);
    const now = this.#clock.now();
    const reason = error === undefined ? 'exited' : 'crashed';
    if (child.window?.exceededBy(now)) {
      child.status = 'failed';
      log.error({ err: error, restarts: child.restarts }, `child ${reason} too often; giving up on it`);
      this.#emit({ type: 'CHILD.CRASHED', id: child.id, error, willRestart: false });
      this.#emit({ type: 'CHILD.FAILED', id: child.id, error });
      return;
    }
    if (!child.window && this.#window.exceededBy(now)) {
      child.status = 'failed';
      this.#emit({ type: 'CHILD.CRASHED', id: child.id, error, willRestart: false });
      void this.#escalate(child, error);
      return;
    }
    log.warn({ err: error, restarts: child.restarts + 1 }, `child ${reason}; restarting`);
    this.#emit({ type: 'CHILD.CRASHED', id: child.id, error, willRestart: true });
    child.status = 'restarting';
    const restart = (): void => {
      child.timer = undefined;
      if (child.status !== 'restarting' || this.#status !== 'running') return;
      child.restarts++;
      try {
        child.startActor(this.#hooks);
        this.#emit({ type: 'CHILD.STARTED', id: child.id, restarts: child.restarts });
      } catch (err) {
        // A restart that fails to start counts as one more crash (Erlang does the same).
        this.#crashed(child, err instanceof SupervisorError ? err.cause : err);
      }
    };
    // Not from inside the failed actor's error callback: xstate is still unwinding it.
    if (this.#restartDelayMs > 0) child.timer = this.#clock.setTimeout(restart, this.#restartDelayMs);
    else queueMicrotask(restart);
  }

  async #escalate(child: Child, cause: unknown): Promise<void> {
    const { maxRestarts, withinMs } = this.#intensity;
    const error = new SupervisorError(
      'INTENSITY_EXCEEDED',
      `more than ${maxRestarts} restarts within ${withinMs} ms (last: ${child.id}: ${describe(cause)})`,
      { cause },
    );
    this.#logger.error({ err: error, [this.#logKey]: child.id }, 'restart intensity exceeded; stopping every child');
    this.#stopping = this.#stopAll().then(() => {
      this.#status = 'escalated';
      this.#emit({ type: 'SUPERVISOR.ESCALATED', error });
      this.#finish({ reason: 'escalated', error });
    });
    await this.#stopping;
  }

  #serial<R>(child: Child, fn: () => Promise<R> | R): Promise<R> {
    return this.#operations.run(child.id, fn);
  }

  #get(id: string): Child {
    const child = this.#children.get(id);
    if (!child) throw new SupervisorError('NOT_FOUND', `no child ${id}`);
    return child;
  }

  #assertRunning(): void {
    if (this.#status !== 'running') throw new SupervisorError('NOT_RUNNING', `supervisor is ${this.#status}`);
  }

  #childLog(id: string): SupervisorLogger {
    return this.#logger.child({ [this.#logKey]: id });
  }

  #emit(event: SupervisorEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.#logger.error({ err, event: event.type }, 'supervisor listener threw');
      }
    }
  }
}

/** @throws SupervisorError BAD_SPEC */
export function createSupervisor(options: SupervisorOptions = {}): Supervisor {
  return new Supervisor(options);
}
