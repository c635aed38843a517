import type { MediaInfo } from "./records.js";

/** What the content module tells the store about a template (`HX…`). */
export interface ContentInfo {
  sid: string;
}

/**
 * Registries filled by other emulator modules (media upload, Content API). Until they are
 * mounted, nothing is known and every `MediaSid`/`ContentSid` is rejected like an unknown one.
 */
export interface EmulatorLookups {
  lookupMedia(sid: string): MediaInfo | undefined;
  lookupContent(sid: string): ContentInfo | undefined;
  /** Told once a message carrying this media exists (the media store links them). */
  attachMedia?(sid: string, message: { messageSid: string; conversationSid: string }): void;
}
