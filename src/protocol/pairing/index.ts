/**
 * Linking a companion, our side: the QR string, the pairing-code crypto, the
 * pair-success ADV checks and countersignature, the pairing stanzas and the
 * ClientPayload. Pure (node:crypto is compute); the runtime drives the steps.
 */
export * from './errors.js';
export * from './qr.js';
export * from './code.js';
export * from './adv.js';
export * from './stanzas.js';
export * from './payload.js';
export * from './version.js';
