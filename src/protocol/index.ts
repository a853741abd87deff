/**
 * wad/protocol: the pure WhatsApp protocol core (binary node codec, JIDs,
 * Noise, Signal, protobuf). Nothing here performs I/O, reads clocks or uses
 * timers: bytes, time and randomness come in as arguments, so every function
 * runs unchanged in worker threads and in tests.
 *
 * The codec and JID helpers are exported flat (part of the package API: encodeNode,
 * decodeNode, jidDecode, jidEncode); the larger modules as namespaces, since
 * their generic names (split, mixHash, errors) would otherwise collide.
 */
export * from './binary/index.js';
export * from './jid/index.js';
export { proto, signal as signalProto } from './proto/index.js';
export * as crypto from './crypto/index.js';
export * as noise from './noise/index.js';
export * as signal from './signal/index.js';
export * as senderKeys from './signal/group/index.js';
export * as media from './media/index.js';
export * as appState from './appstate/index.js';
export * as history from './history/index.js';
