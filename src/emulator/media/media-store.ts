import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** An uploaded file as the media service keeps it. */
export interface StoredMedia {
  /** `ME` + 32 hex digits. */
  sid: string;
  account_sid: string;
  service_sid: string;
  content_type: string;
  /** The name given at upload (`?Filename=` or `Content-Disposition`), or `null`. */
  filename: string | null;
  size: number;
  /** Who uploaded it; REST uploads are `system`. */
  author: string;
  /** Set once a message uses the media. */
  message_sid: string | null;
  channel_sid: string | null;
  date_created: string;
  date_updated: string;
  date_upload_updated: string;
  bytes: Buffer;
}

/** The element of a message's `media` array: what `lookupMedia` returns. */
export interface MessageMedia {
  sid: string;
  size: number;
  content_type: string;
  filename: string | null;
}

export interface MediaUpload {
  accountSid: string;
  serviceSid: string;
  contentType: string;
  filename: string | null;
  bytes: Buffer;
  author?: string;
}

/**
 * In-memory media service storage, one per emulator instance. Messages reference uploads
 * by sid: the Conversations side calls `lookupMedia` to build a message's `media` array and
 * `attach` once the message exists.
 */
export interface MediaStore {
  /** Largest upload accepted, in bytes. */
  readonly maxBytes: number;
  put(upload: MediaUpload): StoredMedia;
  /** The upload with `sid`, or `undefined`; with `accountSid`, other accounts' media is missing. */
  get(sid: string, accountSid?: string): StoredMedia | undefined;
  /** `{ sid, size, content_type, filename }` for a message's `media` array, or `undefined`. */
  lookupMedia(sid: string, accountSid?: string): MessageMedia | undefined;
  /** Records which message (and conversation) uses the media; `false` if it is unknown. */
  attach(sid: string, message: { messageSid: string; conversationSid: string }): boolean;
  /**
   * A query string (`Expires=…&Signature=…`) that lets anyone holding it download the
   * media until it expires, like Twilio's `content_direct_temporary` URLs.
   */
  signDownload(sid: string): string;
  /** Whether `expires` and `signature` are a valid, unexpired grant for `sid`. */
  verifyDownload(sid: string, expires: string | null, signature: string | null): boolean;
  clear(): void;
  /** Every upload (bytes included), for the emulator's state file. */
  persistentState(): { media: Map<string, StoredMedia> };
  /** Replaces every upload with a saved `persistentState()`. */
  restoreState(state: { media: Map<string, StoredMedia> }): void;
}

export interface MediaStoreOptions {
  /** Largest upload in bytes. Twilio allows 150 MB for chat; the emulator defaults to 16 MiB. */
  maxBytes?: number;
  /** Lifetime of a temporary download URL in seconds (Twilio's last about 300 s). */
  downloadTtlSeconds?: number;
  /** Epoch milliseconds; inject the emulator clock. */
  now?: () => number;
  createSid?: () => string;
}

/** 16 MiB: the emulator's default upload cap. */
export const defaultMaxMediaBytes = 16 * 1024 * 1024;

/** Creates an empty media store. */
export function createMediaStore(options: MediaStoreOptions = {}): MediaStore {
  const maxBytes = options.maxBytes ?? defaultMaxMediaBytes;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1)
    throw new RangeError("createMediaStore: maxBytes must be a positive integer number of bytes");
  const ttlSeconds = options.downloadTtlSeconds ?? 300;
  const now = options.now ?? Date.now;
  const createSid = options.createSid ?? (() => `ME${randomBytes(16).toString("hex")}`);
  // Signing key for temporary URLs; per store, so URLs die with the emulator.
  const secret = randomBytes(32);
  const media = new Map<string, StoredMedia>();

  const sign = (sid: string, expires: string) =>
    createHmac("sha256", secret).update(`${sid}\n${expires}`).digest("base64url");

  return {
    maxBytes,
    put(upload) {
      const date = new Date(now()).toISOString();
      const stored: StoredMedia = {
        sid: createSid(),
        account_sid: upload.accountSid,
        service_sid: upload.serviceSid,
        content_type: upload.contentType,
        filename: upload.filename,
        size: upload.bytes.length,
        author: upload.author ?? "system",
        message_sid: null,
        channel_sid: null,
        date_created: date,
        date_updated: date,
        date_upload_updated: date,
        bytes: upload.bytes,
      };
      media.set(stored.sid, stored);
      return stored;
    },
    get(sid, accountSid) {
      const stored = media.get(sid);
      if (!stored || (accountSid !== undefined && stored.account_sid !== accountSid))
        return undefined;
      return stored;
    },
    lookupMedia(sid, accountSid) {
      const stored = this.get(sid, accountSid);
      if (!stored) return undefined;
      return {
        sid: stored.sid,
        size: stored.size,
        content_type: stored.content_type,
        filename: stored.filename,
      };
    },
    attach(sid, message) {
      const stored = media.get(sid);
      if (!stored) return false;
      stored.message_sid = message.messageSid;
      stored.channel_sid = message.conversationSid;
      stored.date_updated = new Date(now()).toISOString();
      return true;
    },
    signDownload(sid) {
      const expires = String(Math.floor(now() / 1000) + ttlSeconds);
      return `Expires=${expires}&Signature=${sign(sid, expires)}`;
    },
    verifyDownload(sid, expires, signature) {
      if (!expires || !signature || !/^\d{1,12}$/.test(expires)) return false;
      if (Number(expires) * 1000 < now()) return false;
      const expected = Buffer.from(sign(sid, expires));
      const given = Buffer.from(signature);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
    clear() {
      media.clear();
    },
    persistentState: () => ({ media }),
    restoreState(state) {
      media.clear();
      for (const [sid, stored] of state.media) media.set(sid, stored);
    },
  };
}

/**
 * A message's media element as webhooks carry it inside the `Media` JSON string
 * (`[{"Sid","Filename","ContentType","Size"}]`, the keys Twilio's webhook typings use).
 */
export function toWebhookMedia(media: MessageMedia): {
  Sid: string;
  Filename: string | null;
  ContentType: string;
  Size: number;
} {
  return {
    Sid: media.sid,
    Filename: media.filename,
    ContentType: media.content_type,
    Size: media.size,
  };
}
