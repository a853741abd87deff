import pino from 'pino';
import { fromPromise, setup } from 'xstate';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSupervisor, SupervisorError, type ChildSpec, type SupervisorEvent } from '../../../src/runtime/supervisor/index.js';
import { captureLogger, spawnWorker, worker, type Journal, type LogLine } from './fixtures.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Lets queued microtasks (restarts) run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

function setupSupervisor(ids: string[], options: Parameters<typeof createSupervisor>[0] = {}, specExtra: Partial<ChildSpec> = {}) {
  const journal: Journal = [];
  const lines: LogLine[] = [];
  const events: SupervisorEvent[] = [];
  const sup = createSupervisor({
    strategy: 'one_for_one',
    logger: captureLogger(lines),
    children: ids.map((id) => ({ id, start: () => spawnWorker(id, journal), ...specExtra }) as ChildSpec),
    ...options,
  });
  sup.subscribe((e) => events.push(e));
  return { sup, journal, lines, events };
}

const pings = (sup: ReturnType<typeof createSupervisor>, id: string): number =>
  (sup.get(id)!.getSnapshot() as { context: { pings: number } }).context.pings;

describe('ordered start and stop', () => {
  it('starts children in order and stops them gracefully in reverse order', async () => {
    const { sup, journal, events } = setupSupervisor(['a', 'b', 'c']);
    await sup.start();
    expect(journal).toEqual(['start:a', 'start:b', 'start:c']);
    expect(sup.whichChildren().map((c) => [c.id, c.status])).toEqual([
      ['a', 'running'],
      ['b', 'running'],
      ['c', 'running'],
    ]);
    const stopped = sup.stop();
    await vi.advanceTimersByTimeAsync(1000); // each child flushes for 100 ms before it ends
    await stopped;
    expect(journal.slice(3)).toEqual(['flush:c', 'flush:b', 'flush:a']);
    expect(events.filter((e) => e.type === 'CHILD.STOPPED')).toEqual([
      { type: 'CHILD.STOPPED', id: 'c', forced: false },
      { type: 'CHILD.STOPPED', id: 'b', forced: false },
      { type: 'CHILD.STOPPED', id: 'a', forced: false },
    ]);
    expect(sup.status).toBe('stopped');
    expect(await sup.done).toEqual({ reason: 'stopped' });
    expect(sup.whichChildren().every((c) => c.status === 'stopped' && c.actor === undefined)).toBe(true);
  });

  it('forces a child that does not finish within shutdownMs', async () => {
    const journal: Journal = [];
    const sup = createSupervisor();
    await sup.start();
    await sup.startChild({ id: 'slow', start: () => spawnWorker('slow', journal, { flushMs: 60_000 }), shutdownMs: 500 });
    const events: SupervisorEvent[] = [];
    sup.subscribe((e) => events.push(e));
    const stopping = sup.stopChild('slow');
    await vi.advanceTimersByTimeAsync(499);
    expect(sup.whichChildren()[0]!.status).toBe('stopping');
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect(events).toEqual([{ type: 'CHILD.STOPPED', id: 'slow', forced: true }]);
    expect(journal).not.toContain('flush:slow');
  });

  it('a child that fails to start during start() stops the ones already started', async () => {
    const journal: Journal = [];
    const sup = createSupervisor({
      children: [
        { id: 'a', start: () => spawnWorker('a', journal), shutdownMs: 0 },
        { id: 'b', start: () => spawnWorker('b', journal, { failOnStart: true }) },
        { id: 'c', start: () => spawnWorker('c', journal) },
      ],
    });
    await expect(sup.start()).rejects.toMatchObject({ code: 'START_FAILED' });
    expect(journal).toEqual(['start:a']);
    expect(sup.status).toBe('stopped');
    expect(sup.whichChildren().map((c) => [c.id, c.status])).toEqual([
      ['a', 'stopped'],
      ['b', 'failed'],
    ]);
  });
});

