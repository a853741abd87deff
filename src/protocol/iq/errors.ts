/** Errors of IQ answers. */
export class IqParseError extends Error {
  override readonly name = 'IqParseError';
  readonly code = 'BAD_IQ_RESPONSE' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The server answered `type="error"` (or a result with an `<error code text>` child). */
export class IqServerError extends Error {
  override readonly name = 'IqServerError';
  readonly code = 'IQ_SERVER_ERROR' as const;
  constructor(
    readonly serverCode: number,
    readonly text: string,
    options?: { cause?: unknown },
  ) {
    super(`server answered error ${serverCode}${text ? ` (${text})` : ''}`, options);
  }
}
