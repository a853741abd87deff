/**
 * What sends a control request and answers its result: WadClient on the
 * socket, the CLI's HTTP link. Verb modules written against it serve both.
 */
import type { RequestMap, RequestType } from '../contract/frames.js';

export interface Requester {
  request<T extends RequestType>(type: T, data: RequestMap[T]['data'], route?: { account?: string; chat?: string }): Promise<RequestMap[T]['result']>;
}