describe('one_for_one', () => {
  it('a crash restarts that child only, with a fresh actor, and is logged with the reason', async () => {
    const { sup, journal, lines, events } = setupSupervisor(['a', 'b', 'c']);
    await sup.start();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => sup.get(id)!);
    a.send({ type: 'PING' });
    c.send({ type: 'PING' });
    c.send({ type: 'PING' });
    b.send({ type: 'CRASH' });
    await settle();
    const b2 = sup.get('b')!;
    expect(b2).not.toBe(b);
    expect(b2.getSnapshot().status).toBe('active');
    expect(sup.get('a')).toBe(a);
    expect(sup.get('c')).toBe(c);
    expect([pings(sup, 'a'), pings(sup, 'c')]).toEqual([1, 2]);
    expect(journal).toEqual(['start:a', 'start:b', 'start:c', 'start:b']);
    expect(sup.whichChildren().find((x) => x.id === 'b')).toMatchObject({ status: 'running', restarts: 1 });
    const crashLine = lines.find((l) => l.level === 'warn')!;
    expect(crashLine.bindings).toEqual({ account: 'b' });
    expect((crashLine.obj['err'] as Error).message).toBe('boom in b');
    expect(crashLine.msg).toMatch(/crashed; restarting/);
    expect(events.map((e) => e.type)).toEqual(['CHILD.STARTED', 'CHILD.STARTED', 'CHILD.STARTED', 'CHILD.CRASHED', 'CHILD.STARTED']);
  });

  it('restart policies: permanent restarts after a normal end, transient only after a crash, temporary never', async () => {
    const journal: Journal = [];
    const sup = createSupervisor({ intensity: { maxRestarts: 10, withinMs: 1000 } });
    await sup.start();
    for (const restart of ['permanent', 'transient', 'temporary'] as const) {
      await sup.startChild({ id: restart, restart, start: () => spawnWorker(restart, journal) });
    }
    for (const id of ['permanent', 'transient', 'temporary']) sup.get(id)!.send({ type: 'FINISH' });
    await settle();
    expect(sup.whichChildren().map((c) => [c.id, c.status])).toEqual([
      ['permanent', 'running'],
      ['transient', 'exited'],
      ['temporary', 'exited'],
    ]);
    await sup.restartChild('transient');
    await sup.restartChild('temporary');
    sup.get('transient')!.send({ type: 'CRASH' });
    sup.get('temporary')!.send({ type: 'CRASH' });
    await settle();
    expect(sup.whichChildren().map((c) => [c.id, c.status])).toEqual([
      ['permanent', 'running'],
      ['transient', 'running'],
      ['temporary', 'failed'],
    ]);
    expect((sup.whichChildren()[2]!.lastError as Error).message).toBe('boom in temporary');
  });

  it('waits restartDelayMs before restarting, and stopChild cancels a pending restart', async () => {
    const { sup } = setupSupervisor(['a', 'b'], { restartDelayMs: 1000 });
    await sup.start();
    sup.get('a')!.send({ type: 'CRASH' });
    sup.get('b')!.send({ type: 'CRASH' });
    await vi.advanceTimersByTimeAsync(999);
    expect(sup.whichChildren().map((c) => c.status)).toEqual(['restarting', 'restarting']);
    await sup.stopChild('b');
    await vi.advanceTimersByTimeAsync(1);
    expect(sup.whichChildren().map((c) => c.status)).toEqual(['running', 'stopped']);
    expect(sup.get('b')).toBeUndefined();
  });

  it('many children, repeated crashes in some: the others keep their actors and state', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `acc${i}`);
    const { sup } = setupSupervisor(ids, {}, { intensity: { maxRestarts: 1000, withinMs: 1000 } });
    await sup.start();
    const before = new Map(ids.map((id) => [id, sup.get(id)!]));
    for (const id of ids) sup.get(id)!.send({ type: 'PING' });
    const crashing = new Set(ids.filter((_, i) => i % 4 === 1));
    for (let round = 0; round < 5; round++) {
      for (const id of crashing) sup.get(id)!.send({ type: 'CRASH' });
      await settle();
    }
    for (const id of ids) {
      if (crashing.has(id)) {
        expect(sup.whichChildren().find((c) => c.id === id)).toMatchObject({ status: 'running', restarts: 5 });
        expect(pings(sup, id)).toBe(0);
      } else {
        expect(sup.get(id)).toBe(before.get(id));
        expect(pings(sup, id)).toBe(1);
      }
    }
    expect(sup.status).toBe('running');
  });
});

