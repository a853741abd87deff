/**
 * The pairing stanzas a companion reads and answers:
 *
 *   <iq from="s.whatsapp.net" id=X><pair-success>
 *     <device-identity>ADVSignedDeviceIdentityHMAC</device-identity>
 *     [<platform name="…"/>] <device jid="PN:DEV@s.whatsapp.net" lid="LID:DEV@lid"/> [<biz name="…"/>]
 *   </pair-success></iq>
 *   → <iq to="@s.whatsapp.net" type="result" id=X><pair-device-sign>
 *       <device-identity key-index="N">ADVSignedDeviceIdentity (no account key)</device-identity>
 *     </pair-device-sign></iq>
 *
 *   <notification type="link_code_companion_reg"><link_code_companion_reg>
 *     <link_code_pairing_ref/> <primary_identity_pub/> <link_code_pairing_wrapped_primary_ephemeral_pub/>
 *   </link_code_companion_reg></notification>
 */
import type { BinaryNode } from '../binary/index.js';
import { bytesOf, childNode, node } from '../iq/nodes.js';
import { IQ_TO } from '../iq/spec.js';
import { PairingError } from './errors.js';

export interface PairSuccess {
  /** The iq id our answer must carry. */
  readonly id: string;
  readonly deviceIdentity: Uint8Array;
  /** Our new device JID. */
  readonly jid: string;
  readonly lid: string | undefined;
  readonly platform: string | undefined;
  readonly businessName: string | undefined;
}

/** Undefined when the stanza is not a pair-success. @throws PairingError MALFORMED when it is one but lacks a part */
export function parsePairSuccess(stanza: BinaryNode): PairSuccess | undefined {
  if (stanza.tag !== 'iq') return undefined;
  const ps = childNode(stanza, 'pair-success');
  if (!ps) return undefined;
  const deviceIdentity = bytesOf(childNode(ps, 'device-identity'));
  const device = childNode(ps, 'device');
  const jid = device?.attrs.jid;
  if (!deviceIdentity || !jid || !stanza.attrs.id) throw new PairingError('MALFORMED', 'pair-success lacks device-identity, device jid or id');
  return {
    id: stanza.attrs.id,
    deviceIdentity,
    jid,
    lid: device.attrs.lid,
    platform: childNode(ps, 'platform')?.attrs.name,
    businessName: childNode(ps, 'biz')?.attrs.name,
  };
}

export function buildPairDeviceSign(id: string, keyIndex: number, reply: Uint8Array): BinaryNode {
  return node('iq', { to: IQ_TO, type: 'result', id }, [
    node('pair-device-sign', {}, [node('device-identity', { 'key-index': String(keyIndex) }, reply)]),
  ]);
}

/** The refusal of a pair-success we could not verify (WhatsApp Web answers 401 not-authorized). */
export function buildPairSuccessRefusal(id: string): BinaryNode {
  return node('iq', { to: IQ_TO, type: 'error', id }, [node('error', { code: '401', text: 'not-authorized' })]);
}

export interface PrimaryHello {
  readonly ref: Uint8Array;
  readonly primaryIdentityPub: Uint8Array;
  readonly wrappedPrimaryEphemeralPub: Uint8Array;
}

/** Undefined for other notifications. @throws PairingError MALFORMED when it is one but lacks a part */
export function parsePrimaryHello(stanza: BinaryNode): PrimaryHello | undefined {
  if (stanza.tag !== 'notification' || stanza.attrs.type !== 'link_code_companion_reg') return undefined;
  const reg = childNode(stanza, 'link_code_companion_reg');
  const ref = bytesOf(childNode(reg, 'link_code_pairing_ref'));
  const primaryIdentityPub = bytesOf(childNode(reg, 'primary_identity_pub'));
  const wrappedPrimaryEphemeralPub = bytesOf(childNode(reg, 'link_code_pairing_wrapped_primary_ephemeral_pub'));
  if (!ref || primaryIdentityPub?.length !== 32 || (wrappedPrimaryEphemeralPub?.length ?? 0) < 80) {
    throw new PairingError('MALFORMED', 'link_code_companion_reg notification lacks ref, a 32-byte identity or an 80-byte wrapped key');
  }
  return { ref, primaryIdentityPub, wrappedPrimaryEphemeralPub: wrappedPrimaryEphemeralPub! };
}
