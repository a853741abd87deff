/**
 * Errors of stanza parsing. A stanza that lacks what its family needs is a
 * StanzaError with the tag and what was missing, so a handler can nack it
 * (487, WhatsApp Web's parsing error) instead of guessing.
 */
export type StanzaErrorCode = 'BAD_STANZA';

export class StanzaError extends Error {
  override readonly name = 'StanzaError';
  readonly code: StanzaErrorCode = 'BAD_STANZA';
  constructor(
    readonly tag: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`<${tag}>: ${message}`, options);
  }
}
