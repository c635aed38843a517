import {
  type Route,
  type RouteRequest,
  type RouteResponse,
  twilioError,
} from "../content/route.js";
import type { MediaStore, StoredMedia } from "./media-store.js";
import { MediaUploadError, readUpload } from "./media-upload.js";

export interface MediaRoutesOptions {
  store: MediaStore;
  /**
   * Origin of `links.content_direct_temporary` (the emulator's own URL). Without it the link
   * is a path, which a browser on the emulator's origin resolves just as well.
   */
  publicBaseUrl?: string;
  /** Whether a service sid exists; unknown services answer 404. Defaults to any `IS…`. */
  knowsService?: (serviceSid: string) => boolean;
}

// 20404 is verified; the codes for a bad or oversized upload are likely and kept here so
// they are easy to correct.
const codes = { notFound: 20404, badRequest: 20001, tooLarge: 20001 } as const;

const serviceSidPattern = /^IS[0-9a-fA-F]{32}$/;
const mediaSidPattern = /^ME[0-9a-fA-F]{32}$/;

/** Path of the unauthenticated, signed download route (`links.content_direct_temporary`). */
export const temporaryMediaPath = "/_emulator/media/{mediaSid}";

/**
 * The media service routes (Twilio's media host): upload (`POST /v1/Services/{IS}/Media`,
 * raw bytes → 201 `ME…`), metadata, authenticated download (`…/{ME}/Content`) and the
 * signed temporary download, which is `public` (mounted without Basic auth).
 */
export function createMediaRoutes(options: MediaRoutesOptions): Route[] {
  const { store } = options;
  const base = (options.publicBaseUrl ?? "").replace(/\/+$/, "");
  const knowsService = options.knowsService ?? (() => true);

  const toJson = (media: StoredMedia) => {
    const url = `/v1/Services/${media.service_sid}/Media/${media.sid}`;
    return {
      sid: media.sid,
      account_sid: media.account_sid,
      service_sid: media.service_sid,
      date_created: media.date_created,
      date_upload_updated: media.date_upload_updated,
      date_updated: media.date_updated,
      links: {
        content: `${url}/Content`,
        content_direct_temporary: `${base}${temporaryMediaPath.replace("{mediaSid}", media.sid)}?${store.signDownload(media.sid)}`,
      },
      size: media.size,
      content_type: media.content_type,
      filename: media.filename,
      author: media.author,
      category: "media",
      message_sid: media.message_sid,
      channel_sid: media.channel_sid,
      url,
      is_multipart_upstream: false,
    };
  };

  const find = (request: RouteRequest): StoredMedia | undefined => {
    const { serviceSid = "", mediaSid = "" } = request.params;
    if (!mediaSidPattern.test(mediaSid)) return undefined;
    const media = store.get(mediaSid, request.accountSid);
    return media?.service_sid === serviceSid ? media : undefined;
  };
  const notFound = (request: RouteRequest) =>
    twilioError(404, codes.notFound, `The requested resource ${request.path} was not found`);
  const tooLarge = () =>
    twilioError(413, codes.tooLarge, `Media is larger than the ${store.maxBytes}-byte limit.`);

  const upload = async (request: RouteRequest): Promise<RouteResponse> => {
    const serviceSid = request.params.serviceSid ?? "";
    if (!serviceSidPattern.test(serviceSid) || !knowsService(serviceSid)) return notFound(request);
    // Check the declared length too: the server may have stopped reading at its own cap.
    const declared = Number(request.headers["content-length"] ?? 0);
    if (declared > store.maxBytes || request.rawBody.length > store.maxBytes) return tooLarge();
    try {
      const file = await readUpload(request);
      if (file.bytes.length > store.maxBytes) return tooLarge();
      const media = store.put({ accountSid: request.accountSid, serviceSid, ...file });
      return { status: 201, body: toJson(media) };
    } catch (error) {
      if (error instanceof MediaUploadError)
        return twilioError(400, codes.badRequest, error.message);
      throw error;
    }
  };

  const metadata = (request: RouteRequest): RouteResponse => {
    const media = find(request);
    return media ? { status: 200, body: toJson(media) } : notFound(request);
  };

  const content = (request: RouteRequest): RouteResponse => {
    const media = find(request);
    return media ? download(media) : notFound(request);
  };

  const temporary = (request: RouteRequest): RouteResponse => {
    const sid = request.params.mediaSid ?? "";
    const media = store.get(sid);
    // One answer for unknown, expired and forged, so a URL reveals nothing about others.
    if (
      !media ||
      !store.verifyDownload(sid, request.query.get("Expires"), request.query.get("Signature"))
    )
      return {
        status: 403,
        body: Buffer.from("Access denied"),
        headers: { "content-type": "text/plain" },
      };
    return download(media);
  };

  return [
    {
      method: "POST",
      pattern: "/v1/Services/{serviceSid}/Media",
      handler: upload,
      // Room for the largest file plus its multipart envelope; the handler answers
      // Twilio's own media error for anything over the file limit.
      maximumBodyBytes: store.maxBytes + 1024 * 1024,
    },
    { method: "GET", pattern: "/v1/Services/{serviceSid}/Media/{mediaSid}", handler: metadata },
    {
      method: "GET",
      pattern: "/v1/Services/{serviceSid}/Media/{mediaSid}/Content",
      handler: content,
    },
    { method: "GET", pattern: temporaryMediaPath, handler: temporary, public: true },
  ];
}

function download(media: StoredMedia): RouteResponse {
  const headers: Record<string, string> = {
    "content-type": media.content_type,
    "content-length": String(media.size),
    // Uploaded bytes are untrusted: never let a browser sniff them into HTML, and if one
    // is HTML or SVG anyway, it runs sandboxed (no scripts, no same-origin access to the
    // control API).
    "x-content-type-options": "nosniff",
    "content-security-policy":
      "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'",
  };
  if (media.filename !== null)
    headers["content-disposition"] =
      `inline; filename*=UTF-8''${encodeURIComponent(media.filename)}`;
  return { status: 200, body: media.bytes, headers };
}
