/**
 * The supervisor's vocabulary: child specs, restart policies, intensity, the
 * events it reports, and the seams it takes (logger, clock) so tests drive it
 * with fake timers and a capturing logger.
 */
import type { AnyActorLogic, AnyActorRef } from 'xstate';
import type { SupervisorError } from './errors.js';

/**
 * When a child that ended is started again (Erlang's terms):
 * permanent: always; transient: only after a crash; temporary: never.
 */
export type RestartPolicy = 'permanent' | 'transient' | 'temporary';

/** At most `maxRestarts` restarts within any `withinMs` window. */
export interface Intensity {
  readonly maxRestarts: number;
  readonly withinMs: number;
}

interface ChildOptions {
  /** Registry key (an account id for account actors). */
  readonly id: string;
  /** Default 'permanent'. */
  readonly restart?: RestartPolicy;
  /**
   * How long a child may take to stop after SUPERVISOR.SHUTDOWN before it is
   * stopped outright. 0: stopped outright at once. Default 5000.
   */
  readonly shutdownMs?: number;
  /**
   * A budget of this child's own: when its restarts exceed it, the child is
   * given up (status 'failed', reported) instead of the whole supervisor
   * escalating, so one crash-looping account cannot take the others down
   *. Without it, restarts count against the supervisor's intensity.
   */
  readonly intensity?: Intensity;
}

/** A child given as a factory of fresh, not yet started actors (called again on each restart). */
export interface FactoryChildSpec extends ChildOptions {
  readonly start: () => AnyActorRef;
}

/** A child given as actor logic (an xstate machine…) and its input. */
export interface LogicChildSpec extends ChildOptions {
  readonly logic: AnyActorLogic;
  readonly input?: unknown;
}

export type ChildSpec = FactoryChildSpec | LogicChildSpec;

/**
 * running: actor alive · restarting: waiting out restartDelayMs · stopping: shutdown in progress ·
 * stopped: stopped by the supervisor · exited: ended by itself and not restarted (policy) ·
 * failed: crashed and not restarted (temporary, or its own intensity exceeded)
 */
export type ChildStatus = 'running' | 'restarting' | 'stopping' | 'stopped' | 'exited' | 'failed';

export interface ChildInfo {
  readonly id: string;
  readonly status: ChildStatus;
  readonly restart: RestartPolicy;
  /** Restarts since the child was started by hand. */
  readonly restarts: number;
  /** The current actor while running. */
  readonly actor: AnyActorRef | undefined;
  /** Why it last crashed. */
  readonly lastError: unknown;
}

export type SupervisorStatus = 'idle' | 'running' | 'stopping' | 'stopped' | 'escalated';

/** What a supervisor reports to subscribers. Dotted names, one union. */
export type SupervisorEvent =
  | { readonly type: 'CHILD.STARTED'; readonly id: string; readonly restarts: number }
  | { readonly type: 'CHILD.EXITED'; readonly id: string }
  | { readonly type: 'CHILD.CRASHED'; readonly id: string; readonly error: unknown; readonly willRestart: boolean }
  | { readonly type: 'CHILD.FAILED'; readonly id: string; readonly error: unknown }
  | { readonly type: 'CHILD.STOPPED'; readonly id: string; readonly forced: boolean }
  | { readonly type: 'SUPERVISOR.ESCALATED'; readonly error: SupervisorError }
  | { readonly type: 'SUPERVISOR.STOPPED' };

/** How the supervisor ended: `done` resolves with it (it never rejects). */
export type SupervisorExit = { readonly reason: 'stopped' } | { readonly reason: 'escalated'; readonly error: SupervisorError };

/** The event a child receives when asked to stop gracefully. */
export const SHUTDOWN_EVENT = Object.freeze({ type: 'SUPERVISOR.SHUTDOWN' as const });

/** The part of a pino logger the supervisor uses (a pino Logger fits). */
export interface SupervisorLogger {
  child(bindings: Record<string, unknown>): SupervisorLogger;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: SupervisorLogger = {
  child: () => silentLogger,
  info: () => {},
  warn: () => {},
  error: () => {},
};

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface SupervisorOptions {
  /** Only one_for_one: a child's crash restarts that child alone. */
  readonly strategy?: 'one_for_one';
  /** Default 3 restarts within 5 s (Erlang's classic default). */
  readonly intensity?: Intensity;
  /** Wait before a restart (0: at once, as Erlang does). */
  readonly restartDelayMs?: number;
  readonly logger?: SupervisorLogger;
  /** Log binding naming the child in its child logger. Default 'account'. */
  readonly childLogKey?: string;
  readonly clock?: Clock;
  /** Children started by start(), in order. */
  readonly children?: readonly ChildSpec[];
}
