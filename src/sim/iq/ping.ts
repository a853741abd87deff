/** xmlns="w:p": the client's keepalive `<ping/>`, answered with an empty result (any frame resets its timer). */
import { iqResult, type BinaryNode } from '../nodes.js';
import type { IqContext } from './index.js';

export function handlePing(_ctx: IqContext, iq: BinaryNode): BinaryNode {
  return iqResult(iq);
}
