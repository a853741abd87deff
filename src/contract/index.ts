/**
 * The control contract, a leaf every layer may import: the DaemonApi (api.ts)
 * and the shapes it speaks (one file per area, all re-exported by api.ts),
 * the error codes and coded errors (errors.ts), the socket's frame
 * vocabulary (frames.ts) and binary-frame codec (binary.ts), the default
 * paths (paths.ts). Imports nothing of wad's but src/protocol.
 */
export * from './api.js';
export * from './errors.js';
export * from './frames.js';
export * from './people.js';
export * from './calls.js';
export * from './newsletters.js';
export * from './communities.js';
export { BinaryLayoutError, decodeBinaryFrame, encodeBinaryFrame, type BinaryFrame } from './binary.js';
export { defaultDataDir } from './paths.js';
