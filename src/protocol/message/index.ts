/**
 * Message content, pure: building proto.Message from what a consumer asks to
 * send, decoding it into `message:new` data, poll vote crypto and tallies,
 * message ids and participant hashes, and the stanza attributes a Message
 * implies.
 */
export * from './errors.js';
export * from './build.js';
export * from './decode.js';
export * from './kind.js';
export * from './ids.js';
export * from './poll.js';
export * from './raw.js';
export * from './addon-crypto.js';
export * from './addon-kinds.js';
export * from './json.js';
