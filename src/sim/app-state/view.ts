/**
 * The answer of `GET /phones/:phone/app-state`: per collection, the phone's
 * copy (version, LT-hash, each live record and what it means) beside the
 * server's (version, the LT-hash of the value MACs it holds, record and
 * patch counts). The two agree whenever the phone has caught up, and a
 * companion that synced holds the same version and hash: tests compare them.
 */
import { COLLECTIONS } from '../../protocol/appstate/index.js';
import type { Hub } from '../hub.js';
import type { AppStateCollectionView, PhoneAppStateView } from '../phone-host.js';

export interface AppStateAdminView {
  keys: PhoneAppStateView['keys'];
  collections: Record<string, AppStateCollectionView & { server: { version: number; hash: string; records: number; patchesKept: number } }>;
  errors: string[];
}

export function appStateView(hub: Hub, phone: string, mine: PhoneAppStateView | undefined): AppStateAdminView {
  const collections: AppStateAdminView['collections'] = {};
  for (const name of COLLECTIONS) {
    const server = hub.appState.view(phone, name);
    const own = mine?.collections[name] ?? { version: 0, hash: Buffer.alloc(server.hash.length).toString('base64'), entries: [] };
    collections[name] = {
      ...own,
      server: { version: server.version, hash: Buffer.from(server.hash).toString('base64'), records: server.records, patchesKept: server.patchesKept },
    };
  }
  return { keys: mine?.keys ?? [], collections, errors: mine?.errors ?? [] };
}
