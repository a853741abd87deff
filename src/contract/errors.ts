/**
 * The control plane's errors, whoever raises them (daemon, IPC server,
 * client): one list of string codes that the socket carries unchanged, and
 * the coded error classes built on it. A leaf, like the rest of src/contract.
 */
/** The control socket's error codes, shared by the daemon, the IPC server and WadClient (fixed: consumers switch on them). */
export const ERROR_CODES = [
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
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const ERROR_CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(v: unknown): v is ErrorCode {
  return typeof v === 'string' && ERROR_CODE_SET.has(v);
}

/**
 * What an error of the control plane carries, whoever raises it (daemon, IPC
 * server, client): a code, details for the caller, and for RATE_LIMITED how
 * long to wait. Each family subclasses it with its own name and codes.
 */
export abstract class CodedError<C extends string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown; retryAfter?: number },
  ) {
    super(message, options);
    this.retryAfter = options?.retryAfter;
  }
  /** Milliseconds to wait (RATE_LIMITED). */
  readonly retryAfter: number | undefined;
}

export class DaemonError extends CodedError<ErrorCode> {
  override readonly name = 'DaemonError';
}

/** An error of the control socket itself (a frame, a binary chunk, admission); the server passes DaemonError through as it is. */
export class IpcError extends CodedError<ErrorCode> {
  override readonly name = 'IpcError';
}
