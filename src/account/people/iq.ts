/** Runs an IQ spec for the people side: a server error answer becomes MessagingError SERVER_REJECTED with its code. */
import { IqServerError } from '../../protocol/iq/errors.js';
import type { IqSpec } from '../../protocol/iq/spec.js';
import { MessagingError } from '../messaging/errors.js';
import type { PeopleDeps } from './deps.js';

export async function executeIq<T>(deps: Pick<PeopleDeps, 'port'>, spec: IqSpec<T>): Promise<T> {
  try {
    return await deps.port.execute(spec);
  } catch (err) {
    if (err instanceof IqServerError) throw new MessagingError('SERVER_REJECTED', err.message, { cause: err, serverCode: err.serverCode });
    throw err;
  }
}
