/**
 * xmlns="w:sync:app:state": fetching app state collections and uploading our
 * patches, one request for any number of collections. Both sides are here:
 * the client's spec, and the parse/build the simulator's server answers with.
 *
 *   set <sync>
 *         <collection name version? return_snapshot="true|false"> <patch>SyncdPatch</patch>? </collection>…
 *       </sync>
 *   →   <sync>
 *         <collection name version [has_more_patches="true"] [type="error"]>
 *           <patches><patch>SyncdPatch</patch>…</patches>
 *           <snapshot>ExternalBlobReference</snapshot>?        (the snapshot is uploaded as media)
 *           <error code text/>?                                  (409: the collection moved on; the
 *         </collection>…                                          patches we missed come with it)
 *       </sync>
 *
 * A fetch names the version we hold (or asks for a snapshot instead); an
 * upload names the version its patch follows. Decoding the patches (MACs,
 * decryption) is src/protocol/appstate's; this file only carries bytes.
 */
import type { BinaryNode } from '../binary/index.js';
import { proto } from '../proto/index.js';
import { IqParseError } from './errors.js';
import { bytesOf, childNode, childrenByTag, node } from './nodes.js';
import { iq, type IqSpec } from './spec.js';

export const APP_STATE_XMLNS = 'w:sync:app:state';

export interface CollectionRequest {
  readonly name: string;
  /** The version we hold (a fetch) or the version our patch follows (an upload). */
  readonly version: number;
  /** Ask for a snapshot rather than patches from `version` (a first sync, or recovery). */
  readonly snapshot: boolean;
  /** An upload: our SyncdPatch bytes (from buildPatch). */
  readonly patch?: Uint8Array;
}

export interface CollectionAnswer {
  readonly name: string;
  /** The server's version of the collection. */
  readonly version: number;
  readonly hasMorePatches: boolean;
  readonly patches: readonly proto.SyncdPatch[];
  /** Where to download the snapshot (a SyncdSnapshot, as an md-app-state media blob). */
  readonly snapshot?: proto.ExternalBlobReference;
  /** The server refused this collection's part of the request (409: our patch followed an old version). */
  readonly error?: { readonly code: number; readonly text: string };
}

/** The client's request. @throws IqParseError on a malformed answer */
export function syncAppState(collections: readonly CollectionRequest[]): IqSpec<CollectionAnswer[]> {
  return {
    build: () => iq(APP_STATE_XMLNS, 'set', [node('sync', {}, collections.map(collectionRequestNode))]),
    parse: (result) => childrenByTag(childNode(result, 'sync'), 'collection').map(parseCollectionAnswer),
  };
}

function collectionRequestNode(c: CollectionRequest): BinaryNode {
  const attrs: Record<string, string> = { name: c.name, return_snapshot: String(c.snapshot) };
  // A snapshot request names no version: the server sends the whole collection.
  if (!c.snapshot || c.patch) attrs.version = String(c.version);
  return node('collection', attrs, c.patch ? [node('patch', {}, c.patch)] : undefined);
}

function parseCollectionAnswer(c: BinaryNode): CollectionAnswer {
  const name = c.attrs.name;
  if (!name) throw new IqParseError('app state answer has a collection without a name');
  const version = c.attrs.version === undefined ? 0 : Number(c.attrs.version);
  if (!Number.isSafeInteger(version) || version < 0) throw new IqParseError(`app state answer: ${name} has version ${c.attrs.version}`);
  // WhatsApp wraps patches in <patches>; some answers list them under the collection itself.
  const patchNodes = childrenByTag(childNode(c, 'patches') ?? c, 'patch');
  const patches = patchNodes.map((p, i) => decode(proto.SyncdPatch, bytesOf(p), `${name} patch #${i + 1}`));
  const snapshotBytes = bytesOf(childNode(c, 'snapshot'));
  const errorNode = c.attrs.type === 'error' ? childNode(c, 'error') : undefined;
  return {
    name,
    version,
    hasMorePatches: c.attrs.has_more_patches === 'true',
    patches,
    ...(snapshotBytes ? { snapshot: decode(proto.ExternalBlobReference, snapshotBytes, `${name} snapshot`) } : {}),
    ...(c.attrs.type === 'error' ? { error: { code: Number(errorNode?.attrs.code ?? 0), text: errorNode?.attrs.text ?? '' } } : {}),
  };
}

function decode<T>(codec: { decode(b: Uint8Array): T }, bytes: Uint8Array | undefined, what: string): T {
  if (!bytes) throw new IqParseError(`app state answer: ${what} has no bytes`);
  try {
    return codec.decode(bytes);
  } catch (cause) {
    throw new IqParseError(`app state answer: ${what} does not decode`, { cause });
  }
}

// ---- the server side (the simulator) ----

/** The collections a client's request names. @throws IqParseError */
export function parseSyncRequest(request: BinaryNode): CollectionRequest[] {
  const sync = childNode(request, 'sync');
  if (request.attrs.xmlns !== APP_STATE_XMLNS || !sync) throw new IqParseError('not an app state sync request');
  return childrenByTag(sync, 'collection').map((c) => {
    const name = c.attrs.name;
    const version = c.attrs.version === undefined ? 0 : Number(c.attrs.version);
    if (!name || !Number.isSafeInteger(version) || version < 0) throw new IqParseError('app state request: a collection without a name or version');
    const patch = bytesOf(childNode(c, 'patch'));
    return { name, version, snapshot: c.attrs.return_snapshot === 'true', ...(patch ? { patch } : {}) };
  });
}

/** The `<sync>` child of the server's answer. */
export function syncAnswerNode(collections: readonly CollectionAnswer[]): BinaryNode {
  return node(
    'sync',
    {},
    collections.map((c) => {
      const attrs: Record<string, string> = { name: c.name, version: String(c.version) };
      if (c.hasMorePatches) attrs.has_more_patches = 'true';
      if (c.error) attrs.type = 'error';
      const content: BinaryNode[] = [];
      if (c.patches.length > 0) content.push(node('patches', {}, c.patches.map((p) => node('patch', {}, proto.SyncdPatch.encode(p).finish()))));
      if (c.snapshot) content.push(node('snapshot', {}, proto.ExternalBlobReference.encode(c.snapshot).finish()));
      if (c.error) content.push(node('error', { code: String(c.error.code), text: c.error.text }));
      return node('collection', attrs, content);
    }),
  );
}

/**
 * `<notification type="server_sync"><collection name version/>…</notification>`:
 * the server telling our devices that collections changed. Unreadable
 * entries are skipped (the sync they would trigger happens anyway at the next one).
 */
export function parseServerSync(notification: BinaryNode): { name: string; version: number }[] {
  return childrenByTag(notification, 'collection').flatMap((c) => {
    const version = Number(c.attrs.version ?? 0);
    return c.attrs.name && Number.isSafeInteger(version) ? [{ name: c.attrs.name, version }] : [];
  });
}

/** The server_sync notification's children, for the simulator. */
export function serverSyncNodes(collections: readonly { name: string; version: number }[]): BinaryNode[] {
  return collections.map((c) => node('collection', { name: c.name, version: String(c.version) }));
}
