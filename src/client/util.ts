/** Small helpers shared by the client's files. */
import type { ErrorCode } from '../daemon/api.js';

const CODES = new Set<string>([
  'AUTH_REQUIRED',
  'AUTH_INVALID',
  'TOKEN_EXPIRED',
  'FORBIDDEN',
  'NOT_MEMBER',
  'INVALID_PAYLOAD',
  'MISSING_FIELD',
  'RATE_LIMITED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'INTERNAL_ERROR',
  'UNAVAILABLE',
]);

export function isErrorCodeLike(v: unknown): v is ErrorCode {
  return typeof v === 'string' && CODES.has(v);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
