/**
 * The emulator's media service (Twilio's separate media host): uploads become `ME…` sids
 * that messages reference with `MediaSid`.
 *
 * Wiring: `createMediaRoutes({ store })` gives the routes; message creation calls
 * `store.lookupMedia(sid, accountSid)` for the message's `media` array (unknown → reject the
 * message), then `store.attach(sid, { messageSid, conversationSid })`; webhooks carry
 * `toWebhookMedia(media)` elements in their `Media` JSON string.
 */
export type { MediaRoutesOptions } from "./media-routes.js";
export { createMediaRoutes, temporaryMediaPath } from "./media-routes.js";
export type {
  MediaStore,
  MediaStoreOptions,
  MediaUpload,
  MessageMedia,
  StoredMedia,
} from "./media-store.js";
export { createMediaStore, defaultMaxMediaBytes, toWebhookMedia } from "./media-store.js";
export type { UploadedFile } from "./media-upload.js";
export { dispositionFilename, MediaUploadError, readUpload } from "./media-upload.js";
