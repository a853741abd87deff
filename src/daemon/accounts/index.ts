/** The daemon's accounts as supervised children, one per account. See manager.ts. */
export { AccountManager, type AccountManagerDeps } from './manager.js';
