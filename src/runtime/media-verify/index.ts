/** Media verification on a worker thread, beside the download (thread.ts). */
export { MediaVerifyThread, type VerifiedBlob, type VerifyJob } from './thread.js';
