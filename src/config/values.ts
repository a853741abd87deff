/**
 * Checks several config areas share: durations, rates and host:port
 * addresses.
 */
import { int, num, object, ok, bad, refine, str } from './checks.js';

export const DAY = 86_400_000;

/** A duration in milliseconds, within bounds. */
export const ms = (min: number, max: number) => int(min, max);

export interface RateConfig {
  readonly perSecond: number;
  readonly burst: number;
}

export const rate = object({ perSecond: num(0.01, 10_000), burst: int(1, 100_000) });

/** A listener's or a peer's address. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export const hostPort = refine(str({ nonEmpty: true }), (v) => {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([^:\s]+)):(\d{1,5})$/.exec(v);
  const port = m ? Number(m[3]) : NaN;
  return m && port <= 65535 ? ok({ host: m[1] ?? m[2]!, port }) : bad('host:port (for example "127.0.0.1:8080")');
});
