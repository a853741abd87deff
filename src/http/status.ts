/**
 * The HTTP status of each control error code, and the answer body of a
 * failure (the ack's data: `{success: false, error}`), with Retry-After in
 * whole seconds for RATE_LIMITED. Owns the mapping only.
 */
import type { ErrorCode } from '../contract/errors.js';
import type { ErrorPayload } from '../contract/frames.js';

const STATUS: Record<ErrorCode, number> = {
  INVALID_PAYLOAD: 400,
  MISSING_FIELD: 400,
  AUTH_REQUIRED: 401,
  AUTH_INVALID: 401,
  TOKEN_EXPIRED: 401,
  FORBIDDEN: 403,
  NOT_MEMBER: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  UNAVAILABLE: 503,
};

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: { success: false; error: ErrorPayload };
}

export function errorAnswer(error: ErrorPayload): ErrorAnswer {
  const headers: Record<string, string> = {};
  if (error.code === 'RATE_LIMITED') headers['retry-after'] = String(Math.max(1, Math.ceil((error.retryAfter ?? 1000) / 1000)));
  if (error.code === 'AUTH_REQUIRED' || error.code === 'AUTH_INVALID' || error.code === 'TOKEN_EXPIRED') headers['www-authenticate'] = 'Bearer';
  return { status: statusOf(error.code), headers, body: { success: false, error } };
}
