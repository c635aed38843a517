import type twilio from "twilio";
import { TwilioApiError } from "../errors.js";

/** Where and as whom to upload. */
export interface MediaUploadTarget {
  serviceSid: string;
  username: string;
  password: string;
  /** Twilio region, e.g. `ie1` (default `us1`). */
  region?: string | undefined;
  /** Twilio edge location, e.g. `dublin`; the media host is then `mcs.<edge>.<region>.twilio.com`. */
  edge?: string | undefined;
}

/**
 * The media service's host for a region and edge, built as the SDK builds every regional
 * host: `mcs.<edge>.<region>.twilio.com`, the edge left out when absent and the region
 * `us1` when absent (an edge alone implies `us1`).
 */
export function mediaHost(region: string | undefined, edge: string | undefined): string {
  return ["mcs", edge, region ?? "us1", "twilio.com"].filter(Boolean).join(".");
}

/** One file to upload. */
export interface MediaUploadFile {
  content: Uint8Array;
  contentType: string;
  filename?: string | undefined;
}

// The SDK's RequestClient only forwards a body for form or JSON content types, and the media
// service wants raw bytes with the file's own type. So the upload goes out as JSON carrying
// this header, and a request interceptor on the client's axios instance swaps the real
// Content-Type back in just before sending. Everything else (URL rewriting to the emulator,
// proxies, timeouts, auth) stays the request client's.
const rawContentTypeHeader = "X-Switchboard-Raw-Content-Type";
const prepared = new WeakSet<object>();

interface AxiosHeadersLike {
  get?(name: string): unknown;
  set?(name: string, value: string): unknown;
  delete?(name: string): unknown;
}
interface AxiosLike {
  interceptors?: {
    request?: { use(onFulfilled: (config: { headers?: AxiosHeadersLike }) => unknown): unknown };
  };
}

/**
 * Lets `client` send raw upload bodies (see above). Safe to call more than once; a client
 * without an axios instance (a custom request client) is left alone and receives the upload
 * with its real Content-Type and a `Uint8Array` body.
 */
export function enableRawUploads(client: twilio.RequestClient): boolean {
  const axios = (client as unknown as { axios?: AxiosLike }).axios;
  const request = axios?.interceptors?.request;
  if (request === undefined) return false;
  if (prepared.has(client)) return true;
  request.use((config) => {
    const headers = config.headers;
    const wanted = headers?.get?.(rawContentTypeHeader);
    if (typeof wanted === "string") {
      headers?.delete?.(rawContentTypeHeader);
      headers?.set?.("Content-Type", wanted);
    }
    return config;
  });
  prepared.add(client);
  return true;
}

/**
 * Uploads one file to Twilio's media service (`POST https://mcs.us1.twilio.com/v1/Services/
 * {IS}/Media`, raw bytes; see `mediaHost` for other regions and edges) through `client` and returns its media SID (`ME…`), which a
 * message then references as `MediaSid`.
 */
export async function uploadMedia(
  client: twilio.RequestClient,
  viaAxios: boolean,
  target: MediaUploadTarget,
  file: MediaUploadFile,
): Promise<string> {
  const host = mediaHost(target.region, target.edge);
  const uri = `https://${host}/v1/Services/${encodeURIComponent(target.serviceSid)}/Media`;
  const headers: Record<string, string> = viaAxios
    ? { "Content-Type": "application/json", [rawContentTypeHeader]: file.contentType }
    : { "Content-Type": file.contentType };
  headers.Accept = "application/json";
  const response = await client.request({
    method: "post",
    uri,
    username: target.username,
    password: target.password,
    headers,
    // A Buffer is sent as is; a plain Uint8Array view could drag its whole backing buffer.
    data: Buffer.from(file.content.buffer, file.content.byteOffset, file.content.byteLength),
    ...(file.filename === undefined ? {} : { params: { Filename: file.filename } }),
  });
  const body = typeof response.body === "string" ? safeJson(response.body) : response.body;
  const sid = (body as { sid?: unknown } | undefined)?.sid;
  if (typeof sid !== "string" || !/^ME[0-9a-fA-F]{32}$/.test(sid)) {
    throw new TwilioApiError(
      "media upload: the media service answered without a media SID (ME…).",
      {
        status: response.statusCode,
        code: "media_upload_failed",
      },
    );
  }
  return sid;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
