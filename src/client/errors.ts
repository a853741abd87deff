/**
 * Errors WadClient rejects with: the daemon's contract codes (an ack with
 * success false, an error frame, a refused connection), plus TIMEOUT (no
 * answer in time) and CLOSED (the client was closed).
 */
import { CodedError, type ErrorCode } from '../contract/errors.js';

export type ClientErrorCode = ErrorCode | 'TIMEOUT' | 'CLOSED';

export class WadClientError extends CodedError<ClientErrorCode> {
  override readonly name = 'WadClientError';
}
