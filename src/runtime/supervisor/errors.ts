/** Errors of the supervisor: every public method documents which it throws. */
export type SupervisorErrorCode =
  /** No child with that id. */
  | 'NOT_FOUND'
  /** A child with that id is running (or restarting, or stopping). */
  | 'ALREADY_RUNNING'
  /** The supervisor is not running (not started yet, stopping, stopped or escalated). */
  | 'NOT_RUNNING'
  /** A child's factory threw, or its actor failed while starting. */
  | 'START_FAILED'
  /** More restarts than the intensity allows within its window: the supervisor gave up. */
  | 'INTENSITY_EXCEEDED'
  /** A child spec is malformed. */
  | 'BAD_SPEC';

export class SupervisorError extends Error {
  override readonly name = 'SupervisorError';
  constructor(
    readonly code: SupervisorErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
