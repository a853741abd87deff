/**
 * Why a link preview could not be made. A failed preview never fails the
 * send (the text goes without one); the code and message say why, in the
 * send's answer and the account's log.
 */
export type LinkPreviewErrorCode =
  /** The text has no http(s) link, or the link is not a URL wad fetches. */
  | 'NO_LINK'
  /** The host resolves to a loopback, private, link-local or other non-public address (linkPreview.allowPrivateNetworks is off). */
  | 'PRIVATE_ADDRESS'
  /** More redirects than linkPreview.maxRedirects, or one to a URL that is not http(s). */
  | 'REDIRECTS'
  /** The page or the image is larger than its cap. */
  | 'TOO_LARGE'
  /** The page and its image took longer than linkPreview.timeoutMs. */
  | 'TIMEOUT'
  /** The server answered a status that is not success. */
  | 'HTTP_STATUS'
  /** The page is not HTML, or the image not an image. */
  | 'NOT_HTML'
  /** The page names no title (neither og:title nor <title>). */
  | 'NO_TITLE'
  /** The image could not be decoded (or no image library is installed): the preview goes without a thumbnail. */
  | 'BAD_IMAGE'
  /** The high-quality thumbnail could not be uploaded: the preview goes with the inline one only. */
  | 'UPLOAD'
  /** DNS, a refused or reset connection, TLS (see the cause). */
  | 'NETWORK'
  /** This daemon makes no previews (no fetcher configured). */
  | 'UNAVAILABLE';

export class LinkPreviewError extends Error {
  override readonly name = 'LinkPreviewError';
  constructor(
    readonly code: LinkPreviewErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
