/** Typed IQ specs, one file per xmlns. See spec.ts. */
export * from './spec.js';
export * from './errors.js';
