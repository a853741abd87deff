import { assign, createActor, setup } from 'xstate';
import type { SupervisorLogger } from '../../../src/runtime/supervisor/index.js';

/** Where workers write what happened to them, in order. */
export type Journal = string[];

/**
 * A stand-in for an account actor: counts PINGs, CRASH makes an action throw,
 * FINISH ends it normally, SUPERVISOR.SHUTDOWN makes it flush for `flushMs` then end.
 */
export const worker = setup({
  types: {
    input: {} as { id: string; journal: Journal; flushMs?: number; failOnStart?: boolean },
    context: {} as { id: string; journal: Journal; flushMs: number; pings: number; failOnStart: boolean },
    events: {} as { type: 'PING' } | { type: 'CRASH' } | { type: 'FINISH' } | { type: 'SUPERVISOR.SHUTDOWN' },
  },
  actions: {
    started: ({ context }) => {
      if (context.failOnStart) throw new Error(`cannot start ${context.id}`);
      context.journal.push(`start:${context.id}`);
    },
    explode: ({ context }) => {
      throw new Error(`boom in ${context.id}`);
    },
    flushed: ({ context }) => context.journal.push(`flush:${context.id}`),
  },
  delays: { flush: ({ context }) => context.flushMs },
}).createMachine({
  id: 'worker',
  context: ({ input }) => ({ id: input.id, journal: input.journal, flushMs: input.flushMs ?? 100, pings: 0, failOnStart: input.failOnStart ?? false }),
  initial: 'running',
  entry: 'started',
  states: {
    running: {
      on: {
        PING: { actions: assign({ pings: ({ context }) => context.pings + 1 }) },
        CRASH: { actions: 'explode' },
        FINISH: 'done',
        'SUPERVISOR.SHUTDOWN': 'flushing',
      },
    },
    flushing: { after: { flush: { target: 'done', actions: 'flushed' } } },
    done: { type: 'final' },
  },
});

export const spawnWorker = (id: string, journal: Journal, extra: { flushMs?: number; failOnStart?: boolean } = {}) =>
  createActor(worker, { input: { id, journal, ...extra } });

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  bindings: Record<string, unknown>;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

/** A logger that keeps every line with the bindings of its child loggers. */
export function captureLogger(lines: LogLine[], bindings: Record<string, unknown> = {}): SupervisorLogger {
  const at = (level: LogLine['level']) => (obj: object, msg?: string) => lines.push({ level, bindings, obj: obj as Record<string, unknown>, msg });
  return {
    child: (more) => captureLogger(lines, { ...bindings, ...more }),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}
