/** Crypto primitives shared by Noise, Signal, media and app state. Pure (node:crypto is compute, not I/O). */
export * from './errors.js';
export * from './hash.js';
export * from './hkdf.js';
export * from './aes.js';
export * from './curve25519.js';
export * from './seeded-signing-key.js';
