/**
 * xmlns="encrypt": a device's Signal prekeys.
 *   get `<count/>`  → `<count value=N/>` (N = one-time prekeys held; 0 makes Baileys upload 812)
 *   set `<registration/><type/><identity/><list><key…/></list><skey…/>` → stored
 *   set `<rotate><skey…/></rotate>` → new signed prekey
 *   get `<key><user jid/>…</key>` → bundles, one one-time prekey popped per device
 *   get `<digest/>` → what the server holds of the device's bundle: registration, type, identity,
 *       skey (id, value, signature), `<list><id/>…</list>` of the one-time prekeys held and
 *       `<hash>` (SHA-1 over identity, skey value, skey signature and each listed key);
 *       404 when it holds no bundle
 */
import { child, childrenByTag, bytesOf, iqError, iqResult, node, uintBytes, uintOf, type BinaryNode } from '../nodes.js';
import { keyBundleHash } from '../../protocol/iq/prekeys.js';
import type { PreKeyBundle } from '../phone-host.js';
import type { SignedPreKey } from '../state.js';
import type { IqContext } from './index.js';

type Ctx = IqContext & { deviceJid: string };

export function handleEncrypt(ctx: Ctx, iq: BinaryNode): BinaryNode {
  const { hub, deviceJid } = ctx;
  const device = hub.dir.device(deviceJid);
  if (!device) return iqError(iq, 401, 'not-authorized');
  if (iq.attrs.type === 'get') {
    if (child(iq, 'count')) return iqResult(iq, [node('count', { value: String(hub.prekeys.count(deviceJid)) })]);
    if (child(iq, 'digest')) return digest(ctx, iq);
    const key = child(iq, 'key');
    if (key) return iqResult(iq, [node('list', {}, childrenByTag(key, 'user').map((u) => bundleNode(ctx, u.attrs.jid ?? '')))]);
    return iqError(iq, 400, 'bad-request');
  }
  const rotate = child(iq, 'rotate');
  if (rotate) {
    const skey = parseSignedPreKey(child(rotate, 'skey'));
    if (!skey) return iqError(iq, 400, 'bad-request');
    device.signedPreKey = skey;
    hub.onChange();
    return iqResult(iq);
  }
  const identity = bytesOf(child(iq, 'identity'));
  const registrationId = uintOf(child(iq, 'registration'));
  const skey = parseSignedPreKey(child(iq, 'skey'));
  if (identity?.length !== 32 || registrationId === undefined || !skey) return iqError(iq, 400, 'bad-request');
  device.identityKey = identity;
  device.registrationId = registrationId;
  device.signedPreKey = skey;
  const keys = [];
  for (const k of childrenByTag(child(iq, 'list'), 'key')) {
    const keyId = uintOf(child(k, 'id'));
    const publicKey = bytesOf(child(k, 'value'));
    if (keyId === undefined || publicKey?.length !== 32) return iqError(iq, 400, 'bad-request');
    keys.push({ keyId, publicKey });
  }
  hub.prekeys.add(deviceJid, keys);
  hub.onChange();
  return iqResult(iq);
}

function bundleNode(ctx: Ctx, jid: string): BinaryNode {
  const device = ctx.hub.dir.device(jid);
  const bundle = device && ctx.hub.prekeys.bundle(device);
  if (!bundle) return node('user', { jid }, [node('error', { code: '404', text: 'item-not-found' })]);
  ctx.hub.onChange();
  return node('user', { jid }, bundleContent(bundle));
}

export function bundleContent(b: PreKeyBundle): BinaryNode[] {
  const out = [
    node('registration', {}, uintBytes(b.registrationId, 4)),
    node('type', {}, Uint8Array.of(5)),
    node('identity', {}, b.identityKey),
    node('skey', {}, [
      node('id', {}, uintBytes(b.signedPreKey.keyId, 3)),
      node('value', {}, b.signedPreKey.publicKey),
      node('signature', {}, b.signedPreKey.signature),
    ]),
  ];
  if (b.preKey) out.push(node('key', {}, [node('id', {}, uintBytes(b.preKey.keyId, 3)), node('value', {}, b.preKey.publicKey)]));
  return out;
}

function digest(ctx: Ctx, iq: BinaryNode): BinaryNode {
  const device = ctx.hub.dir.device(ctx.deviceJid)!;
  const skey = device.signedPreKey;
  if (!device.identityKey || !skey || device.registrationId === undefined) return iqError(iq, 404, 'item-not-found');
  const held = ctx.hub.prekeys.held(ctx.deviceJid);
  const hash = keyBundleHash(device.identityKey, skey.publicKey, skey.signature, held.map((k) => k.publicKey));
  return iqResult(iq, [
    node('digest', {}, [
      node('registration', {}, uintBytes(device.registrationId, 4)),
      node('type', {}, Uint8Array.of(5)),
      node('identity', {}, device.identityKey),
      node('skey', {}, [node('id', {}, uintBytes(skey.keyId, 3)), node('value', {}, skey.publicKey), node('signature', {}, skey.signature)]),
      node('list', {}, held.map((k) => node('id', {}, uintBytes(k.keyId, 3)))),
      node('hash', {}, hash),
    ]),
  ]);
}

function parseSignedPreKey(n: BinaryNode | undefined): SignedPreKey | undefined {
  if (!n) return undefined;
  const keyId = uintOf(child(n, 'id'));
  const publicKey = bytesOf(child(n, 'value'));
  const signature = bytesOf(child(n, 'signature'));
  if (keyId === undefined || publicKey?.length !== 32 || signature?.length !== 64) return undefined;
  return { keyId, publicKey, signature };
}
