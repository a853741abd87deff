/**
 * How far V8 lets the heap grow past what the last full collection kept
 * before it collects again, for the daemon's process.
 *
 * V8 picks the factor itself (up to 4×) from how cheap collection has been,
 * and in a daemon whose work comes in bursts (a history sync decodes and
 * stores tens of thousands of messages in seconds) garbage is cheap to
 * collect, so it lets the heap reach several times what is live: a
 * 20,000-message sync grew the RSS by ~90 MiB with ~30 MiB live. A fixed
 * factor keeps the RSS near what is live at the price of more frequent full
 * collections, which are incremental and concurrent and cost in proportion
 * to the live heap, small per account. The flag is read at each collection,
 * so setting it after start takes effect.
 */
import { setFlagsFromString } from 'node:v8';

/** `percent` 0 leaves V8's own choice; else the heap may grow by that much over the live size. */
export function applyHeapGrowth(percent: number): void {
  if (!Number.isInteger(percent) || percent < 0) throw new RangeError(`heap growth must be a whole percentage, got ${percent}`);
  if (percent === 0) return;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
