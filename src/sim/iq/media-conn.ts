/**
 * xmlns="w:m" `<media_conn/>`: where to upload media — the simulator's HTTPS
 * listener — and the auth token the upload must carry.
 */
import { iqError, iqResult, node, type BinaryNode } from '../nodes.js';
import type { IqContext } from './index.js';

export function handleMediaConn(ctx: IqContext, iq: BinaryNode): BinaryNode {
  const media = ctx.hub.media;
  if (!media) return iqError(iq, 503, 'service-unavailable');
  return iqResult(iq, [
    node('media_conn', { auth: media.issueAuth(), ttl: '3600', auth_ttl: '21600', max_buckets: '12' }, [
      node('host', { hostname: media.hostname, maxContentLengthBytes: String(media.maxBlobBytes) }),
    ]),
  ]);
}
