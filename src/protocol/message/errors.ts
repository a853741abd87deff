/** Errors of message content building and decoding. */
export type MessageContentErrorCode = 'BAD_CONTENT' | 'BAD_PAYLOAD' | 'POLL_DECRYPT_FAILED';

export class MessageContentError extends Error {
  override readonly name = 'MessageContentError';
  constructor(
    readonly code: MessageContentErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
