/**
 * The control contract's media: what a media send carries (its bytes and
 * what the sender says about them) and what a download hands out.
 * Types only.
 */

export type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/** What a media send may say besides its bytes: the same on the socket, in the daemon API and in WadClient. */
export interface MediaFields {
  mimeType?: string;
  caption?: string;
  fileName?: string;
  ptt?: boolean;
  quoted?: string;
  /** Optional metadata the sender knows (left out of the message when absent). */
  width?: number;
  height?: number;
  /** Duration of audio and video, in seconds. */
  seconds?: number;
  /** video: play as a GIF. */
  gifPlayback?: boolean;
  viewOnce?: boolean;
}

/**
 * The bytes of a media send, already open (a checked local file, a finished
 * upload): their size, and a fresh read of them from the start each time
 * `read()` is called (an image is read once for its thumbnail, once to send).
 */
export interface MediaFile {
  readonly size: number;
  /** The name the caller knows it by (a document's default file name). */
  readonly name?: string | undefined;
  read(): AsyncIterable<Uint8Array>;
}

/**
 * A media send: the bytes and what a consumer may say about them.
 * `ptv`, `waveform` and a stream as `media` are for in-process callers (the
 * socket's message:send has no field for them).
 */
export type MediaContent = MediaFields & {
  type: MediaKind;
  /** `{path}`: a file the caller names; the daemon opens it only if its path policy allows (media.allowedRoots). A stream is read once. */
  media: Uint8Array | { path: string } | MediaFile | AsyncIterable<Uint8Array>;
  /** A small JPEG preview (image, video, document). */
  jpegThumbnail?: Uint8Array;
  /** video: a round video note. */
  ptv?: boolean;
  /** audio: the voice note's waveform, as the message carries it. */
  waveform?: Uint8Array;
};

/**
 * The plaintext of a received (or sent) media file, verified (MAC and hashes)
 * before the first byte is handed out, as chunks; with what the message says
 * about it. Iterate it to the end, or break out, so its temp file is removed.
 */
export interface MediaDownload extends AsyncIterable<Uint8Array> {
  /** image, video, audio, document, sticker. */
  type?: string;
  mimeType?: string;
  /** Plaintext bytes. */
  fileLength?: number;
  fileName?: string;
}