describe('what counts as a crash', () => {
  it('an invoked actor that fails without a handler crashes its parent, which is restarted', async () => {
    let runs = 0;
    const account = setup({
      actors: {
        connect: fromPromise(async () => {
          runs++;
          if (runs === 1) throw new Error('socket exploded');
          return new Promise<never>(() => {});
        }),
      },
    }).createMachine({ invoke: { src: 'connect' } });
    const lines: LogLine[] = [];
    const sup = createSupervisor({ logger: captureLogger(lines) });
    await sup.start();
    await sup.startChild({ id: 'acc', logic: account });
    await settle();
    expect(runs).toBe(2);
    expect(sup.whichChildren()[0]).toMatchObject({ status: 'running', restarts: 1 });
    expect((lines.find((l) => l.level === 'warn')!.obj['err'] as Error).message).toBe('socket exploded');
  });

  it('a child that crashes while stopping is not restarted', async () => {
    const crashy = setup({
      actions: {
        explode: () => {
          throw new Error('flush failed');
        },
      },
    }).createMachine({ on: { 'SUPERVISOR.SHUTDOWN': { actions: 'explode' } } });
    const sup = createSupervisor();
    await sup.start();
    await sup.startChild({ id: 'x', logic: crashy });
    await sup.stopChild('x');
    await settle();
    expect(sup.whichChildren()[0]).toMatchObject({ status: 'stopped', actor: undefined });
    expect((sup.whichChildren()[0]!.lastError as Error).message).toBe('flush failed');
  });
});

describe('restart intensity', () => {
  it('escalates when restarts exceed maxRestarts within the window: every child stops, in reverse', async () => {
    const { sup, journal, lines, events } = setupSupervisor(['a', 'b', 'c'], { intensity: { maxRestarts: 2, withinMs: 1000 } }, { shutdownMs: 0 });
    await sup.start();
    for (let i = 0; i < 3; i++) {
      sup.get('b')!.send({ type: 'CRASH' });
      await settle();
    }
    const exit = await sup.done;
    expect(exit.reason).toBe('escalated');
    const error = (exit as { error: SupervisorError }).error;
    expect(error).toBeInstanceOf(SupervisorError);
    expect(error.code).toBe('INTENSITY_EXCEEDED');
    expect((error.cause as Error).message).toBe('boom in b');
    expect(sup.status).toBe('escalated');
    expect(sup.whichChildren().map((c) => [c.id, c.status])).toEqual([
      ['a', 'stopped'],
      ['b', 'failed'],
      ['c', 'stopped'],
    ]);
    expect(events.filter((e) => e.type === 'CHILD.STOPPED').map((e) => (e as { id: string }).id)).toEqual(['c', 'a']);
    expect(events.at(-1)).toMatchObject({ type: 'SUPERVISOR.ESCALATED' });
    expect(lines.some((l) => l.level === 'error' && /intensity exceeded/.test(l.msg ?? ''))).toBe(true);
    expect(journal.filter((j) => j === 'start:b')).toHaveLength(3);
    await expect(sup.startChild({ id: 'd', logic: worker, input: { id: 'd', journal } })).rejects.toMatchObject({ code: 'NOT_RUNNING' });
  });

  it('restarts spread wider than the window never escalate', async () => {
    const { sup } = setupSupervisor(['a'], { intensity: { maxRestarts: 2, withinMs: 1000 } });
    await sup.start();
    for (let i = 0; i < 10; i++) {
      sup.get('a')!.send({ type: 'CRASH' });
      await settle();
      await vi.advanceTimersByTimeAsync(501);
    }
    expect(sup.status).toBe('running');
    expect(sup.whichChildren()[0]).toMatchObject({ status: 'running', restarts: 10 });
  });

  it('a child with its own budget is given up alone; the supervisor and the others go on', async () => {
    const journal: Journal = [];
    const sup = createSupervisor({ intensity: { maxRestarts: 1, withinMs: 1000 } });
    const events: SupervisorEvent[] = [];
    sup.subscribe((e) => events.push(e));
    await sup.start();
    await sup.startChild({ id: 'ok', start: () => spawnWorker('ok', journal) });
    await sup.startChild({ id: 'loop', start: () => spawnWorker('loop', journal), intensity: { maxRestarts: 2, withinMs: 1000 } });
    const ok = sup.get('ok');
    for (let i = 0; i < 3; i++) {
      sup.get('loop')!.send({ type: 'CRASH' });
      await settle();
    }
    expect(sup.status).toBe('running');
    expect(sup.whichChildren().map((c) => [c.id, c.status])).toEqual([
      ['ok', 'running'],
      ['loop', 'failed'],
    ]);
    expect(sup.get('ok')).toBe(ok);
    expect(events.filter((e) => e.type === 'CHILD.FAILED')).toHaveLength(1);
    // A restart by hand gives it a fresh budget.
    await sup.restartChild('loop');
    sup.get('loop')!.send({ type: 'CRASH' });
    await settle();
    expect(sup.whichChildren()[1]).toMatchObject({ status: 'running', restarts: 1 });
  });

  it('a restart whose actor fails to start counts as another crash', async () => {
    const journal: Journal = [];
    let attempts = 0;
    const sup = createSupervisor({ intensity: { maxRestarts: 3, withinMs: 1000 } });
    await sup.start();
    await sup.startChild({ id: 'x', start: () => spawnWorker('x', journal, { failOnStart: attempts++ > 0 }) });
    sup.get('x')!.send({ type: 'CRASH' });
    await settle();
    expect(await sup.done).toMatchObject({ reason: 'escalated' });
    expect(attempts).toBe(4); // the first start, then 3 restarts that failed
  });
});

