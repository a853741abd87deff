/**
 * Media crypto, pure: key derivation per media type, incremental encryption
 * and verified decryption (AES-256-CBC + 10-byte HMAC-SHA256 + both SHA-256
 * hashes), the media type table (HKDF info, upload path, default mime), the
 * upload token, and media re-upload requests. No I/O: streams, HTTP, temp
 * files and the media_conn cache are src/account/media's.
 */
export * from './errors.js';
export * from './types.js';
export * from './keys.js';
export * from './encrypt.js';
export * from './decrypt.js';
export * from './mime.js';
export * from './retry.js';
export * from './message.js';
