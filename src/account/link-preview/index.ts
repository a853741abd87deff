/**
 * Link previews of texts we send: fetching a page's Open Graph facts and
 * image under bounds (time, size, redirects, public addresses only unless
 * configured), and the inline and uploaded thumbnails. Must not send
 * messages (messaging's) nor decide what a failure does to a send (it never
 * fails one).
 */
export { LinkPreviewError, type LinkPreviewErrorCode } from './errors.js';
export { WebFetcher, type WebFetchOptions, type Fetched } from './web-fetch.js';
export { isNonPublicAddress } from './address-policy.js';
export { readOpenGraph, firstLink, decodePage, type PageFacts } from './open-graph.js';
export { createLinkPreviewMaker, makePreview, type LinkPreviewMaker, type LinkPreviewMakerOptions, type MadePreview } from './maker.js';
