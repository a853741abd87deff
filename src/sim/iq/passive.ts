/** xmlns="passive": `<active/>` / `<passive/>` — whether the server may push offline data. Always accepted. */
import { iqResult, type BinaryNode } from '../nodes.js';
import type { IqContext } from './index.js';

export function handlePassive(_ctx: IqContext, iq: BinaryNode): BinaryNode {
  return iqResult(iq);
}
