/**
 * xmlns="w:sync:app:state": a device fetches collections (patches since the
 * version it holds, or a snapshot) and uploads its patches, any number of
 * collections in one request. An accepted patch is announced to the user's
 * other devices with `<notification type="server_sync">`, one per
 * collection (Baileys reads only the first collection of a notification).
 * The simulated phone's requests take the same path (syncCollections).
 */
import { randomBytes } from 'node:crypto';
import { COLLECTIONS, isCollectionName } from '../../protocol/appstate/index.js';
import { parseSyncRequest, serverSyncNodes, syncAnswerNode, type CollectionAnswer, type CollectionRequest } from '../../protocol/iq/app-state.js';
import type { Served } from '../app-state/store.js';
import { snapshotReference } from '../app-state/snapshot-blob.js';
import type { Hub } from '../hub.js';
import { iqError, iqResult, node, SERVER_JID, type BinaryNode } from '../nodes.js';
import type { UserRecord } from '../state.js';
import type { IqContext } from './index.js';

export function handleAppState(ctx: IqContext & { deviceJid: string }, iq: BinaryNode): BinaryNode {
  if (iq.attrs.type !== 'set') return iqError(iq, 400, 'bad-request');
  let requests: CollectionRequest[];
  try {
    requests = parseSyncRequest(iq);
  } catch {
    return iqError(iq, 400, 'bad-request');
  }
  // Each collection once: one request cannot both write and read a collection twice.
  const names = new Set(requests.map((r) => r.name));
  if (requests.length === 0 || requests.length > COLLECTIONS.length || names.size !== requests.length) return iqError(iq, 400, 'bad-request');
  return iqResult(iq, [syncAnswerNode(syncCollections(ctx.hub, ctx.deviceJid, requests))]);
}

/** Serves one device's request (a companion's IQ, or the simulated phone's). */
export function syncCollections(hub: Hub, deviceJid: string, requests: readonly CollectionRequest[]): CollectionAnswer[] {
  const user = hub.dir.userOf(deviceJid);
  return requests.map((r): CollectionAnswer => {
    const fail = (code: number, text: string, version = 0): CollectionAnswer => ({ name: r.name, version, hasMorePatches: false, patches: [], error: { code, text } });
    if (!user) return fail(404, 'item-not-found');
    if (!isCollectionName(r.name)) return fail(404, 'item-not-found');
    if (!r.patch) return answer(hub, r.name, hub.appState.fetch(user.phone, r.name, r.version, r.snapshot));
    const outcome = hub.appState.upload(user.phone, r.name, r.version, r.patch);
    switch (outcome.kind) {
      case 'accepted':
        notifyOthers(hub, user, deviceJid, r.name, outcome.version);
        hub.onChange();
        return { name: r.name, version: outcome.version, hasMorePatches: false, patches: [] };
      case 'conflict':
        return { ...answer(hub, r.name, outcome), error: { code: 409, text: 'conflict' } };
      case 'refused':
        return fail(outcome.code, outcome.text, outcome.version);
    }
  });
}

function answer(hub: Hub, name: string, served: Served): CollectionAnswer {
  if (served.snapshot && !hub.blobs) {
    return { name, version: served.version, hasMorePatches: false, patches: [], error: { code: 503, text: 'service-unavailable' } };
  }
  return {
    name,
    version: served.version,
    hasMorePatches: served.hasMorePatches,
    patches: served.patches,
    ...(served.snapshot ? { snapshot: snapshotReference(hub.blobs!, served.snapshot) } : {}),
  };
}

/** Every other device of the user (the phone too) learns that the collection moved on. */
function notifyOthers(hub: Hub, user: UserRecord, writer: string, name: string, version: number): void {
  for (const dev of hub.dir.deviceJids(user)) {
    if (dev === writer) continue;
    const id = randomBytes(8).toString('hex');
    hub.deliver(dev, node('notification', { from: SERVER_JID, type: 'server_sync', id, t: hub.nowSeconds() }, serverSyncNodes([{ name, version }])));
  }
}
