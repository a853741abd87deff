/**
 * The simulated primary phone (device 0) of each simulator user. The server
 * creates one per user with `createSimPhone(host, restore?)` (phone-host.ts
 * has the contract). Imports only src/protocol/** and the contract file.
 */
import type { SimPhoneFactory } from '../phone-host.js';
import { SimPhone } from './phone.js';

export const createSimPhone: SimPhoneFactory = (host, restore, history) => SimPhone.create(host, restore, history);

export { SimPhone, SNAPSHOT_VERSION, type PhoneSnapshot } from './phone.js';
export { PhoneError, type PhoneErrorCode } from './errors.js';
export { parseLinkQr, formatLinkQr, QR_PREFIX, type LinkQr } from './qr.js';
export { verifyPairDeviceSign, verifyCompanionSignature, buildDeviceIdentity, buildKeyIndexList } from './adv.js';
export type { InboxOutcome } from './inbox.js';
