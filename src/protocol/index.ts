/**
 * wad/protocol: the pure WhatsApp protocol core (binary node codec, JIDs,
 * Noise, Signal, protobuf). Nothing here performs I/O, reads clocks or uses
 * timers: bytes, time and randomness come in as arguments, so every function
 * runs unchanged in worker threads and in tests.
 */
export { proto } from './proto/index.js';
