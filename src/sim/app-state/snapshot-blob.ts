/**
 * A collection snapshot goes to readers as media, never inline: the server
 * encrypts the SyncdSnapshot under a media key of its own (type
 * md-app-state), stores the blob on its media host and answers with an
 * ExternalBlobReference carrying that key, as WhatsApp does. The records in
 * it stay encrypted under the account's sync keys, which the server never has.
 */
import { decryptMedia, encryptMedia } from '../../protocol/media/index.js';
import { proto } from '../../protocol/proto/index.js';
import type { BlobStore } from '../hub.js';

const BLOB_TYPE = 'md-app-state';

/** Stores the snapshot on the media host → where and how to fetch it. */
export function snapshotReference(blobs: BlobStore, snapshot: proto.ISyncdSnapshot): proto.ExternalBlobReference {
  const plain = proto.SyncdSnapshot.encode(snapshot).finish();
  const enc = encryptMedia(plain, BLOB_TYPE);
  const directPath = blobs.putBlob(BLOB_TYPE, enc.blob);
  return proto.ExternalBlobReference.create({
    mediaKey: enc.mediaKey,
    directPath,
    handle: directPath.split('/').pop()!.split('.')[0]!,
    fileSizeBytes: plain.length,
    fileSha256: enc.fileSha256,
    fileEncSha256: enc.fileEncSha256,
  });
}

/**
 * The snapshot a reference names, fetched from the media host (the
 * simulated phone reads snapshots this way).
 * @throws Error when the blob is gone; MediaCryptoError when it does not verify
 */
export function fetchSnapshot(blobs: Pick<BlobStore, 'getBlob'>, ref: proto.IExternalBlobReference): proto.SyncdSnapshot {
  const blob = ref.directPath ? blobs.getBlob(ref.directPath) : undefined;
  if (!blob || !ref.mediaKey) throw new Error(`app state snapshot ${ref.directPath ?? '(no path)'} is not on the media host`);
  const expected = {
    ...(ref.fileSha256 ? { fileSha256: ref.fileSha256 } : {}),
    ...(ref.fileEncSha256 ? { fileEncSha256: ref.fileEncSha256 } : {}),
  };
  return proto.SyncdSnapshot.decode(decryptMedia(blob, ref.mediaKey, BLOB_TYPE, expected));
}
