import { MediaRejectedError } from "./agent-errors.js";
import type { InboundMedia, MediaKind } from "./types.js";

/**
 * What the runtime hands an agent of inbound media: the largest size and the content types
 * it fetches. Anything else never reaches the agent's `read()` (and so never a model).
 */
export interface MediaLimits {
  /** The most bytes one piece of media may have. */
  maxBytes: number;
  /** Accepted types: exact (`application/pdf`) or a family (`image/*`). */
  allowedContentTypes: readonly string[];
}

/**
 * 5 MB: WhatsApp's limit for images and Twilio's total for an MMS; images, audio (voice
 * notes), PDFs and plain text — what models and transcription models read.
 */
export const defaultMediaLimits: Readonly<MediaLimits> = Object.freeze({
  maxBytes: 5 * 1024 * 1024,
  allowedContentTypes: Object.freeze(["image/*", "audio/*", "application/pdf", "text/plain"]),
});

/** Checks limits once, at construction, naming the option that is wrong. */
export function validateMediaLimits(limits: MediaLimits): MediaLimits {
  if (!Number.isSafeInteger(limits?.maxBytes) || limits.maxBytes < 1) {
    throw new RangeError(
      `media limits: option "maxBytes" must be a positive integer; got ${String(limits?.maxBytes)}.`,
    );
  }
  if (!Array.isArray(limits.allowedContentTypes)) {
    throw new TypeError('media limits: option "allowedContentTypes" must be an array of types.');
  }
  for (const type of limits.allowedContentTypes) {
    if (typeof type !== "string" || !/^[a-z0-9!#$&^_.+-]+\/([a-z0-9!#$&^_.+-]+|\*)$/i.test(type)) {
      throw new TypeError(
        `media limits: option "allowedContentTypes" holds ${JSON.stringify(type)}; expected a type such as "image/jpeg" or "image/*".`,
      );
    }
  }
  return limits;
}

/** The bare, lower-case type of a `Content-Type` value (`image/jpeg; x=y` → `image/jpeg`). */
function bareType(contentType: string): string {
  return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}

/** Whether `contentType` is one of `allowed` (exact types or `family/*`). */
export function isAllowedContentType(contentType: string, allowed: readonly string[]): boolean {
  const type = bareType(contentType);
  const family = type.split("/")[0];
  return allowed.some((entry) => {
    const pattern = entry.toLowerCase();
    return pattern === type || (pattern.endsWith("/*") && pattern.slice(0, -2) === family);
  });
}

/** What a piece of media is, from its content type: `image`, `audio`, `document`, `other`. */
export function mediaKind(media: Pick<InboundMedia, "contentType" | "kind">): MediaKind {
  if (media.kind !== undefined) return media.kind;
  const type = bareType(media.contentType);
  if (type.startsWith("image/")) return "image";
  if (type.startsWith("audio/")) return "audio";
  if (
    type === "application/pdf" ||
    type.startsWith("text/") ||
    type.startsWith("application/vnd.openxmlformats") ||
    type === "application/msword"
  ) {
    return "document";
  }
  return "other";
}

/** Where the runtime gets media bytes from: a fetch with the account's credentials. */
export type MediaSource = (signal?: AbortSignal) => Promise<Uint8Array | AsyncIterable<Uint8Array>>;

/**
 * The `read()` the runtime puts on an {@link InboundMedia}: refuses a disallowed type or a
 * declared size over the limit before fetching, and stops reading once the bytes exceed
 * the limit (a size Twilio reported is not trusted). Rejects with `MediaRejectedError`.
 * The source's errors pass through unchanged (they may be retryable).
 */
export function boundedMediaReader(
  media: Pick<InboundMedia, "contentType" | "size">,
  source: MediaSource,
  limits: MediaLimits = defaultMediaLimits,
  signal?: AbortSignal,
): () => Promise<Uint8Array> {
  validateMediaLimits(limits);
  return async () => {
    if (!isAllowedContentType(media.contentType, limits.allowedContentTypes)) {
      throw new MediaRejectedError(
        `Media of type ${bareType(media.contentType) || "(none)"} is not accepted (allowed: ${limits.allowedContentTypes.join(", ")}).`,
      );
    }
    if (media.size !== undefined && media.size > limits.maxBytes) {
      throw new MediaRejectedError(tooLarge(media.size, limits.maxBytes));
    }
    const bytes = await source(signal);
    if (bytes instanceof Uint8Array) {
      if (bytes.byteLength > limits.maxBytes) {
        throw new MediaRejectedError(tooLarge(bytes.byteLength, limits.maxBytes));
      }
      return bytes;
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of bytes) {
      total += chunk.byteLength;
      if (total > limits.maxBytes) {
        throw new MediaRejectedError(tooLarge(total, limits.maxBytes, true));
      }
      chunks.push(chunk);
    }
    const joined = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      joined.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return joined;
  };
}

function tooLarge(size: number, maxBytes: number, atLeast = false): string {
  return `Media of ${atLeast ? "at least " : ""}${size} bytes is larger than the ${maxBytes} bytes allowed.`;
}