describe('registry', () => {
  it('refuses a second running child with the same id, reuses a stopped slot, removes', async () => {
    const journal: Journal = [];
    const sup = createSupervisor();
    await sup.start();
    await sup.startChild({ id: 'a', logic: worker, input: { id: 'a', journal }, shutdownMs: 0 });
    await sup.startChild({ id: 'b', logic: worker, input: { id: 'b', journal }, shutdownMs: 0 });
    await expect(sup.startChild({ id: 'a', logic: worker, input: { id: 'a', journal } })).rejects.toMatchObject({ code: 'ALREADY_RUNNING' });
    await sup.stopChild('a');
    await sup.startChild({ id: 'a', logic: worker, input: { id: 'a2', journal }, shutdownMs: 0 });
    expect(sup.whichChildren().map((c) => c.id)).toEqual(['a', 'b']);
    expect(journal).toEqual(['start:a', 'start:b', 'start:a2']);
    await sup.removeChild('a');
    expect(sup.whichChildren().map((c) => c.id)).toEqual(['b']);
    await expect(sup.stopChild('zz')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(sup.startChild({ id: '' } as ChildSpec)).rejects.toThrowError(/non-empty id/);
  });

  it('a factory that throws is a START_FAILED for that child only', async () => {
    const journal: Journal = [];
    const sup = createSupervisor();
    await sup.start();
    await sup.startChild({ id: 'a', logic: worker, input: { id: 'a', journal } });
    await expect(
      sup.startChild({
        id: 'bad',
        start: () => {
          throw new Error('no creds');
        },
      }),
    ).rejects.toMatchObject({ code: 'START_FAILED', cause: { message: 'no creds' } });
    expect(sup.whichChildren().map((c) => [c.id, c.status])).toEqual([
      ['a', 'running'],
      ['bad', 'failed'],
    ]);
  });

  it('takes a pino logger, and a listener that throws breaks nothing', async () => {
    const sup = createSupervisor({ logger: pino({ level: 'silent' }) });
    sup.subscribe(() => {
      throw new Error('bad listener');
    });
    await sup.start();
    await sup.startChild({ id: 'a', start: () => spawnWorker('a', []) });
    sup.get('a')!.send({ type: 'CRASH' });
    await settle();
    expect(sup.whichChildren()[0]!.status).toBe('running');
  });
});
