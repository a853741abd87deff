/**
 * xmlns="abt" (A/B props) and "w" (server props). The simulator sets none:
 * in particular 10518 (tctoken on every 1:1 message) stays unset, so clients
 * attach no privacy tokens.
 */
import { child, iqResult, node, type BinaryNode } from '../nodes.js';
import type { IqContext } from './index.js';

export function handleProps(_ctx: IqContext, iq: BinaryNode): BinaryNode {
  const req = child(iq, 'props');
  return iqResult(iq, [node('props', { protocol: req?.attrs.protocol ?? '1', hash: 'sim', refresh: '86400' }, [])]);
}
