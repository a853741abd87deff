/**
 * The phone's history sync policy: defaults and the checked update the admin
 * API applies (each field optional; what is absent stays).
 */
import { DEFAULT_CHUNK_BYTES } from '../../../protocol/history/index.js';
import type { HistorySyncPolicy } from '../../phone-history.js';
import { PhoneError } from '../errors.js';

export const DEFAULT_POLICY: Readonly<HistorySyncPolicy> = Object.freeze({
  chunkBytes: DEFAULT_CHUNK_BYTES,
  bootstrapChats: 32,
  bootstrapMessages: 20,
  recentDays: 90,
  inlineBootstrapBytes: 64 * 1024,
  receiptWaitMs: 20_000,
});

const RANGES: Readonly<Record<keyof HistorySyncPolicy, [number, number]>> = {
  // The floor keeps a chunk above one message's size; the ceiling under the media endpoint's blob bound.
  chunkBytes: [1024, 64 * 1024 * 1024],
  bootstrapChats: [0, 100_000],
  bootstrapMessages: [0, 100_000],
  recentDays: [0, 36_500],
  inlineBootstrapBytes: [0, 1024 * 1024],
  receiptWaitMs: [0, 600_000],
};

/** @throws PhoneError BAD_HISTORY for an unknown field or a value out of range */
export function updatePolicy(current: HistorySyncPolicy, update: unknown): HistorySyncPolicy {
  if (typeof update !== 'object' || update === null || Array.isArray(update)) throw new PhoneError('BAD_HISTORY', 'the policy must be a JSON object');
  const next = { ...current };
  for (const [key, value] of Object.entries(update)) {
    const range = RANGES[key as keyof HistorySyncPolicy];
    if (!range) throw new PhoneError('BAD_HISTORY', `${key} is not a policy field (${Object.keys(RANGES).join(', ')})`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < range[0] || value > range[1]) {
      throw new PhoneError('BAD_HISTORY', `${key} must be an integer from ${range[0]} to ${range[1]}`);
    }
    next[key as keyof HistorySyncPolicy] = value;
  }
  return next;
}

/** A restored policy, or the defaults where it does not hold. */
export function restoredPolicy(value: unknown): HistorySyncPolicy {
  try {
    return value === undefined ? { ...DEFAULT_POLICY } : updatePolicy(DEFAULT_POLICY, value);
  } catch {
    return { ...DEFAULT_POLICY };
  }
}
