/**
 * Errors of the messaging module, by what the caller can do about them.
 * Never a silent success: a send that the server refused (463: no privacy
 * token, 479, any ack error) rejects with SERVER_REJECTED and the server's code.
 */
export type MessagingErrorCode =
  /** The account is not paired / has no identity yet. */
  | 'NOT_READY'
  /** The chat jid is not a user or a group. */
  | 'BAD_JID'
  /** The content cannot be built (bad poll, empty contact list, unsupported media without a media pipeline). */
  | 'BAD_CONTENT'
  /** The recipient has no device we could encrypt for. */
  | 'NO_DEVICES'
  /** The server answered the message with an error ack (`serverCode`: 463, 479…). */
  | 'SERVER_REJECTED'
  /** Too many sends wait for the account's send rate (or the chat's queue is full): try later. */
  | 'RATE_LIMITED'
  /** No server ack within the bound: the message may still have been delivered (`mayHaveBeenDelivered`). */
  | 'ACK_TIMEOUT'
  /** An idempotency key already used for another chat. */
  | 'KEY_REUSED'
  /** A message id that edit/revoke/react needs is not in the sent or received store. */
  | 'NOT_FOUND'
  /** We are not a member of the group (or not one of its admins, for what only admins may do). */
  | 'NOT_MEMBER'
  /** Only the group's admins may do this (send in an announcement group, change a community), and we are none. */
  | 'NOT_ADMIN'
  /** Already so (a member joining again). */
  | 'ALREADY_EXISTS'
  /** The group changed meanwhile (a description edited by someone else since we read it). */
  | 'CONFLICT'
  /** The module was closed. */
  | 'CLOSED';

export class MessagingError extends Error {
  override readonly name = 'MessagingError';
  constructor(
    readonly code: MessagingErrorCode,
    message: string,
    options?: { cause?: unknown; serverCode?: number; messageId?: string; mayHaveBeenDelivered?: boolean },
  ) {
    super(message, options);
    this.serverCode = options?.serverCode;
    this.messageId = options?.messageId;
    this.mayHaveBeenDelivered = options?.mayHaveBeenDelivered ?? false;
  }
  /** The ack's `error` attribute for SERVER_REJECTED. */
  readonly serverCode: number | undefined;
  /** The id of the message the failure is about, once it had one. */
  readonly messageId: string | undefined;
  /**
   * The stanza left for the server before the failure (no ack came): the
   * message may have been delivered. Resend with the same idempotency key,
   * which sends this message id again rather than a second message.
   */
  readonly mayHaveBeenDelivered: boolean;
}
