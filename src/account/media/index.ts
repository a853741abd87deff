/**
 * Media transfer for an account (I/O around src/protocol/media): encrypting
 * sources into spools, uploading to media_conn hosts over HTTPS, downloading
 * with verify-then-release, the media_conn cache; one account's media
 * (AccountMedia: sends' builder, downloads of stored messages' files) and
 * what all accounts share (SharedMedia: the HTTPS agent, spools, the path
 * policy). Must not decide what messages mean
 * (messaging's) nor send stanzas except through the connection's port.
 */
export { MediaError, type MediaErrorCode, type PathRefusal } from './errors.js';
export { LocalFiles, LocalFile, type LocalFilePolicy, type LocalFileIo } from './local-file.js';
export { IoGate, type IoGateOptions } from './io-gate.js';
export { MediaService, type MediaServiceOptions, type UploadedMedia } from './service.js';
export { MediaConnCache, type MediaConn, type MediaHost, type MediaConnCacheOptions } from './media-conn.js';
export { MediaHttp, type MediaHttpOptions } from './http.js';
export { DEFAULT_MEDIA_RETRY, isTransient, withMediaRetry, type MediaRetryPolicy } from './retry.js';
export { MediaUploader, type UploadResult } from './upload.js';
export { MediaDownloader, OFF_THREAD_FROM, type MediaRef, type DownloadOptions, type MediaDownloaderOptions } from './download.js';
export { OffThreadVerifyStream, type MediaVerifier } from './verify-off-thread.js';
export { DownloadedMedia } from './downloaded.js';
export { encryptToSpool, type EncryptedMedia, type EncryptOptions, type MediaSource, isMediaFile } from './encrypt-source.js';
export { Spool, type SpoolOptions } from './spool.js';
export { EncryptStream, VerifyStream, DecipherStream } from './streams.js';
export { createMediaBuilder, downloadMessageMedia, mediaRefFromEvent, kindOf, type MediaBuilderOptions, type EventMedia } from './message.js';
export { sharpInspector, type ImageInspector, type ImageFacts } from './thumbnails.js';
export { MediaReuploads, type MediaReuploadOptions } from './reupload.js';
export { createAccountMedia, type AccountMedia, type AccountMediaOptions } from './account-media.js';
export { SharedMedia, type SharedMediaOptions } from './shared.js';
export { findStoredMedia, type StoredMedia, type StoredMediaInfo, type StoredMediaLookup } from './stored.js';
