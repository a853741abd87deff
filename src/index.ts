/**
 * wad: the daemon's library entry point (CONTRACTS.md §4).
 */
export * as protocol from './protocol/index.js';
