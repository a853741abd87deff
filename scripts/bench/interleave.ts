// Measuring contenders side by side on a shared, loaded machine: each gets a
// warm-up (WASM and JIT tiers settle in about a second), then all run in short
// alternating slices (the order reversed every round), so a load spike hits
// every contender alike; the result is each one's median ops/s, and ratios of
// those medians are what the benchmark tables report.

export type Op = () => unknown;

export interface InterleaveOptions {
  /** Slices per contender (default 15). */
  readonly rounds?: number;
  /** Length of one slice in ms (default 200). */
  readonly ms?: number;
  /** Warm-up per contender in ms before the first slice (default 1000). */
  readonly warmupMs?: number;
}

async function runFor(op: Op, ms: number): Promise<number> {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 5; i++) {
      const out = op();
      if (out instanceof Promise) await out;
    }
    n += 5;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

export const median = (xs: readonly number[]): number => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;

/** Median ops/s of each contender (undefined entries are skipped and stay undefined). */
export async function interleave<K extends string>(contenders: Record<K, Op | undefined>, options: InterleaveOptions = {}): Promise<Record<K, number>> {
  const rounds = options.rounds ?? 15;
  const ms = options.ms ?? 200;
  const names = (Object.keys(contenders) as K[]).filter((k) => contenders[k] !== undefined);
  const samples = new Map<K, number[]>(names.map((k) => [k, []]));
  for (const k of names) await runFor(contenders[k]!, options.warmupMs ?? 1000);
  for (let r = 0; r < rounds; r++) {
    for (const k of r % 2 === 0 ? names : names.slice().reverse()) samples.get(k)!.push(await runFor(contenders[k]!, ms));
  }
  return Object.fromEntries(names.map((k) => [k, median(samples.get(k)!)])) as Record<K, number>;
}
