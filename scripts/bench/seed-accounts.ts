/**
 * Bench support: N linked accounts without linking each by QR, which takes
 * minutes for thousands. For each: a user in the simulator, its companion
 * device stored there with fresh keys (POST /phones/:phone/companions, the
 * phone signing the device identity as at a QR link), and in the daemon's
 * store the registry entry and the credentials a link leaves (identity checked
 * and countersigned as at pair-success). Uses the compiled build, as the daemon
 * that reads the store does. The daemon must not have the store open.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as CredsModule from '../../src/account/creds.js';
import type * as PairingModule from '../../src/protocol/pairing/index.js';
import type * as StoreModule from '../../src/store/index.js';
import { admin, inPool, type SimInfo } from './sim-process.js';

const root = join(import.meta.dirname, '..', '..');
const dist = (path: string): Promise<unknown> => import(pathToFileURL(join(root, 'dist', path)).href);
const b64 = (u: Uint8Array): string => Buffer.from(u).toString('base64');

export async function seedAccounts(sim: SimInfo, dataDir: string, accounts: Array<{ id: string; phone: string }>, concurrency = 16): Promise<void> {
  const { Store } = (await dist('store/index.js')) as typeof StoreModule;
  const { newCreds } = (await dist('account/creds.js')) as typeof CredsModule;
  const { verifyAndSignDeviceIdentity } = (await dist('protocol/pairing/index.js')) as typeof PairingModule;
  const store = await Store.open(dataDir, { level: { sync: false } });
  try {
    await inPool(accounts, concurrency, async ({ id, phone }) => {
      await admin(sim, 'POST', '/phones', { phone, name: id });
      const creds = newCreds();
      const linked = (await admin(sim, 'POST', `/phones/${phone}/companions`, {
        noiseKey: b64(creds.noiseKey.public),
        identityKey: b64(creds.identityKey.public),
        registrationId: creds.registrationId,
        signedPreKey: { keyId: creds.signedPreKey.keyId, publicKey: b64(creds.signedPreKey.keyPair.public), signature: b64(creds.signedPreKey.signature) },
        advSecret: b64(creds.advSecretKey),
        platform: 'Chrome',
      })) as { jid: string; lid: string; deviceIdentity: string };
      const verified = verifyAndSignDeviceIdentity(Buffer.from(linked.deviceIdentity, 'base64'), creds.advSecretKey, creds.identityKey);
      await store.putAccount({ id, createdAt: Date.now(), config: {} });
      const account = await store.account(id);
      await account.transaction((tx) => tx.creds.set({ ...creds, me: { id: linked.jid, lid: linked.lid }, account: verified.account, platform: 'android', registered: true }));
      await store.closeAccount(id);
    });
  } finally {
    await store.close();
  }
}
