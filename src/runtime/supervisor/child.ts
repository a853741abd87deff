/**
 * One supervised child: its spec, the current actor, and the actor's
 * lifecycle (start with a fresh actor, watch it, stop it gracefully). Knows
 * nothing of restart policy or intensity: it reports crashes and exits to the
 * supervisor through `ChildHooks` and lets it decide.
 */
import { createActor, type AnyActorRef, type Subscription } from 'xstate';
import { SupervisorError } from './errors.js';
import { RestartWindow } from './intensity.js';
import { SHUTDOWN_EVENT, type ChildInfo, type ChildSpec, type ChildStatus, type Clock } from './types.js';

export interface ChildHooks {
  /** The running actor failed (an action threw, or it reported an error). */
  crashed(child: Child, error: unknown): void;
  /** The running actor ended by itself (final state, or stopped by someone else). */
  exited(child: Child): void;
}

export const DEFAULT_SHUTDOWN_MS = 5000;

export class Child {
  spec: ChildSpec;
  status: ChildStatus = 'stopped';
  restarts = 0;
  lastError: unknown = undefined;
  actor: AnyActorRef | undefined;
  /** Pending delayed restart. */
  timer: unknown = undefined;
  #window: RestartWindow | undefined;
  #subscription: Subscription | undefined;
  #ended: Promise<void> = Promise.resolve();
  #markEnded: () => void = () => {};

  constructor(spec: ChildSpec) {
    this.spec = spec;
    this.#window = spec.intensity && new RestartWindow(spec.intensity);
  }

  get id(): string {
    return this.spec.id;
  }

  /** Its own restart budget, when the spec gives one. */
  get window(): RestartWindow | undefined {
    return this.#window;
  }

  replaceSpec(spec: ChildSpec): void {
    this.spec = spec;
    this.#window = spec.intensity && new RestartWindow(spec.intensity);
  }

  info(): ChildInfo {
    return {
      id: this.id,
      status: this.status,
      restart: this.spec.restart ?? 'permanent',
      restarts: this.restarts,
      actor: this.actor,
      lastError: this.lastError,
    };
  }

  /**
   * Makes a fresh actor from the spec, watches it and starts it; status becomes 'running'.
   * @throws SupervisorError START_FAILED when the factory throws or the actor fails while starting
   */
  startActor(hooks: ChildHooks): AnyActorRef {
    let actor: AnyActorRef;
    try {
      actor = 'start' in this.spec ? this.spec.start() : createActor(this.spec.logic, { input: this.spec.input });
    } catch (err) {
      throw new SupervisorError('START_FAILED', `child ${this.id}: factory threw: ${describe(err)}`, { cause: err });
    }
    let starting = true;
    let startError: { err: unknown } | undefined;
    let exitedWhileStarting = false;
    this.actor = actor;
    this.#ended = new Promise((resolve) => (this.#markEnded = resolve));
    const ended = this.#markEnded;
    this.#subscription = actor.subscribe({
      error: (err) => {
        ended();
        if (this.actor !== actor) return;
        if (starting) startError = { err };
        else if (this.status === 'running') hooks.crashed(this, err);
        else this.lastError = err;
      },
      complete: () => {
        ended();
        if (this.actor !== actor) return;
        if (starting) exitedWhileStarting = true;
        else if (this.status === 'running') hooks.exited(this);
      },
    });
    try {
      actor.start();
    } catch (err) {
      startError ??= { err };
    }
    starting = false;
    if (startError) {
      this.#detach();
      throw new SupervisorError('START_FAILED', `child ${this.id}: failed while starting: ${describe(startError.err)}`, { cause: startError.err });
    }
    this.status = 'running';
    if (exitedWhileStarting) queueMicrotask(() => this.actor === actor && this.status === 'running' && hooks.exited(this));
    return actor;
  }

  /**
   * Asks the actor to stop (SUPERVISOR.SHUTDOWN), waits up to shutdownMs for
   * it to end by itself, then stops it outright. Returns whether it had to be forced.
   */
  async shutdown(clock: Clock): Promise<boolean> {
    const actor = this.actor;
    if (!actor) return false;
    this.status = 'stopping';
    const ms = this.spec.shutdownMs ?? DEFAULT_SHUTDOWN_MS;
    if (ms > 0 && isActive(actor)) {
      actor.send(SHUTDOWN_EVENT);
      let timer: unknown;
      await Promise.race([this.#ended, new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, ms)))]);
      clock.clearTimeout(timer);
    }
    const forced = isActive(actor);
    if (forced) actor.stop();
    this.#detach();
    return forced;
  }

  /** Forgets the actor (it has ended or been stopped). */
  #detach(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    this.actor = undefined;
  }

  /** After a crash or exit: the actor is gone. */
  ended(): void {
    this.#detach();
  }
}

function isActive(actor: AnyActorRef): boolean {
  return (actor.getSnapshot() as { status?: string } | undefined)?.status === 'active';
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function isLive(child: Child): boolean {
  return child.status === 'running' || child.status === 'restarting' || child.status === 'stopping';
}

/** @throws SupervisorError BAD_SPEC */
export function checkSpec(spec: ChildSpec): void {
  if (typeof spec?.id !== 'string' || spec.id.length === 0) throw new SupervisorError('BAD_SPEC', 'child spec needs a non-empty id');
  if (!('start' in spec && typeof spec.start === 'function') && !('logic' in spec && spec.logic)) {
    throw new SupervisorError('BAD_SPEC', `child ${spec.id}: spec needs start() or logic`);
  }
  const restart = spec.restart ?? 'permanent';
  if (restart !== 'permanent' && restart !== 'transient' && restart !== 'temporary') {
    throw new SupervisorError('BAD_SPEC', `child ${spec.id}: unknown restart policy ${String(restart)}`);
  }
}
