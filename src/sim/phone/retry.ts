/**
 * Decryption retries: the retry receipt a device
 * sends when it cannot decrypt (with its registration id and a fresh key
 * bundle so the author can start a new session at once), reading that bundle
 * back, and the single-device resend. Pure stanza shapes.
 */
import type { PreKeyBundle } from '../../protocol/signal/index.js';
import type { SimNode } from '../phone-host.js';
import { bytesOf, children, encNode, type DeviceEnc, type IncomingMessage } from './stanzas.js';

function be(value: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = bytes - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v & 0xff;
  return out;
}

function readBe(b: Uint8Array | undefined, bytes: number): number | undefined {
  if (!b || b.length !== bytes) return undefined;
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

const leaf = (tag: string, content: Uint8Array): SimNode => ({ tag, attrs: {}, content });

/**
 * `<receipt id to type="retry" [participant] [recipient]><retry count id t v="1" error="0"/>
 *  <registration>4B</registration><keys><type>05</type><identity/><key><id/><value/></key>
 *  <skey><id/><value/><signature/></skey></keys></receipt>`
 */
export function buildRetryReceipt(msg: IncomingMessage, count: number, nowSeconds: number, bundle: PreKeyBundle): SimNode {
  const attrs: Record<string, string> = { id: msg.id, to: msg.from, type: 'retry' };
  if (msg.participant) attrs.participant = msg.participant;
  if (msg.recipient) attrs.recipient = msg.recipient;
  const keys: SimNode[] = [leaf('type', Uint8Array.of(5)), leaf('identity', bundle.identityKey)];
  if (bundle.preKey) {
    keys.push({ tag: 'key', attrs: {}, content: [leaf('id', be(bundle.preKey.keyId, 3)), leaf('value', bundle.preKey.publicKey)] });
  }
  keys.push({
    tag: 'skey',
    attrs: {},
    content: [leaf('id', be(bundle.signedPreKey.keyId, 3)), leaf('value', bundle.signedPreKey.publicKey), leaf('signature', bundle.signedPreKey.signature)],
  });
  return {
    tag: 'receipt',
    attrs,
    content: [
      { tag: 'retry', attrs: { count: String(count), id: msg.id, t: String(nowSeconds), v: '1', error: '0' } },
      leaf('registration', be(bundle.registrationId, 4)),
      { tag: 'keys', attrs: {}, content: keys },
    ],
  };
}

function child(node: SimNode, tag: string): SimNode | undefined {
  return children(node).find((c) => c.tag === tag);
}

/** The bundle a retry receipt carries, or undefined when it carries none (or a malformed one). */
export function retryReceiptBundle(receipt: SimNode): PreKeyBundle | undefined {
  const keys = child(receipt, 'keys');
  const registrationId = readBe(bytesOf(child(receipt, 'registration')?.content), 4);
  if (!keys || registrationId === undefined) return undefined;
  const type = bytesOf(child(keys, 'type')?.content);
  const identityKey = bytesOf(child(keys, 'identity')?.content);
  const skey = child(keys, 'skey');
  if (!type || type.length !== 1 || type[0] !== 5 || identityKey?.length !== 32 || !skey) return undefined;
  const spkId = readBe(bytesOf(child(skey, 'id')?.content), 3);
  const spkPub = bytesOf(child(skey, 'value')?.content);
  const spkSig = bytesOf(child(skey, 'signature')?.content);
  if (spkId === undefined || spkPub?.length !== 32 || spkSig?.length !== 64) return undefined;
  const bundle: PreKeyBundle = { registrationId, identityKey, signedPreKey: { keyId: spkId, publicKey: spkPub, signature: spkSig } };
  const key = child(keys, 'key');
  if (!key) return bundle;
  const pkId = readBe(bytesOf(child(key, 'id')?.content), 3);
  const pkPub = bytesOf(child(key, 'value')?.content);
  if (pkId === undefined || pkPub?.length !== 32) return undefined;
  return { ...bundle, preKey: { keyId: pkId, publicKey: pkPub } };
}

/**
 * The resend to the one device that asked: no participants, `count` on
 * the enc; for a group, `to` is the group and `participant` the device.
 */
export function buildRetryMessage(req: { id: string; device: string; group?: string; enc: DeviceEnc; count: number }): SimNode {
  const attrs: Record<string, string> = req.group
    ? { id: req.id, to: req.group, participant: req.device, type: 'text' }
    : { id: req.id, to: req.device, type: 'text', device_fanout: 'false' };
  return { tag: 'message', attrs, content: [encNode(req.enc.type, req.enc.ciphertext, { count: String(req.count) })] };
}
