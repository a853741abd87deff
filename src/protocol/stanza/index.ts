/**
 * Stanza families: one file per family with the pure
 * parse / build / decide functions; src/account/messaging has the
 * orchestration of the same names. ack.ts belongs to the account runtime.
 */
export * from './errors.js';
export * from './nodes.js';
export * from './message.js';
export * from './receipt.js';
export * from './retry.js';
export * from './notification.js';
export * from './group-notification.js';
export * from './presence.js';
export * from './chatstate.js';
export * from './offline.js';
export * from './call.js';
export * from './people-notification.js';
export * from './newsletter.js';
